package gosec

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/shellout"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/scannertest"
)

// Every fixture's lowest go directive is 1.21, so whichever test scans first
// pins gosec's process-wide Go version at go1.21 (testdata/gosec/README.md).
func TestMain(m *testing.M) {
	// A version from the environment would be honoured and change results.
	os.Unsetenv(goVersionEnv)
	os.Exit(m.Run())
}

type scanOut = scannertest.Outcome

// scan scans root with opt, as the runner settles it, after edit changed
// the request.
func scan(t testing.TB, root string, opt Options, edit func(*scanner.Request)) scanOut {
	t.Helper()
	req := scannertest.Request(root)
	if edit != nil {
		edit(req)
	}
	o := scannertest.Run(t, New(opt), req)
	if o.Res == nil {
		t.Fatalf("Scan(%s) returned a nil result (err %v)", root, o.Err)
	}
	return o
}

// shared scans are run once per test binary and reused by several tests.
var shared scannertest.Shared

func fixture(t *testing.T) scanOut {
	t.Helper()
	o := shared.Get("fixture", func() scanOut { return scan(t, scannertest.Testdata("gosec", "fixture"), Options{}, nil) })
	if o.Err != nil {
		t.Fatalf("scan fixture: %v", o.Err)
	}
	return o
}

type key struct {
	rule, path string
	line, col  int
}

func keyOf(f finding.Finding) key {
	return key{f.RuleID, f.Location.Path, f.Location.StartLine, f.Location.StartColumn}
}

func findingsByKey(t *testing.T, fs []finding.Finding) map[key]finding.Finding {
	t.Helper()
	m := map[key]finding.Finding{}
	for _, f := range fs {
		k := keyOf(f)
		if _, dup := m[k]; dup {
			t.Errorf("finding reported twice: %+v", k)
		}
		m[k] = f
	}
	return m
}

func sortedKeys(m map[key]finding.Finding) []key {
	ks := make([]key, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return fmt.Sprint(ks[i]) < fmt.Sprint(ks[j]) })
	return ks
}

// goldenIssue is the part of the standalone gosec's JSON report we compare.
type goldenIssue struct {
	Severity     string `json:"severity"`
	Confidence   string `json:"confidence"`
	RuleID       string `json:"rule_id"`
	Details      string `json:"details"`
	File         string `json:"file"`
	Line         string `json:"line"`
	Column       string `json:"column"`
	Suppressions []struct {
		Kind          string `json:"kind"`
		Justification string `json:"justification"`
	} `json:"suppressions"`
	CWE *struct {
		ID string `json:"id"`
	} `json:"cwe"`
}

