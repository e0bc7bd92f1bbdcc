package main

// Hostile-repository cases: nothing from outside the scanned root, and no
// path of the machine, reaches any output. Each case keeps secret-looking
// lines in files beside the scanned root and lets the repository reach for
// them in one way; the lines must appear in no output.

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
)

// The secrets of the files outside the root, and the parts of them a test
// looks for (a quoted or cut line still leaks its distinctive part).
const (
	awsSecret   = "wJalrXUtnFEMIK7MDENGbPxRfiCYLEAKTEST"
	githubToken = "ghp_LeakTest0123456789abcdefghijklmnopqrs"
	secretEnv   = "AWS_SECRET_ACCESS_KEY=" + awsSecret + "\n"
	secretPy    = "import subprocess\nsubprocess.call('echo " + githubToken + "', shell=True)\n"
)

// leakTree is a scanned root (repo) beside a directory it must never show
// (outside), which holds secret-looking files: an env file, a Go file and a
// Python file whose flagged line is a secret, requirements with a
// vulnerable pin among secret lines, and a Go module.
type leakTree struct {
	base, repo, outside string
}

// newLeakTree makes the tree; its repository holds the files of repo.
func newLeakTree(t *testing.T, repo map[string]string) leakTree {
	t.Helper()
	base := t.TempDir()
	lt := leakTree{base: base, repo: filepath.Join(base, "repo"), outside: filepath.Join(base, "outside")}
	testkit.WriteFiles(t, lt.outside, map[string]string{
		"secret.env": secretEnv,
		// gosec G101 flags this line; its snippet is the secret.
		"secret.go": "package main\n\nvar awsSecretAccessKey = \"" + awsSecret + "\"\n",
		// bandit flags these lines (B404, B602); its snippets show the secret.
		"secret.py":        secretPy,
		"pydir/creds.py":   secretPy,
		"requirements.txt": secretEnv + "jinja2==2.11.2\n" + githubToken + "\n",
		"x/go.mod":         "module example.com/x\n\ngo 1.22\n",
		"x/x.go":           "package x\n\n// Token is a secret outside the scanned root.\nconst Token = \"" + githubToken + "\"\n\nvar Password = \"" + awsSecret + "\"\n",
		"gopkg/leak.go":    "package gopkg\n\nvar awsSecretAccessKey = \"" + awsSecret + "\"\n",
	})
	testkit.WriteFiles(t, lt.repo, repo)
	return lt
}

func (lt leakTree) symlink(t *testing.T, target, link string) {
	t.Helper()
	p := filepath.Join(lt.repo, filepath.FromSlash(link))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(lt.outside, filepath.FromSlash(target)), p); err != nil {
		t.Fatal(err)
	}
}

// machinePaths are the directories no output may name: the scanned tree's
// own absolute path, the temp and home directories, and the go command's.
func machinePaths(t *testing.T, lt leakTree) []string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	// The temp directory itself is not on the list: the step outputs name
	// the report files the user asked for, which the harness puts there.
	paths := append(strings.Fields(string(out)), lt.base)
	if home, err := os.UserHomeDir(); err == nil && home != "/" {
		paths = append(paths, home+"/")
	}
	return paths
}

// assertSealed: neither secret nor any machine path in any output.
func assertSealed(t *testing.T, lt leakTree, o hostileOutputs) {
	t.Helper()
	assertNowhere(t, o, append([]string{awsSecret, githubToken}, machinePaths(t, lt)...)...)
}

// toolNotes are the notifications of one tool in the JSON report.
func toolNotes(t *testing.T, o hostileOutputs, tool string) []finding.Notification {
	t.Helper()
	var rep struct {
		Tools []finding.Result `json:"tools"`
	}
	if err := json.Unmarshal([]byte(o.json), &rep); err != nil {
		t.Fatalf("JSON report: %v", err)
	}
	for _, r := range rep.Tools {
		if r.Tool == tool {
			return r.Notifications
		}
	}
	t.Fatalf("no %s run in the JSON report", tool)
	return nil
}

func assertNote(t *testing.T, o hostileOutputs, tool, want string) {
	t.Helper()
	for _, n := range toolNotes(t, o, tool) {
		if strings.Contains(n.Message, want) {
			return
		}
	}
	t.Errorf("%s: no notification says %q; notifications: %+v", tool, want, toolNotes(t, o, tool))
}

