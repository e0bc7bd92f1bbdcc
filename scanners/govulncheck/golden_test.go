package govulncheck

import (
	"cmp"
	"encoding/json"
	"flag"
	"os"
	"slices"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
)

// The golden file holds the findings of the standalone govulncheck v1.9.0
// binary on examples/project with the same database, trimmed to what we
// compare; testdata/golden/update.sh records it (see the command inside).
var goldenRaw = flag.String("golden-raw", "", "rewrite testdata/golden/example.json from this raw govulncheck -format json output")

const goldenFile = "testdata/golden/example.json"

type golden struct {
	Command  []string        `json:"command"`
	Findings []goldenFinding `json:"findings"`
}

type goldenFinding struct {
	OSV   string        `json:"osv"`
	Level string        `json:"level"`
	Fixed string        `json:"fixed_version,omitempty"`
	Trace []goldenFrame `json:"trace"`
}

type goldenFrame struct {
	Module   string `json:"module"`
	Version  string `json:"version,omitempty"`
	Package  string `json:"package,omitempty"`
	Function string `json:"function,omitempty"`
	Receiver string `json:"receiver,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
}

func (g goldenFinding) vuln() *vuln {
	v := &vuln{OSV: g.OSV, FixedVersion: g.Fixed}
	for _, f := range g.Trace {
		fr := &frame{Module: f.Module, Version: f.Version, Package: f.Package, Function: f.Function, Receiver: f.Receiver}
		if f.File != "" {
			fr.Position = &position{Filename: f.File, Line: f.Line, Column: f.Column}
		}
		v.Trace = append(v.Trace, fr)
	}
	return v
}

func TestGolden(t *testing.T) {
	if *goldenRaw != "" {
		writeGolden(t, *goldenRaw)
	}
	data := testkit.ReadFile(t, goldenFile)
	var g golden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatalf("%s: %v", goldenFile, err)
	}
	// The standalone tool reports each advisory at every level it reached;
	// we keep the most precise one.
	want := map[string]*vuln{}
	for _, gf := range g.Findings {
		v := gf.vuln()
		if w := want[v.OSV]; w == nil || better(v, w) {
			want[v.OSV] = v
		}
	}
	if len(want) != 3 {
		t.Fatalf("golden file has %d advisories, want 3", len(want))
	}
	res := exampleScan(t).Res
	if len(res.Findings) != len(want) {
		t.Errorf("%d findings, golden has %d advisories", len(res.Findings), len(want))
	}
	for id, v := range want {
		f := byRule(res, id)
		if f == nil {
			t.Errorf("%s: in the golden file, not found by us", id)
			continue
		}
		top := v.Trace[0]
		if f.Reachable != v.level() || f.Package.Name != top.Module || f.Package.Version != top.Version ||
			!slices.Equal(f.Package.Fixed, []string{v.FixedVersion}) {
			t.Errorf("%s: got %v %s@%s fixed %v; golden %v %s@%s fixed %s", id, f.Reachable, f.Package.Name,
				f.Package.Version, f.Package.Fixed, v.level(), top.Module, top.Version, v.FixedVersion)
		}
		if v.level() != finding.Called {
			continue
		}
		// Our trace is in call order, govulncheck's starts at the symbol.
		if len(f.Trace) != len(v.Trace) {
			t.Errorf("%s: trace of %d frames, golden %d", id, len(f.Trace), len(v.Trace))
			continue
		}
		for i, fr := range f.Trace {
			gf := v.Trace[len(v.Trace)-1-i]
			wantPath := gf.Position.Filename // examples/project is the root: module paths are root paths
			if fr.Function != gf.symbol() || fr.Package != gf.Package || fr.Location.Path != wantPath ||
				fr.Location.StartLine != gf.Position.Line || fr.Location.StartColumn != gf.Position.Column ||
				fr.External != (gf.Module != "example.com/scangate-example") {
				t.Errorf("%s frame %d: %+v, golden %+v %+v", id, i, fr, *gf, *gf.Position)
			}
		}
		exit := v.Trace[exitPoint(v.Trace)]
		if f.Location.Path != exit.Position.Filename || f.Location.StartLine != exit.Position.Line || f.Location.StartColumn != exit.Position.Column {
			t.Errorf("%s: location %+v, golden call site %+v", id, f.Location, *exit.Position)
		}
	}
}

// writeGolden trims a raw stream of the standalone binary into the golden
// file, keeping its command line.
func writeGolden(t *testing.T, raw string) {
	data := testkit.ReadFile(t, raw)
	st, err := decodeBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	old := testkit.ReadFile(t, goldenFile)
	var g golden
	if err := json.Unmarshal(old, &g); err != nil {
		t.Fatal(err)
	}
	g.Findings = nil
	for _, v := range st.findings {
		gf := goldenFinding{OSV: v.OSV, Level: v.level().String(), Fixed: v.FixedVersion}
		for _, f := range v.Trace {
			fr := goldenFrame{Module: f.Module, Version: f.Version, Package: f.Package, Function: f.Function, Receiver: f.Receiver}
			if f.Position != nil {
				fr.File, fr.Line, fr.Column = f.Position.Filename, f.Position.Line, f.Position.Column
			}
			gf.Trace = append(gf.Trace, fr)
		}
		g.Findings = append(g.Findings, gf)
	}
	slices.SortFunc(g.Findings, func(a, b goldenFinding) int {
		rank := map[string]int{"required": 0, "imported": 1, "called": 2}
		return cmp.Or(cmp.Compare(a.OSV, b.OSV), cmp.Compare(rank[a.Level], rank[b.Level]), cmp.Compare(a.Trace[0].Function, b.Trace[0].Function))
	})
	out, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(goldenFile, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
