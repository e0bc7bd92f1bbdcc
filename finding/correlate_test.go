package finding

import (
	"slices"
	"strings"
	"testing"
)

func goPkg(version string, fixed ...string) *Package {
	return &Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: version, Fixed: fixed, Manifest: "go.mod"}
}

func TestCorrelateJoinsThroughAliases(t *testing.T) {
	results := []Result{
		{Tool: "osv-scanner", Findings: []Finding{
			// osv.dev carries the GitHub form of the Go advisory; only aliases join them.
			{Tool: "osv-scanner", RuleID: "GHSA-ppp9-7jff-5vj2", Aliases: []string{"CVE-2021-38561", "GO-2021-0113"}, Severity: High, Score: 7.5,
				Package: goPkg("0.3.6", "0.3.7"), Location: Location{Path: "go.mod", StartLine: 5}},
			{Tool: "osv-scanner", RuleID: "PYSEC-2021-66", Package: &Package{Ecosystem: "PyPI", Name: "Jinja2", Version: "2.11.2", Manifest: "requirements.txt"}},
		}},
		{Tool: "govulncheck", Findings: []Finding{
			{Tool: "govulncheck", RuleID: "GO-2021-0113", Aliases: []string{"CVE-2021-38561"}, Severity: Medium, Reachable: Called,
				Package: goPkg("v0.3.6", "v0.3.7"), Location: Location{Path: "main.go", StartLine: 11}},
			// Same package, unrelated advisory: must stay separate.
			{Tool: "govulncheck", RuleID: "GO-2022-1059", Aliases: []string{"CVE-2022-32149"}, Reachable: Imported, Package: goPkg("v0.3.6", "v0.3.8")},
		}},
		{Tool: "safety", Findings: []Finding{
			{Tool: "safety", RuleID: "pyup-39525", Aliases: []string{"PYSEC-2021-66"}, Package: &Package{Ecosystem: "PyPI", Name: "jinja2", Version: "2.11.2", Manifest: "requirements.txt"}},
		}},
	}
	Correlate(results, vulnOrder)
	if n := len(results[0].Findings); n != 1 || results[0].Findings[0].RuleID != "PYSEC-2021-66" {
		t.Fatalf("osv-scanner run should keep only the PyPI finding, has %d: %+v", n, results[0].Findings)
	}
	if n := len(results[2].Findings); n != 0 {
		t.Fatalf("safety's duplicate should move into osv-scanner's finding, %d left", n)
	}
	g := results[1].Findings[0]
	if g.RuleID != "GO-2021-0113" || g.Reachable != Called || g.Location.Path != "main.go" {
		t.Errorf("govulncheck must stay primary with its reachability and call site: %+v", g)
	}
	if !slices.Equal(g.Tools, []string{"govulncheck", "osv-scanner"}) {
		t.Errorf("tools = %v", g.Tools)
	}
	if !slices.Equal(g.Aliases, []string{"CVE-2021-38561", "GHSA-ppp9-7jff-5vj2"}) {
		t.Errorf("aliases = %v", g.Aliases)
	}
	if g.Score != 7.5 || g.Severity != High {
		t.Errorf("score from the scored duplicate expected, got %v %v", g.Score, g.Severity)
	}
	if len(results[1].Findings) != 2 {
		t.Errorf("unrelated advisory merged away")
	}
	if py := results[0].Findings[0]; !slices.Equal(py.Tools, []string{"osv-scanner", "safety"}) {
		t.Errorf("PyPI tools = %v (PEP 503 names must match)", py.Tools)
	}
}

func TestCorrelateKeepsManifestsApart(t *testing.T) {
	a := Finding{Tool: "osv-scanner", RuleID: "GO-2021-0113", Package: &Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "0.3.6", Manifest: "a/go.mod"}}
	b := a
	b.Tool = "govulncheck"
	b.Package = &Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.6", Manifest: "b/go.mod"}
	results := Correlate([]Result{{Findings: []Finding{a}}, {Findings: []Finding{b}}}, vulnOrder)
	if len(results[0].Findings)+len(results[1].Findings) != 2 {
		t.Fatal("findings of two modules were merged")
	}
}

// The same pin in two requirements files of one folder is two lines to
// change: osv-scanner's two findings stay two, and safety's finding of each
// file joins the one of its own file.
func TestCorrelateKeepsFilesOfOneFolderApart(t *testing.T) {
	pin := func(tool, id, file string, aliases ...string) Finding {
		return Finding{Tool: tool, RuleID: id, Aliases: aliases, Location: Location{Path: file, StartLine: 1},
			Package: &Package{Ecosystem: "PyPI", Name: "requests", Version: "2.19.0", Manifest: file}}
	}
	osv := Result{Tool: "osv-scanner", Findings: []Finding{
		pin("osv-scanner", "PYSEC-2023-74", "requirements.txt", "CVE-2023-32681"),
		pin("osv-scanner", "PYSEC-2023-74", "requirements-dev.txt", "CVE-2023-32681"),
	}}
	safety := Result{Tool: "safety", Findings: []Finding{
		pin("safety", "58755", "requirements.txt", "CVE-2023-32681"),
		pin("safety", "58755", "requirements-dev.txt", "CVE-2023-32681"),
	}}
	results := Correlate([]Result{osv, safety}, vulnOrder)
	if len(results[1].Findings) != 0 {
		t.Errorf("safety findings not merged: %+v", results[1].Findings)
	}
	var got []string
	for _, f := range results[0].Findings {
		got = append(got, f.Location.Path+" "+strings.Join(f.Tools, ","))
	}
	if want := []string{"requirements.txt osv-scanner,safety", "requirements-dev.txt osv-scanner,safety"}; !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
}

