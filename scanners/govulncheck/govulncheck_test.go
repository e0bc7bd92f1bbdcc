package govulncheck

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/scannertest"
)

// examples/project requires golang.org/x/text v0.3.6 (calls language.Parse)
// and golang.org/x/crypto at a 2022 pseudo-version (uses bcrypt only).

func TestCalled(t *testing.T) {
	res := exampleScan(t).Res
	f := byRule(res, "GO-2021-0113")
	if f == nil {
		t.Fatalf("no GO-2021-0113 finding; got %+v", res.Findings)
	}
	if f.Reachable != finding.Called {
		t.Errorf("reachability = %v, want called", f.Reachable)
	}
	// parseTag's call of language.Parse: the call site in our code.
	if got, want := f.Location, (finding.Location{Path: "main.go", StartLine: 38, StartColumn: 23}); got != want {
		t.Errorf("location = %+v, want %+v", got, want)
	}
	want := []finding.Frame{
		{Function: "main", Package: "example.com/scangate-example", Location: finding.Location{Path: "main.go", StartLine: 19, StartColumn: 22}},
		{Function: "parseTag", Package: "example.com/scangate-example", Location: finding.Location{Path: "main.go", StartLine: 38, StartColumn: 23}},
		{Function: "Parse", Package: "golang.org/x/text/language", Location: finding.Location{Path: "language/parse.go", StartLine: 33, StartColumn: 6}, External: true},
	}
	if !slices.Equal(f.Trace, want) {
		t.Errorf("trace =\n%+v\nwant\n%+v", f.Trace, want)
	}
	checkCall(t, "../../examples/project/main.go", 38, 23, "language.Parse")
	checkCall(t, "../../examples/project/main.go", 19, 22, "parseTag")
	if !strings.Contains(f.Message, "language.Parse called from main.go:38:23 in parseTag") {
		t.Errorf("message = %q", f.Message)
	}
	wantPkg := finding.Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.6", Fixed: []string{"v0.3.7"}, Manifest: "go.mod"}
	if f.Package == nil || !equalPackage(*f.Package, wantPkg) {
		t.Errorf("package = %+v, want %+v", f.Package, wantPkg)
	}
	if !slices.Equal(f.Aliases, []string{"CVE-2021-38561", "GHSA-ppp9-7jff-5vj2"}) {
		t.Errorf("aliases = %v", f.Aliases)
	}
	// The real GO-2021-0113 has no CVSS vector and no label: severity
	// unknown until an alias rates it (finding.RateFromAliases).
	if !f.SeverityUnknown || f.Score != 0 || f.Severity != finding.DefaultVulnSeverity {
		t.Errorf("unknown %v score %v severity %v, want unknown, default", f.SeverityUnknown, f.Score, f.Severity)
	}
	if f.Module != "example.com/scangate-example" || f.Tool != "govulncheck" {
		t.Errorf("module %q tool %q", f.Module, f.Tool)
	}
}

// requireFinding is the example scan's finding id, checked to be reachable
// at reach without a trace and placed at module's require line in go.mod.
func requireFinding(t *testing.T, id string, reach finding.Reachability, module string) *finding.Finding {
	t.Helper()
	res := exampleScan(t).Res
	f := byRule(res, id)
	if f == nil {
		t.Fatalf("no %s finding; got %+v", id, res.Findings)
	}
	if f.Reachable != reach || len(f.Trace) != 0 {
		t.Errorf("reachability = %v, trace %v; want %v without trace", f.Reachable, f.Trace, reach)
	}
	line, col := requireLine(t, filepath.Join(exampleRoot, "go.mod"), module)
	if f.Location.Path != "go.mod" || f.Location.StartLine != line || f.Location.StartColumn != col {
		t.Errorf("location = %+v, want go.mod:%d:%d", f.Location, line, col)
	}
	return f
}