const goMain = "package main\n\nfunc main() { hello() }\n"

// cgo "#include" of files outside the root. Off (the default) the C
// compiler never runs: the file is named as not analyzed and the scan is
// incomplete. With --cgo the compiler reads the secret, and its output is
// cut to positions inside the root with quotes removed.
func TestHostileLeakCgoInclude(t *testing.T) {
	lt := newLeakTree(t, nil)
	testkit.WriteFiles(t, lt.repo, map[string]string{
		"go.mod":  "module example.com/repo\n\ngo 1.22\n",
		"main.go": goMain,
		"c.go": "package main\n\n/*\n#include \"" + filepath.Join(lt.outside, "secret.env") + "\"\n#include \"../outside/secret.env\"\n*/\n" +
			"import \"C\"\n\nfunc hello() { _ = C.int(1) }\n",
		"nocgo.go": "//go:build !cgo\n\npackage main\n\nfunc hello() {}\n",
	})
	t.Run("cgo off", func(t *testing.T) {
		o := scanHostile(t, lt.repo, "--scanners", "gosec,govulncheck")
		assertSealed(t, lt, o)
		if o.code != exitIncomplete {
			t.Errorf("exit %d, want %d: files left out make the scan incomplete", o.code, exitIncomplete)
		}
		for _, tool := range []string{"gosec", "govulncheck"} {
			assertNote(t, o, tool, "1 Go file uses cgo and was not analyzed, because cgo is off")
			assertNote(t, o, tool, ": c.go; scan with --cgo")
		}
		if !strings.Contains(o.stderr, "c.go") {
			t.Errorf("the summary does not name the file left out:\n%s", o.stderr)
		}
	})
	t.Run("--cgo", func(t *testing.T) {
		if _, err := exec.LookPath("gcc"); err != nil {
			t.Skip("no C compiler: cgo cannot run")
		}
		o := scanHostile(t, lt.repo, "--scanners", "gosec,govulncheck", "--cgo")
		assertSealed(t, lt, o)
		if o.code != exitIncomplete {
			t.Errorf("exit %d, want %d: the package does not compile", o.code, exitIncomplete)
		}
		// The compiler's complaint about the in-root line survives, cut.
		assertNote(t, o, "govulncheck", "c.go:7:8: could not import C")
		assertNote(t, o, "govulncheck", "lines of compiler output about files outside the scanned root, or quoting source, left out")
		if strings.Contains(o.json, "uses cgo and was not analyzed") {
			t.Error("with --cgo no file is left out")
		}
	})
}

// A configuration file inside the tree may not turn cgo on; one outside it may.
func TestHostileLeakCgoFromConfig(t *testing.T) {
	lt := newLeakTree(t, map[string]string{
		"go.mod":        "module example.com/repo\n\ngo 1.22\n",
		"main.go":       "package main\n\nfunc main() {}\n",
		".scangate.yml": "version: 1\ncgo: true\n",
	})
	o := scanHostile(t, lt.repo, "--scanners", "gosec")
	if o.code != exitUsage || !strings.Contains(o.stderr, ".scangate.yml:2:6: cgo: a config file inside the scanned repository may not turn cgo on") {
		t.Errorf("exit %d, want %d with file:line and why:\n%s", o.code, exitUsage, o.stderr)
	}
	// A usage error names the file by the path the user gave (here an
	// absolute one), as every config error does; no secret gets out.
	assertNowhere(t, o, awsSecret, githubToken)

	trusted := filepath.Join(lt.base, "trusted.yml")
	testkit.WriteFiles(t, lt.base, map[string]string{"trusted.yml": "version: 1\ncgo: true\n"})
	o = scanHostile(t, lt.repo, "--scanners", "gosec", "--config", trusted)
	if o.code != exitPass {
		t.Errorf("a configuration outside the tree may turn cgo on: exit %d\n%s", o.code, o.stderr)
	}
}

