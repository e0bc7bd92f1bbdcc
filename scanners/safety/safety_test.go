package safety

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/noperm"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/scannertest"
)

// safety cannot be installed here (PyPI is unreachable). These tests put an
// executable named safety on PATH, a shell script that answers --version
// like the real one and then prints a report in the exact format that
// safety version prints (testdata/python/safety, see its README), records
// its arguments and environment, and exits with safety's real exit code.

type fake struct {
	dir  string // holds the safety executable
	args string // file the fake writes its arguments to, one a line
	env  string // file the fake writes its SAFETY_* environment to
}

// fakeSafety installs a safety that reports version and, when scanning,
// prints the file report (if any), writes stderr to standard error and
// exits with code.
func fakeSafety(t *testing.T, version, report, stderr string, code int) fake {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs sh")
	}
	dir := t.TempDir()
	f := fake{dir: dir, args: filepath.Join(dir, "args"), env: filepath.Join(dir, "env")}
	script := "#!/bin/sh\n" +
		"if [ \"$1\" = \"--version\" ]; then echo 'safety, version " + version + "'; exit 0; fi\n" +
		"printf '%s\\n' \"$@\" > '" + f.args + "'\n" +
		"env | grep '^SAFETY_' | sort > '" + f.env + "'\n"
	if report != "" {
		script += "cat '" + report + "'\n"
	}
	if stderr != "" {
		script += "echo '" + stderr + "' >&2\n"
	}
	script += "exit " + strconv.Itoa(code) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "safety"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return f
}

func (f fake) lines(t *testing.T, file string) []string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the fake safety did not run: %v", err)
	}
	return strings.Fields(string(data))
}

func byRule(res *finding.Result, id string) *finding.Finding {
	for i := range res.Findings {
		if res.Findings[i].RuleID == id {
			return &res.Findings[i]
		}
	}
	return nil
}

// Both safety versions must yield testdata/pypkg.golden for pypkg: the pin
// lines, deduplicated although safety 2 reports Jinja2 and requests twice
// (once for requirements.txt, once through requirements-dev.txt's -r).

func checkPypkg(t *testing.T, res *finding.Result) {
	t.Helper()
	if res.State != finding.Completed {
		t.Errorf("state %s, notifications %+v", res.State, res.Notifications)
	}
	scannertest.Golden(t, "testdata/pypkg.golden", res)
	if t.Failed() {
		t.FailNow()
	}
	// The policy's ignore is said, not only kept as a suppression.
	said := false
	for _, n := range res.Notifications {
		said = said || n.Level == finding.LevelWarning && strings.Contains(n.Message, "1 vulnerability ignored by the repository's safety policy")
	}
	if !said {
		t.Errorf("no warning about the policy's ignore: %+v", res.Notifications)
	}
	j := byRule(res, "PYUP-39525")
	if j.Tool != "safety" || !slices.Equal(j.Aliases, []string{"CVE-2020-28493"}) {
		t.Errorf("jinja2: tool %q aliases %v", j.Tool, j.Aliases)
	}
	if p := j.Package; p == nil || p.Ecosystem != "PyPI" || p.Name != "jinja2" || p.Version != "2.11.2" || !slices.Equal(p.Fixed, []string{"2.11.3"}) || p.Manifest != "requirements.txt" {
		t.Errorf("jinja2 package %+v", j.Package)
	}
	if j.Severity != DefaultSeverity || j.Score != 0 || j.Location.Snippet != "Jinja2==2.11.2  # templates" {
		t.Errorf("jinja2: severity %s score %v snippet %q", j.Severity, j.Score, j.Location.Snippet)
	}
	if j.Fingerprint != finding.Fingerprint("safety", "PYUP-39525", "jinja2@2.11.2", "requirements.txt") {
		t.Errorf("jinja2 fingerprint %s", j.Fingerprint)
	}
	if !strings.Contains(j.Message, "jinja2 2.11.2") || !strings.Contains(j.Message, "CVE-2020-28493") || !strings.Contains(j.Message, "fixed in 2.11.3") {
		t.Errorf("jinja2 message %q", j.Message)
	}
	if r := res.Rule("PYUP-39525"); r == nil || !strings.Contains(r.Full, "urlize") || r.Name != "jinja2" || r.HelpURI == "" {
		t.Errorf("rule %+v", r)
	}

	r := byRule(res, "PYUP-58755")
	if r.Score != 6.1 || r.Severity != finding.Medium || r.Package.Name != "requests" || r.Package.Version != "2.25.0" ||
		!slices.Equal(r.Aliases, []string{"CVE-2023-32681"}) || r.Properties["cvssVector"] != "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N" {
		t.Errorf("requests: %+v", r)
	}
	if r.Suppressed() {
		t.Error("58755 is not ignored by the policy")
	}
	y := byRule(res, "PYUP-39611")
	if y.Score != 9.8 || y.Severity != finding.Critical || y.Package.Name != "pyyaml" || y.Package.Version != "5.3.1" || y.Package.Manifest != "requirements-dev.txt" {
		t.Errorf("pyyaml: severity %s score %v package %+v", y.Severity, y.Score, y.Package)
	}
	ig := byRule(res, "PYUP-71064")
	if len(ig.Suppressions) != 1 {
		t.Fatalf("71064 suppressions %+v", ig.Suppressions)
	}
	s := ig.Suppressions[0]
	if s.Kind != "external" || !strings.Contains(s.Justification, "custom adapter") || !s.Expires.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("suppression %+v", s)
	}
	for _, f := range res.Findings {
		if filepath.IsAbs(f.Location.Path) || f.Properties["safetyId"] == "" {
			t.Errorf("finding %s: path %q properties %v", f.RuleID, f.Location.Path, f.Properties)
		}
	}
}

