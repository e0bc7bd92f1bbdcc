package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/report/reporttest"
	"github.com/scangate/scangate/scanner"
)

// The README's example, through an imported database: every reachability
// kind, and each Go advisory reported by both govulncheck and osv-scanner
// (osv-scanner knows x/text's advisories under their GHSA IDs) appears once,
// in SARIF, in the summary and in the gate count.
func TestExampleProjectEndToEnd(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "db")
	if code, _, stderr := runCLI(t, "db", "import", "../../examples/vulndb", "--db", db); code != 0 {
		t.Fatalf("db import: exit %d\n%s", code, stderr)
	}
	out := t.TempDir()
	sarifPath, jsonPath := filepath.Join(out, "x.sarif"), filepath.Join(out, "x.json")
	code, _, stderr := runCLI(t, "scan", "-q", "--offline", "--db", db, "--sarif", sarifPath, "--json", jsonPath, "../../examples/project")
	if code != exitFail {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	hits := reporttest.SARIF(t, sarifPath)
	for rule, reach := range map[string]string{"GO-2021-0113": "called", "GO-2022-1059": "imported", "GO-2023-2402": "required"} {
		n, h := reporttest.Count(hits, rule)
		if n != 1 {
			t.Errorf("%s appears %d times in SARIF, want once", rule, n)
			continue
		}
		if h.Tool != "govulncheck" || h.Props["reachability"] != reach {
			t.Errorf("%s: in %s's run with reachability %v, want govulncheck and %s", rule, h.Tool, h.Props["reachability"], reach)
		}
		if tools, _ := h.Props["tools"].([]any); len(tools) != 2 {
			t.Errorf("%s: reported by %v, want govulncheck and osv-scanner", rule, h.Props["tools"])
		}
	}
	// The real GO- records are unscored: GO-2021-0113 is rated by its GHSA
	// alias (high, 7.5), which osv-scanner groups with it; GO-2023-2402's
	// alias is not in the example database, so its severity is unknown.
	if _, h := reporttest.Count(hits, "GO-2021-0113"); h.Props["severity"] != "high" || h.Props["cvss-score"] != 7.5 || h.Props["severity-from"] != "osv-scanner" {
		t.Errorf("GO-2021-0113: %v", h.Props)
	}
	if _, h := reporttest.Count(hits, "GO-2023-2402"); h.Props["severity"] != "unknown" {
		t.Errorf("GO-2023-2402: %v", h.Props)
	}
	if n, _ := reporttest.Count(hits, "GHSA-ppp9-7jff-5vj2"); n != 0 {
		t.Error("osv-scanner's GHSA form of GO-2021-0113 was not merged")
	}
	if n, _ := reporttest.Count(hits, "PYSEC-2021-66"); n != 1 {
		t.Errorf("jinja2 advisory: %d", n)
	}
	if strings.Count(stderr, "GO-2021-0113 ") != 1 || !strings.Contains(stderr, "go.mod: upgrade golang.org/x/text v0.3.6 -> v0.3.8 fixes 2: go get golang.org/x/text@v0.3.8") ||
		!strings.Contains(stderr, "govulncheck: standard library checked as go1.") {
		t.Errorf("summary:\n%s", stderr)
	}
	var doc struct {
		Verdict struct{ Total, New, Failing int } `json:"verdict"`
	}
	b, _ := os.ReadFile(jsonPath)
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Verdict.Total != len(hits) {
		t.Errorf("gate counted %d findings, SARIF holds %d", doc.Verdict.Total, len(hits))
	}
	// Called keeps the advisory's high; imported and required step down.
	want := 2 // G702 and GO-2021-0113
	if _, err := exec.LookPath("bandit"); err == nil {
		want++ // B602 in tools/notes.py
	}
	if doc.Verdict.Failing != want {
		t.Errorf("failing = %d, want %d\n%s", doc.Verdict.Failing, want, stderr)
	}
}

// No database offline: the vulnerability scanners say what to do, the scan
// is incomplete, and gosec's findings are all still there.
func TestOfflineWithoutDatabase(t *testing.T) {
	none := filepath.Join(t.TempDir(), "none")
	code, _, stderr := runCLI(t, "scan", "-q", "--offline", "--db", none, "--fail-on", "critical", "../../examples/project")
	if code != exitIncomplete {
		t.Fatalf("exit %d, want 3\n%s", code, stderr)
	}
	// The path tried, and db import for machines without network; --db was
	// given, so no advice to pass it.
	shown := scanner.TempMarker() + strings.TrimPrefix(none, os.TempDir()) // the path tried, without the machine's temp dir
	if strings.Count(stderr, "no vulnerability database at "+shown+" (does not exist): run scangate db update, or without network build it with scangate db import SRC") != 2 ||
		strings.Contains(stderr, "pass --db") || !strings.Contains(stderr, "G204") {
		t.Errorf("summary:\n%s", stderr)
	}
}

