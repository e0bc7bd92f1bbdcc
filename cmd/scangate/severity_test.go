package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/report/reporttest"
)

// goOnlyDB is a directory holding examples/vulndb's GO- records alone, as
// golang/vulndb publishes them: no CVSS vector, no label, no GHSA record.
func goOnlyDB(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob("../../examples/vulndb/GO-*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no GO- records: %v", err)
	}
	dir := t.TempDir()
	for _, f := range files {
		b := testkit.ReadFile(t, f)
		if strings.Contains(string(b), `"severity"`) {
			t.Fatalf("%s carries a severity the real record does not have", f)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type jsonVerdict struct {
	Outcome         string `json:"outcome"`
	Failing         int    `json:"failing"`
	FailingCalled   int    `json:"failingCalled"`
	SeverityUnknown int    `json:"severityUnknown"`
	Unfixed         int    `json:"unfixed"`
}

func readVerdict(t *testing.T, path string) jsonVerdict {
	t.Helper()
	var doc struct {
		Verdict jsonVerdict `json:"verdict"`
	}
	b := testkit.ReadFile(t, path)
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Verdict
}

// Issue 12: GO- advisories have no score, so a medium default let a called
// vulnerability pass the default gate where govulncheck exits 3. The
// example calls language.Parse of golang.org/x/text v0.3.6 (GO-2021-0113):
// the default gate fails on it, says why and says its severity is
// unknown; fail-on-called: false (file or flag) gates it by severity.
func TestCalledVulnerabilityOfUnknownSeverityFails(t *testing.T) {
	t.Parallel()
	db := goOnlyDB(t)
	out := t.TempDir()
	sarifPath, jsonPath := filepath.Join(out, "x.sarif"), filepath.Join(out, "x.json")
	code, _, stderr := runCLI(t, "scan", "-q", "--scanners", "govulncheck", "--offline", "--db", db,
		"--sarif", sarifPath, "--json", jsonPath, "../../examples/project")
	if code != exitFail {
		t.Fatalf("exit %d, want %d\n%s", code, exitFail, stderr)
	}
	testkit.ContainsAll(t, "summary", stderr,
		"Verdict: FAIL: 1 new vulnerability below high whose vulnerable code is called (fail-on-called)",
		"Findings: 3 new (unknown 3)",
		"UNKNOWN  GO-2021-0113",
		"Severity unknown: no CVSS score or severity label in the advisory or its aliases (gated as medium)",
	)
	if v := readVerdict(t, jsonPath); v.Failing != 1 || v.FailingCalled != 1 || v.SeverityUnknown != 3 {
		t.Errorf("verdict %+v", v)
	}
	_, h := reporttest.Count(reporttest.SARIF(t, sarifPath), "GO-2021-0113")
	if h.Props["severity"] != "unknown" || h.Props["gated-as"] != "medium" || h.Props["reachability"] != "called" {
		t.Errorf("SARIF properties: %v", h.Props)
	}
	doc := reporttest.ReadLog(t, sarifPath)
	for _, run := range doc.Runs {
		for _, r := range run.Tool.Driver.Rules {
			if _, ok := r.Properties["security-severity"]; ok || r.Properties["severity"] != "unknown" {
				t.Errorf("rule %s: properties %v, want severity unknown and no security-severity", r.ID, r.Properties)
			}
		}
		for _, r := range run.Results {
			if r.RuleID == "GO-2021-0113" && (r.Level != "error" || !strings.Contains(r.Message.Text, "Severity unknown")) {
				t.Errorf("GO-2021-0113: level %s message %q", r.Level, r.Message.Text)
			}
		}
	}

	// The switch, in the file and as a flag.
	cfg := filepath.Join(t.TempDir(), "scangate.yml")
	if err := os.WriteFile(cfg, []byte("fail-on-called: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--config", cfg}, {"--fail-on-called=false"}} {
		all := append([]string{"scan", "-q", "--scanners", "govulncheck", "--offline", "--db", db}, args...)
		if code, _, stderr := runCLI(t, append(all, "../../examples/project")...); code != exitPass {
			t.Errorf("%v: exit %d, want 0\n%s", args, code, stderr)
		}
	}
	code, stdout, stderr := runCLI(t, "config", "print", "--config", cfg, "../../examples/project")
	if code != 0 || !strings.Contains(stdout+stderr, "fail-on-called") {
		t.Errorf("config print: exit %d\n%s%s", code, stdout, stderr)
	}
}

// With the whole example database, govulncheck's GO-2021-0113 takes the
// score of its GHSA alias from the opened database (no osv-scanner
// correlation here), and GO-2023-2402, whose GHSA record the database
// does not hold, stays unknown.
func TestSeverityFromAliasInDatabase(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "db")
	if code, _, stderr := runCLI(t, "db", "import", "../../examples/vulndb", "--db", db); code != 0 {
		t.Fatalf("db import: exit %d\n%s", code, stderr)
	}
	sarifPath := filepath.Join(t.TempDir(), "x.sarif")
	code, _, stderr := runCLI(t, "scan", "-q", "--scanners", "govulncheck", "--offline", "--db", db, "--sarif", sarifPath, "../../examples/project")
	if code != exitFail {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	hits := reporttest.SARIF(t, sarifPath)
	if _, h := reporttest.Count(hits, "GO-2021-0113"); h.Props["severity"] != "high" || h.Props["severity-from"] != "GHSA-ppp9-7jff-5vj2" || h.Props["cvss-score"] != 7.5 {
		t.Errorf("GO-2021-0113: %v", h.Props)
	}
	// Imported: the alias's high, one step down.
	if _, h := reporttest.Count(hits, "GO-2022-1059"); h.Props["advisorySeverity"] != "high" || h.Props["severity"] != "medium" || h.Props["severity-from"] != "GHSA-69ch-w2m2-3vjp" {
		t.Errorf("GO-2022-1059: %v", h.Props)
	}
	if _, h := reporttest.Count(hits, "GO-2023-2402"); h.Props["severity"] != "unknown" {
		t.Errorf("GO-2023-2402: %v", h.Props)
	}
	if !strings.Contains(stderr, "Verdict: FAIL: 1 new finding(s) at or above high") {
		t.Errorf("summary:\n%s", stderr)
	}
}

// Two Go modules and two requirements files, scanned by the real scanners
// against the example database: one remediation line per manifest and
// package, the manifest named, Go versions with "v" whichever tool found
// them, and the command or pin that applies the upgrade.
func TestRemediationPerManifest(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testkit.CopyTree(t, "../../examples/project", root)
	testkit.CopyTree(t, "../../examples/project", filepath.Join(root, "svc"))
	testkit.WriteFiles(t, root, map[string]string{"tools/requirements-dev.txt": "jinja2==2.10\n"})
	jsonPath := filepath.Join(t.TempDir(), "x.json")
	code, _, stderr := runCLI(t, "scan", "-q", "--scanners", "govulncheck,osv-scanner", "--offline", "--db", "../../examples/vulndb", "--json", jsonPath, root)
	if code != exitFail {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var doc struct {
		Remediations []struct{ Apply string } `json:"remediations"`
	}
	b, _ := os.ReadFile(jsonPath)
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(stderr, "Remediation:\n")
	var lines []string
	for _, l := range strings.Split(rest, "\n") {
		if !strings.HasPrefix(l, "  ") {
			break
		}
		lines = append(lines, strings.TrimSpace(l))
	}
	crypto := "golang.org/x/crypto v0.0.0-20220722155217-630584e8d5aa -> v0.17.0 fixes 1"
	want := []string{
		"go.mod: upgrade " + crypto + ": go get golang.org/x/crypto@v0.17.0",
		"go.mod: upgrade golang.org/x/text v0.3.6 -> v0.3.8 fixes 2: go get golang.org/x/text@v0.3.8",
		"requirements.txt: upgrade jinja2 2.11.2 -> 2.11.3 fixes 1: pin jinja2==2.11.3 in requirements.txt",
		"requirements.txt: upgrade requests 2.25.0 -> 2.31.0 fixes 1: pin requests==2.31.0 in requirements.txt",
		"svc/go.mod: upgrade " + crypto + ": (cd svc && go get golang.org/x/crypto@v0.17.0)",
		"svc/go.mod: upgrade golang.org/x/text v0.3.6 -> v0.3.8 fixes 2: (cd svc && go get golang.org/x/text@v0.3.8)",
		"svc/requirements.txt: upgrade jinja2 2.11.2 -> 2.11.3 fixes 1: pin jinja2==2.11.3 in svc/requirements.txt",
		"svc/requirements.txt: upgrade requests 2.25.0 -> 2.31.0 fixes 1: pin requests==2.31.0 in svc/requirements.txt",
		"tools/requirements-dev.txt: upgrade jinja2 2.10 -> 2.11.3 fixes 1: pin jinja2==2.11.3 in tools/requirements-dev.txt",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("remediation lines:\n got %q\nwant %q\n%s", lines, want, stderr)
	}
	if len(doc.Remediations) != len(want) || doc.Remediations[5].Apply != "(cd svc && go get golang.org/x/text@v0.3.8)" {
		t.Errorf("JSON remediations: %+v", doc.Remediations)
	}
}

// --ignore-unfixed (and ignore-unfixed: true): a vulnerability with no
// fixed version is reported, marked, and does not fail the gate. The
// advisory is the real PYSEC-2023-213 (mycli, no fix published).
func TestIgnoreUnfixed(t *testing.T) {
	db := t.TempDir()
	adv := `{"schema_version":"1.6.0","id":"PYSEC-2023-213","modified":"2023-10-25T22:26:24Z","published":"2023-10-19T22:15:00Z",
"aliases":["CVE-2023-44690"],"details":"Inadequate encryption strength in mycli 1.27.0 (mycli/config.py).",
"affected":[{"package":{"ecosystem":"PyPI","name":"mycli","purl":"pkg:pypi/mycli"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}`
	if err := os.WriteFile(filepath.Join(db, "PYSEC-2023-213.json"), []byte(adv), 0o644); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{"requirements.txt": "mycli==1.27.0\n"})
	args := []string{"scan", "--scanners", "osv-scanner", "--offline", "--db", db, "--fail-on", "low"}
	jsonPath := filepath.Join(t.TempDir(), "x.json")
	code, _, stderr := runCLI(t, append(args, "--json", jsonPath, root)...)
	if code != exitFail || !strings.Contains(stderr, "mycli 1.27.0: no fixed version known for 1 advisory") || !strings.Contains(stderr, "No fixed version is known") {
		t.Fatalf("without the flag: exit %d\n%s", code, stderr)
	}
	if v := readVerdict(t, jsonPath); v.Unfixed != 1 || v.Failing != 1 {
		t.Errorf("verdict %+v", v)
	}
	code, _, stderr = runCLI(t, append(args, "--ignore-unfixed", "--json", jsonPath, root)...)
	if code != exitPass || !strings.Contains(stderr, "1 without a fixed version (not gated: --ignore-unfixed)") || !strings.Contains(stderr, "PYSEC-2023-213") {
		t.Errorf("--ignore-unfixed: exit %d\n%s", code, stderr)
	}
	if v := readVerdict(t, jsonPath); v.Unfixed != 1 || v.Failing != 0 || v.Outcome != "pass" {
		t.Errorf("verdict %+v", v)
	}
	cfg := filepath.Join(t.TempDir(), "scangate.yml")
	if err := os.WriteFile(cfg, []byte("ignore-unfixed: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, append(args, "--config", cfg, root)...); code != exitPass {
		t.Errorf("ignore-unfixed: true: exit %d\n%s", code, stderr)
	}
}