func TestSafety2Check(t *testing.T) {
	f := fakeSafety(t, "2.3.5", scannertest.Testdata("python", "safety/check-2.3.5-pypkg.json"), "", 64)
	res := scannertest.Scan(t, New(Options{Key: "k-123"}), scannertest.Request(scannertest.Testdata("python", "pypkg")))
	if res.Version != "2.3.5" {
		t.Errorf("version %q", res.Version)
	}
	checkPypkg(t, res)
	if ig := byRule(res, "PYUP-71064"); ig.Suppressions[0].Marker != ".safety-policy.yml" {
		t.Errorf("marker %q", ig.Suppressions[0].Marker)
	}
	wantArgs := []string{"--disable-optional-telemetry-data", "check", "--json", "-r", "requirements-dev.txt", "-r", "requirements.txt"}
	if got := f.lines(t, f.args); !slices.Equal(got, wantArgs) {
		t.Errorf("args %q, want %q", got, wantArgs)
	}
	if got := f.lines(t, f.env); !slices.Contains(got, "SAFETY_API_KEY=k-123") {
		t.Errorf("environment %q lacks the key", got)
	}
}

func TestSafety3Scan(t *testing.T) {
	root := scannertest.Testdata("python", "pypkg")
	tmpl := testkit.ReadFile(t, scannertest.Testdata("python", "safety/scan-3.6.0-pypkg.json"))
	report := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(report, []byte(strings.ReplaceAll(string(tmpl), "{{ROOT}}", root)), 0o644); err != nil {
		t.Fatal(err)
	}
	f := fakeSafety(t, "3.6.0", report, "", 64)
	res := scannertest.Scan(t, New(Options{Key: "k-123"}), scannertest.Request(root))
	checkPypkg(t, res)
	if ig := byRule(res, "PYUP-71064"); !strings.Contains(ig.Suppressions[0].Marker, "manual") {
		t.Errorf("marker %q", ig.Suppressions[0].Marker)
	}
	wantArgs := []string{"--disable-optional-telemetry", "scan", "--target", ".", "--output", "json", "--detailed-output"}
	if got := f.lines(t, f.args); !slices.Equal(got, wantArgs) {
		t.Errorf("args %q, want %q", got, wantArgs)
	}
	env := f.lines(t, f.env)
	if !slices.Contains(env, "SAFETY_STAGE=cicd") || !slices.Contains(env, "SAFETY_API_KEY=k-123") {
		t.Errorf("environment %q", env)
	}
}

