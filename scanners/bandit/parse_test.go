package bandit

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
)

// testdata/python/captured/bandit-1.9.4-banditapp.json is the real output of
// bandit 1.9.4 (run from its release tag's source with Debian's Python 3.11)
// on testdata/python/banditapp, with the arguments this adapter passes; see
// the README there. It has the fields bandit 1.7-1.9 add: issue_cwe,
// col_offset, end_col_offset, metrics.skipped_tests.
func TestParseBandit19(t *testing.T) {
	data := testkit.ReadFile(t, filepath.Join("..", "..", "testdata", "python", "captured", "bandit-1.9.4-banditapp.json"))
	res := &finding.Result{}
	if err := scanner.Settle(res, parseReport(data, "/src/banditapp", nil, res), nil); err != nil {
		t.Fatal(err)
	}
	if res.State != finding.Completed || len(res.Notifications) != 0 {
		t.Errorf("state %s notifications %+v", res.State, res.Notifications)
	}
	want := []hit{
		{"app/service.py", "B403", 2}, {"app/service.py", "B404", 3}, {"app/service.py", "B105", 7},
		{"app/service.py", "B602", 11}, {"app/service.py", "B301", 15}, {"app/service.py", "B307", 19},
		{"app/service.py", "B324", 23}, {"app/service.py", "B506", 27}, {"app/service.py", "B101", 31},
		{"app/storage.py", "B108", 6}, {"app/storage.py", "B311", 10}, {"app/storage.py", "B324", 15},
		{"app/storage.py", "B306", 19}, {"app/storage.py", "B404", 23}, {"app/storage.py", "B602", 26},
	}
	if got := hits(res); !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	byKey := map[hit]finding.Finding{}
	for _, f := range res.Findings {
		byKey[hit{f.Location.Path, f.RuleID, f.Location.StartLine}] = f
	}

	// Columns: 0-based col_offset and exclusive end_col_offset become
	// 1-based start and end columns.
	f := byKey[hit{"app/service.py", "B602", 11}]
	if l := f.Location; l.StartColumn != 12 || l.EndLine != 11 || l.EndColumn != 44 {
		t.Errorf("B602 single line: %+v", l)
	}
	// A multi-line call reported on its shell=True line: the node starts on
	// line 24, so its start column does not belong to line 26.
	f = byKey[hit{"app/storage.py", "B602", 26}]
	if l := f.Location; l.StartColumn != 0 || l.EndLine != 27 || l.EndColumn != 6 {
		t.Errorf("B602 multi-line: %+v", l)
	}
	// The same code gives the same fingerprint as with bandit 1.6.2, whose
	// report has neither columns nor the same excerpt length.
	if want := finding.Fingerprint("bandit", "B602", "app/storage.py", "shell=True,"); f.Fingerprint != want {
		t.Errorf("fingerprint %s, want %s", f.Fingerprint, want)
	}
	f = byKey[hit{"app/service.py", "B602", 11}]
	if want := finding.Fingerprint("bandit", "B602", "app/service.py", "return subprocess.call(cmd, shell=True)"); f.Fingerprint != want {
		t.Errorf("fingerprint %s, want %s", f.Fingerprint, want)
	}

	// issue_cwe is used when present.
	if r := res.Rule("B506"); r == nil || !slices.Contains(r.Tags, "external/cwe/cwe-20") || !strings.Contains(r.HelpURI, "/1.9.4/") {
		t.Errorf("rule B506 %+v", r)
	}
	// B105's message quotes the password; the rule description must not.
	f = byKey[hit{"app/service.py", "B105", 7}]
	if !strings.Contains(f.Message, "hunter2") {
		t.Errorf("B105 message %q", f.Message)
	}
	if r := res.Rule("B105"); r == nil || strings.Contains(r.Full+r.Short+r.Help, "hunter2") {
		t.Errorf("rule B105 leaks the password: %+v", r)
	}
	// B105 is LOW severity, MEDIUM confidence.
	if f.Severity != finding.Low || f.Confidence != "medium" {
		t.Errorf("B105 %s %s", f.Severity, f.Confidence)
	}
}

