package main

// The hostile-repository suite (docs/security.md): every file under the
// scanned root is written by someone we must not trust. Each case builds such
// a repository, scans it through the CLI inside a simulated GitHub Actions
// step, and asserts the promise on every output a reader or an uploader can
// see, not only that nothing crashed.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
)

// hostileOutputs is everything one scan shows anyone: the report files, the
// process's stdout (annotations) and stderr (summary, logs), and the files
// the runner turns into the step summary and step outputs.
type hostileOutputs struct {
	code                    int
	sarif, json, markdown   string
	gitlabSAST, gitlabDeps  string
	gitlabSecrets           string
	junit                   string
	stdout, stderr          string
	stepSummary, stepOutput string
}

// each calls f with every output and its name.
func (o hostileOutputs) each(f func(name, text string)) {
	for _, x := range []struct{ name, text string }{
		{"SARIF", o.sarif}, {"JSON", o.json}, {"markdown", o.markdown},
		{"GitLab SAST", o.gitlabSAST}, {"GitLab dependency scanning", o.gitlabDeps}, {"GitLab secret detection", o.gitlabSecrets}, {"JUnit", o.junit},
		{"stdout (annotations)", o.stdout}, {"stderr (summary)", o.stderr},
		{"step summary", o.stepSummary}, {"step outputs", o.stepOutput},
	} {
		f(x.name, x.text)
	}
}

// scanHostile scans root with the given extra arguments as a workflow step
// would (GITHUB_ACTIONS set, workspace = root), writing every report.
func scanHostile(t *testing.T, root string, args ...string) hostileOutputs {
	t.Helper()
	outputs, summary := actionsEnv(t, root)
	dir := t.TempDir()
	sarifPath, jsonPath, mdPath := filepath.Join(dir, "r.sarif"), filepath.Join(dir, "r.json"), filepath.Join(dir, "r.md")
	// Incomplete scanners' runs kept: their notifications are output too,
	// and the leak checks read every output.
	sastPath, depsPath, junitPath := filepath.Join(dir, "sast.json"), filepath.Join(dir, "ds.json"), filepath.Join(dir, "junit.xml")
	secretsPath := filepath.Join(dir, "sd.json")
	all := append([]string{"scan", "--sarif", sarifPath, "--sarif-keep-incomplete", "--json", jsonPath, "--markdown", mdPath,
		"--gitlab-sast", sastPath, "--gitlab-dependency-scanning", depsPath, "--gitlab-secret-detection", secretsPath, "--junit", junitPath}, args...)
	code, stdout, stderr := runCLI(t, append(all, root)...)
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return string(b)
	}
	return hostileOutputs{
		code: code, sarif: read(sarifPath), json: read(jsonPath), markdown: read(mdPath),
		gitlabSAST: read(sastPath), gitlabDeps: read(depsPath), gitlabSecrets: read(secretsPath), junit: read(junitPath),
		stdout: stdout, stderr: stderr, stepSummary: read(summary), stepOutput: read(outputs),
	}
}

// assertNowhere fails for each needle found in any output.
func assertNowhere(t *testing.T, o hostileOutputs, needles ...string) {
	t.Helper()
	o.each(func(name, text string) {
		for _, n := range needles {
			if n != "" && strings.Contains(text, n) {
				t.Errorf("%s holds %q:\n%s", name, n, excerpt(text, n))
			}
		}
	})
}

// excerpt is the text around the first occurrence of needle.
func excerpt(text, needle string) string {
	i := strings.Index(text, needle)
	lo, hi := max(0, i-200), min(len(text), i+len(needle)+200)
	return text[lo:hi]
}

// markerScript returns the body of a script that creates marker when run: a
// test that finds no marker afterwards proves the script never ran.
func markerScript(marker string) string {
	return "#!/bin/sh\ntouch '" + marker + "'\necho 'bandit 1.6.2'\n"
}

// assertNotRun fails when the marker exists.
func assertNotRun(t *testing.T, marker string) {
	t.Helper()
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("a program from the scanned repository ran: %s exists", marker)
	}
}

