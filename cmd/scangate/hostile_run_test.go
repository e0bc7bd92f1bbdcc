package main

// Hostile repositories that try to make scangate run something of theirs,
// or hand a child process the job's credentials (issue 11, "nothing from
// the repository runs" and "minimal child environment"). Every program
// planted here creates a marker file when run; each case proves the marker
// never appears, plus what the outputs say.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
)

// hostileBase is a directory holding the scanned root ("repo"), the marker
// and anything a test puts outside the root.
func hostileBase(t *testing.T) (base, root, marker string) {
	t.Helper()
	base = t.TempDir()
	root = filepath.Join(base, "repo")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	return base, root, filepath.Join(base, "marker")
}

// A .scangate.yml in the scanned tree may not name a program, the
// variable sent to safety as its key, or a path out of the tree: exit 2
// with file:line:col and why, before anything runs.
func TestHostileInTreeConfig(t *testing.T) {
	testkit.SkipOnWindows(t, "sh and symlinks")
	for _, c := range []struct {
		name, config, want string
	}{
		{"bandit program", "scanners:\n  bandit:\n    program: ./evil.sh\n",
			":3:14: scanners.bandit.program: a config file inside the scanned repository may not name a program: pass --config FILE from outside the tree"},
		{"safety program on PATH", "scanners:\n  safety:\n    program: sh\n",
			":3:14: scanners.safety.program: a config file inside the scanned repository may not name a program"},
		{"safety key variable", "scanners:\n  safety:\n    key-env: GITHUB_TOKEN\n",
			":3:14: scanners.safety.key-env: a config file inside the scanned repository may not choose the environment variable sent to safety's server as its API key"},
		{"output outside the tree", "outputs:\n  sarif: ../outside.sarif\n",
			`:2:10: outputs.sarif: "../outside.sarif" resolves outside the scanned repository`},
		{"output into .git", "outputs:\n  json: .git/hooks/pre-push\n",
			`:2:9: outputs.json: ".git/hooks/pre-push" is inside a .git directory`},
		{"junit into .git", "outputs:\n  junit: .git/hooks/pre-commit\n",
			`:2:10: outputs.junit: ".git/hooks/pre-commit" is inside a .git directory`},
		{"gitlab report outside the tree", "outputs:\n  gitlab-sast: ../gl-sast.json\n",
			`:2:16: outputs.gitlab-sast: "../gl-sast.json" resolves outside the scanned repository`},
		{"baseline through a link out", "baseline: link/secret.json\n",
			`:1:11: baseline: "link/secret.json" resolves outside the scanned repository`},
		{"safety db", "scanners:\n  safety:\n    db: safety-db\n",
			`:3:9: scanners.safety.db: a config file inside the scanned repository may not choose the vulnerability database`},
		{"vulnerability db", "db:\n  offline: true\n  dir: empty-db\n",
			`:3:8: db.dir: a config file inside the scanned repository may not choose the vulnerability database`},
	} {
		t.Run(c.name, func(t *testing.T) {
			base, root, marker := hostileBase(t)
			testkit.WriteFiles(t, root, map[string]string{
				".scangate.yml": c.config,
				"evil.sh":       markerScript(marker),
				"app.py":        "import subprocess\nsubprocess.call('ls', shell=True)\n",
			})
			testkit.WriteFiles(t, base, map[string]string{"outside/secret.json": `{"AWS_SECRET_ACCESS_KEY": "hostile-run-secret"}`})
			if err := os.Symlink(filepath.Join(base, "outside"), filepath.Join(root, "link")); err != nil {
				t.Fatal(err)
			}
			o := scanHostile(t, root, "--scanners", "bandit,safety")
			if o.code != exitUsage {
				t.Errorf("exit %d, want %d; stderr:\n%s", o.code, exitUsage, o.stderr)
			}
			if want := filepath.Join(root, ".scangate.yml") + c.want; !strings.Contains(o.stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
			}
			assertNotRun(t, marker)
			if _, err := os.Stat(filepath.Join(base, "outside.sarif")); err == nil {
				t.Error("a report was written outside the tree")
			}
			assertNowhere(t, o, "hostile-run-secret")
		})
	}
}