func TestMatchesStandaloneGolden(t *testing.T) {
	res := fixture(t).Res
	data := testkit.ReadFile(t, scannertest.Testdata("gosec", "golden.json"))
	var golden struct {
		Issues []goldenIssue `json:"Issues"`
	}
	if err := json.Unmarshal(data, &golden); err != nil {
		t.Fatalf("golden.json: %v", err)
	}
	if len(golden.Issues) < 10 {
		t.Fatalf("golden.json has only %d issues; regenerate it (testdata/gosec/README.md)", len(golden.Issues))
	}
	want := map[key]goldenIssue{}
	for _, g := range golden.Issues {
		start, _ := parseLines(g.Line)
		var col int
		fmt.Sscan(g.Column, &col)
		want[key{g.RuleID, g.File, start, col}] = g
	}
	got := findingsByKey(t, res.Findings)
	for _, k := range sortedKeys(got) {
		if _, ok := want[k]; !ok {
			t.Errorf("adapter reports %+v, standalone gosec does not", k)
		}
	}
	for k, g := range want {
		f, ok := got[k]
		if !ok {
			t.Errorf("standalone gosec reports %+v, adapter does not", k)
			continue
		}
		if !strings.EqualFold(f.Severity.String(), g.Severity) || !strings.EqualFold(f.Confidence, g.Confidence) {
			t.Errorf("%+v: severity/confidence %s/%s, standalone %s/%s", k, f.Severity, f.Confidence, g.Severity, g.Confidence)
		}
		if f.Message != g.Details {
			t.Errorf("%+v: message %q, standalone %q", k, f.Message, g.Details)
		}
		var gosecSupp []finding.Suppression
		for _, s := range f.Suppressions {
			if s.Marker != markerNolint { // ours: gosec does not know //nolint
				gosecSupp = append(gosecSupp, s)
			}
		}
		if len(gosecSupp) != len(g.Suppressions) {
			t.Errorf("%+v: suppressions %+v, standalone %+v", k, f.Suppressions, g.Suppressions)
			continue
		}
		for i, s := range g.Suppressions {
			if gosecSupp[i].Kind != s.Kind || gosecSupp[i].Justification != s.Justification {
				t.Errorf("%+v: suppression %+v, standalone %+v", k, gosecSupp[i], s)
			}
		}
		if g.CWE != nil {
			if r := res.Rule(f.RuleID); r == nil || !contains(r.Tags, "external/cwe/cwe-"+g.CWE.ID) {
				t.Errorf("%s: rule tags lack CWE-%s: %+v", f.RuleID, g.CWE.ID, r)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestFixtureExactFindings(t *testing.T) {
	o := fixture(t)
	res := o.Res
	if res.State != finding.Completed || res.Tool != "gosec" || res.Version != "2.30.0" {
		t.Errorf("tool %q version %q state %s", res.Tool, res.Version, res.State)
	}
	want := []struct {
		rule, path string
		line, col  int
		sev        finding.Severity
		conf       string
		snippet    string
	}{
		{"G306", "internal/store/store.go", 15, 9, finding.Medium, "high", "return os.WriteFile(filepath.Join(dir, name), data, 0o644) //nolint:gosec // reports are meant to be world-readable"},
		{"G301", "internal/store/store.go", 12, 12, finding.Medium, "high", "if err := os.MkdirAll(dir, 0o777); err != nil {"},
		{"G501", "main.go", 6, 2, finding.Medium, "high", `"crypto/md5"`},
		{"G101", "main.go", 16, 7, finding.High, "low", `const apiToken = "f62e5bcda4fae4f82370da0c6f20697b8f8447ef"`},
		{"G401", "main.go", 19, 9, finding.Medium, "high", "return md5.Sum(data)"},
		{"G401", "main.go", 23, 9, finding.Medium, "high", "return md5.Sum([]byte(key)) // #nosec G401 -- cache key only, never used for security"},
		{"G204", "main.go", 28, 9, finding.Medium, "high", `cmd := exec.Command(tool, "--version")`},
		{"G702", "main.go", 28, 21, finding.High, "high", `cmd := exec.Command(tool, "--version")`},
		{"G304", "main.go", 33, 9, finding.Medium, "high", "return os.ReadFile(path)"},
		{"G703", "main.go", 33, 20, finding.High, "high", "return os.ReadFile(path)"},
		{"G402", "main.go", 37, 41, finding.High, "high", "return &tls.Config{InsecureSkipVerify: true}"},
		{"G104", "main.go", 41, 2, finding.Low, "high", "os.Remove(path)"},
		{"G404", "main.go", 45, 15, finding.High, "medium", "return items[rand.Intn(len(items))]"},
		{"G601", "main.go", 51, 21, finding.Medium, "medium", "out = append(out, &item)"},
		// A generated file is scanned, as gosec's CLI does by default: the
		// marker is a comment the repository writes.
		{"G505", "generated.go", 6, 2, finding.Medium, "high", `"crypto/sha1"`},
		{"G401", "generated.go", 12, 9, finding.Medium, "high", "return sha1.Sum(b)"},
		{"G306", "generated.go", 17, 9, finding.Medium, "high", "return os.WriteFile(p, b, 0o644)"},
		{"G703", "generated.go", 17, 21, finding.High, "high", "return os.WriteFile(p, b, 0o644)"},
	}
	got := findingsByKey(t, res.Findings)
	if len(got) != len(want) {
		t.Errorf("got %d findings, want %d: %v", len(got), len(want), sortedKeys(got))
	}
	rules := map[string]bool{}
	for _, w := range want {
		rules[w.rule] = true
		f, ok := got[key{w.rule, w.path, w.line, w.col}]
		if !ok {
			t.Errorf("missing %s at %s:%d:%d", w.rule, w.path, w.line, w.col)
			continue
		}
		if f.Severity != w.sev || f.Confidence != w.conf {
			t.Errorf("%s %s:%d: severity %s confidence %s, want %s %s", w.rule, w.path, w.line, f.Severity, f.Confidence, w.sev, w.conf)
		}
		if strings.TrimSpace(f.Location.Snippet) != w.snippet || f.Location.EndLine != w.line {
			t.Errorf("%s %s:%d: snippet %q end line %d, want %q", w.rule, w.path, w.line, f.Location.Snippet, f.Location.EndLine, w.snippet)
		}
		if f.Tool != "gosec" || f.Module != "example.com/gosecfixture" || f.Message == "" || len(f.Fingerprint) != 32 {
			t.Errorf("%s %s:%d: tool %q module %q message %q fingerprint %q", w.rule, w.path, w.line, f.Tool, f.Module, f.Message, f.Fingerprint)
		}
	}
	if len(rules) < 6 {
		t.Fatalf("fixture trips only %d distinct rules", len(rules))
	}
	for _, f := range res.Findings {
		if strings.HasSuffix(f.Location.Path, "_test.go") {
			t.Errorf("%s reported in %s: test files are skipped by default", f.RuleID, f.Location.Path)
		}
		if filepath.IsAbs(f.Location.Path) || strings.Contains(f.Location.Snippet, "/work/") {
			t.Errorf("absolute path leaked: %+v", f.Location)
		}
	}
	if len(res.Rules) != len(rules) {
		t.Errorf("%d rules described, %d fired", len(res.Rules), len(rules))
	}
	for _, r := range res.Rules {
		if !rules[r.ID] || r.Name == "" || r.Short == "" || r.Full == "" || r.Help == "" || r.HelpMarkdown == "" || r.HelpURI == "" || r.Severity == finding.Info {
			t.Errorf("rule metadata incomplete: %+v", r)
		}
	}
	g401 := res.Rule("G401")
	if g401 == nil || g401.Name != "UsesWeakCryptographyHash" || g401.Short != "Detect the usage of MD5 or SHA1" ||
		g401.HelpURI != "https://cwe.mitre.org/data/definitions/328.html" || !contains(g401.Tags, "external/cwe/cwe-328") ||
		!strings.Contains(g401.HelpMarkdown, "[CWE-328: Use of Weak Hash](https://cwe.mitre.org/data/definitions/328.html)") {
		t.Errorf("G401 rule: %+v", g401)
	}
	if g := got[key{"G601", "main.go", 51, 21}]; g.Properties["goVersion"] != "go1.21" {
		t.Errorf("G601 properties %v, want goVersion go1.21", g.Properties)
	}
	if len(res.Notifications) != 0 {
		t.Errorf("notifications on a clean module: %+v", res.Notifications)
	}
	if len(o.Logs) == 0 || !strings.Contains(strings.Join(o.Logs, "\n"), "module 1/1: example.com/gosecfixture") {
		t.Errorf("progress lines: %q", o.Logs)
	}
}

func TestInSourceSuppressions(t *testing.T) {
	got := findingsByKey(t, fixture(t).Res.Findings)
	nosec := got[key{"G401", "main.go", 23, 9}]
	want := []finding.Suppression{{Kind: "inSource", Justification: "cache key only, never used for security", Marker: "#nosec"}}
	if fmt.Sprint(nosec.Suppressions) != fmt.Sprint(want) || !nosec.Suppressed() {
		t.Errorf("#nosec finding suppressions %+v, want %+v", nosec.Suppressions, want)
	}
	nolint := got[key{"G306", "internal/store/store.go", 15, 9}]
	want = []finding.Suppression{{Kind: "inSource", Justification: "reports are meant to be world-readable", Marker: "//nolint:gosec"}}
	if fmt.Sprint(nolint.Suppressions) != fmt.Sprint(want) {
		t.Errorf("//nolint:gosec finding suppressions %+v, want %+v", nolint.Suppressions, want)
	}
	for k, f := range got {
		if k != (key{"G401", "main.go", 23, 9}) && k != (key{"G306", "internal/store/store.go", 15, 9}) && f.Suppressed() {
			t.Errorf("%+v suppressed without a directive: %+v", k, f.Suppressions)
		}
	}
	// IgnoreNoSec reports the same findings, none suppressed.
	o := scan(t, scannertest.Testdata("gosec", "fixture"), Options{IgnoreNoSec: true}, nil)
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	all := findingsByKey(t, o.Res.Findings)
	if len(all) != len(got) {
		t.Errorf("IgnoreNoSec: %d findings, want %d", len(all), len(got))
	}
	for k, f := range all {
		if f.Suppressed() {
			t.Errorf("IgnoreNoSec: %+v still suppressed: %+v", k, f.Suppressions)
		}
	}
}

func TestTestsAndTags(t *testing.T) {
	o := scan(t, scannertest.Testdata("gosec", "fixture"), Options{}, func(r *scanner.Request) {
		r.Tests = true
		r.Tags = []string{"scangate_extra"}
	})
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	// findingsByKey fails on duplicates: the package and its test variant
	// both contain main.go.
	got := findingsByKey(t, o.Res.Findings)
	base := findingsByKey(t, fixture(t).Res.Findings)
	for k := range base {
		if _, ok := got[k]; !ok {
			t.Errorf("with tests: %+v missing", k)
		}
	}
	for _, k := range []key{
		{"G306", "main_test.go", 9, 12},
		{"G303", "main_test.go", 9, 12},
		{"G103", "extra.go", 9, 17}, // built only with the tag
	} {
		if _, ok := got[k]; !ok {
			t.Errorf("with tests and tags: %+v missing; got %v", k, sortedKeys(got))
		}
	}
	if len(got) != len(base)+3 {
		t.Errorf("got %d findings, want %d: %v", len(got), len(base)+3, sortedKeys(got))
	}
}

func TestRuleAndPathOptions(t *testing.T) {
	root := scannertest.Testdata("gosec", "fixture")
	o := scan(t, root, Options{Exclude: []string{"G401", "G501"}, MinConfidence: finding.Medium}, func(r *scanner.Request) {
		r.Exclude = []string{"internal/**"}
	})
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	for _, f := range o.Res.Findings {
		switch {
		case f.RuleID == "G401" || f.RuleID == "G501":
			t.Errorf("excluded rule reported: %+v", keyOf(f))
		case f.Confidence == "low":
			t.Errorf("low-confidence finding kept: %+v", keyOf(f))
		case strings.HasPrefix(f.Location.Path, "internal/"):
			t.Errorf("finding in an excluded path: %+v", keyOf(f))
		}
	}
	var left []string
	for _, f := range o.Res.Findings {
		left = append(left, f.RuleID)
	}
	sort.Strings(left)
	// G306, G505 and one G703 are the generated file's.
	if want := "G104 G204 G304 G306 G402 G404 G505 G601 G702 G703 G703"; strings.Join(left, " ") != want {
		t.Errorf("rules left %q, want %q", strings.Join(left, " "), want)
	}

	o = scan(t, root, Options{Include: []string{"G104", "G304"}, MinSeverity: finding.Medium}, nil)
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	if len(o.Res.Findings) != 1 || keyOf(o.Res.Findings[0]) != (key{"G304", "main.go", 33, 9}) {
		t.Errorf("include G104,G304 at medium severity or more: %+v", o.Res.Findings)
	}
	if len(o.Res.Rules) != 1 || o.Res.Rules[0].ID != "G304" {
		t.Errorf("rules %+v", o.Res.Rules)
	}
}

func TestInvalidOptions(t *testing.T) {
	for _, opt := range []Options{
		{Exclude: []string{"G999"}},
		{Include: []string{"gosec"}},
		{MinConfidence: finding.Critical},
		{GoVersion: "1.21"},
		{Include: []string{"G401"}, Exclude: []string{"G401"}},
	} {
		o := scan(t, scannertest.Testdata("gosec", "fixture"), opt, nil)
		// The runner names gosec in front: the adapter does not.
		if o.Err == nil || o.Res.State != finding.Incomplete || strings.HasPrefix(o.Err.Error(), "gosec") {
			t.Errorf("%+v: err %v state %s, want an error and incomplete", opt, o.Err, o.Res.State)
		}
	}
	if err := (Options{Exclude: []string{"G104"}, MinSeverity: finding.High}).Validate(); err != nil {
		t.Errorf("valid options rejected: %v", err)
	}
	if _, err := newPathFilter([]string{"a/[b"}); err == nil {
		t.Error("malformed glob accepted")
	}
}

func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(strings.TrimSuffix(target, ".txt"), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func editFile(t *testing.T, path string, edit func(string) string) {
	t.Helper()
	data := testkit.ReadFile(t, path)
	out := edit(string(data))
	if out == string(data) {
		t.Fatalf("edit of %s changed nothing", path)
	}
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFingerprintsSurviveLineShiftsAndReindent(t *testing.T) {
	base := fixture(t).Res.Findings
	dir := copyTree(t, scannertest.Testdata("gosec", "fixture"))
	// Three blank lines above every finding in main.go, every line of it
	// re-indented, and a comment added to a flagged line.
	editFile(t, filepath.Join(dir, "main.go"), func(s string) string {
		s = strings.Replace(s, "package main\n", "package main\n\n\n\n", 1)
		s = strings.ReplaceAll(s, "\n\t", "\n    ")
		return strings.Replace(s, "os.Remove(path)\n", "os.Remove(path) // best effort\n", 1)
	})
	editFile(t, filepath.Join(dir, "internal", "store", "store.go"), func(s string) string {
		return strings.Replace(s, "package store\n", "package store\n\n// Reports live in the temporary directory.\n", 1)
	})
	o := scan(t, dir, Options{}, nil)
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	shifted := o.Res.Findings
	if len(shifted) != len(base) {
		t.Fatalf("%d findings after the edit, %d before", len(shifted), len(base))
	}
	before := map[string]finding.Finding{}
	for _, f := range base {
		before[f.Fingerprint] = f
	}
	for _, f := range shifted {
		b, ok := before[f.Fingerprint]
		if !ok {
			t.Errorf("fingerprint of %s at %s changed", f.RuleID, f.Location)
			continue
		}
		shift := map[string]int{"main.go": 3, "internal/store/store.go": 2}[f.Location.Path] // generated.go is not edited
		if b.RuleID != f.RuleID || b.Location.Path != f.Location.Path || f.Location.StartLine != b.Location.StartLine+shift {
			t.Errorf("fingerprint %s moved from %s %s to %s %s", f.Fingerprint, b.RuleID, b.Location, f.RuleID, f.Location)
		}
	}

	// Changing the flagged code changes that finding's fingerprint only.
	editFile(t, filepath.Join(dir, "main.go"), func(s string) string {
		return strings.Replace(s, "return md5.Sum(data)", "return md5.Sum(data[1:])", 1)
	})
	o = scan(t, dir, Options{}, nil)
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	changed := 0
	for _, f := range o.Res.Findings {
		if _, ok := before[f.Fingerprint]; !ok {
			changed++
			if f.RuleID != "G401" || f.Location.StartLine != 22 {
				t.Errorf("unexpected fingerprint change: %s at %s", f.RuleID, f.Location)
			}
		}
	}
	if changed != 1 {
		t.Errorf("%d fingerprints changed, want 1", changed)
	}
}

func TestPackagesThatDoNotLoad(t *testing.T) {
	root := copyTree(t, scannertest.Testdata("gosec", "broken")) // .go.txt become .go: two packages that do not parse
	o := scan(t, root, Options{}, nil)
	res := o.Res
	if o.Err != nil {
		t.Fatalf("broken packages are notifications, not a failed scan: %v", o.Err)
	}
	if res.State != finding.Incomplete {
		t.Errorf("state %s, want incomplete: some packages were not fully analyzed", res.State)
	}
	got := findingsByKey(t, res.Findings)
	for _, k := range []key{
		{"G501", "good/good.go", 4, 8},
		{"G401", "good/good.go", 8, 9},
		{"G306", "typeerr/typeerr.go", 10, 9}, // AST rules still run on a package with type errors
	} {
		f, ok := got[k]
		if !ok {
			t.Errorf("%+v missing; got %v", k, sortedKeys(got))
			continue
		}
		if f.Module != "example.com/broken" {
			t.Errorf("%+v: module %q", k, f.Module)
		}
	}
	type note struct {
		path      string
		line, col int
		text      string
	}
	want := []note{
		{"syntaxerr/syntaxerr.go", 4, 14, "gosec: syntaxerr/syntaxerr.go:4:14: expected ')', found '{'"},
		{"typeerr/typeerr.go", 6, 17, `gosec: typeerr/typeerr.go:6:17: cannot use "three" (untyped string constant) as int value`},
		{"allbad/allbad.go", 6, 1, "gosec: allbad/allbad.go:6:1: expected operand, found '}'"},
		{"allbad/go.mod", 0, 0, "gosec: module example.com/broken/allbad: none of its 1 packages loaded without errors"},
	}
	for _, w := range want {
		found := false
		for _, n := range res.Notifications {
			if n.Level == finding.LevelError && n.Location.Path == w.path && n.Location.StartLine == w.line &&
				n.Location.StartColumn == w.col && strings.HasPrefix(n.Message, w.text) {
				found = true
			}
		}
		if !found {
			t.Errorf("no error notification %+v in %+v", w, res.Notifications)
		}
	}
	if len(res.Notifications) != len(want) {
		t.Errorf("%d notifications, want one per broken file plus the empty module: %+v", len(res.Notifications), res.Notifications)
	}
	for _, n := range res.Notifications {
		if strings.Contains(n.Message, root) {
			t.Errorf("machine path in %q", n.Message)
		}
	}
}

func TestModuleThatLoadsNothing(t *testing.T) {
	o := scan(t, scannertest.Testdata("gosec", "toonew"), Options{}, nil)
	if o.Res.State != finding.Incomplete || o.Err == nil {
		t.Fatalf("state %s err %v: a module no toolchain here can load must not pass", o.Res.State, o.Err)
	}
	if !strings.Contains(o.Err.Error(), "no Go package could be analyzed") {
		t.Errorf("error %q", o.Err)
	}
	if len(o.Res.Notifications) != 1 {
		t.Fatalf("notifications %+v", o.Res.Notifications)
	}
	n := o.Res.Notifications[0]
	if n.Level != finding.LevelError || n.Location.Path != "go.mod" ||
		!strings.Contains(n.Message, "module example.com/toonew (go.mod) requires go1.99 but the local Go toolchain is go1.") {
		t.Errorf("notification %+v", n)
	}
	if len(o.Res.Findings) != 0 {
		t.Errorf("findings %+v", o.Res.Findings)
	}

	// A tree with no module at all is not a clean pass either.
	o = scan(t, t.TempDir(), Options{}, nil)
	if o.Err == nil || o.Res.State != finding.Incomplete {
		t.Errorf("no module: state %s err %v", o.Res.State, o.Err)
	}
}

func TestMultiModuleWorkspace(t *testing.T) {
	o := scan(t, scannertest.Testdata("gosec", "multi"), Options{}, nil)
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	if o.Res.State != finding.Completed {
		t.Errorf("state %s: %+v", o.Res.State, o.Res.Notifications)
	}
	got := findingsByKey(t, o.Res.Findings)
	want := map[key]string{
		{"G204", "app/main.go", 25, 14}:   "example.com/multi/app",
		{"G702", "app/main.go", 25, 26}:   "example.com/multi/app",
		{"G505", "lib/lib.go", 4, 8}:      "example.com/multi/lib",
		{"G401", "lib/lib.go", 8, 9}:      "example.com/multi/lib",
		{"G601", "tools/tools.go", 9, 21}: "example.com/multi/tools",
	}
	if len(got) != len(want) {
		t.Errorf("findings %v, want %d", sortedKeys(got), len(want))
	}
	for k, mod := range want {
		if f, ok := got[k]; !ok || f.Module != mod {
			t.Errorf("%+v: module %q (found %v), want %q", k, f.Module, ok, mod)
		}
	}
	// app has the same range-variable pattern as tools, at go 1.22: gosec
	// itself reports nothing there, whatever version the process pinned.
	for k := range got {
		if k.rule == "G601" && k.path != "tools/tools.go" {
			t.Errorf("G601 reported in a go1.22 module: %+v", k)
		}
	}
	if !strings.Contains(strings.Join(o.Logs, "\n"), "module 3/3: example.com/multi/tools (tools)") {
		t.Errorf("progress: %q", o.Logs)
	}

	// An excluded module is not loaded, nor even read.
	o = scan(t, scannertest.Testdata("gosec", "multi"), Options{}, func(r *scanner.Request) { r.Exclude = []string{"app", "lib/**"} })
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	if len(o.Res.Findings) != 1 || o.Res.Findings[0].Module != "example.com/multi/tools" {
		t.Errorf("with app and lib excluded: %+v", o.Res.Findings)
	}
	if logs := strings.Join(o.Logs, "\n"); !strings.Contains(logs, "app: excluded, not read") || strings.Contains(logs, "multi/lib: 1 packages loaded") {
		t.Errorf("progress: %q", o.Logs)
	}
	o = scan(t, scannertest.Testdata("gosec", "multi"), Options{}, func(r *scanner.Request) { r.Exclude = []string{"*"} })
	var skip *scanner.SkipError
	if !errors.As(o.Err, &skip) {
		t.Errorf("everything excluded: err %v, want a skip", o.Err)
	}
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := New(Options{}).Scan(ctx, &scanner.Request{Root: scannertest.Testdata("gosec", "fixture"), Logf: func(string, ...any) {}})
	if err == nil || !errors.Is(err, context.Canceled) || res == nil || scanner.StateOf(err) != finding.Incomplete {
		t.Errorf("cancelled scan: res %+v err %v", res, err)
	}
}

func TestApplies(t *testing.T) {
	s := New(Options{})
	if s.Name() != "gosec" {
		t.Errorf("name %q", s.Name())
	}
	if !s.Applies(&scanner.Request{Root: scannertest.Testdata("gosec", "multi")}) {
		t.Error("does not apply to a tree of Go modules")
	}
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "app.py"), []byte("print(1)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if s.Applies(&scanner.Request{Root: empty}) {
		t.Error("applies to a tree without go.mod")
	}
}

// TestMixedGoVersions pins gosec's process-wide Go version at go1.22 in a
// fresh process (this one has pinned go1.21 already) and scans modules at
// go1.21 and go1.22 together.
func TestMixedGoVersions(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child test process")
	}
	out, err := shellout.Run(context.Background(), shellout.Cmd{
		Program: os.Args[0],
		Args:    []string{"-test.run", "^TestChildPinnedGoVersion$", "-test.v"},
		Env:     append(os.Environ(), "SCANGATE_GOSEC_CHILD=1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.ExitCode != 0 || !strings.Contains(string(out.Stdout), "--- PASS: TestChildPinnedGoVersion") {
		t.Fatalf("child exit %d:\n%s\n%s", out.ExitCode, out.Stdout, out.Stderr)
	}
}

func TestChildPinnedGoVersion(t *testing.T) {
	if os.Getenv("SCANGATE_GOSEC_CHILD") != "1" {
		t.Skip("run by TestMixedGoVersions in a child process")
	}
	o := scan(t, scannertest.Testdata("gosec", "multi"), Options{GoVersion: "go1.22"}, nil)
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	for _, f := range o.Res.Findings {
		if f.RuleID == "G601" {
			t.Errorf("G601 reported although gosec assumes go1.22: %+v", keyOf(f))
		}
	}
	var warned bool
	for _, n := range o.Res.Notifications {
		if n.Level == finding.LevelWarning && n.Location.Path == "tools/go.mod" &&
			strings.Contains(n.Message, "module example.com/multi/tools: G601 (implicit memory aliasing in range loops) was not checked: the module declares go1.21 but gosec's Go version is fixed at go1.22") {
			warned = true
		} else {
			t.Errorf("unexpected notification %+v", n)
		}
	}
	if !warned {
		t.Errorf("no warning for the go1.21 module: %+v", o.Res.Notifications)
	}
	if len(o.Res.Findings) != 4 {
		t.Errorf("findings %+v", o.Res.Findings)
	}
}

// A module whose go.mod is untidy loads no package at all: gosec's run is
// incomplete, and the error names the module and the go command's line
// that says what to do. The other module is still scanned.
func TestUntidyModuleIsIncomplete(t *testing.T) {
	root := copyTree(t, scannertest.Testdata("gosec", "fixture"))
	testkit.UntidyModule(t, filepath.Join(root, "api"))
	o := scan(t, root, Options{}, nil)
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	if o.Res.State != finding.Incomplete {
		t.Errorf("state %s, want incomplete", o.Res.State)
	}
	want := "gosec: module api (example.com/untidy/api) could not be loaded, nothing in it was scanned: go: updates to go.mod needed; to update it: go mod tidy"
	var found bool
	for _, n := range o.Res.Notifications {
		first, _, _ := strings.Cut(n.Message, "\n")
		if n.Level == finding.LevelNote && strings.Contains(n.Message, "api") {
			t.Errorf("the untidy module is a note: %q", n.Message)
		}
		if n.Level == finding.LevelError && first == want && n.Location.Path == "api/go.mod" {
			found = true
		}
		if strings.Contains(n.Message, root) {
			t.Errorf("notification names the machine path: %q", n.Message)
		}
	}
	if !found {
		t.Errorf("no error %q at api/go.mod in %+v", want, o.Res.Notifications)
	}
	var fixture, api int
	for _, f := range o.Res.Findings {
		if strings.HasPrefix(f.Location.Path, "api/") {
			api++
		} else {
			fixture++
		}
	}
	if fixture == 0 || api != 0 {
		t.Errorf("%d findings in the tidy module, %d in the untidy one; want some and none", fixture, api)
	}
	// The failed module is placed: the tidy one's findings can be reported.
	wantUnits := []finding.Unit{{Kind: "go-module", Path: ".", State: finding.Completed}, {Kind: "go-module", Path: "api", State: finding.Incomplete}}
	if !slices.Equal(o.Res.Units, wantUnits) {
		t.Errorf("units %+v, want %+v", o.Res.Units, wantUnits)
	}

	// Excluded, the untidy module is not loaded at all: the scan completes.
	o = scan(t, root, Options{}, func(r *scanner.Request) { r.Exclude = []string{"api"} })
	if o.Err != nil || o.Res.State == finding.Incomplete {
		t.Errorf("excluded: err %v state %s notifications %+v", o.Err, o.Res.State, o.Res.Notifications)
	}
}

// A dependency missing from go.sum and the module cache (offline): the type
// checker only says "could not import X (invalid package name: "")"; the
// error must carry the go command's line that says what to do.
func TestMissingDependencyNamesTheFix(t *testing.T) {
	root := t.TempDir()
	for name, body := range map[string]string{
		"go.mod":  "module example.com/nocache\n\ngo 1.22\n\nrequire example.com/notinthecache v1.0.0\n",
		"main.go": "package main\n\nimport \"example.com/notinthecache/lib\"\n\nfunc main() { lib.F() }\n",
	} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	o := scan(t, root, Options{}, func(r *scanner.Request) { r.Offline = true })
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	if o.Res.State != finding.Incomplete {
		t.Errorf("state %s, want incomplete", o.Res.State)
	}
	for _, n := range o.Res.Notifications {
		if n.Level == finding.LevelError && n.Location.Path == "main.go" &&
			strings.Contains(n.Message, "could not import example.com/notinthecache/lib: missing go.sum entry") && strings.Contains(n.Message, "to add:") {
			return
		}
	}
	t.Errorf("no error at main.go with the go command's fix: %+v", o.Res.Notifications)
}