// The same vulnerability from safety 2 and safety 3 is the same finding.
func TestSafetyVersionsAgree(t *testing.T) {
	root := scannertest.Testdata("python", "pypkg")
	fakeSafety(t, "2.3.5", scannertest.Testdata("python", "safety/check-2.3.5-pypkg.json"), "", 64)
	r2 := scannertest.Scan(t, New(Options{}), scannertest.Request(root))
	tmpl, _ := os.ReadFile(scannertest.Testdata("python", "safety/scan-3.6.0-pypkg.json"))
	report := filepath.Join(t.TempDir(), "report.json")
	os.WriteFile(report, []byte(strings.ReplaceAll(string(tmpl), "{{ROOT}}", root)), 0o644)
	fakeSafety(t, "3.6.0", report, "", 64)
	r3 := scannertest.Scan(t, New(Options{}), scannertest.Request(root))
	for i := range r2.Findings {
		a, b := r2.Findings[i], *byRule(r3, r2.Findings[i].RuleID)
		if a.Fingerprint != b.Fingerprint || a.Location != b.Location || !slices.Equal(a.Aliases, b.Aliases) {
			t.Errorf("%s differs:\n2.x %+v\n3.x %+v", a.RuleID, a, b)
		}
	}
}

func TestSafety3NeedsAccount(t *testing.T) {
	t.Setenv("SAFETY_API_KEY", "")
	// safety 3 without a login: in JSON mode it prints nothing and exits 1.
	fakeSafety(t, "3.6.0", "", "", 1)
	root := scannertest.Testdata("python", "pypkg")
	results := scanner.Run(context.Background(), scanner.Request{Root: root}, []scanner.Scanner{New(Options{})}, scanner.Options{})
	r := results[0]
	if r.State != finding.Skipped || len(r.Notifications) != 1 || !strings.Contains(r.Notifications[0].Message, "safety auth login") ||
		!strings.Contains(r.Notifications[0].Message, "API key") {
		t.Errorf("state %s notifications %+v", r.State, r.Notifications)
	}
	// With a key that safety rejects, it is an error.
	fakeSafety(t, "3.6.0", "", "Your API Key is invalid.", 65)
	err := scannertest.Run(t, New(Options{Key: "bad"}), scannertest.Request(root)).Err
	if err == nil || !strings.Contains(err.Error(), "exit status 65: the API key was rejected") || !strings.Contains(err.Error(), "Your API Key is invalid.") {
		t.Errorf("err = %v", err)
	}
}

func TestSafety2Offline(t *testing.T) {
	f := fakeSafety(t, "2.3.5", scannertest.Testdata("python", "safety/check-2.3.5-pypkg.json"), "", 64)
	root := scannertest.Testdata("python", "pypkg")
	req := scanner.Request{Root: root, Offline: true}
	results := scanner.Run(context.Background(), req, []scanner.Scanner{New(Options{})}, scanner.Options{})
	if r := results[0]; r.State != finding.Skipped || !strings.Contains(r.Notifications[0].Message, "offline") {
		t.Errorf("offline without a database: state %s %+v", r.State, r.Notifications)
	}

	db := t.TempDir()
	err := scannertest.Run(t, New(Options{DB: db}), scannertest.Request(root)).Err
	if err == nil || !strings.Contains(err.Error(), "has no insecure.json") {
		t.Errorf("empty database dir: err = %v", err)
	}
	for _, n := range []string{"insecure.json", "insecure_full.json"} {
		os.WriteFile(filepath.Join(db, n), []byte("{}"), 0o644)
	}
	// The OSV database of the request is not safety's; a safety one is used.
	rq := scannertest.Request(root)
	rq.Offline, rq.DB = true, db
	res := scannertest.Scan(t, New(Options{}), rq)
	if len(res.Findings) != 4 {
		t.Errorf("%d findings", len(res.Findings))
	}
	if got := strings.Join(f.lines(t, f.args), " "); !strings.Contains(got, "--db "+db+" -r") {
		t.Errorf("args %q", got)
	}
}

