package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
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
