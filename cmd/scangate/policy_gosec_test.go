package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// These tests adopt scangate on a copy of the gosec fixture with the real,
// embedded gosec: its findings, fingerprints and in-source suppressions.

// fixtureCopy copies the gosec fixture into a temporary directory that the
// test may edit.
func fixtureCopy(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(gosecFixture)); err != nil {
		t.Fatal(err)
	}
	return dst
}

func edit(t *testing.T, file, old, new string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", file, old)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

var countsRE = regexp.MustCompile(`Findings: (\d+) new \([^)]*\), (\d+) unchanged, (\d+) fixed since the baseline`)

// counts runs a gated scan against the baseline and returns the exit code,
// the new, unchanged and fixed counts, and the summary.
func counts(t *testing.T, dir, base string, extra ...string) (code int, nw, unchanged, fixed string, summary string) {
	t.Helper()
	args := append([]string{"scan", "-q", "--scanners", "gosec", "--fail-on", "low", "--baseline", base}, extra...)
	code, _, stderr := runCLI(t, append(args, dir)...)
	m := countsRE.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no baseline counts in the summary (exit %d):\n%s", code, stderr)
	}
	return code, m[1], m[2], m[3], stderr
}

func TestBaselineWithGosec(t *testing.T) {
	t.Parallel()
	dir := fixtureCopy(t)
	main := filepath.Join(dir, "main.go")
	if code, _, stderr := runCLI(t, "scan", "-q", "--fail-on", "low", dir); code != exitFail {
		t.Fatalf("the fixture must fail the gate before adoption: exit %d\n%s", code, stderr)
	}
	base := filepath.Join(t.TempDir(), "baseline.json")
	code, _, stderr := runCLI(t, "baseline", "create", "-q", "--scanners", "gosec", "--output", base, dir)
	if code != 0 {
		t.Fatalf("baseline create: exit %d\n%s", code, stderr)
	}
	data, _ := os.ReadFile(base)
	recorded := strings.Count(string(data), `"tool":"gosec"`)
	// The #nosec G401 and the //nolint:gosec G306 are recorded as suppressed.
	if recorded < 10 || strings.Count(string(data), `"suppressed":true`) != 2 || strings.Contains(string(data), "line") {
		t.Fatalf("baseline of %d entries:\n%s", recorded, data)
	}

	// Adopting the baseline makes the gate pass.
	code, nw, unchanged, fixed, summary := counts(t, dir, base)
	if code != exitPass || nw != "0" || fixed != "0" {
		t.Fatalf("adopted: exit %d, %s new, %s unchanged, %s fixed\n%s", code, nw, unchanged, fixed, summary)
	}

	// Lines inserted above, a re-indented finding and a function moved to
	// the end of the file keep every fingerprint.
	edit(t, main, "const apiToken", "// The token of the local console.\n// It is rotated by the release script.\n\nconst apiToken")
	edit(t, main, "\treturn md5.Sum(data)\n", "\t\t\treturn md5.Sum(\n\t\t\t\tdata)\n")
	edit(t, main, "func runTool() error {\n\ttool := os.Getenv(\"TOOL\")\n\tcmd := exec.Command(tool, \"--version\")\n\treturn cmd.Run()\n}\n", "")
	f, _ := os.OpenFile(main, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("\nfunc runTool() error {\n\ttool := os.Getenv(\"TOOL\")\n\tcmd := exec.Command(tool, \"--version\")\n\treturn cmd.Run()\n}\n")
	f.Close()
	code, nw, unchanged2, fixed, summary := counts(t, dir, base)
	if code != exitPass || nw != "0" || fixed != "0" || unchanged2 != unchanged {
		t.Fatalf("moved code: exit %d, %s new, %s unchanged (was %s), %s fixed\n%s", code, nw, unchanged2, unchanged, fixed, summary)
	}

	// One new finding fails the gate, and it is the only one listed.
	os.WriteFile(filepath.Join(dir, "admin.go"), []byte("package main\n\nimport \"os/exec\"\n\nfunc shell(cmdline string) error {\n\treturn exec.Command(\"sh\", \"-c\", cmdline).Run()\n}\n"), 0o644)
	sarifOut := filepath.Join(t.TempDir(), "out.sarif")
	code, nw, _, fixed, summary = counts(t, dir, base, "--sarif", sarifOut)
	if code != exitFail || nw != "1" || fixed != "0" {
		t.Fatalf("new finding: exit %d, %s new, %s fixed\n%s", code, nw, fixed, summary)
	}
	listed := regexp.MustCompile(`(?m)^  (MEDIUM|HIGH|LOW) .*$`).FindAllString(summary, -1)
	if len(listed) != 1 || !strings.Contains(listed[0], "G204") || !strings.Contains(listed[0], "admin.go:6:") {
		t.Fatalf("want exactly the new G204 in admin.go listed, got %q\n%s", listed, summary)
	}
	states := readSARIF(t, sarifOut)
	if !slices.Contains(states, "new admin.go") || slices.ContainsFunc(states, func(s string) bool { return s != "new admin.go" && strings.HasPrefix(s, "new ") }) {
		t.Errorf("SARIF baselineState: %v", states)
	}
	os.Remove(filepath.Join(dir, "admin.go"))

	// Changing the flagged code is a new finding; the old one is fixed.
	edit(t, main, "return md5.Sum(\n\t\t\t\tdata)", "return md5.Sum(append(data, '\\n'))")
	code, nw, _, fixed, summary = counts(t, dir, base)
	if code != exitFail || nw != "1" || fixed != "1" || !strings.Contains(summary, "G401") {
		t.Fatalf("changed code: exit %d, %s new, %s fixed\n%s", code, nw, fixed, summary)
	}
}

func TestSuppressionsWithGosec(t *testing.T) {
	t.Parallel()
	dir := fixtureCopy(t)
	future := time.Now().AddDate(0, 6, 0).Format(time.DateOnly)
	// Accept every rule gosec reports except G101, which an expired entry covers.
	report := filepath.Join(t.TempDir(), "first.json")
	runCLI(t, "scan", "-q", "--json", report, dir)
	var doc struct {
		Tools []struct {
			Findings []struct {
				RuleID string `json:"ruleId"`
			} `json:"findings"`
		} `json:"tools"`
	}
	data, _ := os.ReadFile(report)
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.Tools) == 0 {
		t.Fatalf("first scan: %v\n%s", err, data)
	}
	var rules []string
	for _, f := range doc.Tools[0].Findings {
		if f.RuleID != "G101" && !slices.Contains(rules, f.RuleID) {
			rules = append(rules, f.RuleID)
		}
	}
	slices.Sort(rules)
	ignore := "suppressions:\n" +
		"  - rule: G101\n    path: main.go\n    reason: local console token\n    expires: 2026-01-31\n" +
		"  - rule: G107\n    reason: old HTTP client\n    expires: " + future + "\n"
	for _, r := range rules {
		ignore += "  - rule: " + r + "\n    reason: legacy fixture, reviewed\n    expires: " + future + "\n"
	}
	os.WriteFile(filepath.Join(dir, ".scangate-ignore.yml"), []byte(ignore), 0o644)
	code, _, stderr := runCLI(t, "scan", "-q", "--fail-on", "low", dir)
	if code != exitFail {
		t.Fatalf("an expired suppression must fail the gate: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		".scangate-ignore.yml:2: suppression (rule G101, path main.go) expired on 2026-01-31: 1 finding(s) it matched count again",
		".scangate-ignore.yml:6: stale suppression (rule G107) matched no finding; remove it",
		": legacy fixture, reviewed (until " + future + ")",
		"by #nosec: cache key only, never used for security",
		"by //nolint:gosec: reports are meant to be world-readable",
		"Findings: 1 new (high 1), ",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr)
		}
	}
	if listed := regexp.MustCompile(`(?m)^  HIGH +G101 +main\.go:\d+`).FindAllString(stderr, -1); len(listed) != 1 {
		t.Errorf("want G101 as the one counting finding:\n%s", stderr)
	}
	// Renewed, the entry suppresses again and the gate passes.
	os.WriteFile(filepath.Join(dir, ".scangate-ignore.yml"), []byte(strings.Replace(ignore, "2026-01-31", future, 1)), 0o644)
	if code, _, stderr := runCLI(t, "scan", "-q", "--fail-on", "low", dir); code != exitPass {
		t.Fatalf("renewed: exit %d\n%s", code, stderr)
	}
}