// A Python package with a src layout, a C extension and requirements:
// real bandit, safety (a stand-in printing safety 2.3.5's exact JSON, since
// safety cannot be installed here) and osv-scanner, merged.
func TestPythonPackageEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("bandit"); err != nil && os.Getenv("SCANGATE_REQUIRE_BANDIT") == "" {
		t.Skip("bandit is not installed")
	}
	report, _ := filepath.Abs("../../testdata/python/safety/check-2.3.5-pypkg.json")
	bin := t.TempDir()
	script := "#!/bin/sh\nif [ \"$1\" = \"--version\" ]; then echo 'safety, version 2.3.5'; exit 0; fi\ncat '" + report + "'\nexit 64\n"
	if err := os.WriteFile(filepath.Join(bin, "safety"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	// safety 2 runs offline only with a local database of its own; the
	// stand-in never reads it, the adapter checks it is one.
	sdb := t.TempDir()
	for _, f := range []string{"insecure.json", "insecure_full.json"} {
		if err := os.WriteFile(filepath.Join(sdb, f), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(t.TempDir(), "scangate.yml")
	if err := os.WriteFile(cfg, []byte("scanners:\n  safety:\n    db: "+sdb+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sarifPath := filepath.Join(t.TempDir(), "py.sarif")
	code, _, stderr := runCLI(t, "scan", "-q", "--offline", "--db", "../../examples/vulndb", "--config", cfg, "--sarif", sarifPath, "../../testdata/python/pypkg")
	if code != exitFail {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	hits := reporttest.SARIF(t, sarifPath)
	for _, rule := range []string{"PYSEC-2021-66", "PYSEC-2023-74"} {
		n, h := reporttest.Count(hits, rule)
		tools, _ := h.Props["tools"].([]any)
		if n != 1 || h.Tool != "osv-scanner" || len(tools) != 2 {
			t.Errorf("%s: %d results, in %s's run, tools %v; want one, osv-scanner's, with safety merged", rule, n, h.Tool, tools)
		}
	}
	var safetyRules, banditRules []string
	for _, h := range hits {
		switch h.Tool {
		case "safety":
			safetyRules = append(safetyRules, h.Rule)
		case "bandit":
			banditRules = append(banditRules, h.Rule)
		}
	}
	// jinja2's and requests' advisories moved into osv-scanner's run; PyYAML's
	// is unknown to the osv database and stays safety's.
	if !slices.Contains(safetyRules, "PYUP-39611") || slices.Contains(safetyRules, "PYUP-39525") || slices.Contains(safetyRules, "PYUP-58755") {
		t.Errorf("safety's own results: %v\n%s", safetyRules, stderr)
	}
	if !slices.Contains(banditRules, "B602") || !slices.Contains(banditRules, "B506") {
		t.Errorf("bandit results: %v", banditRules)
	}
}

// Fingerprints on real osv-scanner output: lines added above a pin keep
// the baseline; a different vulnerable version is a new finding, and the
// old one is fixed.
func TestBaselineFollowsPackageVersions(t *testing.T) {
	dir := t.TempDir()
	req := filepath.Join(dir, "requirements.txt")
	write := func(s string) {
		if err := os.WriteFile(req, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("jinja2==2.11.2\nrequests==2.25.0\n")
	base := filepath.Join(dir, "base.json")
	args := []string{"--scanners", "osv-scanner", "--offline", "--db", "../../examples/vulndb", "-q"}
	if code, _, stderr := runCLI(t, append(append([]string{"baseline", "create", "--output", base}, args...), dir)...); code != 0 {
		t.Fatalf("baseline create: exit %d\n%s", code, stderr)
	}
	write("# pinned for the example\n\nflask==2.3.3\njinja2==2.11.2\nrequests==2.25.0\n")
	code, _, stderr := runCLI(t, append(append([]string{"scan", "--fail-on", "low", "--baseline", base}, args...), dir)...)
	if code != exitPass || !strings.Contains(stderr, "0 new (none), 2 unchanged, 0 fixed") {
		t.Errorf("moved pins: exit %d\n%s", code, stderr)
	}
	write("jinja2==2.11.1\nrequests==2.25.0\n")
	code, _, stderr = runCLI(t, append(append([]string{"scan", "--fail-on", "low", "--baseline", base}, args...), dir)...)
	if code != exitFail || !strings.Contains(stderr, "1 new (medium 1), 1 unchanged, 1 fixed") {
		t.Errorf("changed version: exit %d\n%s", code, stderr)
	}
}
