package main

import (
	"encoding/json"
	"encoding/xml"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/reporoot"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/report"
	"github.com/scangate/scangate/report/reporttest"
)

// The README's example through every GitLab output: each finding the JSON
// report counts lands in the report of its kind, valid against the schema,
// and JUnit fails exactly the findings that fail the gate.
func TestGitLabReportsEndToEnd(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	p := func(name string) string { return filepath.Join(out, name) }
	code, stdout, stderr := runCLI(t, "scan", "-q", "--offline", "--db", "../../examples/vulndb", "--json", p("r.json"),
		"--gitlab-sast", p("sast.json"), "--gitlab-dependency-scanning", p("ds.json"), "--junit", "-", "../../examples/project")
	if code != exitFail {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var rep struct {
		Verdict struct {
			Failing int `json:"failing"`
		} `json:"verdict"`
		Tools []struct {
			Tool     string `json:"tool"`
			State    string `json:"state"`
			Findings []struct {
				RuleID string `json:"ruleId"`
				Status string `json:"status"`
			} `json:"findings"`
		} `json:"tools"`
	}
	b := testkit.ReadFile(t, p("r.json"))
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	skipped := 0
	for _, tool := range rep.Tools {
		kind := "dependency_scanning"
		if tool.Tool == "gosec" || tool.Tool == "bandit" {
			kind = "sast"
		}
		for _, f := range tool.Findings {
			if f.Status != "suppressed" {
				want[kind] = append(want[kind], f.RuleID)
			}
		}
		if tool.State == "skipped" {
			skipped++
		}
	}
	// Paths start at the repository root: this checkout's, above the
	// example, when it has a .git.
	where, err := reporoot.Find("../../examples/project", "")
	if err != nil {
		t.Fatal(err)
	}
	fromRoot := func(name string) string { return report.RepoPath(where.Prefix, name) }
	for kind, path := range map[string]string{"sast": p("sast.json"), "dependency_scanning": p("ds.json")} {
		d := reporttest.ReadGitLab(t, path)
		if d.Scan.Type != kind || d.Scan.Status != "success" {
			t.Errorf("%s: type %s status %s", path, d.Scan.Type, d.Scan.Status)
		}
		var got []string
		for _, v := range d.Vulnerabilities {
			got = append(got, v.Identifiers[0].Value)
		}
		slices.Sort(got)
		slices.Sort(want[kind])
		if len(got) == 0 || !slices.Equal(got, want[kind]) {
			t.Errorf("%s: vulnerabilities %v, want the JSON report's %v", kind, got, want[kind])
		}
		if kind != "dependency_scanning" {
			continue
		}
		for _, v := range d.Vulnerabilities {
			if v.Location.Dependency == nil || (v.Location.File != fromRoot("go.mod") && v.Location.File != fromRoot("requirements.txt")) {
				t.Errorf("%s: location %+v", v.Identifiers[0].Value, v.Location)
			}
		}
		var files []string
		for _, f := range d.DependencyFiles {
			files = append(files, f.Path)
		}
		if !slices.Equal(files, []string{fromRoot("go.mod"), fromRoot("requirements.txt")}) {
			t.Errorf("dependency_files %v", files)
		}
	}

	var j reporttest.JUnit
	if err := xml.Unmarshal([]byte(stdout), &j); err != nil {
		t.Fatalf("--junit -: %v\n%s", err, stdout)
	}
	jskipped := 0
	for _, s := range j.Suites {
		jskipped += s.Skipped
	}
	if j.Failures != rep.Verdict.Failing || j.Failures == 0 || j.Errors != 0 || jskipped != skipped || len(j.Suites) != len(rep.Tools) {
		t.Errorf("JUnit failures %d errors %d skipped %d suites %d; verdict failing %d, %d skipped, %d tools",
			j.Failures, j.Errors, jskipped, len(j.Suites), rep.Verdict.Failing, skipped, len(rep.Tools))
	}
}

// Scanners that could not complete (no database) never make a report that
// claims success: the GitLab report fails, JUnit has an error per scanner.
func TestGitLabReportsIncompleteScan(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	ds, junit := filepath.Join(out, "ds.json"), filepath.Join(out, "junit.xml")
	code, _, stderr := runCLI(t, "scan", "-q", "--offline", "--db", t.TempDir(), "--scanners", "govulncheck,osv-scanner",
		"--gitlab-dependency-scanning", ds, "--junit", junit, "../../examples/project")
	if code != exitIncomplete {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	d := reporttest.ReadGitLab(t, ds)
	if d.Scan.Status != "failure" {
		t.Errorf("status %s for an incomplete scan", d.Scan.Status)
	}
	var fatal []string
	for _, m := range d.Scan.Messages {
		if m.Level == "fatal" {
			fatal = append(fatal, m.Value)
		}
	}
	if len(fatal) != 2 || !strings.HasPrefix(fatal[0], "govulncheck: could not complete") || !strings.HasPrefix(fatal[1], "osv-scanner: could not complete") {
		t.Errorf("fatal messages %q", fatal)
	}
	j := reporttest.ReadJUnit(t, junit)
	if j.Errors != 2 || j.Suites[0].Cases[0].Error == nil || j.Suites[1].Cases[0].Error == nil {
		t.Errorf("JUnit errors %d:\n%s", j.Errors, testkit.ReadFile(t, junit))
	}
}