// The tree's .scangate.yml as a link to a file outside it is still the
// tree's (the link is the repository's choice), and it is not read at all:
// its keys and values would be another file's text in the errors.
func TestHostileInTreeConfigLinkedOut(t *testing.T) {
	testkit.SkipOnWindows(t, "sh and symlinks")
	base, root, marker := hostileBase(t)
	testkit.WriteFiles(t, base, map[string]string{"elsewhere/cfg.yml": "scanners:\n  bandit:\n    program: " + filepath.Join(base, "evil.sh") + "\n"})
	testkit.WriteFiles(t, base, map[string]string{"evil.sh": markerScript(marker)})
	testkit.WriteFiles(t, root, map[string]string{"app.py": "x = 1\n"})
	if err := os.Symlink(filepath.Join(base, "elsewhere", "cfg.yml"), filepath.Join(root, ".scangate.yml")); err != nil {
		t.Fatal(err)
	}
	o := scanHostile(t, root, "--scanners", "bandit")
	if o.code != exitUsage || !strings.Contains(o.stderr, "a symbolic link to a file outside the scanned root: not read") {
		t.Errorf("exit %d, stderr:\n%s", o.code, o.stderr)
	}
	assertNotRun(t, marker)
}

// A program that resolves inside the scanned tree is refused even from the
// user's own configuration: named directly, or through a link outside the
// tree that leads into it.
func TestHostileProgramInsideTreeFromTrustedConfig(t *testing.T) {
	testkit.SkipOnWindows(t, "sh and symlinks")
	base, root, marker := hostileBase(t)
	testkit.WriteFiles(t, root, map[string]string{"tools/evil.sh": markerScript(marker), "app.py": "x = 1\n"})
	link := filepath.Join(base, "bandit")
	if err := os.Symlink(filepath.Join(root, "tools", "evil.sh"), link); err != nil {
		t.Fatal(err)
	}
	for _, program := range []string{filepath.Join(root, "tools", "evil.sh"), link} {
		cfg := filepath.Join(base, "trusted.yml")
		testkit.WriteFiles(t, base, map[string]string{"trusted.yml": "scanners:\n  bandit:\n    program: " + program + "\n"})
		o := scanHostile(t, root, "--config", cfg, "--scanners", "bandit")
		want := "scanners.bandit.program (" + cfg + ":3:14): "
		if o.code != exitUsage || !strings.Contains(o.stderr, want) ||
			!strings.Contains(o.stderr, "resolves to tools/evil.sh, inside the scanned repository; refusing to run a program from the tree being scanned") {
			t.Errorf("program %s: exit %d, stderr:\n%s", program, o.code, o.stderr)
		}
		assertNotRun(t, marker)
	}
}

