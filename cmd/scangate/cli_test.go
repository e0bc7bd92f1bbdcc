package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
)

// runCLI runs the command as main does and returns exit code and output.
//
// Scans that are not offline run offline against the example database:
// online, govulncheck and osv-scanner query the public databases, which
// tests cannot reach, and a scan with incomplete scanners is not the scan
// these tests mean to make.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	args = offlineByDefault(args)
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file.txt")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"missing path", []string{"scan", filepath.Join(dir, "nope")}, "does not exist"},
		{"file path", []string{"scan", file}, "is a file, not a directory"},
		{"unknown scanner", []string{"scan", "--scanners", "gosec,trivy", dir}, `unknown scanner "trivy"`},
		{"bad fail-on", []string{"scan", "--fail-on", "severe", dir}, `invalid threshold "severe"`},
		{"output dir missing", []string{"scan", "--sarif", filepath.Join(dir, "no", "out.sarif"), dir}, "does not exist"},
		{"two stdouts", []string{"scan", "--sarif", "-", "--json", "-", dir}, "only one of"},
		{"two stdouts, GitLab and JUnit", []string{"scan", "--gitlab-sast", "-", "--junit", "-", dir}, "only one of"},
		{"JUnit dir missing", []string{"scan", "--junit", filepath.Join(dir, "no", "junit.xml"), dir}, "does not exist"},
		{"unknown flag", []string{"scan", "--frobnicate", dir}, "unknown flag: --frobnicate"},
		{"too many args", []string{"scan", dir, dir}, "accepts at most 1 arg"},
		{"unknown command", []string{"scna"}, `unknown command "scna"`},
	} {
		code, _, stderr := runCLI(t, tc.args...)
		if code != exitUsage {
			t.Errorf("%s: exit %d, want %d; stderr: %s", tc.name, code, exitUsage, stderr)
		}
		if !strings.Contains(stderr, tc.want) || (tc.name != "unknown command" && strings.Count(strings.TrimSpace(stderr), "\n") > 1) {
			t.Errorf("%s: want one clear line containing %q, got:\n%s", tc.name, tc.want, stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(out, "scangate ") || !strings.Contains(out, "go-sarif") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestHelpExplains(t *testing.T) {
	code, out, _ := runCLI(t, "scan", "--help")
	testkit.ContainsAll(t, "scan --help", out, "Exit codes:", "--fail-on", "--sarif FILE", "Examples:")
	if code != 0 {
		t.Errorf("help exit %d", code)
	}
}

func offlineByDefault(args []string) []string {
	n := 0
	switch {
	case len(args) > 0 && args[0] == "scan":
		n = 1
	case len(args) > 1 && args[0] == "baseline" && args[1] == "create":
		n = 2
	default:
		return args
	}
	for _, a := range args {
		if a == "--offline" || a == "--help" || a == "--db" {
			return args
		}
	}
	db, _ := filepath.Abs("../../examples/vulndb")
	return append(append(append([]string{}, args[:n]...), "--offline", "--db", db), args[n:]...)
}

// `scangate version` lists every adapter once, each embedded one with the
// version it reports in its results (scanner.Versioner).
func TestVersionListsEveryAdapter(t *testing.T) {
	t.Parallel()
	code, out, _ := runCLI(t, "version")
	if code != 0 {
		t.Fatalf("version: exit %d", code)
	}
	for _, s := range config.Default(".").Build(nil) {
		want := "external: run when installed"
		if v, ok := s.(scanner.Versioner); ok {
			want = v.Version()
		}
		if line := fmt.Sprintf("  %-12s %s\n", s.Name(), want); strings.Count(out, line) != 1 {
			t.Errorf("version output lacks %q:\n%s", line, out)
		}
	}
}

// Issue 28, point 9: usage errors exit 2 (the README's table) and name the
// near miss: hook install or uninstall outside a git repository, and a
// misspelt scanner.
func TestUsageErrorsOfANewUser(t *testing.T) {
	t.Chdir(t.TempDir()) // no repository here or above
	for _, args := range [][]string{{"hook", "install"}, {"hook", "uninstall"}} {
		if code, _, stderr := runCLI(t, args...); code != exitUsage || !strings.Contains(stderr, "not in a git repository") {
			t.Errorf("%v outside a repository: exit %d, want %d\n%s", args, code, exitUsage, stderr)
		}
	}
	code, _, stderr := runCLI(t, "scan", "--scanners", "bandits", ".")
	if code != exitUsage || !strings.Contains(stderr, `unknown scanner "bandits" in --scanners (did you mean "bandit"?)`) {
		t.Errorf("--scanners bandits: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "scan", "--scanners", "trivy", "."); code != exitUsage || strings.Contains(stderr, "did you mean") {
		t.Errorf("--scanners trivy: exit %d, no near miss to suggest\n%s", code, stderr)
	}
}