// Files and directories of the repository that are symlinks to files
// outside it: their findings (whose snippet is the secret) are dropped and
// counted, without a path.
func TestHostileLeakSymlinks(t *testing.T) {
	lt := newLeakTree(t, map[string]string{
		"go.mod":  "module example.com/repo\n\ngo 1.22\n",
		"main.go": "package main\n\nfunc main() {}\n",
		"app.py":  "import subprocess\nsubprocess.call('ls', shell=True)\n",
	})
	lt.symlink(t, "secret.go", "leak.go")
	lt.symlink(t, "secret.py", "leak.py")
	lt.symlink(t, "pydir", "linked")
	lt.symlink(t, "gopkg", "gopkg")
	scanners := andBandit("gosec")
	o := scanHostile(t, lt.repo, "--scanners", scanners)
	assertSealed(t, lt, o)
	assertNote(t, o, "gosec", "gosec: 1 finding located outside the scanned root")
	if scanners == "gosec,bandit" {
		assertNote(t, o, "bandit", "findings located outside the scanned root")
		if !strings.Contains(o.json, `"path": "app.py"`) {
			t.Error("the repository's own bandit finding is missing")
		}
	}
}

// go.mod "replace" into a directory outside the root: the outside package
// is compiled, and the type error the repository provokes would print its
// secret constant.
func TestHostileLeakReplace(t *testing.T) {
	lt := newLeakTree(t, map[string]string{
		"go.mod":  "module example.com/repo\n\ngo 1.22\n\nrequire example.com/x v0.0.0\n\nreplace example.com/x => ../outside/x\n",
		"main.go": "package main\n\nimport \"example.com/x\"\n\nvar n int = x.Token\n\nfunc main() { println(n, x.Password) }\n",
	})
	o := scanHostile(t, lt.repo, "--scanners", "gosec,govulncheck")
	assertSealed(t, lt, o)
	if o.code != exitIncomplete {
		t.Errorf("exit %d, want %d: the package does not type-check", o.code, exitIncomplete)
	}
	// The error is still reported, at its place in the repository.
	assertNote(t, o, "gosec", "main.go:5:")
}

// Requirements that include a file outside the root ("-r"), and a .bandit
// whose targets name directories outside it.
func TestHostileLeakIncludes(t *testing.T) {
	lt := newLeakTree(t, nil)
	testkit.WriteFiles(t, lt.repo, map[string]string{
		"requirements.txt": "-r ../outside/requirements.txt\n-r " + filepath.Join(lt.outside, "requirements.txt") + "\nrequests==2.25.0\n",
		"app.py":           "x = 1\n",
		".bandit":          "[bandit]\ntargets = ../outside," + filepath.Join(lt.outside, "pydir") + ",.\n",
	})
	scanners := andBandit("osv-scanner")
	o := scanHostile(t, lt.repo, "--scanners", scanners)
	assertSealed(t, lt, o)
	if !strings.Contains(o.json, "requests") {
		t.Error("the repository's own requirement was not scanned")
	}
}

// A go command error that names its build cache (GOCACHE where no
// directory can be made): the path appears as $GOCACHE.
func TestHostileLeakCachePath(t *testing.T) {
	lt := newLeakTree(t, map[string]string{
		"go.mod":  "module example.com/repo\n\ngo 1.22\n",
		"main.go": "package main\n\nfunc main() {}\n",
	})
	blocker := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(blocker, "go-build")
	t.Setenv("GOCACHE", cache)
	o := scanHostile(t, lt.repo, "--scanners", "gosec")
	assertSealed(t, lt, o)
	assertNowhere(t, o, cache, blocker)
	if o.code != exitIncomplete {
		t.Errorf("exit %d, want %d: nothing could be loaded", o.code, exitIncomplete)
	}
	assertNote(t, o, "gosec", "$GOCACHE")
}

// safetyEcho stands in for safety (not installable here): it prints every
// requirements file it is given to stderr and fails, as a tool quoting a
// line it cannot parse would. The filter must hold whatever a child prints.
func safetyEcho(t *testing.T) (config string) {
	return fakeSafety(t, "while [ $# -gt 0 ]; do if [ \"$1\" = -r ]; then cat \"$2\" >&2; shift; fi; shift; done\nexit 1\n")
}