// osv-scalibr's extractors log lines of the scanned files to the process's
// stderr (its default logger, unescaped): a bad pnpm dependency path, a bad
// Gemfile.lock spec line, an include that cannot be opened. Run as the real
// process, scangate writes neither a workflow command nor a terminal escape
// from them, and still names each problem, escaped.
func TestHostileExtractorLogLines(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{
		"web/pnpm-lock.yaml": "lockfileVersion: 5.4\n\npackages:\n\n  \"ms\\n::error file=pwn.txt::injected@2.1.3\":\n    dev: false\n",
		"rb/Gemfile.lock":    "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.3\x1b[2J\n\nBUNDLED WITH\n   2.1.4\n",
		"requirements.txt":   "-r \x1b[31mmissing.txt\njinja2==2.11.2\n",
	})
	db := importDB(t, "../../testdata/osv/real-advisories")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "scan", "--offline", "--db", db, "--no-cache", "--scanners", "osv-scanner", root)
	cmd.Env = append(os.Environ(), "SCANGATE_TEST_AS_CLI=1", "GITHUB_ACTIONS=true")
	b, _ := cmd.CombinedOutput()
	out := string(b)
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "::error file=pwn.txt") {
			t.Errorf("a workflow command from the lockfile: %q", l)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("a terminal escape from the scanned files:\n%q", out)
	}
	testkit.ContainsAll(t, "output", out,
		`web/pnpm-lock.yaml: invalid dependency path: ms`,
		`rb/Gemfile.lock:4: invalid spec line "rack (2.2.3\x1b[2J": the gem is not scanned`,
		`requirements.txt:1: include "\x1b[31mmissing.txt" cannot be read`,
	)
}