func TestSafetyExitCodes(t *testing.T) {
	root := scannertest.Testdata("python", "pypkg")
	for _, c := range []struct {
		version string
		code    int
		stderr  string
		want    string
	}{
		{"2.3.5", 68, "Unable to load vulnerability database", "exit status 68: cannot fetch the vulnerability database"},
		{"2.3.5", 67, "Unable to find vulnerability database in /db", "exit status 67: cannot load the local vulnerability database"},
		{"2.3.5", 1, "Unhandled exception happened: boom", "exit status 1: safety failed): Unhandled exception happened: boom"},
		{"2.3.5", 2, "Error: No such option: --jsn", "exit status 2: unexpected exit"},
		{"3.6.0", 72, "Email not verified", "exit status 72: the Safety account's email is not verified"},
	} {
		fakeSafety(t, c.version, "", c.stderr, c.code)
		err := scannertest.Run(t, New(Options{Key: "k"}), scannertest.Request(root)).Err
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "safety failed") {
			t.Errorf("%s exit %d: err = %v, want %q", c.version, c.code, err, c.want)
		}
	}
}

func TestSafetyBadOutput(t *testing.T) {
	root := scannertest.Testdata("python", "pypkg")
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	for _, c := range []struct {
		name, report, want string
		code               int
	}{
		{"garbage", write("garbage", "Traceback (most recent call last):\n  File \"safety\"\n"), "safety's report is not valid JSON", 64},
		{"silent", "", "safety printed no report (exit status 0; a policy with continue-on-vulnerability-error hides safety's errors)", 0},
		{"other json", write("other", `{"announcements": []}`), "not a `safety check --json` report", 0},
		{"bad vuln", write("bad", `{"report_meta": {}, "vulnerabilities": [{"package_name": "x"}]}`), "vulnerability 0 has no vulnerability_id", 64},
	} {
		fakeSafety(t, "2.3.5", c.report, "", c.code)
		err := scannertest.Run(t, New(Options{}), scannertest.Request(root)).Err
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	// A banner line before the document is tolerated, with a warning.
	doc, _ := os.ReadFile(scannertest.Testdata("python", "safety/check-2.3.5-pypkg.json"))
	fakeSafety(t, "2.3.5", write("banner", "+==== Safety is moving ====+\n"+string(doc)), "", 64)
	o := scannertest.Run(t, New(Options{}), scannertest.Request(root))
	if res, err := o.Res, o.Err; err != nil || len(res.Findings) != 4 || len(res.Notifications) != 2 || !strings.Contains(res.Notifications[0].Message, "text before its JSON") {
		t.Errorf("banner: err %v findings %d notifications %+v", err, len(res.Findings), res.Notifications)
	}
}

func TestNotInstalled(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := scannertest.Run(t, New(Options{}), scannertest.Request(scannertest.Testdata("python", "pypkg"))).Err
	var skip *scanner.SkipError
	if !errors.As(err, &skip) || !strings.Contains(skip.Reason, "pip install safety") {
		t.Fatalf("err = %v", err)
	}
	err = scannertest.Run(t, New(Options{Program: filepath.Join(t.TempDir(), "safety")}), scannertest.Request(scannertest.Testdata("python", "pypkg"))).Err
	if err == nil || errors.As(err, &skip) {
		t.Fatalf("explicit missing program: err = %v, want an error", err)
	}
}

func TestSafetyIgnoredShapes(t *testing.T) {
	// safety 2.x prints "ignored" as true/false when an ignore list exists,
	// and as the empty ignore list ({}) or null when it does not.
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "requirements.txt"), []byte("django==3.2.0\n"), 0o644)
	for raw, want := range map[string]bool{`true`: true, `false`: false, `{}`: false, `null`: false} {
		doc := `{"report_meta": {"vulnerabilities_found": 1}, "affected_packages": {}, "vulnerabilities": [
		{"vulnerability_id": "1", "package_name": "django", "ignored": ` + raw + `, "ignored_reason": null, "ignored_expires": null,
		 "vulnerable_spec": "<3.2.1", "analyzed_version": "3.2.0", "advisory": "x", "fixed_versions": [], "CVE": null, "severity": null, "more_info_url": ""}],
		"ignored_vulnerabilities": []}`
		res := &finding.Result{}
		if err := parseCheck([]byte(doc), root, []string{"requirements.txt"}, res); err != nil {
			t.Fatal(err)
		}
		if got := res.Findings[0].Suppressed(); got != want {
			t.Errorf("ignored %s: suppressed %v", raw, got)
		}
		if len(res.Findings[0].Aliases) != 0 || res.Findings[0].Location.StartLine != 1 {
			t.Errorf("ignored %s: %+v", raw, res.Findings[0])
		}
	}
}

