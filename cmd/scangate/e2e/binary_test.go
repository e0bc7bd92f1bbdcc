package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/report/reporttest"
	"github.com/scangate/scangate/scanners/govulncheck"
)

// The built binaries, as installed: scangate runs govulncheck in the small
// companion beside it; without the companion, or beside a file it cannot
// vouch for, it runs govulncheck in itself, says why, and finds the same.
func TestBuiltBinaryUsesGovulncheckCompanion(t *testing.T) {
	skipShort(t)
	t.Parallel()
	bin := scangateBinary(t)
	companion := filepath.Join(filepath.Dir(bin), govulncheck.Companion)
	scan := func(wantChild, wantWarning string) []reporttest.Hit {
		t.Helper()
		sarifPath := filepath.Join(t.TempDir(), "x.sarif")
		cmd := exec.Command(bin, "scan", "--scanners", "govulncheck", "--offline", "--db", "../../../examples/vulndb",
			"--sarif", sarifPath, "../../../examples/project")
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFail {
			t.Fatalf("exit %v, want %d\n%s", err, exitFail, out)
		}
		if !strings.Contains(string(out), "govulncheck: child process: "+wantChild+"\n") {
			t.Errorf("want the child %s:\n%s", wantChild, out)
		}
		if wantWarning != "" && !strings.Contains(string(out), wantWarning) {
			t.Errorf("want the warning %q:\n%s", wantWarning, out)
		}
		if wantWarning == "" && strings.Contains(string(out), "beside scangate is not used") {
			t.Errorf("want no warning about the companion:\n%s", out)
		}
		return reporttest.SARIF(t, sarifPath)
	}
	rules := func(hits []reporttest.Hit) []string {
		var r []string
		for _, h := range hits {
			r = append(r, h.Rule+" "+h.Props["reachability"].(string))
		}
		slices.Sort(r)
		return r
	}

	// By hand, the companion says what it is for and refuses.
	out, err := exec.Command(companion, "./...").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitUsage || !strings.Contains(string(out), "run `scangate scan` instead") {
		t.Errorf("%s by hand: %v\n%s", govulncheck.Companion, err, out)
	}

	with := rules(scan(govulncheck.Companion, ""))
	if want := []string{"GO-2021-0113 called", "GO-2022-1059 imported", "GO-2023-2402 required"}; !slices.Equal(with, want) {
		t.Fatalf("with the companion: %v, want %v", with, want)
	}
	// A file of that name that is no Go program is not run.
	testkit.Script(t, companion, "#!/bin/sh\nexit 0\n")
	if got := rules(scan("scangate", "scangate-govulncheck beside scangate is not used: not a Go program")); !slices.Equal(got, with) {
		t.Errorf("beside a foreign file: %v, want %v", got, with)
	}
	if err := os.Remove(companion); err != nil {
		t.Fatal(err)
	}
	if got := rules(scan("scangate", "")); !slices.Equal(got, with) {
		t.Errorf("without the companion: %v, want %v", got, with)
	}
}

// gitEnv isolates git from the machine's configuration (a global
// core.hooksPath would change where hooks go) and names the committer. Go
// keeps its caches, which would otherwise move with HOME.
func gitEnv(t *testing.T) []string {
	t.Helper()
	home := t.TempDir()
	goenv, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	dirs := strings.Fields(string(goenv))
	return append(os.Environ(),
		"GOCACHE="+dirs[0], "GOMODCACHE="+dirs[1], "GOPATH="+dirs[2],
		"HOME="+home, "XDG_CONFIG_HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+filepath.Join(home, "gitconfig"),
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
		"SCANGATE_SKIP=", "SCANGATE=")
}

type gitRepo struct {
	t   *testing.T
	dir string
	env []string
}

// run runs a program in the repository and returns its combined output
// and whether it exited 0.
func (r *gitRepo) run(extraEnv []string, prog string, args ...string) (string, bool) {
	r.t.Helper()
	cmd := exec.Command(prog, args...)
	cmd.Dir = r.dir
	cmd.Env = append(slices.Clone(r.env), extraEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			r.t.Fatalf("%s %v: %v", prog, args, err)
		}
	}
	return string(out), err == nil
}

func (r *gitRepo) git(args ...string) string {
	r.t.Helper()
	out, ok := r.run(nil, "git", args...)
	if !ok {
		r.t.Fatalf("git %v:\n%s", args, out)
	}
	return strings.TrimSpace(out)
}