func TestImported(t *testing.T) {
	// Its symbols are ParseAcceptLanguage and MatchStrings; only Parse is called.
	f := requireFinding(t, "GO-2022-1059", finding.Imported, "golang.org/x/text")
	if f.Package == nil || f.Package.Name != "golang.org/x/text" || !slices.Equal(f.Package.Fixed, []string{"v0.3.8"}) {
		t.Errorf("package = %+v", f.Package)
	}
	if !strings.Contains(f.Message, "package golang.org/x/text/language imported, no vulnerable symbol called") {
		t.Errorf("message = %q", f.Message)
	}
	if !slices.Equal(f.Aliases, []string{"CVE-2022-32149", "GHSA-69ch-w2m2-3vjp"}) {
		t.Errorf("aliases = %v", f.Aliases)
	}
}

func TestRequired(t *testing.T) {
	f := requireFinding(t, "GO-2023-2402", finding.Required, "golang.org/x/crypto")
	want := finding.Package{Ecosystem: "Go", Name: "golang.org/x/crypto", Version: "v0.0.0-20220722155217-630584e8d5aa", Fixed: []string{"v0.17.0"}, Manifest: "go.mod"}
	if f.Package == nil || !equalPackage(*f.Package, want) {
		t.Errorf("package = %+v, want %+v", f.Package, want)
	}
	if !f.SeverityUnknown || f.Score != 0 {
		t.Errorf("unknown %v score %v: the real GO-2023-2402 is unscored", f.SeverityUnknown, f.Score)
	}
	if !slices.Equal(f.Aliases, []string{"CVE-2023-48795", "GHSA-45x7-px36-x8w8"}) {
		t.Errorf("aliases = %v", f.Aliases)
	}
}

func TestExampleResult(t *testing.T) {
	res, root := exampleScan(t).Res, exampleRoot
	if res.State != finding.Completed || len(res.Findings) != 3 {
		t.Fatalf("state %v, %d findings, want completed with 3; notifications:\n%s", res.State, len(res.Findings), notes(res))
	}
	if res.Tool != "govulncheck" || res.Version != "v1.9.0" {
		t.Errorf("tool %q version %q", res.Tool, res.Version)
	}
	// The real GO- records are unscored: each rule's severity is unknown.
	for _, id := range []string{"GO-2021-0113", "GO-2022-1059", "GO-2023-2402"} {
		r := res.Rule(id)
		if r == nil {
			t.Errorf("no rule %s", id)
			continue
		}
		if r.HelpURI != "https://pkg.go.dev/vuln/"+id || r.Short == "" || r.Full == "" || len(r.Tags) != 2 || r.Score != 0 || !r.SeverityUnknown {
			t.Errorf("rule %+v", r)
		}
		f := byRule(res, id)
		if want := finding.Fingerprint("govulncheck", id, f.Package.Name+"@"+f.Package.Version, "go.mod"); f.Fingerprint != want {
			t.Errorf("%s fingerprint %s, want %s", id, f.Fingerprint, want)
		}
	}
	if logs := exampleScan(t).Logs; len(logs) != 1 || logs[0] != "module 1/1: example.com/scangate-example (.)" {
		t.Errorf("progress = %q", logs)
	}
	// No machine path anywhere in the result.
	b, _ := json.Marshal(res)
	modCache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	testkit.ContainsNone(t, "result", string(b), root, strings.TrimSpace(string(modCache)), os.TempDir())
}