// envPrinter writes a program outside the tree that answers --version like
// tool and otherwise records its environment in file (and prints nothing
// useful, so the scanner fails: only the environment matters here).
func envPrinter(t *testing.T, path, version, file string) {
	t.Helper()
	script := "#!/bin/sh\nenv >> '" + file + "'\necho '--' >> '" + file + "'\n" +
		"if [ \"$1\" = \"--version\" ]; then echo '" + version + "'; fi\nexit 0\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

// jobSecrets are what a CI job's environment holds; none may reach a child.
var jobSecrets = map[string]string{
	"GITHUB_TOKEN":          "ghs_hostileRunSecret000000000000000000",
	"ACTIONS_RUNTIME_TOKEN": "hostile-run-actions-token",
	"ACTIONS_CACHE_URL":     "https://hostile-run-cache.example",
	"AWS_ACCESS_KEY_ID":     "AKIAHOSTILERUN00000",
	"AWS_SECRET_ACCESS_KEY": "hostile-run-aws-secret",
	"NPM_TOKEN":             "hostile-run-npm-token",
	"DB_PASSWORD":           "hostile-run-db-password",
	"DEPLOY_KEY":            "hostile-run-deploy-key",
	"MY_CLIENT_SECRET":      "hostile-run-client-secret",
}

// bandit and safety, run as programs of the user's own configuration,
// print their environment: the job's credentials are not in it, PATH and
// PYTHONPATH hold nothing of the tree, and safety gets its key only from
// the variable the trusted configuration names.
func TestHostileChildEnvironment(t *testing.T) {
	testkit.SkipOnWindows(t, "sh and symlinks")
	base, root, _ := hostileBase(t)
	for k, v := range jobSecrets {
		t.Setenv(k, v)
	}
	t.Setenv("SCANGATE_TEST_SAFETY_KEY", "the-safety-key")
	t.Setenv("PATH", filepath.Join(root, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("PYTHONPATH", root+string(os.PathListSeparator)+".")
	testkit.WriteFiles(t, root, map[string]string{"app.py": "x = 1\n", "requirements.txt": "jinja2==2.11.2\n"})
	testkit.WriteFiles(t, base, map[string]string{"safetydb/insecure.json": "{}", "safetydb/insecure_full.json": "{}"})
	banditEnv, safetyEnv := filepath.Join(base, "bandit.env"), filepath.Join(base, "safety.env")
	envPrinter(t, filepath.Join(base, "bandit"), "bandit 1.6.2", banditEnv)
	envPrinter(t, filepath.Join(base, "safety"), "safety, version 2.3.5", safetyEnv)
	cfg := filepath.Join(base, "trusted.yml")
	testkit.WriteFiles(t, base, map[string]string{"trusted.yml": "scanners:\n  bandit:\n    program: " + filepath.Join(base, "bandit") +
		"\n  safety:\n    program: " + filepath.Join(base, "safety") + "\n    key-env: SCANGATE_TEST_SAFETY_KEY\n    db: " + filepath.Join(base, "safetydb") + "\n"})

	o := scanHostile(t, root, "--config", cfg, "--scanners", "bandit,safety")
	if o.code != exitIncomplete {
		t.Errorf("exit %d (the fake tools print no report), stderr:\n%s", o.code, o.stderr)
	}
	for _, c := range []struct{ file, key string }{{banditEnv, ""}, {safetyEnv, "SAFETY_API_KEY=the-safety-key"}} {
		data, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatalf("the program did not run: %v", err)
		}
		env := string(data)
		for k, v := range jobSecrets {
			if strings.Contains(env, k+"=") || strings.Contains(env, v) {
				t.Errorf("%s: the child got %s", filepath.Base(c.file), k)
			}
		}
		for _, l := range strings.Split(env, "\n") {
			if k, v, _ := strings.Cut(l, "="); (k == "PATH" || k == "PYTHONPATH") && strings.Contains(v, root) {
				t.Errorf("%s: %s", filepath.Base(c.file), l)
			}
		}
		testkit.ContainsAll(t, filepath.Base(c.file)+": the child's environment", env, "PATH=", "HOME=", "PYTHONSAFEPATH=1", c.key)
	}
	if data, _ := os.ReadFile(banditEnv); strings.Contains(string(data), "SAFETY_API_KEY") {
		t.Error("bandit got safety's key")
	}
	assertNowhere(t, o, "hostile-run", "the-safety-key")
}

// plantTools puts a program that creates marker under each name in dir.
func plantTools(t *testing.T, dir, marker string, names ...string) {
	t.Helper()
	files := map[string]string{}
	for _, n := range names {
		files[n+".sh"] = markerScript(marker)
	}
	testkit.WriteFiles(t, dir, files)
	for _, n := range names {
		if err := os.Rename(filepath.Join(dir, n+".sh"), filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
}

// A PATH entry inside the scanned tree (a workflow that adds
// $GITHUB_WORKSPACE/bin to PATH) holds a go, a gopackagesdriver, a bandit,
// a safety, a python and the package managers osv-scanner's libraries
// look for: none of them runs. gosec refuses the go that go/packages would
// start, safety found only there fails, bandit and the govulncheck child
// use the tools outside the tree, and osv-scanner starts no program.
func TestHostilePathEntryInsideTree(t *testing.T) {
	testkit.SkipOnWindows(t, "sh and symlinks")
	_, root, marker := hostileBase(t)
	plantTools(t, filepath.Join(root, "bin"), marker, "go", "gopackagesdriver", "bandit", "safety", "python", "python3",
		"pip", "npm", "mvn", "gradle", "git", "pkg-config", "cc", "gcc", "node", "cargo", "dotnet", "composer")
	testkit.WriteFiles(t, root, map[string]string{
		"go.mod":           "module example.com/hostile\n\ngo 1.22\n",
		"main.go":          "package main\n\nimport \"os/exec\"\n\nfunc main() { _ = exec.Command(\"sh\", \"-c\", \"x\").Run() }\n",
		"app.py":           "import subprocess\nsubprocess.call('ls', shell=True)\n",
		"requirements.txt": "jinja2==2.11.2\n",
		// osv-scanner's own config may not hide the finding.
		"osv-scanner.toml": "[[IgnoredVulns]]\nid = \"PYSEC-2021-66\"\nreason = \"hidden by the repository\"\n",
		"pom.xml": `<project><modelVersion>4.0.0</modelVersion><groupId>x</groupId><artifactId>y</artifactId><version>1</version>
<repositories><repository><id>central</id><url>http://127.0.0.1:1/</url></repository></repositories>
<dependencies><dependency><groupId>org.x</groupId><artifactId>z</artifactId><version>1.0</version></dependency></dependencies></project>`,
		"package-lock.json": `{"name":"x","version":"1.0.0","lockfileVersion":3,"packages":{"":{"name":"x","version":"1.0.0"}}}`,
	})
	t.Setenv("PATH", filepath.Join(root, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))

	o := scanHostile(t, root)
	assertNotRun(t, marker)
	if o.code != exitIncomplete {
		t.Errorf("exit %d, want %d (gosec and safety refused their programs); stderr:\n%s", o.code, exitIncomplete, o.stderr)
	}
	testkit.ContainsAll(t, "summary", o.stderr,
		"gosec: go is found on PATH at bin/go, inside the scanned repository; refusing to run a program from the tree being scanned",
		"safety: safety is found on PATH at bin/safety, inside the scanned repository",
		"osv-scanner.toml: [[IgnoredVulns]] PYSEC-2021-66: not applied",
	)
	if _, err := exec.LookPath("bandit"); err == nil && !strings.Contains(o.sarif, `"B602"`) {
		t.Errorf("bandit (outside the tree) did not run: no B602 in the SARIF")
	}
	if !strings.Contains(o.sarif, "PYSEC-2021-66") {
		t.Error("the finding the repository's osv-scanner.toml ignores is missing")
	}
	if !strings.Contains(o.stderr, "govulncheck  completed") {
		t.Errorf("the govulncheck child did not run the real go:\n%s", o.stderr)
	}
}

// The go command under gosec and the govulncheck child reads nothing that
// runs from the tree: a go.env file (only GOROOT's and the user's are
// read), //go:generate lines (go list never runs them), cgo flags that
// would make the C compiler load or run the tree's programs (the go
// command's flag allowlist refuses them; with cgo off nothing is compiled
// at all), a pkg-config or cc the tree puts on PATH (the go command's PATH
// leaves the tree out), a go.work with toolchain and godebug lines under
// GOTOOLCHAIN=local.
func TestHostileGoCommand(t *testing.T) {
	testkit.SkipOnWindows(t, "sh and symlinks")
	_, root, marker := hostileBase(t)
	bin := filepath.Join(root, "bin")
	plantTools(t, bin, marker, "toolexec", "cc1", "as", "ld", "collect2", "pkg-config", "cc", "gcc", "gopackagesdriver")
	testkit.WriteFiles(t, root, map[string]string{
		"go.env": "GOFLAGS=-toolexec=" + filepath.Join(bin, "toolexec") + "\nGOTOOLCHAIN=auto\nCC=" + filepath.Join(bin, "cc") +
			"\nGOPACKAGESDRIVER=" + filepath.Join(bin, "gopackagesdriver") + "\n",
		"go.work": "go 1.22\n\ntoolchain go1.99.0\n\ngodebug default=go1.21\n\nuse .\n",
		"go.mod":  "module example.com/hostile\n\ngo 1.22\n\ntoolchain go1.99.0\n",
		"main.go": "package main\n\n//go:generate " + filepath.Join(bin, "toolexec") + "\n\nimport \"crypto/md5\"\n\nfunc main() { _ = md5.Sum(nil) }\n",
		// Each flag would have gcc run or load a file of the tree.
		"cgo/cgo.go":  "package cgo\n\n/*\n#cgo CFLAGS: -B" + bin + "\n#include <stdio.h>\n*/\nimport \"C\"\n",
		"cgo2/cgo.go": "package cgo2\n\n/*\n#cgo CFLAGS: -fplugin=" + filepath.Join(bin, "cc1") + "\n*/\nimport \"C\"\n",
		"cgo3/cgo.go": "package cgo3\n\n/*\n#cgo CFLAGS: -wrapper " + filepath.Join(bin, "cc") + "\n*/\nimport \"C\"\n",
		"cgo4/cgo.go": "package cgo4\n\n/*\n#cgo pkg-config: --define-prefix evil\n*/\nimport \"C\"\n",
	})
	// The tree's bin on PATH (without a go in it, which gosec would
	// refuse): the go command must not find its pkg-config or cc there.
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	o := scanHostile(t, root, "--scanners", "gosec,govulncheck")
	assertNotRun(t, marker)
	// The cgo packages cannot be loaded (refused flags, or cgo off): the
	// scan is incomplete, and main.go was still analyzed.
	if o.code != exitIncomplete {
		t.Errorf("exit %d, want %d; stderr:\n%s", o.code, exitIncomplete, o.stderr)
	}
	if !strings.Contains(o.sarif, `"G401"`) {
		t.Errorf("gosec did not analyze main.go (no G401):\n%s", o.stderr)
	}
}

// A module asking for a Go newer than the local toolchain, in go.mod or
// go.work, is an error naming it, never a toolchain download; a toolchain
// line alone changes nothing under GOTOOLCHAIN=local.
func TestHostileToolchainLines(t *testing.T) {
	testkit.SkipOnWindows(t, "sh and symlinks")
	gomodcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	dl := filepath.Join(strings.TrimSpace(string(gomodcache)), "cache", "download", "golang.org", "toolchain", "@v")
	for _, c := range []struct {
		name  string
		files map[string]string
		code  int
		want  []string
	}{
		{"go.mod go 1.99", map[string]string{"go.mod": "module example.com/h\n\ngo 1.99\n"}, exitIncomplete,
			[]string{"gosec: module example.com/h (go.mod) requires go1.99 but the local Go toolchain is", "govulncheck", "GOTOOLCHAIN=local"}},
		{"go.work go 1.99", map[string]string{"go.mod": "module example.com/h\n\ngo 1.22\n", "go.work": "go 1.99\n\nuse .\n"}, exitIncomplete,
			[]string{"go.work requires go >= 1.99", "GOTOOLCHAIN=local"}},
		{"toolchain line only", map[string]string{"go.mod": "module example.com/h\n\ngo 1.22\n\ntoolchain go1.99.0\n"}, exitPass,
			[]string{"gosec        completed", "govulncheck  completed"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, root, _ := hostileBase(t)
			c.files["main.go"] = "package main\n\nfunc main() {}\n"
			testkit.WriteFiles(t, root, c.files)
			o := scanHostile(t, root, "--scanners", "gosec,govulncheck")
			if o.code != c.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", o.code, c.code, o.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(o.stderr, w) {
					t.Errorf("summary lacks %q:\n%s", w, o.stderr)
				}
			}
			if m, _ := filepath.Glob(filepath.Join(dl, "v0.0.1-go1.99*")); len(m) > 0 {
				t.Errorf("a toolchain was downloaded: %v", m)
			}
		})
	}
}

// bandit runs Python with the scanned root as working directory; nothing
// of the tree is imported: not a sitecustomize, usercustomize or .pth
// file, not a package shadowing bandit or its plugin loader, not an entry
// point a fake distribution declares, even with the root or "." on the
// user's PYTHONPATH.
func TestHostilePythonImports(t *testing.T) {
	testkit.SkipOnWindows(t, "sh and symlinks")
	testkit.NeedBandit(t)
	python := banditPython(t)
	base, root, marker := hostileBase(t)
	touch := "open(" + pyQuote(marker) + ", 'a').write(__file__ + '\\n')\n"
	testkit.WriteFiles(t, root, map[string]string{
		"app.py":                              "import subprocess\nsubprocess.call('ls', shell=True)\n",
		"sitecustomize.py":                    touch,
		"usercustomize.py":                    touch,
		"evil.pth":                            "import os; " + touch,
		"bandit/__init__.py":                  touch,
		"bandit/__main__.py":                  touch,
		"stevedore/__init__.py":               touch,
		"pkg_resources/__init__.py":           touch,
		"importlib_metadata/__init__.py":      touch,
		"evil-1.0.dist-info/METADATA":         "Metadata-Version: 2.1\nName: evil\nVersion: 1.0\n",
		"evil-1.0.dist-info/entry_points.txt": "[bandit.plugins]\nevil = evilplugin:check\n\n[bandit.formatters]\njson = evilplugin:check\n",
		"evilplugin.py":                       touch + "def check(*a, **k):\n    pass\n",
		// bandit >= 1.7 would write its report where output says.
		".bandit": "[bandit]\noutput = " + filepath.Join(base, "written.json") + "\n",
	})
	t.Setenv("PYTHONPATH", root+string(os.PathListSeparator)+".")
	o := scanHostile(t, root, "--scanners", "bandit")
	assertNotRun(t, marker)
	if _, err := os.Stat(filepath.Join(base, "written.json")); err == nil {
		t.Error("bandit wrote the file the repository's .bandit names")
	}
	if o.code != exitPass || !strings.Contains(o.sarif, `"B602"`) {
		t.Errorf("exit %d, want bandit's B602 on app.py; stderr:\n%s", o.code, o.stderr)
	}
	if !strings.Contains(o.stderr, ".bandit sets output: not applied") {
		t.Errorf("no warning about .bandit's output key:\n%s", o.stderr)
	}

	// bandit started as `python3 -m bandit` by a wrapper (a pyenv or pipx
	// shim does so): Python would put the working directory, the root,
	// first on its path, unless told not to (PYTHONSAFEPATH).
	if python == "" {
		t.Skip("no Python 3.11 or later runs bandit here (PYTHONSAFEPATH is new in 3.11)")
	}
	wrapper := filepath.Join(base, "bandit-wrapper")
	if err := os.WriteFile(wrapper, []byte("#!/bin/sh\nexec "+python+" -m bandit \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(base, "trusted.yml")
	testkit.WriteFiles(t, base, map[string]string{"trusted.yml": "scanners:\n  bandit:\n    program: " + wrapper + "\n"})
	o = scanHostile(t, root, "--config", cfg, "--scanners", "bandit")
	assertNotRun(t, marker)
	if o.code != exitPass || !strings.Contains(o.sarif, `"B602"`) {
		t.Errorf("wrapper: exit %d, want bandit's B602 on app.py; stderr:\n%s", o.code, o.stderr)
	}
}

// banditPython is the interpreter of the installed bandit (its script's
// #! line) when it knows PYTHONSAFEPATH (3.11+), else "".
func banditPython(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("bandit")
	if err != nil {
		return ""
	}
	data := testkit.ReadFile(t, p)
	first, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(strings.TrimPrefix(first, "#!"))
	if len(fields) != 1 {
		return "" // "/usr/bin/env python3" and the like: no fixed interpreter
	}
	out, err := exec.Command(fields[0], "-I", "-c", "import sys; print(hasattr(sys.flags, 'safe_path'))").Output()
	if err != nil || strings.TrimSpace(string(out)) != "True" {
		return ""
	}
	return fields[0]
}

func pyQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "\\'") + "'" }

// The baseline at its default place is the tree's, as its ignore file is:
// one leading out of the tree is not read (exit 2, nothing of the outside
// file in any output), and a malformed one is a usage error naming it.
func TestHostileDefaultBaseline(t *testing.T) {
	for _, tc := range []struct {
		name string
		link bool
		body string
		want string
	}{
		{"link out of the tree", true, "", "baseline .scangate-baseline.json: a symbolic link to a file outside the scanned root: not read"},
		{"not JSON", false, "{\"findings\": [hostile-default-baseline-5e1d\n", ".scangate-baseline.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, root, _ := hostileBase(t)
			testkit.WriteFiles(t, root, map[string]string{"main.go": "package main\n\nfunc main() {}\n", "go.mod": "module example.com/b\n\ngo 1.22\n"})
			testkit.WriteFiles(t, base, map[string]string{"outside.json": `{"version": 1, "findings": [{"tool": "gosec", "rule": "G101", "path": "hostile-default-baseline-5e1d", "fingerprint": "0123456789abcdef"}]}`})
			if tc.link {
				if err := os.Symlink(filepath.Join(base, "outside.json"), filepath.Join(root, ".scangate-baseline.json")); err != nil {
					t.Fatal(err)
				}
			} else {
				testkit.WriteFiles(t, root, map[string]string{".scangate-baseline.json": tc.body})
			}
			o := scanHostile(t, root, "--scanners", "gosec")
			if o.code != exitUsage || !strings.Contains(o.stderr, tc.want) {
				t.Errorf("exit %d, want %d and %q:\n%s", o.code, exitUsage, tc.want, o.stderr)
			}
			if tc.link {
				o.each(func(name, text string) {
					if strings.Contains(text, "hostile-default-baseline-5e1d") || strings.Contains(text, base+"/outside") {
						t.Errorf("%s holds the outside file's content or path", name)
					}
				})
			}
		})
	}
}