// Requirements that include a file outside the root, by "../" and through a
// symlink inside the tree: osv-scanner would read it and report its pins at
// the including line, as if the repository held them. No package of it
// reaches any output; a warning names the including line; the repository's
// own pin still is reported, and the same pin in two files of one folder
// is reported in each (standalone osv-scanner v2.5.0 reports both).
func TestHostileOSVIncludeOutsideRoot(t *testing.T) {
	lt := newLeakTree(t, nil) // outside/requirements.txt pins jinja2==2.11.2 among secrets
	testkit.WriteFiles(t, lt.repo, map[string]string{
		"requirements.txt":     "-r ../outside/requirements.txt\nrequests==2.25.0\n",
		"requirements-dev.txt": "requests==2.25.0\n-r shared.txt\n",
	})
	if err := os.Symlink(filepath.Join(lt.outside, "requirements.txt"), filepath.Join(lt.repo, "shared.txt")); err != nil {
		t.Fatal(err)
	}
	o := scanHostile(t, lt.repo, "--scanners", "osv-scanner")
	assertSealed(t, lt, o)
	assertNowhere(t, o, "jinja2", "PYSEC-2021-66", "2.11.2")
	assertNote(t, o, "osv-scanner", "requirements.txt:1 includes a file outside the scanned root")
	assertNote(t, o, "osv-scanner", "requirements-dev.txt:2 includes a file outside the scanned root")
	var rep struct{ Tools []finding.Result }
	if err := json.Unmarshal([]byte(o.json), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rep.Tools {
		for _, f := range r.Findings {
			got = append(got, fmt.Sprintf("%s:%d %s", f.Location.Path, f.Location.StartLine, f.Package.Name))
		}
	}
	slices.Sort(got)
	got = slices.Compact(got)
	if want := []string{"requirements-dev.txt:1 requests", "requirements.txt:2 requests"}; !slices.Equal(got, want) {
		t.Errorf("findings at %q, want %q", got, want)
	}
}

// An untidy module (testdata/gomod/untidy, as found in real repositories)
// is not a silent gap: both Go scanners are incomplete (exit 3), the summary
// names the module and shows the go command's decisive line, and no machine
// path or environment value reaches any output.
func TestHostileUntidyModule(t *testing.T) {
	modcache, _ := exec.Command("go", "env", "GOMODCACHE").Output()
	const secret = "hostile-gaps-secret-6f1d"
	t.Setenv("SCANGATE_HOSTILE_SECRET", secret)

	root := t.TempDir()
	testkit.UntidyModule(t, filepath.Join(root, "api"))
	testkit.WriteFiles(t, root, map[string]string{
		"go.mod":  "module example.com/app\n\ngo 1.22\n",
		"main.go": "package main\n\nfunc main() {}\n",
	})
	o := scanHostile(t, root, "--offline", "--db", "../../examples/vulndb", "--scanners", "gosec,govulncheck")
	if o.code != exitIncomplete {
		t.Fatalf("exit %d, want %d (incomplete)\n%s", o.code, exitIncomplete, o.stderr)
	}
	testkit.ContainsAll(t, "summary", o.stderr,
		"error: gosec: module api (example.com/untidy/api) could not be loaded, nothing in it was scanned: go: updates to go.mod needed; to update it: go mod tidy\n",
		"error: govulncheck: module api (example.com/untidy/api): nothing in it was scanned: go: updates to go.mod needed, disabled by -mod=readonly; to update it: go mod tidy\n",
	)
	if strings.Contains(o.stderr, "has no Go packages to scan") {
		t.Errorf("the untidy module is reported as empty:\n%s", o.stderr)
	}
	// The root itself is the scan's argument; no path under it may appear.
	assertNowhere(t, o, root+string(filepath.Separator), strings.TrimSpace(string(modcache)), secret)
}

// gosec's settings in the tree's .scangate.yml (scanners.gosec.config) are
// the repository's policy, as exclude and fail-on are: they reach gosec,
// a weakening one (a nosec tag) leaves its suppression visible, and a
// malformed one is a configuration error at its line, never a gosec panic.
func TestHostileInTreeGosecConfig(t *testing.T) {
	const src = `package app

import "crypto/md5"

func Sum(b []byte) [16]byte {
	return md5.Sum(b) // #nosec G401 -- cache key only
}

func Tag(b []byte) [16]byte {
	return md5.Sum(b) // #reviewed G401 -- cache key only
}
`
	scanWith := func(t *testing.T, cfg string) (hostileOutputs, string) {
		t.Helper()
		root := t.TempDir()
		testkit.WriteFiles(t, root, map[string]string{"go.mod": "module example.com/app\n\ngo 1.22\n", "app.go": src,
			".scangate.yml": "fail-on: medium\nscanners:\n  gosec:\n    exclude: [G501]\n    config:\n" + cfg})
		return scanHostile(t, root, "--scanners", "gosec"), root
	}

	// The tag suppresses as #nosec does, and says so in the report.
	o, _ := scanWith(t, "      global:\n        \"#nosec\": \"#reviewed\"\n")
	if o.code != 0 || !strings.Contains(o.sarif, `"#reviewed"`) && !strings.Contains(o.json, "#reviewed") {
		t.Errorf("#nosec tag from the tree: exit %d; the suppression's marker is not in the reports\n%s", o.code, o.stderr)
	}

	// nosec: true from the tree: both findings count, the gate fails.
	o, root := scanWith(t, "      global:\n        nosec: true\n")
	if o.code != exitFail || strings.Count(o.sarif, `"ruleId": "G401"`) != 2 {
		t.Errorf("nosec: true from the tree: exit %d, want %d with two G401 results\n%s", o.code, exitFail, o.stderr)
	}
	code, out, stderr := runCLI(t, "config", "print", root)
	if want := `(?m)^        nosec: true +# ` + regexp.QuoteMeta(filepath.Join(root, ".scangate.yml")) + `:7:16$`; code != 0 || !regexp.MustCompile(want).MatchString(out) {
		t.Errorf("config print: exit %d, want a line matching %s:\n%s%s", code, want, out, stderr)
	}

	// A regular expression gosec would panic on is refused at its line.
	o, root = scanWith(t, "      G101:\n        pattern: \"((\"\n")
	want := filepath.Join(root, ".scangate.yml") + ":7:18: scanners.gosec.config.G101.pattern: invalid regular expression"
	if o.code != exitUsage || !strings.Contains(o.stderr, want) || strings.Contains(o.stderr, "panic") {
		t.Errorf("bad pattern: exit %d, want %d and %q:\n%s", o.code, exitUsage, want, o.stderr)
	}
}

// Remediation commands name folders of the scanned repository: a folder
// named to break out of the command must not make the printed command run
// anything but go get in that folder. (A folder name with a line break gets
// no command: finding's TestRemediateControlCharacters.)
func TestHostileRemediationCommand(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	root := t.TempDir()
	marker := filepath.Join(t.TempDir(), "pwned")
	evil := "svc';touch '" + marker + "';'$(touch " + marker + ")"
	testkit.WriteFiles(t, root, map[string]string{
		evil + "/go.mod": "module example.com/svc\n\ngo 1.22\n\nrequire golang.org/x/text v0.3.6\n",
	})
	o := scanHostile(t, root, "--scanners", "osv-scanner", "--offline", "--db", "../../examples/vulndb")
	if o.code != exitFail {
		t.Fatalf("exit %d\n%s", o.code, o.stderr)
	}
	var doc struct {
		Remediations []struct {
			Package struct {
				Manifest string `json:"manifest"`
			} `json:"package"`
			Apply string `json:"apply"`
		} `json:"remediations"`
	}
	if err := json.Unmarshal([]byte(o.json), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Remediations) != 1 {
		t.Errorf("remediations: %+v, want one", doc.Remediations)
	}
	var apply string
	for _, r := range doc.Remediations {
		switch r.Package.Manifest {
		case evil + "/go.mod":
			apply = r.Apply
		default:
			t.Errorf("unexpected manifest %q", r.Package.Manifest)
		}
	}
	if apply == "" {
		t.Fatalf("no command for %q: %+v", evil, doc.Remediations)
	}
	if !strings.Contains(o.stderr, apply) {
		t.Errorf("the summary does not show %q", apply)
	}
	// Run the printed command with a go that records where it ran and how.
	bin := t.TempDir()
	log := filepath.Join(t.TempDir(), "go.log")
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte("#!/bin/sh\npwd > '"+log+"'\nprintf '%s\\n' \"$@\" >> '"+log+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", apply)
	cmd.Dir = root
	cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", apply, err, out)
	}
	assertNotRun(t, marker)
	b := testkit.ReadFile(t, log)
	if got, want := strings.Split(strings.TrimSpace(string(b)), "\n"), []string{filepath.Join(root, evil), "get", "golang.org/x/text@v0.3.8"}; !slices.Equal(got, want) {
		t.Errorf("go ran as %q, want %q", got, want)
	}
}

// Sharding reads the tree to list and size its units, and merge reads
// reports from other jobs. A symlink out of the tree adds no unit and no
// byte from outside, and a report naming a file outside the root is
// refused rather than rendered.
func TestHostileShardInputs(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	secret := "package secret\n\nconst Token = \"outside-the-root-3f9c\"\n"
	if err := os.WriteFile(filepath.Join(outside, "go.mod"), []byte("module example.com/secret\n\ngo 1.21\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.go"), []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "requirements.txt"), []byte("jinja2==2.11.2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	testkit.CopyTree(t, "../../testdata/gosec/multi/lib", filepath.Join(root, "lib"))
	for name, target := range map[string]string{"linked": outside, "lib/linked.go": filepath.Join(outside, "secret.go"),
		"requirements.txt": filepath.Join(outside, "requirements.txt")} {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	var files []string
	var sizes []string
	for k := 1; k <= 2; k++ {
		f := filepath.Join(out, "s"+string(rune('0'+k))+".json")
		code, _, stderr := runCLI(t, "scan", "-q", "--no-cache", "--shard", string(rune('0'+k))+"/2", "--json", f, root)
		if code != 0 {
			t.Fatalf("shard %d: exit %d\n%s", k, code, stderr)
		}
		files = append(files, f)
		b := testkit.ReadFile(t, f)
		if strings.Contains(string(b), "outside-the-root") || strings.Contains(string(b), outside) || strings.Contains(string(b), "example.com/secret") {
			t.Errorf("shard %d's report holds something from outside the root", k)
		}
		for _, u := range readShard(t, f).Units {
			sizes = append(sizes, u.Kind+" "+u.Path)
			if strings.Contains(u.Path, "linked") {
				t.Errorf("a unit through a symlink: %s %s", u.Kind, u.Path)
			}
		}
	}
	if len(sizes) == 0 {
		t.Fatal("no units at all")
	}

	// A report naming a file outside the root.
	b := testkit.ReadFile(t, files[1])
	for _, bad := range []string{"../../etc/passwd", "/etc/passwd", "lib/../../x.go"} {
		forged := strings.Replace(string(b), `"results": [`, `"results": [{"tool": "gosec", "findings": [{"tool": "gosec", "ruleId": "G101", "severity": "high", "message": "m", "location": {"path": "`+bad+`"}, "fingerprint": "f", "status": "new"}], "state": "completed", "durationMs": 0},`, 1)
		if forged == string(b) {
			t.Fatal("no results in the shard report")
		}
		if err := os.WriteFile(files[1], []byte(forged), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCLI(t, append([]string{"merge", "-q", "--no-cache", "--root", root}, files...)...)
		if code != exitUsage || !strings.Contains(stderr, "outside the scanned root") || !strings.Contains(stderr, "s2.json") {
			t.Errorf("forged path %s: exit %d\n%s", bad, code, stderr)
		}
	}
}