// vulnOrder is the registry's order of the tools that report
// vulnerabilities: the earlier one keeps a merged finding.
var vulnOrder = []string{"govulncheck", "osv-scanner", "safety"}

// The standard library spelled as Go releases (go1.22.4, as both adapters
// write it) and as OSV has it (1.22.4) is one version: one finding, each
// fixed version once, and the remediation compares releases numerically.
func TestCorrelateStdlibSpellings(t *testing.T) {
	std := func(version string, fixed ...string) *Package {
		return &Package{Ecosystem: "Go", Name: "stdlib", Version: version, Fixed: fixed, Manifest: "go.mod"}
	}
	results := []Result{
		{Tool: "govulncheck", Findings: []Finding{{Tool: "govulncheck", RuleID: "GO-2024-2887", Package: std("go1.22.4", "go1.22.10")}}},
		{Tool: "osv-scanner", Findings: []Finding{{Tool: "osv-scanner", RuleID: "GO-2024-2887", Package: std("1.22.4", "1.22.10", "1.22.9")}}},
	}
	Correlate(results, vulnOrder)
	if len(results[1].Findings) != 0 || len(results[0].Findings) != 1 {
		t.Fatalf("not merged: %+v", results)
	}
	if got := results[0].Findings[0].Package.Fixed; !slices.Equal(got, []string{"go1.22.9", "go1.22.10"}) {
		t.Errorf("fixed = %v, want go1.22.9 and go1.22.10, once each, lowest first", got)
	}
	rem := Remediate(results)
	if len(rem) != 1 || rem[0].To != "go1.22.9" || rem[0].Package.Version != "go1.22.4" {
		t.Errorf("remediation %+v, want go1.22.4 -> go1.22.9", rem)
	}
	for v, want := range map[string]string{"go1.22.4": "1.22.4", "v0.3.6": "0.3.6", "1.22.4": "1.22.4", "go": "go"} {
		if got := NormalizeVersion("Go", v); got != want {
			t.Errorf("NormalizeVersion(Go, %q) = %q, want %q", v, got, want)
		}
	}
}

// The same advisory from govulncheck, which did not complete the module,
// and osv-scanner, which did: the merged finding stays with osv-scanner, in
// a unit whose run is written, and still names both tools.
func TestCorrelateKeepsFindingInCompletedUnit(t *testing.T) {
	results := []Result{
		{Tool: "osv-scanner", State: Completed, Units: []Unit{{Kind: "lockfile", Path: "api/go.mod", State: Completed}}, Findings: []Finding{
			{Tool: "osv-scanner", RuleID: "GO-2021-0113", Package: &Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "0.3.6", Manifest: "api/go.mod"}}}},
		{Tool: "govulncheck", State: Incomplete, Units: []Unit{{Kind: "go-module", Path: "api", State: Incomplete}}, Findings: []Finding{
			{Tool: "govulncheck", RuleID: "GO-2021-0113", Reachable: Imported, Package: &Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.6", Manifest: "api/go.mod"}}}},
	}
	Correlate(results, vulnOrder)
	if len(results[1].Findings) != 0 || len(results[0].Findings) != 1 {
		t.Fatalf("the finding should stay with osv-scanner: %+v", results)
	}
	if f := results[0].Findings[0]; !slices.Equal(f.Tools, []string{"govulncheck", "osv-scanner"}) || f.Reachable != Imported {
		t.Errorf("merged finding %+v", f)
	}
	// With govulncheck's module complete, its stronger evidence wins again.
	results[1].Units[0].State, results[1].State = Completed, Completed
	results[1].Findings = []Finding{{Tool: "govulncheck", RuleID: "GO-2021-0113", Package: &Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.6", Manifest: "api/go.mod"}}}
	results[0].Findings[0].Tools = nil
	Correlate(results, vulnOrder)
	if len(results[1].Findings) != 1 || len(results[0].Findings) != 0 {
		t.Errorf("govulncheck should be primary when complete: %+v", results)
	}
}

func TestSettleUnits(t *testing.T) {
	r := Result{State: Incomplete, Units: []Unit{{Path: "."}, {Path: "a"}}}
	r.SettleUnits() // no unit named: none counts as complete
	if r.Units[0].State != Incomplete || r.Units[1].State != Incomplete {
		t.Errorf("unlocated gap: %+v", r.Units)
	}
	r = Result{State: Incomplete, Units: []Unit{{Path: "."}, {Path: "a", State: Incomplete}}}
	r.SettleUnits()
	if r.Units[0].State != Completed || r.Units[1].State != Incomplete {
		t.Errorf("located gap: %+v", r.Units)
	}
	if i := UnitOf(r.Units, &Finding{Location: Location{Path: "a/b/c.go"}}); i != 1 {
		t.Errorf("UnitOf a/b/c.go = %d", i)
	}
	if i := UnitOf(r.Units, &Finding{Location: Location{Path: "ab/c.go"}}); i != 0 {
		t.Errorf("UnitOf ab/c.go = %d", i)
	}
}
