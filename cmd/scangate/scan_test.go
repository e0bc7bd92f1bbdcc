package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/report/reporttest"
	"github.com/scangate/scangate/scanner"
)

// Misbehaving scanners run next to the real gosec adapter: they stand for a
// tool that crashes, hangs or fails, which no real tool does on demand.
type misbehaving struct {
	name string
	scan func(ctx context.Context) (*finding.Result, error)
}

func (m misbehaving) Name() string                  { return m.name }
func (m misbehaving) Applies(*scanner.Request) bool { return true }
func (m misbehaving) Scan(ctx context.Context, _ *scanner.Request) (*finding.Result, error) {
	return m.scan(ctx)
}

func withExtraScanners(t *testing.T, extra ...scanner.Scanner) {
	t.Helper()
	// gosec only among the real ones: the vulnerability scanners would go
	// online, which tests cannot.
	testAdapters = func(o *configOptions) []scanner.Scanner {
		return append(o.cfg.Build([]string{"gosec"}), extra...)
	}
	t.Cleanup(func() { testAdapters = nil })
}

const gosecFixture = "../../testdata/gosec/fixture"

func TestFailingScannersKeepGoodResults(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	withExtraScanners(t,
		misbehaving{"crasher", func(context.Context) (*finding.Result, error) {
			var p *finding.Result
			return p, errors.New(p.Tool) // nil dereference: a real panic
		}},
		misbehaving{"hanger", func(context.Context) (*finding.Result, error) { <-release; return nil, nil }},
		misbehaving{"failer", func(context.Context) (*finding.Result, error) { return nil, errors.New("database unreadable") }},
	)
	dir := t.TempDir()
	sarifPath, jsonPath, mdPath := filepath.Join(dir, "out.sarif"), filepath.Join(dir, "out.json"), filepath.Join(dir, "out.md")
	// gosec keeps the default timeout (a cold build cache compiles the
	// standard library first); only the hanging scanner gets a short one.
	tuneRun = func(o *scanner.Options) {
		o.Timeouts = map[string]time.Duration{"hanger": 2 * time.Second}
		o.Grace = time.Second
	}
	t.Cleanup(func() { tuneRun = nil })
	code, _, stderr := runCLI(t, "scan", "-q", "--offline", "--sarif", sarifPath, "--json", jsonPath, "--markdown", mdPath, gosecFixture)
	if code != exitFail {
		t.Fatalf("exit %d, want %d (gosec's high findings fail the gate even when others are incomplete)\n%s", code, exitFail, stderr)
	}
	testkit.ContainsAll(t, "summary", stderr, "crasher: panic: runtime error: invalid memory address", "hanger: timed out after 2s", "failer: database unreadable", "G101")
	byTool := sarifRuns(t, sarifPath)
	if g := byTool["gosec"]; g == nil || len(g.Results) < 6 || !*g.Invocations[0].ExecutionSuccessful {
		t.Fatalf("gosec's results must survive: %+v", g)
	}
	// The incomplete ones are left out, so that code scanning keeps their
	// alerts (TestIncompleteScannerLeftOutOfSARIF has --sarif-keep-incomplete).
	if len(byTool) != 1 || !strings.Contains(stderr, "scangate: the SARIF report leaves out crasher, failer, hanger (could not complete)") {
		t.Errorf("%d runs in SARIF, want gosec's alone\n%s", len(byTool), stderr)
	}
	var doc struct {
		Verdict struct {
			IncompleteTools []string `json:"incompleteTools"`
		} `json:"verdict"`
		Tools []struct {
			Tool     string            `json:"tool"`
			Findings []json.RawMessage `json:"findings"`
		} `json:"tools"`
	}
	b, _ := os.ReadFile(jsonPath)
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if strings.Join(doc.Verdict.IncompleteTools, ",") != "crasher,failer,hanger" || len(doc.Tools[0].Findings) < 6 {
		t.Errorf("JSON report: %s", b)
	}
	md, _ := os.ReadFile(mdPath)
	if !strings.Contains(string(md), "G101") || !strings.Contains(string(md), "| hanger | incomplete |") {
		t.Errorf("markdown report:\n%s", md)
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	t.Run("fail", func(t *testing.T) {
		if code, _, stderr := runCLI(t, "scan", "-q", "--scanners", "gosec", gosecFixture); code != exitFail {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("pass above the worst finding", func(t *testing.T) {
		if code, _, stderr := runCLI(t, "scan", "-q", "--scanners", "gosec", "--fail-on", "critical", gosecFixture); code != exitPass {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("nothing applies", func(t *testing.T) {
		code, _, stderr := runCLI(t, "scan", "-q", t.TempDir())
		if code != exitPass || !strings.Contains(stderr, "gosec        skipped") {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("incomplete", func(t *testing.T) {
		code, _, stderr := runCLI(t, "scan", "-q", "--scanners", "gosec", "../../testdata/gosec/toonew")
		if code != exitIncomplete || !strings.Contains(stderr, "Verdict: INCOMPLETE") {
			t.Errorf("a module no local toolchain can load must not pass: exit %d\n%s", code, stderr)
		}
		code, _, _ = runCLI(t, "scan", "-q", "--scanners", "gosec", "--allow-incomplete", "../../testdata/gosec/toonew")
		if code != exitPass {
			t.Errorf("--allow-incomplete: exit %d", code)
		}
	})
}

func TestSARIFHasNoMachinePaths(t *testing.T) {
	abs, _ := filepath.Abs(gosecFixture)
	// The fixture is its own repository root (TestSubdirectorySARIFAndBaseline
	// has a subdirectory), whether or not this checkout has a .git.
	t.Setenv("GITHUB_WORKSPACE", abs)
	code, out, stderr := runCLI(t, "scan", "-q", "--scanners", "gosec", "--sarif", "-", abs)
	if code != exitFail {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if strings.Contains(out, abs) || strings.Contains(out, "file://") || strings.Contains(out, os.Getenv("HOME")+"/") {
		t.Error("SARIF leaks an absolute path")
	}
	if !strings.Contains(out, `"uri": "main.go"`) {
		t.Error("expected repo-relative URIs")
	}
}

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
	testkit.NeedBandit(t)
	report, _ := filepath.Abs("../../testdata/python/safety/check-2.3.5-pypkg.json")
	cfg := fakeSafety(t, "cat '"+report+"'\nexit 64\n")
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

// Issue 28, point 6: one word and one count for each thing in every
// output. On the example project (GO-2023-2402's severity is unknown) the
// summary's breakdown adds up to its "new" count, the unknown finding is
// "unknown" wherever a severity is named, progress lines carry their
// scanner's name once and stay under 200 characters, and the count of a
// finished scanner is named as what it is: results before merging.
func TestOneWordOneCount(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	jsonPath, mdPath, glPath := filepath.Join(out, "x.json"), filepath.Join(out, "x.md"), filepath.Join(out, "gl.json")
	junitPath := filepath.Join(out, "junit.xml")
	code, _, stderr := runCLI(t, "scan", "--offline", "--db", "../../examples/vulndb", "--json", jsonPath,
		"--markdown", mdPath, "--gitlab-dependency-scanning", glPath, "--junit", junitPath, "../../examples/project")
	if code != exitFail {
		t.Fatalf("exit %d\n%s", code, stderr)
	}

	m := regexp.MustCompile(`Findings: (\d+) new \(([^)]*)\)`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no Findings line:\n%s", stderr)
	}
	total, _ := strconv.Atoi(m[1])
	sum := 0
	for _, part := range strings.Split(m[2], ", ") {
		_, n, _ := strings.Cut(part, " ")
		k, err := strconv.Atoi(n)
		if err != nil {
			t.Fatalf("breakdown %q: %v", m[2], err)
		}
		sum += k
	}
	if sum != total || !strings.Contains(m[2], "unknown 1") {
		t.Errorf("Findings: %d new, breakdown %q adds up to %d (want it to, with unknown 1)", total, m[2], sum)
	}
	if strings.Contains(stderr, "of unknown severity") {
		t.Errorf("unknown findings counted twice:\n%s", stderr)
	}
	if !strings.Contains(stderr, "UNKNOWN  GO-2023-2402") {
		t.Errorf("console does not say UNKNOWN for GO-2023-2402:\n%s", stderr)
	}

	head, _, _ := strings.Cut(stderr, "scangate dev: scanned")
	for _, l := range strings.Split(head, "\n") {
		if n := utf8.RuneCountInString(l); n >= 200 {
			t.Errorf("progress line of %d characters: %.80s…", n, l)
		}
	}
	for _, s := range []string{"gosec", "govulncheck", "osv-scanner", "bandit"} {
		if strings.Contains(stderr, s+": "+s+":") || regexp.MustCompile(s+`: .*: `+s+`: `).MatchString(stderr) {
			t.Errorf("doubled prefix %q:\n%s", s, stderr)
		}
	}
	if !regexp.MustCompile(`(?m)^osv-scanner: completed in \S+, \d+ results before merging duplicates$`).MatchString(stderr) {
		t.Errorf("osv-scanner's progress count is not named as results before merging:\n%s", stderr)
	}

	md := testkit.ReadFile(t, mdPath)
	if !strings.Contains(string(md), "| unknown | GO-2023-2402 |") {
		t.Errorf("markdown:\n%s", md)
	}
	// Point 9: the step summary says why a scanner was skipped.
	if _, err := exec.LookPath("safety"); err != nil && !strings.Contains(string(md), "| safety | skipped (safety is not installed") {
		t.Errorf("markdown does not say why safety was skipped:\n%s", md)
	}
	var gl struct {
		Vulnerabilities []struct {
			Severity    string `json:"severity"`
			Identifiers []struct {
				Value string `json:"value"`
			} `json:"identifiers"`
		} `json:"vulnerabilities"`
	}
	b := testkit.ReadFile(t, glPath)
	if err := json.Unmarshal(b, &gl); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range gl.Vulnerabilities {
		if len(v.Identifiers) > 0 && v.Identifiers[0].Value == "GO-2023-2402" {
			found = true
			if v.Severity != "Unknown" {
				t.Errorf("GitLab severity of GO-2023-2402: %s", v.Severity)
			}
		}
	}
	if !found {
		t.Errorf("GO-2023-2402 not in the GitLab report:\n%s", b)
	}
	// Issue 28, point 10: the same scan's JUnit passes Jenkins' xunit
	// junit-10 schema, which skips a file that fails it.
	if xmllint, err := exec.LookPath("xmllint"); err == nil {
		if b, err := exec.Command(xmllint, "--noout", "--schema", "../../testdata/junit/jenkins-junit-10.xsd", junitPath).CombinedOutput(); err != nil {
			t.Errorf("JUnit against junit-10: %v\n%s", err, b)
		}
	}

	var doc struct {
		Verdict struct{ New, SeverityUnknown int } `json:"verdict"`
	}
	if err := json.Unmarshal(testkit.ReadFile(t, jsonPath), &doc); err != nil {
		t.Fatal(err)
	}
	if v := doc.Verdict; v.SeverityUnknown != 1 || v.New != total {
		t.Errorf("JSON verdict %+v, console new %d", v, total)
	}
}
