package bandit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/python"
	"github.com/scangate/scangate/scanner/scannertest"
)

// These tests run the real bandit (Debian's bandit 1.6.2 in CI) on the
// fixture projects under testdata/python. Without bandit on PATH they are
// skipped, unless SCANGATE_REQUIRE_BANDIT (set in CI) makes that a failure
// (testkit.NeedBandit).

// hit is a finding reduced to what every bandit version reports alike.
type hit struct {
	Path string
	Rule string
	Line int
}

func hits(res *finding.Result) []hit {
	var out []hit
	for _, f := range res.Findings {
		out = append(out, hit{f.Location.Path, f.RuleID, f.Location.StartLine})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Line < b.Line || a.Line == b.Line && a.Rule < b.Rule
	})
	return out
}

// goldenHits are the hits of a golden file (scannertest.Line), which holds
// what Debian's bandit 1.6.2 reports: another version is compared on them.
func goldenHits(t *testing.T, golden string) []hit {
	t.Helper()
	var out []hit
	for _, l := range scannertest.ReadGolden(t, golden) {
		var h hit
		var col int
		var sev string
		path, rest, _ := strings.Cut(l, ":")
		if _, err := fmt.Sscanf(rest, "%d:%d: %s %s", &h.Line, &col, &h.Rule, &sev); err != nil {
			t.Fatalf("%s: %q: %v", golden, l, err)
		}
		h.Path = path
		out = append(out, h)
	}
	return out
}

// The findings of Debian's bandit 1.6.2 on banditapp, tests excluded. B105
// (the password on service.py:7) and B108 (/tmp on storage.py:6) do not fire
// there: bandit 1.6.2 looks for ast.Str nodes, which Python 3.8+ no longer
// makes. The `# nosec` eval on service.py:34, build/, .venv/ and tests/ must
// not appear.
const banditappGolden = "testdata/banditapp.golden"

var app scannertest.Shared

// scanApp scans banditapp once for every test that only reads the result.
func scanApp(t *testing.T) *finding.Result {
	t.Helper()
	testkit.NeedBandit(t)
	o := app.Get("banditapp", func() scannertest.Outcome {
		return scannertest.Run(t, New(Options{}), scannertest.Request(scannertest.Testdata("python", "banditapp")))
	})
	if o.Err != nil {
		t.Fatalf("Scan: %v", o.Err)
	}
	return o.Res
}

func TestRealBanditFindings(t *testing.T) {
	res := scanApp(t)
	if res.State != finding.Completed {
		t.Errorf("state %s, notifications %+v", res.State, res.Notifications)
	}
	got := hits(res)
	if res.Version == "1.6.2" {
		scannertest.Golden(t, banditappGolden, res)
	} else {
		// Newer bandit adds checks and moves md5 from B303 to B324; the
		// core must still be there, with the same lines.
		t.Logf("bandit %s: comparing the checks every version reports", res.Version)
		for _, w := range goldenHits(t, banditappGolden) {
			if w.Rule == "B303" {
				continue
			}
			if !slices.Contains(got, w) {
				t.Errorf("missing %v in %v", w, got)
			}
		}
	}
	ids := map[string]bool{}
	for _, h := range got {
		ids[h.Rule] = true
		if strings.Contains(h.Path, "build/") || strings.Contains(h.Path, ".venv") || strings.HasPrefix(h.Path, "tests/") {
			t.Errorf("finding in an excluded directory: %v", h)
		}
		if h.Path == "app/service.py" && h.Line == 34 {
			t.Errorf("the # nosec line was reported: %v", h)
		}
	}
	if len(ids) < 6 {
		t.Errorf("only %d distinct checks fired, want at least 6", len(ids))
	}
}

