package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
)

// TestHookInstallRespectsHooksPath runs install and uninstall in-process
// (run, as main does) in a repository whose core.hooksPath is set.
func TestHookInstallRespectsHooksPath(t *testing.T) {
	// The hook's git, in-process, apart from the machine's configuration.
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	dir := t.TempDir()
	testkit.Git(t, dir, "init", "-q")
	testkit.Git(t, dir, "config", "core.hooksPath", "team-hooks")
	t.Chdir(dir)
	code, _, stderr := runCLI(t, "hook", "install", "--pre-commit", "--", "--fail-on", "medium")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	path := filepath.Join(dir, "team-hooks", "pre-commit")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no hook in core.hooksPath: %v\n%s", err, stderr)
	}
	st, _ := os.Stat(path)
	if st.Mode()&0o111 == 0 || !bytes.Contains(b, []byte(hookMarker+"pre-commit")) ||
		!bytes.Contains(b, []byte("hook run pre-commit --fail-on medium -- \"$@\"")) {
		t.Errorf("hook %v:\n%s", st.Mode(), b)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git", "hooks", "pre-commit")); err == nil {
		t.Error("also wrote into .git/hooks")
	}
	// Installing again updates our own hook.
	if code, _, stderr := runCLI(t, "hook", "install", "--pre-commit"); code != 0 || !strings.Contains(stderr, "updated pre-commit hook") {
		t.Errorf("reinstall: exit %d\n%s", code, stderr)
	}
	// A typo in the scan flags fails at install time, not at every commit.
	for _, bad := range [][]string{{"--fail-on", "severe"}, {"--scanners", "trivy"}, {"--frobnicate"}, {"sub/dir"}} {
		code, _, stderr := runCLI(t, append([]string{"hook", "install", "--"}, bad...)...)
		if code != exitUsage || !strings.Contains(stderr, "scan flags for the hook") {
			t.Errorf("install -- %v: exit %d\n%s", bad, code, stderr)
		}
	}
	if code, _, stderr := runCLI(t, "hook", "uninstall", "--pre-commit"); code != 0 || !strings.Contains(stderr, "removed") {
		t.Errorf("uninstall: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "hook", "uninstall", "--pre-commit"); code != 0 || !strings.Contains(stderr, "nothing to remove") {
		t.Errorf("uninstall twice: exit %d\n%s", code, stderr)
	}
}

func TestOnlyDeletes(t *testing.T) {
	zero := strings.Repeat("0", 40)
	sha := strings.Repeat("a", 40)
	for in, want := range map[string]bool{
		"": false,
		"refs/heads/x " + zero + " refs/heads/x " + sha + "\n":                                                     true,
		"refs/heads/x " + zero + " refs/heads/x " + sha + "\nrefs/heads/y " + sha + " refs/heads/y " + zero + "\n": false,
		"refs/heads/y " + sha + " refs/heads/y " + zero + "\n":                                                     false,
	} {
		if got := onlyDeletes(strings.NewReader(in)); got != want {
			t.Errorf("onlyDeletes(%q) = %v", in, got)
		}
	}
}