func (r *gitRepo) write(name, content string) {
	r.t.Helper()
	if err := os.WriteFile(filepath.Join(r.dir, name), []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func newRepoWithRemote(t *testing.T) (*gitRepo, string) {
	t.Helper()
	base := t.TempDir()
	remote := filepath.Join(base, "remote.git")
	r := &gitRepo{t: t, dir: filepath.Join(base, "work"), env: gitEnv(t)}
	if out, err := exec.Command("git", "init", "-q", "--bare", remote).CombinedOutput(); err != nil {
		t.Fatalf("git init --bare: %v\n%s", err, out)
	}
	if err := os.Mkdir(r.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r.git("init", "-q", "-b", "main")
	r.git("remote", "add", "origin", remote)
	return r, remote
}

const (
	cleanMain = "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n"
	// G101: a hard-coded credential, high severity: over the default threshold.
	leakyMain = "package main\n\nimport \"fmt\"\n\nconst apiToken = \"f62e5bcda4fae4f82370da0c6f20697b8f8447ef\"\n\nfunc main() { fmt.Println(\"hello\", apiToken) }\n"
)

// TestHookBlocksAPushWithAFinding is the real thing: a repository with a
// bare remote, the hook installed by the built binary, a commit that adds
// a gosec finding over the threshold, and git push refused, then accepted
// after the fix; a foreign hook is left alone throughout.
func TestHookBlocksAPushWithAFinding(t *testing.T) {
	skipShort(t)
	t.Parallel()
	bin := scangateBinary(t)
	r, remote := newRepoWithRemote(t)
	r.write("go.mod", "module example.com/hooked\n\ngo 1.26\n")
	r.write("main.go", cleanMain)
	r.git("add", ".")
	r.git("commit", "-q", "-m", "clean")

	hooks := filepath.Join(r.dir, ".git", "hooks")
	foreign := "#!/bin/sh\n# the team's own pre-commit hook\nexit 0\n"
	testkit.Script(t, filepath.Join(hooks, "pre-commit"), foreign)
	out, ok := r.run(nil, bin, "hook", "install", "--", "--scanners", "gosec", "--timeout", "5m")
	if !ok || !strings.Contains(out, "installed pre-push hook") {
		t.Fatalf("install: %s", out)
	}
	out, ok = r.run(nil, bin, "hook", "install", "--pre-commit")
	if ok || !strings.Contains(out, "was not written by scangate; it is left untouched") || !strings.Contains(out, "scangate hook run pre-commit -- \"$@\" || exit 1") {
		t.Errorf("install over a foreign hook: ok=%v\n%s", ok, out)
	}

	// A clean push goes through.
	if out, ok := r.run(nil, "git", "push", "-q", "origin", "main"); !ok {
		t.Fatalf("clean push refused:\n%s", out)
	}
	pushed := r.git("rev-parse", "HEAD")

	// A finding over the threshold blocks the push.
	r.write("main.go", leakyMain)
	r.git("commit", "-q", "-am", "add a token")
	out, ok = r.run(nil, "git", "push", "origin", "main")
	if ok {
		t.Fatalf("push with a G101 finding accepted:\n%s", out)
	}
	testkit.ContainsAll(t, "hook output", out, "Verdict: FAIL", "G101", "main.go:5", "Full report: scangate scan --scanners gosec --timeout 5m", "push blocked", "SCANGATE_SKIP=1")
	if got := remoteHead(t, remote); got != pushed {
		t.Errorf("the remote moved to %s", got)
	}
	// Both ways to skip, without pushing.
	if out, ok := r.run([]string{"SCANGATE_SKIP=1"}, "git", "push", "--dry-run", "origin", "main"); !ok || !strings.Contains(out, "SCANGATE_SKIP=1, not scanning") {
		t.Errorf("SCANGATE_SKIP=1: ok=%v\n%s", ok, out)
	}
	if out, ok := r.run(nil, "git", "push", "--dry-run", "--no-verify", "origin", "main"); !ok || strings.Contains(out, "Verdict") {
		t.Errorf("--no-verify: ok=%v\n%s", ok, out)
	}

	// The fix goes through.
	r.write("main.go", cleanMain)
	r.git("commit", "-q", "-am", "remove the token")
	if out, ok := r.run(nil, "git", "push", "origin", "main"); !ok {
		t.Fatalf("push after the fix refused:\n%s", out)
	}
	if got := remoteHead(t, remote); got != r.git("rev-parse", "HEAD") {
		t.Errorf("the remote is at %s after the push", got)
	}

	// Uninstall removes our hook only.
	out, ok = r.run(nil, bin, "hook", "uninstall", "--pre-commit")
	if ok || !strings.Contains(out, "left untouched") {
		t.Errorf("uninstall of a foreign hook: ok=%v\n%s", ok, out)
	}
	if out, ok := r.run(nil, bin, "hook", "uninstall"); !ok || !strings.Contains(out, "removed") {
		t.Errorf("uninstall: %s", out)
	}
	if _, err := os.Stat(filepath.Join(hooks, "pre-push")); !os.IsNotExist(err) {
		t.Errorf("pre-push still there: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(hooks, "pre-commit")); err != nil || string(b) != foreign {
		t.Errorf("the foreign hook changed: %q, %v", b, err)
	}
}

func remoteHead(t *testing.T, remote string) string {
	t.Helper()
	out, err := exec.Command("git", "--git-dir", remote, "rev-parse", "main").CombinedOutput()
	if err != nil {
		t.Fatalf("remote: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}
