package gitrev

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/gitrev/gitrevtest"
	"github.com/scangate/scangate/internal/testkit"
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
		testkit.Script(t, filepath.Join(repo, name), body)
	}
	testkit.Symlink(t, "a/b/main.go", filepath.Join(repo, "link"))
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

// commitFiles commits files on top of HEAD (or as the first commit) and
// returns the commit id.
func commitFiles(t *testing.T, repo string, files map[string]string) string {
	t.Helper()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitT(t, repo, "", "add", "-A")
	gitT(t, repo, "", "commit", "-q", "-m", "c")
	return gitT(t, repo, "", "rev-parse", "HEAD")
}

// A promisor remote whose transport is the repository's own alias (a
// remote helper "evil" allowed by protocol.evil.allow=always, which beats
// protocol.allow=never), and a missing object: a git that ignores
// GIT_NO_LAZY_FETCH fetches it by running the alias. scangate's git runs
// nothing of the repository's configuration: the export fails on the
// missing object and the alias never runs. MergeBase refuses such a
// repository outright, for promisor=true alone and for a
// partialclonefilter alone.
func TestPromisorRemoteNeverRuns(t *testing.T) {
	repo := newRepo(t)
	marks := t.TempDir()
	base := commitFiles(t, repo, map[string]string{"a.txt": "base\n"})
	commitFiles(t, repo, map[string]string{"a.txt": "head\n"})
	blob := gitT(t, repo, "", "rev-parse", base+":a.txt")
	if err := os.Remove(filepath.Join(repo, ".git", "objects", blob[:2], blob[2:])); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(marks, "alias-ran")
	for _, kv := range [][2]string{
		{"remote.origin.url", "evil::x"},
		{"remote.origin.promisor", "true"},
		{"protocol.evil.allow", "always"},
		{"alias.remote-evil", "!touch " + marker + "; false"},
	} {
		gitT(t, repo, "", "config", kv[0], kv[1])
	}
	real := gitrevtest.OldGit(t)

	err := (Repo{Root: repo}).Export(context.Background(), base, filepath.Join(t.TempDir(), "out"))
	if err == nil {
		t.Error("export of a commit with a missing blob succeeded")
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the repository's alias ran as a remote helper")
	}
	_, err = (Repo{Root: repo}).MergeBase(context.Background(), "HEAD~1")
	if err == nil || !strings.Contains(err.Error(), "promisor remote") {
		t.Errorf("promisor=true: %v, want a refusal", err)
	}
	gitT(t, repo, "", "config", "--unset", "remote.origin.promisor")
	gitT(t, repo, "", "config", "remote.origin.partialclonefilter", "blob:none")
	_, err = (Repo{Root: repo}).MergeBase(context.Background(), "HEAD~1")
	if err == nil || !strings.Contains(err.Error(), "promisor remote") {
		t.Errorf("partialclonefilter alone: %v, want a refusal", err)
	}
	gitT(t, repo, "", "config", "--unset", "remote.origin.partialclonefilter")
	gitT(t, repo, "", "config", "core.repositoryformatversion", "1")
	gitT(t, repo, "", "config", "extensions.partialClone", "origin")
	_, err = (Repo{Root: repo}).MergeBase(context.Background(), "HEAD~1")
	if err == nil || !strings.Contains(err.Error(), "partial clone") {
		t.Errorf("extensions.partialClone: %v, want a refusal", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the repository's alias ran as a remote helper")
	}

	// Control: the stand-in, asked as scangate used to ask (GIT_NO_LAZY_FETCH
	// and protocol.allow=never), runs the alias.
	cmd := exec.Command("git", "-c", "protocol.allow=never", "cat-file", "--batch")
	cmd.Dir = repo
	cmd.Stdin = strings.NewReader(blob + "\n")
	cmd.Env = append(os.Environ(), "GIT_NO_LAZY_FETCH=1")
	out, _ := cmd.CombinedOutput()
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("control: the stand-in git (%s wrapped) did not run the alias; the test proves nothing:\n%s", real, out)
	}
}

// Replace refs and grafts would let the repository say the base commit
// has the head's tree (or that HEAD's parent is such a commit): the base
// would then hold every finding of the change, and none would be new.
// Neither is read: the export is the base's own tree, HEAD~1 its own
// parent. Plain git, the control, believes both.
func TestReplaceAndGraftsIgnored(t *testing.T) {
	repo := newRepo(t)
	base := commitFiles(t, repo, map[string]string{"a.txt": "base\n"})
	head := commitFiles(t, repo, map[string]string{"a.txt": "head\n"})
	fake := gitT(t, repo, "", "commit-tree", head+"^{tree}", "-p", base, "-m", "fake")
	gitT(t, repo, "", "replace", base, fake)
	if err := os.WriteFile(filepath.Join(repo, ".git", "info", "grafts"), []byte(head+" "+fake+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := gitT(t, repo, "", "rev-parse", "HEAD~1"); got != fake {
		t.Fatalf("control: plain git's HEAD~1 is %s, want the graft's %s", got, fake)
	}
	if got := gitT(t, repo, "", "cat-file", "-p", base+":a.txt"); got != "head" {
		t.Fatalf("control: plain git reads %q for the replaced base, want the head's", got)
	}

	r := Repo{Root: repo}
	mb, err := r.MergeBase(context.Background(), "HEAD~1")
	if err != nil || mb.Commit != base {
		t.Fatalf("merge-base of HEAD~1: %+v, %v; want %s", mb, err, base)
	}
	dst := filepath.Join(t.TempDir(), "out")
	if err := r.Export(context.Background(), base, dst); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "a.txt")); err != nil || string(b) != "base\n" {
		t.Errorf("exported base: %q, %v; want its own blob", b, err)
	}
}

// .git/config includes a file outside the repository, whose first line git
// quotes in its errors ("key does not contain a section: …"). git never
// reads the repository's config, and no error carries git's stderr.
func TestIncludedConfigNeverQuoted(t *testing.T) {
	const marker = "leakmarkinc7q"
	repo := newRepo(t)
	commitFiles(t, repo, map[string]string{"a.txt": "a\n"})
	outside := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(outside, []byte(marker+" = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	gitT(t, repo, "", "config", "include.path", outside)
	cmd := exec.Command("git", "rev-parse", "--verify", "no-such-rev")
	cmd.Dir = repo
	if out, _ := cmd.CombinedOutput(); !strings.Contains(string(out), marker) {
		t.Fatalf("control: plain git does not quote the included file:\n%s", out)
	}
	r := Repo{Root: repo}
	for _, tc := range []struct {
		name string
		err  func() error
	}{
		{"unknown revision", func() error { _, err := r.MergeBase(context.Background(), "no-such-rev"); return err }},
		{"missing commit", func() error {
			return r.Export(context.Background(), strings.Repeat("1", 40), filepath.Join(t.TempDir(), "out"))
		}},
		{"bad object", func() error { _, err := r.git(context.Background(), "cat-file", "-t", "no-such-rev"); return err }},
	} {
		err := tc.err()
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if strings.Contains(err.Error(), marker) {
			t.Errorf("%s: the error quotes the included file: %v", tc.name, err)
		}
		if !strings.Contains(err.Error(), "git ") && !strings.Contains(err.Error(), "revision") {
			t.Errorf("%s: the error names neither the command nor the revision: %v", tc.name, err)
		}
	}
}