func TestRealBanditFindingDetails(t *testing.T) {
	res := scanApp(t)
	var f *finding.Finding
	for i := range res.Findings {
		if res.Findings[i].RuleID == "B602" && res.Findings[i].Location.Path == "app/service.py" {
			f = &res.Findings[i]
		}
	}
	if f == nil {
		t.Fatal("no B602 in app/service.py")
	}
	if f.Tool != "bandit" || f.Severity != finding.High || f.Confidence != "high" {
		t.Errorf("tool %q severity %s confidence %q", f.Tool, f.Severity, f.Confidence)
	}
	if f.Message != "subprocess call with shell=True identified, security issue." {
		t.Errorf("message %q", f.Message)
	}
	if f.Location.Snippet != "    return subprocess.call(cmd, shell=True)" {
		t.Errorf("snippet %q", f.Location.Snippet)
	}
	if want := finding.Fingerprint("bandit", "B602", "app/service.py", "return subprocess.call(cmd, shell=True)"); f.Fingerprint != want {
		t.Errorf("fingerprint %s, want %s", f.Fingerprint, want)
	}
	if f.Properties["cwe"] != "CWE-78" {
		t.Errorf("properties %v", f.Properties)
	}
	r := res.Rule("B602")
	if r == nil {
		t.Fatal("no rule B602")
	}
	if r.Name != "subprocess_popen_with_shell_equals_true" || !strings.HasPrefix(r.HelpURI, "https://bandit.readthedocs.io/") ||
		!slices.Contains(r.Tags, "external/cwe/cwe-78") || r.Severity != finding.High {
		t.Errorf("rule %+v", r)
	}
	// Blacklist checks are all "blacklist" in bandit's JSON; the rule is
	// named after the check.
	if r := res.Rule("B307"); r == nil || r.Name != "eval" || !slices.Contains(r.Tags, "external/cwe/cwe-78") {
		t.Errorf("rule B307 %+v", r)
	}
	// Severity table: B311 is LOW severity, HIGH confidence.
	for _, f := range res.Findings {
		if f.RuleID == "B311" && (f.Severity != finding.Low || f.Properties["banditSeverity"] != "LOW") {
			t.Errorf("B311: %s %v", f.Severity, f.Properties)
		}
	}
	for _, f := range res.Findings {
		if filepath.IsAbs(f.Location.Path) || strings.HasPrefix(f.Location.Path, "./") || strings.Contains(f.Location.Path, `\`) {
			t.Errorf("path %q is not root-relative with / separators", f.Location.Path)
		}
	}
}

func TestRealBanditMultiLine(t *testing.T) {
	res := scanApp(t)
	for _, f := range res.Findings {
		if f.RuleID == "B602" && f.Location.Path == "app/storage.py" {
			if f.Location.StartLine != 26 || f.Location.EndLine != 0 && f.Location.EndLine != 27 {
				t.Errorf("location %+v", f.Location)
			}
			if !strings.Contains(f.Location.Snippet, "shell=True,") {
				t.Errorf("snippet %q", f.Location.Snippet)
			}
			return
		}
	}
	t.Error("no B602 in app/storage.py")
}

// With tests requested, tests/ is scanned; and shifting every line keeps the
// fingerprints.
func TestRealBanditTestsAndShiftedLines(t *testing.T) {
	base := scanApp(t)
	root := testkit.TempCopy(t, scannertest.Testdata("python", "banditapp"))
	svc := filepath.Join(root, "app", "service.py")
	data := testkit.ReadFile(t, svc)
	testkit.WriteFile(t, svc, "# a header comment\n# and another\n\n"+string(data))
	req := scannertest.Request(root)
	req.Tests = true
	res := scannertest.Scan(t, New(Options{}), req)
	got := hits(res)
	if !slices.Contains(got, hit{"tests/test_service.py", "B101", 5}) {
		t.Errorf("tests/ not scanned with Tests set: %v", got)
	}
	if !slices.Contains(got, hit{"app/service.py", "B602", 14}) {
		t.Errorf("B602 did not move to line 14: %v", got)
	}
	fp := map[string]bool{}
	for _, f := range res.Findings {
		fp[f.Fingerprint] = true
	}
	for _, f := range base.Findings {
		if !fp[f.Fingerprint] {
			t.Errorf("fingerprint of %s %s:%d changed when lines moved", f.RuleID, f.Location.Path, f.Location.StartLine)
		}
	}
}

// The project's .bandit is honoured: its skips and excludes apply even
// though scangate passes its own -x and -s; its targets replace ".".
func TestRealBanditProjectIni(t *testing.T) {
	testkit.NeedBandit(t)
	root := testkit.TempCopy(t, scannertest.Testdata("python", "banditapp"))
	testkit.Write(t, root, ".bandit", `# project settings
[bandit]
skips: B101,B403
exclude = app/storage.py
targets = app
`)
	testkit.Write(t, root, "pyproject.toml", "[project]\nname = \"x\"\n\n[tool.bandit]\nskips = [\"B602\"]\n")
	testkit.Write(t, root, filepath.Join("scripts", "deploy.py"), "import os\nos.system('make deploy')\n")
	var logged []string
	req := scannertest.Request(root)
	req.Logf = func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }
	res := scannertest.Scan(t, New(Options{Skips: []string{"B311"}}), req)
	for _, h := range hits(res) {
		switch {
		case h.Rule == "B101" || h.Rule == "B403" || h.Rule == "B311":
			t.Errorf("skipped check reported: %v", h)
		case h.Path == "app/storage.py":
			t.Errorf("excluded file reported: %v", h)
		case strings.HasPrefix(h.Path, "scripts/"):
			t.Errorf("file outside the .bandit targets reported: %v", h)
		}
	}
	if !slices.Contains(hits(res), hit{"app/service.py", "B307", 19}) {
		t.Errorf("B307 missing: %v", hits(res))
	}
	if len(logged) == 0 || !strings.Contains(logged[0], "--ini "+os.DevNull) || !strings.Contains(logged[0], "-s B101,B403,B311") {
		t.Errorf("logged %q", logged)
	}
	warned := false
	for _, n := range res.Notifications {
		warned = warned || strings.Contains(n.Message, "[tool.bandit]")
	}
	switch {
	case atLeast(res.Version, 1, 7):
		if !strings.Contains(logged[0], "-c pyproject.toml") {
			t.Errorf("bandit %s reads pyproject.toml with -c: %q", res.Version, logged[0])
		}
	case !warned:
		t.Errorf("bandit %s cannot read [tool.bandit]; want a warning, got %+v", res.Version, res.Notifications)
	}
}

func TestSeveralIniFiles(t *testing.T) {
	root := t.TempDir()
	testkit.Write(t, root, filepath.Join("a", "x.py"), "x = 1\n")
	testkit.Write(t, root, filepath.Join("a", ".bandit"), "[bandit]\nskips: B101\n")
	testkit.Write(t, root, filepath.Join("b", ".bandit"), "[bandit]\nskips: B102\n")
	// A .bandit inside a virtual environment is not the project's.
	testkit.Write(t, root, filepath.Join("env", "pyvenv.cfg"), "home = /usr/bin\n")
	testkit.Write(t, root, filepath.Join("env", "lib", ".bandit"), "[bandit]\n")
	s := New(Options{})
	_, _, err := s.args(scannertest.Request(root), v162, &finding.Result{})
	if err == nil || !strings.Contains(err.Error(), "a/.bandit, b/.bandit") {
		t.Fatalf("err = %v, want both .bandit files named", err)
	}
	os.Remove(filepath.Join(root, "b", ".bandit"))
	args, _, err := s.args(scannertest.Request(root), v162, &finding.Result{})
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(args, " ")
	if !strings.Contains(joined, "--ini "+os.DevNull) || !strings.Contains(joined, "-s B101") || !strings.Contains(joined, "*/env/*,env/*") {
		t.Errorf("args %q", joined)
	}
}

func TestRealBanditSyntaxErrors(t *testing.T) {
	testkit.NeedBandit(t)
	// bandit exits 0 although it analyzed nothing.
	res := scannertest.Scan(t, New(Options{}), scannertest.Request(scannertest.Testdata("python", "broken")))
	if res.State != finding.Incomplete {
		t.Errorf("state %s, want incomplete when no file could be parsed", res.State)
	}
	var errs []string
	for _, n := range res.Notifications {
		if n.Level == finding.LevelError && n.Location.Path != "" {
			errs = append(errs, n.Location.Path+": "+n.Message)
		}
	}
	want := []string{
		"legacy.py: bandit: could not analyze legacy.py: syntax error while parsing AST from file; it was not scanned (fix it, or --exclude it if it is not Python 3 source)",
		"tool.py: bandit: could not analyze tool.py: syntax error while parsing AST from file; it was not scanned (fix it, or --exclude it if it is not Python 3 source)",
	}
	if !slices.Equal(errs, want) {
		t.Errorf("errors %q", errs)
	}

	// One good file among broken ones: still incomplete, since the broken
	// ones were not scanned; the good file's finding is kept.
	root := testkit.TempCopy(t, scannertest.Testdata("python", "broken"))
	testkit.Write(t, root, "ok.py", "x = eval('1')\n")
	res = scannertest.Scan(t, New(Options{}), scannertest.Request(root))
	if res.State != finding.Incomplete || len(res.Findings) != 1 || len(res.Notifications) != 2 {
		t.Errorf("state %s findings %v notifications %+v", res.State, hits(res), res.Notifications)
	}

	// Excluding the broken files is what makes the scan complete: bandit
	// is told not to read them (-x) and their errors would be dropped.
	req := scannertest.Request(root)
	req.Exclude = []string{"legacy.py", "/tool.py"}
	args, _, err := New(Options{}).args(req, v162, &finding.Result{})
	if err != nil {
		t.Fatal(err)
	}
	if x := args[slices.Index(args, "-x")+1]; !strings.HasSuffix(x, ",./legacy.py,./tool.py") {
		t.Errorf("-x %q, want the excluded files at its end", x)
	}
	res = scannertest.Scan(t, New(Options{}), req)
	if res.State != finding.Completed || len(res.Findings) != 1 || len(res.Notifications) != 0 {
		t.Errorf("excluded: state %s findings %v notifications %+v", res.State, hits(res), res.Notifications)
	}
}

func TestApplies(t *testing.T) {
	s := New(Options{})
	root := t.TempDir()
	if s.Applies(scannertest.Request(root)) {
		t.Error("applies to an empty tree")
	}
	testkit.Write(t, root, filepath.Join(".venv", "pyvenv.cfg"), "")
	testkit.Write(t, root, filepath.Join(".venv", "lib", "x.py"), "")
	testkit.Write(t, root, filepath.Join("myenv", "pyvenv.cfg"), "")
	testkit.Write(t, root, filepath.Join("myenv", "lib", "x.py"), "")
	testkit.Write(t, root, filepath.Join("node_modules", "x", "y.py"), "")
	testkit.Write(t, root, filepath.Join("build", "lib", "y.py"), "")
	testkit.Write(t, root, filepath.Join("tests", "test_y.py"), "")
	testkit.Write(t, root, "README.md", "")
	if s.Applies(scannertest.Request(root)) {
		t.Error("applies to a tree whose only Python is in virtualenvs, node_modules, build and tests")
	}
	req := scannertest.Request(root)
	req.Tests = true
	if !s.Applies(req) {
		t.Error("does not apply to test code when tests are requested")
	}
	testkit.Write(t, root, filepath.Join("src", "pkg", "mod.py"), "")
	if !s.Applies(scannertest.Request(root)) {
		t.Error("does not apply to src/pkg/mod.py")
	}
}

func TestNotInstalledSkips(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	root := scannertest.Testdata("python", "banditapp")
	_, err := New(Options{}).Scan(context.Background(), scannertest.Request(root))
	var skip *scanner.SkipError
	if !errors.As(err, &skip) || !strings.Contains(skip.Reason, InstallHint) {
		t.Fatalf("err = %v, want a skip with the install hint", err)
	}
	// Through Run: skipped, not incomplete, with the notice.
	results := scanner.Run(context.Background(), scanner.Request{Root: root}, []scanner.Scanner{New(Options{})}, scanner.Options{})
	r := results[0]
	if r.State != finding.Skipped || len(r.Notifications) != 1 || !strings.Contains(r.Notifications[0].Message, "pip install bandit") {
		t.Errorf("state %s notifications %+v", r.State, r.Notifications)
	}
	// Unless the configuration requires bandit.
	results = scanner.Run(context.Background(), scanner.Request{Root: root}, []scanner.Scanner{New(Options{})},
		scanner.Options{Required: map[string]bool{"bandit": true}})
	if results[0].State != finding.Incomplete {
		t.Errorf("required bandit missing: state %s", results[0].State)
	}
}

func TestExplicitProgramMissingIsAnError(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "bandit")
	err := scannertest.Run(t, New(Options{Program: missing}), scannertest.Request(scannertest.Testdata("python", "banditapp"))).Err
	var skip *scanner.SkipError
	// The temp directory is a machine path: reports name it $TMPDIR.
	want := scanner.TempMarker() + "/" + strings.TrimPrefix(missing, os.TempDir()+"/")
	if err == nil || errors.As(err, &skip) || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want an error naming %s", err, want)
	}
}

func TestBadOptions(t *testing.T) {
	for _, o := range []Options{{MinSeverity: "severe"}, {MinConfidence: "sure"}} {
		_, _, err := New(o).args(scannertest.Request(t.TempDir()), v162, &finding.Result{})
		if err == nil || !strings.Contains(err.Error(), "want low, medium or high") {
			t.Errorf("%+v: err = %v", o, err)
		}
	}
	args, _, err := New(Options{MinSeverity: "Medium", MinConfidence: "high", Tests: []string{"B602"}}).args(scannertest.Request(t.TempDir()), v162, &finding.Result{})
	if err != nil {
		t.Fatal(err)
	}
	if j := strings.Join(args, " "); !strings.HasSuffix(j, "-t B602 -ll -iii") {
		t.Errorf("args %q", j)
	}
}

// pypkg is shaped like a real PyPI package: src/ layout, pyproject.toml and
// a setup.py declaring a C extension. bandit parses setup.py (it never runs
// it), skips the .c file and, without tests requested, tests/.
func TestRealBanditPackageLayout(t *testing.T) {
	testkit.NeedBandit(t)
	res := scannertest.Scan(t, New(Options{}), scannertest.Request(scannertest.Testdata("python", "pypkg")))
	const golden = "testdata/pypkg.golden"
	if res.Version == "1.6.2" {
		scannertest.Golden(t, golden, res)
	} else {
		got := hits(res)
		for _, w := range goldenHits(t, golden) {
			if !slices.Contains(got, w) {
				t.Errorf("missing %v in %v", w, got)
			}
		}
	}
	if res.State != finding.Completed || len(res.Notifications) != 0 {
		t.Errorf("state %s notifications %+v", res.State, res.Notifications)
	}
}

func v162() (string, error) { return "1.6.2", nil }

// Projects write their excludes for paths as `bandit -r .` walks them
// ("./app/storage.py"); bandit compares them with that spelling, so the
// adapter scans "." too.
func TestRealBanditDotSlashExclude(t *testing.T) {
	testkit.NeedBandit(t)
	root := testkit.TempCopy(t, scannertest.Testdata("python", "banditapp"))
	testkit.Write(t, root, ".bandit", "[bandit]\nexclude: ./app/storage.py\n")
	res := scannertest.Scan(t, New(Options{}), scannertest.Request(root))
	got := hits(res)
	for _, h := range got {
		if h.Path == "app/storage.py" {
			t.Errorf("excluded file reported: %v", h)
		}
	}
	if !slices.Contains(got, hit{"app/service.py", "B602", 11}) {
		t.Errorf("service.py findings missing: %v", got)
	}
}

// bandit never reads a .bandit by itself: a project's file cannot make it
// write a report anywhere (output = ..., bandit >= 1.7) and .bandit files
// inside virtualenvs or node_modules are not the project's, although
// bandit's own search would find them (and, finding two, stop with exit 2).
func TestRealBanditIniNotReadByBandit(t *testing.T) {
	testkit.NeedBandit(t)
	base := t.TempDir()
	root := filepath.Join(base, "repo")
	outside := filepath.Join(base, "written-by-bandit.json")
	testkit.Write(t, root, "app.py", "import subprocess\nsubprocess.call('ls', shell=True)\nassert True\n")
	testkit.Write(t, root, ".bandit", "[bandit]\ntests: B602\noutput = "+outside+"\nbaseline = /etc/passwd\nformat = csv\n")
	testkit.Write(t, root, filepath.Join(".venv", "pyvenv.cfg"), "home = /usr/bin\n")
	testkit.Write(t, root, filepath.Join(".venv", "lib", ".bandit"), "[bandit]\nskips: B602\n")
	testkit.Write(t, root, filepath.Join("node_modules", "x", ".bandit"), "[bandit]\nskips: B602\n")
	res := scannertest.Scan(t, New(Options{}), scannertest.Request(root))
	if got := hits(res); len(got) != 1 || got[0].Rule != "B602" {
		t.Errorf("hits %v, want only B602 (the root .bandit's tests)", got)
	}
	if _, err := os.Stat(outside); err == nil {
		t.Errorf("bandit wrote %s, named by the repository's .bandit", outside)
	}
	warned := false
	for _, n := range res.Notifications {
		warned = warned || strings.Contains(n.Message, ".bandit sets baseline, format, output: not applied")
	}
	if !warned {
		t.Errorf("no warning about the keys not applied: %+v", res.Notifications)
	}
	// Without the root's file, the two in skipped trees change nothing.
	os.Remove(filepath.Join(root, ".bandit"))
	res = scannertest.Scan(t, New(Options{}), scannertest.Request(root))
	if got := hits(res); !slices.Contains(got, hit{"app.py", "B602", 2}) {
		t.Errorf("hits %v, want B602 at app.py:2", got)
	}
}

// bandit walks the tree itself: its -x globs must leave out every directory
// the other walkers skip, vendored code and testdata included, so that an
// eval in vendor/ is no finding while the same eval in src/ is one.
func TestRealBanditSkipsTheSharedDirs(t *testing.T) {
	testkit.NeedBandit(t)
	root := t.TempDir()
	testkit.Write(t, root, filepath.Join("src", "app.py"), "eval(input())\n")
	for _, d := range python.SkippedDirs() {
		testkit.Write(t, root, filepath.Join(d, "lib.py"), "eval(input())\n")
		testkit.Write(t, root, filepath.Join("src", d, "lib.py"), "eval(input())\n")
	}
	res := scannertest.Scan(t, New(Options{}), scannertest.Request(root))
	var paths []string
	for _, f := range res.Findings {
		if f.RuleID == "B307" {
			paths = append(paths, f.Location.Path)
		}
	}
	if len(paths) != 1 || paths[0] != "src/app.py" {
		t.Errorf("eval found in %v, want src/app.py only", paths)
	}
}

// bandit's key holds what bandit reads behind symlinks: a Python file's
// target, a .bandit target that is a symlinked directory, and a config
// file outside the tree named by the trusted configuration. Each change is
// a miss, and every answer equals an uncached scan.
func TestRealBanditCacheFollowsSymlinks(t *testing.T) {
	testkit.NeedBandit(t)
	root := t.TempDir()
	outside := t.TempDir()
	cfg := filepath.Join(outside, "bandit.yml")
	testkit.WriteFile(t, cfg, "skips: []\n")
	shell := "import subprocess\nsubprocess.call('ls', shell=True)\n"
	testkit.Write(t, root, filepath.Join("py", "impl.txt"), shell)
	testkit.Write(t, root, filepath.Join("lib", "a.py"), "x = 1\n")
	testkit.Write(t, root, filepath.Join("lib2", "a.py"), "assert True\n")
	testkit.Write(t, root, ".bandit", "[bandit]\ntargets = src,tool.py\n")
	for link, target := range map[string]string{"tool.py": "py/impl.txt", "src": "lib"} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	opt := Options{ConfigFile: cfg}
	check := func(step string, nHits, nMisses int) {
		t.Helper()
		c := resultcache.Open(resultcache.Options{Dir: dir, Build: "test"})
		rq := scannertest.Request(root)
		rq.Cache = c
		got, err := New(opt).Scan(context.Background(), rq)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if n := c.Stats()["bandit"]; n.Hits != nHits || n.Misses != nMisses {
			t.Errorf("%s: %d hits, %d misses; want %d, %d", step, n.Hits, n.Misses, nHits, nMisses)
		}
		want := scannertest.Scan(t, New(opt), scannertest.Request(root))
		if g, w := hits(got), hits(want); !slices.Equal(g, w) {
			t.Errorf("%s: cached %v, uncached %v", step, g, w)
		}
	}
	check("cold", 0, 1)
	check("unchanged", 1, 0)
	testkit.Write(t, root, filepath.Join("py", "impl.txt"), shell+"subprocess.call('ls', shell=True)\n")
	check("the file behind tool.py", 0, 1)
	os.Remove(filepath.Join(root, "src"))
	if err := os.Symlink("lib2", filepath.Join(root, "src")); err != nil {
		t.Fatal(err)
	}
	check("the target src retargeted", 0, 1)
	testkit.WriteFile(t, cfg, "skips: ['B602']\n")
	check("the config file outside the tree", 0, 1)
	if err := os.Symlink(cfg, filepath.Join(root, "leak.py")); err != nil {
		t.Fatal(err)
	}
	check("a Python file leading outside", 0, 0)
}