// A stdlib advisory (a test fixture), a module that does not compile and a
// module whose dependency is missing from the module cache, scanned
// together: the good module's findings stay, each bad one is an error
// naming it, and the run is incomplete.
func TestModules(t *testing.T) {
	root := t.TempDir()
	testkit.CopyTree(t, "testdata/stdlib", filepath.Join(root, "std"))
	testkit.WriteFiles(t, root, map[string]string{
		"bad/go.mod":        "module example.com/bad\n\ngo 1.22\n",
		"bad/bad.go":        "package bad\n\nfunc F() int { return \"not an int\" }\n",
		"missingdep/go.mod": "module example.com/missingdep\n\ngo 1.22\n\nrequire example.com/notinthecache v1.0.0\n",
		// Sums are present so that the go command tries the download itself.
		"missingdep/go.sum": "example.com/notinthecache v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n" +
			"example.com/notinthecache v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
		"missingdep/main.go": "package main\n\nimport \"example.com/notinthecache/lib\"\n\nfunc main() { lib.F() }\n",
		"empty/go.mod":       "module example.com/empty\n\ngo 1.22\n",
	})
	var logs []string
	req := request(root, exampleDB(t, "testdata/vulndb/GO-9999-0001.json"))
	req.Logf = func(format string, args ...any) { logs = append(logs, format) }
	res := scannertest.Scan(t, newScanner(), req)
	if res.State != finding.Incomplete {
		t.Errorf("state = %v, want incomplete", res.State)
	}
	if len(logs) != 4 {
		t.Errorf("%d progress lines, want one per module: %q", len(logs), logs)
	}
	msgs := notes(res)
	testkit.ContainsAll(t, "notifications", msgs,
		"error: govulncheck: module bad (example.com/bad): nothing in it was scanned: bad/bad.go:3:23: cannot use \"not an int\"",
		"govulncheck: loading packages:",
		"error: govulncheck: module missingdep (example.com/missingdep): nothing in it was scanned: missingdep/main.go:3:8: module lookup disabled by GOPROXY=off (offline:",
		"module lookup disabled by GOPROXY=off",
		"(offline: the module cache lacks a dependency; run `go mod download` in missingdep with network access first)",
		"note: govulncheck: module empty (example.com/empty) has no Go packages to scan",
		"note: govulncheck: standard library checked as "+runtime.Version(),
	)
	if strings.Contains(msgs, root) {
		t.Errorf("notifications contain the machine path %s:\n%s", root, msgs)
	}

	if len(res.Findings) != 1 {
		t.Fatalf("%d findings, want the stdlib one: %+v", len(res.Findings), res.Findings)
	}
	f := res.Findings[0]
	if f.RuleID != "GO-9999-0001" || f.Reachable != finding.Called || f.Module != "example.com/stdlibuser" {
		t.Errorf("finding %s %v in %s", f.RuleID, f.Reachable, f.Module)
	}
	if got, want := f.Location, (finding.Location{Path: "std/main.go", StartLine: 18, StartColumn: 26}); got != want {
		t.Errorf("location = %+v, want %+v", got, want)
	}
	checkCall(t, "testdata/stdlib/main.go", 18, 26, "zip.OpenReader")
	if n := len(f.Trace); n != 3 || f.Trace[n-1].Function != "OpenReader" || f.Trace[n-1].Package != "archive/zip" ||
		!f.Trace[n-1].External || !strings.HasPrefix(f.Trace[n-1].Location.Path, "src/archive/zip/") {
		t.Errorf("trace = %+v", f.Trace)
	}
	goVersion := runtime.Version()
	wantProps := map[string]string{"goVersion": goVersion, "goDirective": "1.22", "toolchainDirective": "go1.23.4"}
	for k, v := range wantProps {
		if f.Properties[k] != v {
			t.Errorf("property %s = %q, want %q", k, f.Properties[k], v)
		}
	}
	if f.Package == nil || f.Package.Name != "stdlib" || f.Package.Manifest != "std/go.mod" {
		t.Errorf("package = %+v", f.Package)
	}
	testkit.ContainsAll(t, "message", f.Message, "Go standard library "+goVersion, "go.mod: go 1.22, toolchain go1.23.4", "fixed in go1.99")
	// No CVSS vector, no label: the documented default.
	if f.Severity != finding.DefaultVulnSeverity || f.Score != 0 || !f.SeverityUnknown {
		t.Errorf("severity %v score %v unknown %v", f.Severity, f.Score, f.SeverityUnknown)
	}
}

func TestNothingScanned(t *testing.T) {
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{
		"go.mod": "module example.com/bad\n\ngo 1.22\n",
		"bad.go": "package bad\n\nimport \"example.com/bad/nosuchpackage\"\n",
	})
	res := scannertest.Scan(t, newScanner(), request(root, exampleDB(t)))
	if res.State != finding.Incomplete || len(res.Findings) != 0 {
		t.Errorf("state %v, %d findings; want incomplete, none", res.State, len(res.Findings))
	}
	if msgs := notes(res); !strings.Contains(msgs, "error: govulncheck: module . (example.com/bad):") || !strings.Contains(msgs, "nosuchpackage") {
		t.Errorf("notifications:\n%s", msgs)
	}
}