func TestApplies(t *testing.T) {
	s := New(Options{})
	root := t.TempDir()
	mk := func(rel string) {
		p := filepath.Join(root, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, nil, 0o644)
	}
	mk("README.txt")
	mk(".venv/pyvenv.cfg")
	mk(".venv/lib/requirements.txt")
	mk("env/pyvenv.cfg")
	mk("env/requirements.txt")
	mk("node_modules/x/requirements.txt")
	if s.Applies(scannertest.Request(root)) {
		t.Error("applies with requirement files only in virtualenvs and node_modules")
	}
	for _, rel := range []string{"requirements.txt", "dev-requirements.txt", "requirements/base.txt", "svc/requirements-test.txt", "Pipfile.lock", "app/poetry.lock"} {
		mk(rel)
	}
	files, gaps, err := discover(root, nil, false)
	if err != nil || gaps != nil {
		t.Fatal(err, gaps)
	}
	want := []string{"Pipfile.lock", "app/poetry.lock", "dev-requirements.txt", "requirements.txt", "requirements/base.txt", "svc/requirements-test.txt"}
	if !slices.Equal(files, want) {
		t.Errorf("discover = %q, want %q", files, want)
	}
	// Excluded files are not given to safety (scangate's glob dialect).
	files, _, _ = discover(root, []string{"svc", "/requirements"}, false)
	want = []string{"Pipfile.lock", "app/poetry.lock", "dev-requirements.txt", "requirements.txt"}
	if !slices.Equal(files, want) {
		t.Errorf("discover with exclusions = %q, want %q", files, want)
	}
	if !s.Applies(scannertest.Request(root)) {
		t.Error("does not apply")
	}
}

func TestRootPathKeptOutOfMessages(t *testing.T) {
	root := scannertest.Testdata("python", "pypkg")
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("Traceback (most recent call last):\n  File \""+root+"/requirements.txt\", line 1\n"), 0o644)
	fakeSafety(t, "3.6.0", bad, "Traceback: File \""+root+"/setup.py\"", 64)
	err := scannertest.Run(t, New(Options{Key: "k"}), scannertest.Request(root)).Err
	if err == nil || strings.Contains(err.Error(), root) || !strings.Contains(err.Error(), "requirements.txt") {
		t.Errorf("err = %v", err)
	}
	fakeSafety(t, "2.3.5", "", "Unable to find vulnerability database in "+root+"/db", 67)
	err = scannertest.Run(t, New(Options{}), scannertest.Request(root)).Err
	if err == nil || strings.Contains(err.Error(), root) || !strings.Contains(err.Error(), "database in db") {
		t.Errorf("err = %v", err)
	}
}

func TestSafetyVersionProblems(t *testing.T) {
	root := scannertest.Testdata("python", "pypkg")
	fakeSafety(t, "1.10.3", "", "", 0)
	err := scannertest.Run(t, New(Options{}), scannertest.Request(root)).Err
	if err == nil || !strings.Contains(err.Error(), "safety 1.10.3 is too old") {
		t.Errorf("old safety: err = %v", err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "safety"), []byte("#!/bin/sh\necho 'Usage: something else'\nexit 2\n"), 0o755)
	err = scannertest.Run(t, New(Options{Program: filepath.Join(dir, "safety")}), scannertest.Request(root)).Err
	if err == nil || !strings.Contains(err.Error(), "did not print a safety version") {
		t.Errorf("garbage version: err = %v", err)
	}
}

