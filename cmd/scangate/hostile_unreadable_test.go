package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/noperm"
	"github.com/scangate/scangate/internal/testkit"
)

// unreadableScan is one scan by the scangate binary (the test binary run
// as scangate) where permission bits bind, as root too.
type unreadableScan struct {
	code   int
	stderr string
	json   string
	tools  map[string]unreadableTool
}

type unreadableTool struct {
	State    string `json:"state"`
	Findings []struct {
		RuleID   string `json:"ruleId"`
		Location struct {
			Path string `json:"path"`
		} `json:"location"`
	} `json:"findings"`
}

// has reports whether the tool found rule in path.
func (u unreadableTool) has(rule, path string) bool {
	for _, f := range u.Findings {
		if f.RuleID == rule && f.Location.Path == path {
			return true
		}
	}
	return false
}

func scanUnreadable(t *testing.T, env []string, root string, args ...string) unreadableScan {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	db, err := filepath.Abs("../../examples/vulndb")
	if err != nil {
		t.Fatal(err)
	}
	jsonOut := filepath.Join(t.TempDir(), "r.json")
	all := append([]string{"scan", "--offline", "--db", db, "--no-cache", "--json", jsonOut}, args...)
	cmd := noperm.Command(t, self, append(all, root)...)
	cmd.Env = append(append(os.Environ(), "SCANGATE_TEST_AS_CLI=1"), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	s := unreadableScan{code: cmd.ProcessState.ExitCode(), stderr: stderr.String()}
	b, err := os.ReadFile(jsonOut)
	if err != nil {
		t.Fatalf("no JSON report (exit %d): %v\n%s", s.code, err, s.stderr)
	}
	s.json = string(b)
	var doc struct {
		Tools []struct {
			Tool string `json:"tool"`
			unreadableTool
		} `json:"tools"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	s.tools = map[string]unreadableTool{}
	for _, x := range doc.Tools {
		s.tools[x.Tool] = x.unreadableTool
	}
	return s
}

// Unreadable is never clean (docs/security.md). A folder the scanning user
// cannot read makes every scanner that walks the tree incomplete (exit 3),
// the folder named relative to the root, while what could be read is still
// scanned and reported: the Go module around the folder (listed around
// it, since ./... would fail as a whole), its vendored dependencies, the
// requirements file. Excluded, the folder is not read at all and the scan
// completes. A root that cannot be read is incomplete too, bandit absent.
// The scans run without the power to read past permission bits, as root
// too (CI runs as root).
func TestHostileUnreadable(t *testing.T) {
	root := testkit.TempCopy(t, "../../examples/project")
	testkit.WriteFiles(t, root, map[string]string{
		"secret/secret.go":         "package secret\n",
		"secret/requirements.txt":  "requests==2.19.0\n",
		"secret/app.py":            "import pickle\n",
		"zz/go.mod":                "module example.com/zz\n\ngo 1.22\n",
		"zz/zz.go":                 "package zz\n\nimport \"crypto/md5\"\n\nvar H = md5.New()\n",
		"zz/requirements-zz.txt":   "requests==2.25.0\n",
		"py/app.py":                "import pickle\npickle.loads(b\"\")\n",
		"legacy/secret/go.mod":     "module example.com/legacy\n",
		"legacy/secret/legacy.go":  "package legacy\n",
		"legacy/requirements.txt":  "requests==2.25.0\n",
		"legacy/secret/README.txt": "",
	})
	noperm.Deny(t, filepath.Join(root, "secret"))
	noperm.Deny(t, filepath.Join(root, "legacy", "secret"))
	_, banditErr := exec.LookPath("bandit")
	walkers := []string{"gosec", "govulncheck", "osv-scanner"}
	if banditErr == nil {
		walkers = append(walkers, "bandit")
	}

	t.Run("subtree", func(t *testing.T) {
		s := scanUnreadable(t, nil, root, "--fail-on", "none")
		if s.code != exitIncomplete {
			t.Fatalf("exit %d, want %d (incomplete)\n%s", s.code, exitIncomplete, s.stderr)
		}
		for _, tool := range walkers {
			for _, dir := range []string{"legacy/secret", "secret"} {
				want := "error: " + tool + ": " + dir + " cannot be read (permission denied): nothing in it was scanned"
				if !strings.Contains(s.stderr, want) {
					t.Errorf("summary lacks %q:\n%s", want, s.stderr)
				}
			}
			if st := s.tools[tool].State; st != "incomplete" {
				t.Errorf("%s: %s, want incomplete", tool, st)
			}
		}
		// What could be read is reported: the module around the folder,
		// the module and the lockfile walked after it.
		for _, c := range []struct{ tool, rule, path string }{
			{"gosec", "G401", "zz/zz.go"},
			{"govulncheck", "GO-2021-0113", "main.go"},
			{"osv-scanner", "PYSEC-2023-74", "requirements.txt"},
		} {
			if !s.tools[c.tool].has(c.rule, c.path) {
				t.Errorf("%s: no %s in %s: %+v", c.tool, c.rule, c.path, s.tools[c.tool].Findings)
			}
		}
		if len(s.tools["gosec"].Findings) == 0 || !s.tools["gosec"].has("G204", "main.go") {
			t.Errorf("gosec did not analyze the module around the folder: %+v", s.tools["gosec"].Findings)
		}
		if banditErr == nil && !s.tools["bandit"].has("B301", "py/app.py") {
			t.Errorf("bandit: %+v", s.tools["bandit"].Findings)
		}
		for _, out := range []string{s.stderr, s.json} {
			if strings.Contains(out, root+string(filepath.Separator)) {
				t.Errorf("a machine path in the output:\n%s", excerpt(out, root))
			}
		}
	})

	t.Run("excluded", func(t *testing.T) {
		s := scanUnreadable(t, nil, root, "--fail-on", "none", "--exclude", "secret")
		if s.code != exitPass {
			t.Fatalf("exit %d, want %d: an excluded folder is not read\n%s", s.code, exitPass, s.stderr)
		}
		for _, tool := range walkers {
			if st := s.tools[tool].State; st != "completed" {
				t.Errorf("%s: %s, want completed", tool, st)
			}
		}
		if strings.Contains(s.stderr, "cannot be read") || strings.Contains(s.stderr, "permission denied") {
			t.Errorf("an excluded folder was read:\n%s", s.stderr)
		}
		if !s.tools["govulncheck"].has("GO-2021-0113", "main.go") || !s.tools["gosec"].has("G401", "zz/zz.go") {
			t.Errorf("findings lost with the folder excluded:\n%s", s.stderr)
		}
	})

	t.Run("root", func(t *testing.T) {
		// bandit absent: the go command is all the scan finds on PATH.
		bin := t.TempDir()
		goCmd, err := exec.LookPath("go")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(goCmd, filepath.Join(bin, "go")); err != nil {
			t.Fatal(err)
		}
		noperm.Deny(t, root)
		s := scanUnreadable(t, []string{"PATH=" + bin}, root)
		if s.code != exitIncomplete {
			t.Fatalf("exit %d, want %d (incomplete)\n%s", s.code, exitIncomplete, s.stderr)
		}
		for _, tool := range []string{"gosec", "govulncheck", "osv-scanner"} {
			if want := "error: " + tool + ": the scanned root (.) cannot be read (permission denied): nothing was scanned"; !strings.Contains(s.stderr, want) {
				t.Errorf("summary lacks %q:\n%s", want, s.stderr)
			}
		}
		if !strings.Contains(s.stderr, "bandit is not installed") || strings.Contains(s.stderr, "nothing to scan here") {
			t.Errorf("summary:\n%s", s.stderr)
		}
	})
}
