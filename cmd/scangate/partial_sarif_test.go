package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/model"
)

type sarifRunView struct {
	Tool struct {
		Driver struct {
			Name string `json:"name"`
		} `json:"driver"`
	} `json:"tool"`
	AutomationDetails struct {
		ID string `json:"id"`
	} `json:"automationDetails"`
	Invocations []struct {
		ExecutionSuccessful bool `json:"executionSuccessful"`
	} `json:"invocations"`
	Results []struct {
		RuleID    string `json:"ruleId"`
		Locations []struct {
			PhysicalLocation struct {
				ArtifactLocation struct {
					URI string `json:"uri"`
				} `json:"artifactLocation"`
			} `json:"physicalLocation"`
		} `json:"locations"`
		Properties struct {
			Tools   []string `json:"tools"`
			Aliases []string `json:"aliases"`
		} `json:"properties"`
	} `json:"results"`
}

// A repository of three Go modules, one of which cannot be loaded (no
// go.sum, no vendor directory): gosec and govulncheck complete two modules
// of three. Their runs for those two are in the SARIF file, each module in
// a category of its own, while the failed module's category is absent, so
// that code scanning keeps its alerts; osv-scanner, which read every
// go.mod, reports the failed module's advisories in its own run. The
// vulnerable versions are real (golang.org/x/text v0.3.6, jinja2 2.11.2),
// the database is examples/vulndb.
func TestPartialScanReportsCompletedUnits(t *testing.T) {
	root := t.TempDir()
	for _, dir := range []string{".", "svc", "api"} {
		if err := os.CopyFS(filepath.Join(root, dir), os.DirFS("../../examples/project")); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"api/go.sum", "api/vendor"} {
		if err := os.RemoveAll(filepath.Join(root, p)); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	file := func(name string) string { return filepath.Join(out, name) }
	code, _, stderr := runCLI(t, "scan", "--no-cache", "--scanners", "gosec,govulncheck,osv-scanner",
		"--sarif", file("r.sarif"), "--json", file("r.json"), "--markdown", file("r.md"),
		"--gitlab-dependency-scanning", file("ds.json"), "--junit", file("junit.xml"), root)
	// The findings fail the gate: that decides the exit code, as before.
	if code != exitFail {
		t.Fatalf("exit %d, want %d (the gate fails)\n%s", code, exitFail, stderr)
	}
	testkit.ContainsAll(t, "stderr", stderr,
		"govulncheck: module api (example.com/scangate-example): nothing in it was scanned",
		"gosec: module example.com/scangate-example: none of its 1 packages loaded without errors",
		"the SARIF report leaves out gosec (go-module api), govulncheck (go-module api)",
	)

	data, err := os.ReadFile(file("r.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Runs []sarifRunView }
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	runs := map[string]sarifRunView{}
	for _, r := range doc.Runs {
		key := r.Tool.Driver.Name + " " + r.AutomationDetails.ID
		if _, dup := runs[key]; dup {
			t.Errorf("two runs of %s: GitHub rejects the file", key)
		}
		runs[key] = r
		if len(r.Invocations) != 1 || !r.Invocations[0].ExecutionSuccessful {
			t.Errorf("%s: a written run must be a complete one: %+v", key, r.Invocations)
		}
	}
	var ids []string
	for k := range runs {
		ids = append(ids, k)
	}
	slices.Sort(ids)
	want := []string{
		"gosec scangate/gosec/", "gosec scangate/gosec/svc/",
		"govulncheck scangate/govulncheck/", "govulncheck scangate/govulncheck/svc/",
		"osv-scanner scangate/osv-scanner/", "osv-scanner scangate/osv-scanner/api/", "osv-scanner scangate/osv-scanner/svc/",
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("runs %q, want %q", ids, want)
	}

	// has reports whether the run holds rule (by ID or alias) at a file
	// under dir ("" for the root module's own files).
	has := func(key, rule, dir string) bool {
		for _, res := range runs[key].Results {
			if res.RuleID != rule && !slices.Contains(res.Properties.Aliases, rule) {
				continue
			}
			for _, l := range res.Locations {
				uri := l.PhysicalLocation.ArtifactLocation.URI
				top, _, nested := strings.Cut(uri, "/")
				if dir == "" && (!nested || top != "svc" && top != "api") || dir != "" && top == dir {
					return true
				}
			}
		}
		return false
	}
	for _, c := range []struct{ key, rule, dir string }{
		// govulncheck's finding, joined with osv-scanner's, in each
		// module govulncheck completed.
		{"govulncheck scangate/govulncheck/", "GO-2021-0113", ""},
		{"govulncheck scangate/govulncheck/svc/", "GO-2021-0113", "svc"},
		// The failed module's advisory, from osv-scanner, which completed it.
		{"osv-scanner scangate/osv-scanner/api/", "GO-2021-0113", "api"},
		{"osv-scanner scangate/osv-scanner/", "PYSEC-2021-66", ""},
		{"osv-scanner scangate/osv-scanner/svc/", "PYSEC-2021-66", "svc"},
	} {
		if !has(c.key, c.rule, c.dir) {
			t.Errorf("run %s lacks %s under %q:\n%+v", c.key, c.rule, c.dir, runs[c.key].Results)
		}
	}
	for _, r := range runs["govulncheck scangate/govulncheck/svc/"].Results {
		if r.RuleID == "GO-2021-0113" && !slices.Equal(r.Properties.Tools, []string{"govulncheck", "osv-scanner"}) {
			t.Errorf("svc's GO-2021-0113 should be joined with osv-scanner's: tools %v", r.Properties.Tools)
		}
	}

	// The JSON report says which units each tool completed.
	schemaValidate(t, string(model.Schema()), file("r.json"))
	var rep struct {
		Tools []struct {
			Tool  string
			Units []finding.Unit
		}
	}
	if b, err := os.ReadFile(file("r.json")); err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("r.json: %v", err)
	}
	seen := false
	for _, tr := range rep.Tools {
		if tr.Tool != "govulncheck" {
			continue
		}
		seen = true
		want := []finding.Unit{{Kind: "go-module", Path: "."}, {Kind: "go-module", Path: "api", State: finding.Incomplete}, {Kind: "go-module", Path: "svc"}}
		if !slices.Equal(tr.Units, want) {
			t.Errorf("govulncheck's units %+v, want %+v", tr.Units, want)
		}
	}
	if !seen {
		t.Error("r.json has no govulncheck result")
	}

	// The other reports hold every finding, the failed module's included
	// (JUnit lists those that fail the gate: the Go advisories).
	for _, name := range []string{"r.json", "r.md", "ds.json", "junit.xml"} {
		b, err := os.ReadFile(file(name))
		if err != nil {
			t.Fatal(err)
		}
		paths := []string{"api/go.mod", "svc/main.go", "svc/requirements.txt", "api/requirements.txt"}
		if name == "junit.xml" {
			paths = paths[:2]
		}
		for _, p := range paths {
			if !strings.Contains(string(b), p) {
				t.Errorf("%s does not name %s", name, p)
			}
		}
	}
}