// safety's findings carry what finding.Correlate joins on: the PyPI package
// under its PEP 503 name, the manifest, and the CVE. An osv-scanner finding
// for the same advisory (osv.dev's PYSEC record aliases the CVE and spells
// the package as the requirement does) absorbs safety's.
func TestSafetyCorrelatesWithOSV(t *testing.T) {
	fakeSafety(t, "2.3.5", scannertest.Testdata("python", "safety/check-2.3.5-pypkg.json"), "", 64)
	res := scannertest.Scan(t, New(Options{}), scannertest.Request(scannertest.Testdata("python", "pypkg")))
	osv := finding.Result{Tool: "osv-scanner", Findings: []finding.Finding{{
		Tool: "osv-scanner", RuleID: "PYSEC-2021-66", Aliases: []string{"CVE-2020-28493", "GHSA-g3rq-g295-4j3m"},
		Package:  &finding.Package{Ecosystem: "PyPI", Name: "Jinja2", Version: "2.11.2", Manifest: "requirements.txt"},
		Location: finding.Location{Path: "requirements.txt", StartLine: 2},
	}}}
	results := finding.Correlate([]finding.Result{osv, *res}, []string{"govulncheck", "osv-scanner", "safety"}) // the registry's order
	if len(results[0].Findings) != 1 || !slices.Contains(results[0].Findings[0].Tools, "safety") {
		t.Fatalf("osv-scanner's finding did not absorb safety's: %+v", results[0].Findings)
	}
	for _, f := range results[1].Findings {
		if f.RuleID == "PYUP-39525" {
			t.Errorf("safety's jinja2 finding is still separate: %+v", f)
		}
	}
	if len(results[1].Findings) != 3 {
		t.Errorf("safety's other findings: %v", scannertest.Lines(&results[1]))
	}
}

// A folder safety's discovery cannot read is named, and the scan is partial
// with the other files' findings kept; excluded, it is not read and the
// scan completes. Run where permission bits bind (as root too).
func TestSafetyUnreadable(t *testing.T) {
	if !noperm.Isolate(t) {
		return
	}
	fakeSafety(t, "2.3.5", scannertest.Testdata("python", "safety/check-2.3.5-pypkg.json"), "", 64)
	root := filepath.Join(t.TempDir(), "pypkg")
	testkit.CopyTree(t, scannertest.Testdata("python", "pypkg"), root)
	secret := filepath.Join(root, "secret")
	if err := os.MkdirAll(secret, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(secret, "requirements.txt"), []byte("requests==2.19.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	noperm.Deny(t, secret)

	s := New(Options{})
	req := scannertest.Request(root)
	if !s.Applies(req) {
		t.Fatal("does not apply")
	}
	o := scannertest.Run(t, s, req)
	if o.Err != nil || o.Res.State != finding.Incomplete {
		t.Fatalf("err %v, state %s, want a partial scan", o.Err, o.Res.State)
	}
	res := o.Res
	scannertest.Golden(t, "testdata/pypkg.golden", res) // what was read is reported
	var notes []string
	for _, n := range res.Notifications {
		notes = append(notes, n.Message+" @ "+n.Location.Path)
		if strings.Contains(n.Message, root) {
			t.Errorf("a machine path: %s", n.Message)
		}
	}
	if want := "safety: secret cannot be read (permission denied): nothing in it was scanned; exclude it (--exclude) if it holds nothing to scan @ secret"; !slices.Contains(notes, want) {
		t.Errorf("notes %q lack %q", notes, want)
	}

	req.Exclude = []string{"secret"}
	res, err := s.Scan(context.Background(), req)
	if err != nil {
		t.Fatalf("with the folder excluded: %v", err)
	}
	checkPypkg(t, res)

	// Nothing readable at all: applies, and says so.
	noperm.Deny(t, root)
	req.Exclude = nil
	if !s.Applies(req) {
		t.Error("an unreadable root: does not apply")
	}
	var partial *scanner.PartialError
	if _, err := s.Scan(context.Background(), req); !errors.As(err, &partial) {
		t.Errorf("an unreadable root: err %v, want a partial scan", err)
	}
}
