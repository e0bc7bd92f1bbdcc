package report

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/scangate/scangate/finding"
)

// unitTool is a tool of units: a finding at each unit's path ("." the root).
func unitTool(tool, kind string, states map[string]finding.State, paths ...string) finding.Result {
	r := finding.Result{Tool: tool, State: finding.Completed, Findings: []finding.Finding{}}
	for _, p := range paths {
		st := states[p]
		if st == finding.Incomplete {
			r.State = finding.Incomplete
		}
		r.Units = append(r.Units, finding.Unit{Kind: kind, Path: p, State: st})
		file := p + "/main.go"
		if kind == "lockfile" {
			file = p
		}
		file = strings.TrimPrefix(file, "./")
		if st == finding.Completed {
			r.Findings = append(r.Findings, finding.Finding{Tool: tool, RuleID: "R1", Severity: finding.High,
				Message: "m", Location: finding.Location{Path: file, StartLine: 1}, Fingerprint: "fp-" + file})
		}
	}
	return r
}

// runIDs are "id: uri, uri" per run, in order.
func runIDs(doc *sarif.Report) []string {
	var out []string
	for _, run := range doc.Runs {
		var uris []string
		for _, r := range run.Results {
			uris = append(uris, *r.Locations[0].PhysicalLocation.ArtifactLocation.URI)
		}
		ok := *run.Invocations[0].ExecutionSuccessful
		out = append(out, fmt.Sprintf("%s %v: %s", *run.AutomationDetails.ID, ok, strings.Join(uris, " ")))
	}
	return out
}

// A complete and a partial scan of the same modules use the same
// categories: the failed module's run alone is missing, so its alerts stay
// as they were, and the root module keeps the tool's own category.
func TestSARIFSplitsUnitsStably(t *testing.T) {
	mods := []string{".", "api", "svc/a"}
	complete := runIDs(mustSARIF(t, []finding.Result{unitTool("govulncheck", "go-module", nil, mods...)}, SARIFOptions{}))
	want := []string{
		"scangate/govulncheck/ true: main.go",
		"scangate/govulncheck/api/ true: api/main.go",
		"scangate/govulncheck/svc/a/ true: svc/a/main.go",
	}
	if !slices.Equal(complete, want) {
		t.Fatalf("complete scan: %q, want %q", complete, want)
	}
	res := unitTool("govulncheck", "go-module", map[string]finding.State{"api": finding.Incomplete}, mods...)
	partial := runIDs(mustSARIF(t, []finding.Result{res}, SARIFOptions{}))
	if !slices.Equal(partial, []string{want[0], want[2]}) {
		t.Errorf("partial scan: %q, want %q", partial, []string{want[0], want[2]})
	}
	if got := SARIFLeftOut([]finding.Result{res}, SARIFOptions{}); !slices.Equal(got, []string{"govulncheck (go-module api)"}) {
		t.Errorf("left out: %q", got)
	}
	kept := runIDs(mustSARIF(t, []finding.Result{res}, SARIFOptions{KeepIncomplete: true}))
	if !slices.Equal(kept, []string{want[0], "scangate/govulncheck/api/ false: ", want[2]}) {
		t.Errorf("--sarif-keep-incomplete: %q", kept)
	}
	// A run whose gap has no unit: no unit's run can be trusted.
	res.Units[1].State = finding.Completed
	if got := runIDs(mustSARIF(t, []finding.Result{res}, SARIFOptions{})); len(got) != 0 {
		t.Errorf("unlocated gap: %q", got)
	}
	// One module, the common case: the category is the tool's, as it always was.
	if got := runIDs(mustSARIF(t, []finding.Result{unitTool("gosec", "go-module", nil, ".")}, SARIFOptions{})); !slices.Equal(got, []string{"scangate/gosec/ true: main.go"}) {
		t.Errorf("one module: %q", got)
	}
}

// Lockfiles are grouped by folder; without a root unit the tool's own
// category is written only when the tool completed (it may still hold
// alerts of the units from before they had categories of their own).
func TestSARIFSplitsLockfilesByFolder(t *testing.T) {
	files := []string{"go.mod", "requirements.txt", "api/go.mod", "web/x/package-lock.json"}
	got := runIDs(mustSARIF(t, []finding.Result{unitTool("osv-scanner", "lockfile", nil, files...)}, SARIFOptions{}))
	want := []string{
		"scangate/osv-scanner/ true: go.mod requirements.txt",
		"scangate/osv-scanner/api/ true: api/go.mod",
		"scangate/osv-scanner/web/x/ true: web/x/package-lock.json",
	}
	if !slices.Equal(got, want) {
		t.Errorf("runs %q, want %q", got, want)
	}
	res := unitTool("osv-scanner", "lockfile", map[string]finding.State{"go.mod": finding.Incomplete}, files...)
	if got := runIDs(mustSARIF(t, []finding.Result{res}, SARIFOptions{})); !slices.Equal(got, want[1:]) {
		t.Errorf("root lockfile failed: %q, want %q", got, want[1:])
	}
	nested := unitTool("govulncheck", "go-module", map[string]finding.State{"b": finding.Incomplete}, "a", "b")
	if got := runIDs(mustSARIF(t, []finding.Result{nested}, SARIFOptions{})); !slices.Equal(got, []string{"scangate/govulncheck/a/ true: a/main.go"}) {
		t.Errorf("no root module, one failed: %q", got)
	}
}

// Beyond the runs limit, units are grouped by top-level folder, then not
// split at all; the choice depends on the units, not on which ones failed.
func TestSARIFSplitWithinRunLimit(t *testing.T) {
	var mods []string
	for i := range 8 {
		mods = append(mods, fmt.Sprintf("svc/m%d", i), fmt.Sprintf("lib%d", i))
	}
	lim := Limits{Runs: 12}
	r := unitTool("gosec", "go-module", map[string]finding.State{"svc/m3": finding.Incomplete}, mods...)
	got := runIDs(mustSARIF(t, []finding.Result{r}, SARIFOptions{Limits: lim}))
	// 1 + 8 lib + 1 svc = 10 runs; svc, with its failed module, is out, and
	// so is the tool's own (no root module, the tool incomplete).
	if len(got) != 8 || slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "/svc/") || strings.HasPrefix(s, "scangate/gosec/ ") }) {
		t.Errorf("top-level grouping: %q", got)
	}
	if got := runIDs(mustSARIF(t, []finding.Result{r}, SARIFOptions{Limits: Limits{Runs: 5}})); len(got) != 0 {
		t.Errorf("no split, one module failed: the tool is left out as a whole: %q", got)
	}
}

// Every id is one category of its own (it ends in "/"), and a directory
// name from the tree cannot add a line or a second segment to it.
func TestSARIFCategoryEscapesPaths(t *testing.T) {
	r := unitTool("gosec", "go-module", nil, "a b\n%c")
	doc := mustSARIF(t, []finding.Result{r}, SARIFOptions{})
	if id := *doc.Runs[1].AutomationDetails.ID; id != "scangate/gosec/a%20b%0A%25c/" {
		t.Errorf("id %q", id)
	}
}

func TestSARIFSplitValidates(t *testing.T) {
	tool := multitool(t)
	res := unitTool("govulncheck", "go-module", map[string]finding.State{"api": finding.Incomplete}, ".", "api", "svc")
	if errs := validate(t, tool, render(t, mustSARIF(t, []finding.Result{res}, SARIFOptions{}))); len(errs) > 0 {
		t.Errorf("SARIF Multitool: %q", errs)
	}
}