// fakeSafety puts first on PATH a stand-in for safety 2.3.5 (safety cannot
// be installed here) that runs script, and returns a configuration giving
// it a local database: safety 2 runs offline only with one of its own,
// which the stand-in never reads but the adapter checks.
func fakeSafety(t *testing.T, script string) (config string) {
	t.Helper()
	bin := t.TempDir()
	testkit.Script(t, filepath.Join(bin, "safety"), "#!/bin/sh\nif [ \"$1\" = \"--version\" ]; then echo 'safety, version 2.3.5'; exit 0; fi\n"+script)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	sdb := t.TempDir()
	testkit.WriteFiles(t, sdb, map[string]string{"insecure.json": "{}", "insecure_full.json": "{}"})
	config = filepath.Join(t.TempDir(), "scangate.yml")
	testkit.WriteFile(t, config, "scanners:\n  safety:\n    db: "+sdb+"\n")
	return config
}

// The files the tools read first (go.mod, go.sum, requirements.txt,
// .bandit, .scangate.yml), each a symbolic link to a file outside the root
// holding a marker line the tool complains about: the go command, bandit
// and safety quote such lines in their errors. The marker reaches no
// output, annotation or log line; the scan still says which file failed.
func TestHostileLeakSymlinkedInputs(t *testing.T) {
	const marker = "LEAKMARKq7Zx"
	// A go.sum whose hashes are the marker: the go command prints the
	// recorded hash on a mismatch.
	badSum := "golang.org/x/text v0.3.6 h1:" + marker + "aRYxNxv6iGQlyVaZmk6ZgYEDa+Jg18Dx=\n" +
		"golang.org/x/text v0.3.6/go.mod h1:" + marker + "5Zoc/QRtKVWzQhOtBMvqHzDpF6irO9z=\n"
	needsText := map[string]string{
		"go.mod":  "module example.com/repo\n\ngo 1.22\n\nrequire golang.org/x/text v0.3.6\n",
		"main.go": "package main\n\nimport \"golang.org/x/text/language\"\n\nfunc main() { _, _ = language.Parse(\"en\") }\n",
	}
	for _, tc := range []struct {
		name, link, target string
		tree               map[string]string
		scanners           string
		python             bool
	}{
		{name: "go.mod", link: "go.mod", target: "module example.com/repo\n\ngo 1.22\n\n" + marker + " directive\n",
			tree: map[string]string{"main.go": "package main\n\nfunc main() {}\n"}, scanners: "gosec,govulncheck"},
		{name: "go.sum", link: "go.sum", target: badSum, tree: needsText, scanners: "gosec,govulncheck,osv-scanner"},
		{name: "requirements.txt", link: "requirements.txt", target: "jinja2==2.11.2\n" + marker + " @@ not a requirement\n",
			tree: map[string]string{"app.py": "x = 1\n"}, scanners: "osv-scanner,safety,bandit", python: true},
		{name: ".bandit", link: ".bandit", target: marker + "\n[bandit]\nskips: B101\n",
			tree: map[string]string{"app.py": "import subprocess\nsubprocess.call('ls', shell=True)\n"}, scanners: "bandit", python: true},
		{name: ".scangate.yml", link: ".scangate.yml", target: "version: 1\n" + marker + ": [x\n",
			tree: map[string]string{"main.go": "package main\n\nfunc main() {}\n", "go.mod": "module example.com/repo\n\ngo 1.22\n"}, scanners: "gosec"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.python {
				testkit.NeedBandit(t)
			}
			lt := newLeakTree(t, tc.tree)
			testkit.WriteFiles(t, lt.outside, map[string]string{"target/" + tc.name: tc.target})
			lt.symlink(t, "target/"+tc.name, tc.link)
			args := []string{"--scanners", tc.scanners}
			if strings.Contains(tc.scanners, "safety") {
				args = append(args, "--config", safetyEcho(t))
			}
			o := scanHostile(t, lt.repo, args...)
			if tc.link == ".scangate.yml" {
				// A usage error names the file by the path given (here an
				// absolute one), as every configuration error does.
				assertNowhere(t, o, marker, awsSecret, githubToken)
			} else {
				assertSealed(t, lt, o)
				assertNowhere(t, o, marker)
			}
			if o.code == exitPass {
				t.Errorf("exit %d: a file that could not be read whole is not a clean pass\n%s", o.code, o.stderr)
			}
			if !strings.Contains(o.stderr, tc.link) {
				t.Errorf("the summary does not name %s:\n%s", tc.link, o.stderr)
			}
		})
	}
}

// andBandit adds bandit to scanners where it is installed.
func andBandit(scanners string) string {
	if _, err := exec.LookPath("bandit"); err != nil {
		return scanners
	}
	return scanners + ",bandit"
}