func TestOfflineWithoutDB(t *testing.T) {
	root := exampleRoot
	noDir := t.TempDir() // a directory without govulncheck/
	emptyDir := t.TempDir()
	if err := os.Mkdir(filepath.Join(emptyDir, "govulncheck"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, db := range []string{"", noDir, emptyDir} {
		// A child would fail the test: the executable does not exist.
		s := New(Options{Executable: filepath.Join(t.TempDir(), "no-such-binary")})
		res, err := s.Scan(context.Background(), request(root, db))
		if err != ErrNoDB {
			t.Errorf("db %q: err = %v", db, err)
		}
		if res == nil || len(res.Findings) != 0 {
			t.Errorf("db %q: result %+v", db, res)
		}
		// Through the runner: an incomplete run with the error notification.
		out := scanner.Run(context.Background(), *request(root, db), []scanner.Scanner{s}, scanner.Options{})
		if out[0].State != finding.Incomplete || !strings.Contains(notes(&out[0]), "govulncheck: no vulnerability database") {
			t.Errorf("db %q: run state %v, notifications:\n%s", db, out[0].State, notes(&out[0]))
		}
	}
	// The database the caller could not open: the runner says why, once,
	// and the scan does not start.
	req := request(root, noDir)
	req.DBErr = errors.New("no vulnerability database at ~/db (does not exist)")
	out := scanner.Run(context.Background(), *req, []scanner.Scanner{New(Options{})}, scanner.Options{})
	if out[0].State != finding.Incomplete || notes(&out[0]) != "error: govulncheck: no vulnerability database at ~/db (does not exist)\n" {
		t.Errorf("DBErr: run state %v, notifications:\n%s", out[0].State, notes(&out[0]))
	}
}

// A scan that outlives its timeout: the child's process group is killed,
// the parent returns the error and keeps running, and no child is left.
func TestTimeoutKillsChild(t *testing.T) {
	marker := "SCANGATE_GOVULNCHECK_TEST_MARKER=" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	s := newTestScanner(t, marker)
	root := exampleRoot
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	o := scannertest.RunContext(ctx, t, s, request(root, exampleDB(t)))
	res, err := o.Res, o.Err
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "killed after") {
		t.Fatalf("err = %v, want the child killed on the deadline", err)
	}
	if res.State != finding.Incomplete {
		t.Errorf("state = %v, want incomplete", res.State)
	}
	// Grandchildren (go list) die with the group but may take a moment
	// to be reaped by init.
	var pids []int
	for range 50 {
		if pids = processesWith(t, marker); len(pids) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, pid := range pids {
		stat, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
		cmd, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
		t.Errorf("process left running: %s (%s)", stat, strings.ReplaceAll(string(cmd), "\x00", " "))
	}
}

// govulncheck v1.9.0 dereferences nil when its context is cancelled during
// a symbol scan. Here the real library is made to crash inside the child (a
// test-only mode honours a deadline as an in-process embedding would): the
// parent reports the crash and survives. The crash depends on where the
// deadline lands, so a few deadlines are tried.
func TestChildCrashIsolated(t *testing.T) {
	root := exampleRoot
	db := exampleDB(t)
	for _, d := range []string{"1s", "2s", "500ms"} {
		o := scannertest.Run(t, newTestScanner(t, cancelAfterVar+"="+d), request(root, db))
		if o.Err != nil {
			t.Fatalf("cancel after %s: %v", d, o.Err)
		}
		res := o.Res
		msgs := notes(res)
		if strings.Contains(msgs, "govulncheck crashed in the child process: panic: runtime error: invalid memory address or nil pointer dereference") {
			if res.State != finding.Incomplete || len(res.Findings) != 0 ||
				!strings.Contains(msgs, "error: govulncheck: module . (example.com/scangate-example):") ||
				!strings.Contains(msgs, "golang.org/x/vuln/internal/vulncheck.sourceCallstacks") {
				t.Errorf("crash reported as state %v, %d findings:\n%s", res.State, len(res.Findings), msgs)
			}
			return
		}
		if res.State != finding.Completed || len(res.Findings) != 3 {
			t.Fatalf("cancel after %s: neither a crash nor a complete scan: state %v\n%s", d, res.State, msgs)
		}
		t.Logf("cancel after %s landed outside the call-graph build: scan completed", d)
	}
	t.Skip("no deadline landed inside the call-graph build on this machine; the crash was not reproduced")
}

// processesWith lists the processes whose environment holds kv.
func processesWith(t *testing.T, kv string) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err == nil && slices.Contains(strings.Split(string(env), "\x00"), kv) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func equalPackage(a, b finding.Package) bool {
	return a.Ecosystem == b.Ecosystem && a.Name == b.Name && a.Version == b.Version &&
		slices.Equal(a.Fixed, b.Fixed) && a.Manifest == b.Manifest
}

// requireLine finds a require line by its text, independently of modfile.
func requireLine(t *testing.T, gomod, mod string) (line, col int) {
	t.Helper()
	data := testkit.ReadFile(t, gomod)
	for i, l := range strings.Split(string(data), "\n") {
		if c := strings.Index(l, mod+" "); c >= 0 {
			return i + 1, c + 1
		}
	}
	t.Fatalf("%s does not require %s", gomod, mod)
	return 0, 0
}

// checkCall asserts that file has a call of callee whose "(" is at
// line:col (1-based, in bytes), the position govulncheck gives a call.
func checkCall(t *testing.T, file string, line, col int, callee string) {
	t.Helper()
	data := testkit.ReadFile(t, file)
	lines := strings.Split(string(data), "\n")
	if line > len(lines) || col > len(lines[line-1]) ||
		lines[line-1][col-1] != '(' || !strings.HasSuffix(lines[line-1][:col-1], callee) {
		t.Errorf("%s:%d:%d is not a call of %s", file, line, col, callee)
	}
}

// The child's own "govulncheck: " prefix is not repeated after the one the
// message already has (issue 28): a database whose index is not JSON makes
// the child fail with "govulncheck: fetching vulnerabilities: …" or similar.
func TestChildErrorNotPrefixedTwice(t *testing.T) {
	root := t.TempDir()
	testkit.CopyTree(t, "testdata/stdlib", filepath.Join(root, "std"))
	db := t.TempDir()
	testkit.WriteFiles(t, db, map[string]string{"govulncheck/index/modules.json": "not json", "govulncheck/index/db.json": "not json"})
	res := scannertest.Scan(t, newScanner(), request(root, db))
	msgs := notes(res)
	if res.State != finding.Incomplete || !strings.Contains(msgs, "nothing in it was scanned") {
		t.Fatalf("state %v, notifications:\n%s", res.State, msgs)
	}
	first, _, _ := strings.Cut(msgs, "\n")
	if strings.Count(first, "govulncheck: ") != 1 {
		t.Errorf("first line names govulncheck more than once: %s", first)
	}
}

// An untidy module (testdata/gomod/untidy) fails govulncheck's package
// load: the run is incomplete and the error's first line (the one the
// summary shows) names the module and the go command's decisive line.
func TestUntidyModuleDecisiveLine(t *testing.T) {
	root := t.TempDir()
	testkit.CopyTree(t, "testdata/stdlib", root)
	testkit.UntidyModule(t, filepath.Join(root, "api"))
	res := scannertest.Scan(t, newScanner(), request(root, exampleDB(t, "testdata/vulndb/GO-9999-0001.json")))
	if res.State != finding.Incomplete {
		t.Errorf("state %s, want incomplete", res.State)
	}
	// -mod=readonly is explicit in the child: the go command says so.
	want := "govulncheck: module api (example.com/untidy/api): nothing in it was scanned: go: updates to go.mod needed, disabled by -mod=readonly; to update it: go mod tidy"
	var found bool
	for _, n := range res.Notifications {
		first, _, _ := strings.Cut(n.Message, "\n")
		if n.Level == finding.LevelError && first == want {
			found = true
		}
	}
	if !found {
		t.Errorf("no error whose first line is %q:\n%s", want, notes(res))
	}
	if strings.Contains(notes(res), root) {
		t.Errorf("notifications name the machine path %s", root)
	}
	if len(res.Findings) != 1 {
		t.Errorf("%d findings, want the root module's stdlib one", len(res.Findings))
	}
}