func TestSeverityTable(t *testing.T) {
	cases := []struct {
		sev, conf string
		want      finding.Severity
	}{
		{"HIGH", "HIGH", finding.High}, {"HIGH", "MEDIUM", finding.High}, {"HIGH", "LOW", finding.Medium}, {"HIGH", "UNDEFINED", finding.Medium},
		{"MEDIUM", "HIGH", finding.Medium}, {"MEDIUM", "MEDIUM", finding.Medium}, {"MEDIUM", "LOW", finding.Low},
		{"LOW", "HIGH", finding.Low}, {"LOW", "MEDIUM", finding.Low}, {"LOW", "LOW", finding.Info},
		{"UNDEFINED", "HIGH", finding.Info}, {"", "", finding.Info}, {"high", "high", finding.High},
	}
	for _, c := range cases {
		if got := Severity(c.sev, c.conf); got != c.want {
			t.Errorf("Severity(%q, %q) = %s, want %s", c.sev, c.conf, got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"empty", "", "bandit printed no report"},
		{"blank", " \n\t\n", "bandit printed no report"},
		{"garbage", "Traceback (most recent call last):\n  File \"/usr/bin/bandit\"\n", "bandit's report is not valid JSON"},
		{"empty object", "{}", `no "results" array`},
		{"null results", `{"results": null, "errors": []}`, `no "results" array`},
		{"array", "[]", "not valid JSON"},
		{"truncated", `{"errors": [], "results": [{"test_id": "B101"`, "not valid JSON"},
		{"trailing", `{"errors": [], "results": []} oops`, "trailing data"},
		{"no test id", `{"errors": [], "results": [{"filename": "./a.py", "line_number": 1}]}`, "result 0 has no test_id"},
	}
	for _, c := range cases {
		err := parseReport([]byte(c.doc), "/r", nil, &finding.Result{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

func TestParseAllFilesFailed(t *testing.T) {
	// bandit 1.6.2's report for a tree whose only file does not parse: it
	// exits 0 with no results.
	doc := `{
  "errors": [
    {
      "filename": "./legacy.py",
      "reason": "syntax error while parsing AST from file"
    }
  ],
  "generated_at": "2026-11-25T16:38:14Z",
  "metrics": {
    "./legacy.py": {
      "loc": 1,
      "nosec": 0
    },
    "_totals": {
      "CONFIDENCE.HIGH": 0.0,
      "loc": 1,
      "nosec": 0
    }
  },
  "results": []
}`
	res := &finding.Result{}
	if err := scanner.Settle(res, parseReport([]byte(doc), "/r", nil, res), nil); err != nil {
		t.Fatal(err)
	}
	if res.State != finding.Incomplete || len(res.Notifications) != 2 {
		t.Fatalf("state %s notifications %+v", res.State, res.Notifications)
	}
	if n := res.Notifications[0]; n.Level != finding.LevelError || n.Location.Path != "legacy.py" {
		t.Errorf("%+v", n)
	}
	// The same report with the file excluded: nothing is missing.
	res = &finding.Result{}
	if err := scanner.Settle(res, parseReport([]byte(doc), "/r", []string{"legacy.py"}, res), nil); err != nil {
		t.Fatal(err)
	}
	if res.State == finding.Incomplete || len(res.Notifications) != 1 || res.Notifications[0].Level != finding.LevelWarning {
		t.Errorf("excluded: state %s notifications %+v", res.State, res.Notifications)
	}
}

func TestParseIni(t *testing.T) {
	opts, ok, err := parseIni([]byte(`; comment
[other]
skips = B999

[bandit]
Exclude: ./build,
    ./docs
skips = B101, B311
tests=
targets: src
`))
	if err != nil || !ok {
		t.Fatalf("ok %v err %v", ok, err)
	}
	if !slices.Equal(opts.exclude, []string{"./build", "./docs"}) || !slices.Equal(opts.skips, []string{"B101", "B311"}) ||
		len(opts.tests) != 0 || !slices.Equal(opts.targets, []string{"src"}) {
		t.Errorf("%+v", opts)
	}
	if _, ok, err := parseIni([]byte("[flake8]\nmax-line-length = 100\n")); ok || err != nil {
		t.Errorf("no [bandit] section: ok %v err %v", ok, err)
	}
	for _, bad := range []string{"[bandit\nskips = B1\n", "skips = B1\n", "[bandit]\njust words\n"} {
		if _, _, err := parseIni([]byte(bad)); err == nil || !strings.Contains(err.Error(), "line ") {
			t.Errorf("%q: err = %v, want one naming the line", bad, err)
		}
	}
}

func TestHasToolBandit(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pyproject.toml")
	for doc, want := range map[string]bool{
		"[tool.bandit]\nskips = [\"B101\"]\n":       true,
		"[ tool . \"bandit\" ]\n":                   true,
		"[tool.bandit.assert_used]\nskips = []\n":   true,
		"[tool.banditry]\n":                         false,
		"[tool.black]\n# [tool.bandit] commented\n": false,
	} {
		testkit.WriteFile(t, p, doc)
		if got, err := hasToolBandit(p); err != nil || got != want {
			t.Errorf("%q: got %v err %v", doc, got, err)
		}
	}
	if got, err := hasToolBandit(filepath.Join(dir, "missing.toml")); got || err != nil {
		t.Errorf("missing file: %v %v", got, err)
	}
}

// bandit names itself after its script, or __main__.py under `python -m`.
func TestVersionRE(t *testing.T) {
	for out, want := range map[string]string{
		"bandit 1.7.5\n  python version = 3.11.2\n":      "1.7.5",
		"__main__.py 1.6.2\n  python version = 3.11.2\n": "1.6.2",
		"python version = 3.11.2\n":                      "",
	} {
		got := ""
		if m := versionRE.FindStringSubmatch(out); m != nil {
			got = m[1]
		}
		if got != want {
			t.Errorf("%q: version %q, want %q", out, got, want)
		}
	}
}
