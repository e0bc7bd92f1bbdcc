package gitrev

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func gitT(t *testing.T, dir, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

func newRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	gitT(t, dir, "", "init", "-q")
	return dir
}

// The export holds the blobs' own bytes (no end-of-line conversion, no
// filter), links with their targets, files never executable, an empty
// directory per submodule.
func TestExportRawBlobs(t *testing.T) {
	repo := newRepo(t)
	files := map[string]string{
		".gitattributes": "* text eol=crlf\n*.go filter=x\n",
		"a/b/main.go":    "package main\n\nfunc main() {}\n",
		"run.sh":         "#!/bin/sh\necho hi\n",
	}
	for name, body := range files {
		p := filepath.Join(repo, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("a/b/main.go", filepath.Join(repo, "link")); err != nil {
		t.Fatal(err)
	}
	gitT(t, repo, "", "add", "-A")
	tree := gitT(t, repo, "", "write-tree")
	// A submodule entry, as a checkout without submodules has it.
	ls := gitT(t, repo, "", "ls-tree", tree)
	sub := gitT(t, repo, "", "commit-tree", tree, "-m", "sub")
	tree = gitT(t, repo, ls+"\n160000 commit "+sub+"\tmod\n", "mktree")
	commit := gitT(t, repo, "", "commit-tree", tree, "-m", "base")

	dst := filepath.Join(t.TempDir(), "out")
	if err := (Repo{Root: repo}).Export(context.Background(), commit, dst); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		b, err := os.ReadFile(filepath.Join(dst, name))
		if err != nil || string(b) != body {
			t.Errorf("%s: %q, %v; want %q", name, b, err, body)
		}
		if fi, err := os.Stat(filepath.Join(dst, name)); err != nil || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, want 0644", name, fi.Mode())
		}
	}
	if target, err := os.Readlink(filepath.Join(dst, "link")); err != nil || target != "a/b/main.go" {
		t.Errorf("link: %q, %v", target, err)
	}
	if fi, err := os.Stat(filepath.Join(dst, "mod")); err != nil || !fi.IsDir() {
		t.Errorf("submodule: %v", err)
	}
	if err := (Repo{Root: repo}).Export(context.Background(), commit, dst); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("export into a non-empty directory: %v", err)
	}
}

// A crafted tree (".git", "..", a path through a link) is refused, and
// nothing is written outside the destination.
func TestExportRefusesCraftedTrees(t *testing.T) {
	repo := newRepo(t)
	blob := gitT(t, repo, "hooked\n", "hash-object", "-w", "--stdin")
	hooks := gitT(t, repo, "100644 blob "+blob+"\tpost-checkout\n", "mktree")
	for name, entries := range map[string]string{
		".git": "040000 tree " + hooks + "\t.git\n",
		".GIT": "040000 tree " + hooks + "\t.GIT\n",
		"..":   "040000 tree " + hooks + "\t..\n",
	} {
		tree := gitT(t, repo, entries, "mktree")
		commit := gitT(t, repo, "", "commit-tree", tree, "-m", name)
		dst := filepath.Join(t.TempDir(), "out")
		err := (Repo{Root: repo}).Export(context.Background(), commit, dst)
		if err == nil || !strings.Contains(err.Error(), "invalid path") {
			t.Errorf("%s: %v, want invalid path", name, err)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(dst), "post-checkout")); err == nil {
			t.Errorf("%s: written outside the destination", name)
		}
	}
}

// Place: the stable directory for one scan at a time; a second concurrent
// scan of the same commit, or a stable directory inside the repository,
// gets a temporary one. release removes the tree.
func TestPlace(t *testing.T) {
	repo := t.TempDir()
	stable := filepath.Join(t.TempDir(), "cache-base")
	d1, rel1, err := Place(stable, "abc", repo)
	if err != nil || d1 != filepath.Join(stable, "abc") {
		t.Fatalf("first: %q, %v", d1, err)
	}
	os.MkdirAll(d1, 0o755)
	d2, rel2, err := Place(stable, "abc", repo)
	if err != nil || d2 == d1 || strings.HasPrefix(d2, stable) {
		t.Fatalf("second, concurrent: %q, %v; want a temporary directory", d2, err)
	}
	rel2()
	if _, err := os.Stat(d2); err == nil {
		t.Errorf("release left %s", d2)
	}
	rel1()
	if _, err := os.Stat(d1); err == nil {
		t.Errorf("release left %s", d1)
	}
	d3, rel3, err := Place(stable, "abc", repo)
	if err != nil || d3 != d1 {
		t.Errorf("after release: %q, %v; want the stable directory again", d3, err)
	}
	rel3()
	inside := filepath.Join(repo, ".cache-base")
	d4, rel4, err := Place(inside, "abc", repo)
	if err != nil || strings.HasPrefix(d4, repo) {
		t.Errorf("stable inside the repository: %q, %v", d4, err)
	}
	rel4()
}
