// Package testkit holds the helpers the project's tests share: writing and
// copying file trees, programs and environments for the children tests
// run, git for a test's own setup, the modules fixtures require, and
// checks of what a text holds. Only tests import it.
package testkit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// WriteFiles writes files (slash-separated names relative to root, and
// their contents) with WriteFile.
func WriteFiles(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		WriteFile(t, filepath.Join(root, filepath.FromSlash(name)), body)
	}
}

// Write writes content to root/rel with WriteFile.
func Write(t testing.TB, root, rel, content string) {
	t.Helper()
	WriteFile(t, filepath.Join(root, rel), content)
}

// WriteFile writes a file, creating the directories it needs; a name
// ending in .sh is written executable.
func WriteFile(t testing.TB, path, content string) {
	t.Helper()
	Mkdir(t, filepath.Dir(path))
	mode := os.FileMode(0o644)
	if strings.HasSuffix(path, ".sh") {
		mode = 0o755
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// Symlink makes link point to target, replacing what link was.
func Symlink(t testing.TB, target, link string) {
	t.Helper()
	Mkdir(t, filepath.Dir(link))
	os.Remove(link)
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// Script writes an executable file at path, creating its directories. It
// holds syscall.ForkLock so that no child forked meanwhile by a parallel
// test inherits the open file: exec would then fail with "text file busy"
// (golang.org/issue/22315).
func Script(t testing.TB, path, content string) {
	t.Helper()
	Mkdir(t, filepath.Dir(path))
	syscall.ForkLock.Lock()
	err := os.WriteFile(path, []byte(content), 0o755)
	syscall.ForkLock.Unlock()
	if err != nil {
		t.Fatal(err)
	}
}

// Mkdir makes each directory with its parents.
func Mkdir(t testing.TB, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// SkipShort keeps t out of the -short tier, saying why: the tier is unit and
// adapter tests; programs built and run, and tests that make several whole
// scans to compare them, run only in the full test command.
func SkipShort(t testing.TB, why string) {
	t.Helper()
	if testing.Short() {
		t.Skip(why + ": not in the -short tier")
	}
}

// NeedBandit skips the test when bandit is not installed, unless
// SCANGATE_REQUIRE_BANDIT is set (CI sets it): then a missing bandit fails
// the test instead of hiding its cases.
func NeedBandit(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("bandit"); err != nil {
		if os.Getenv("SCANGATE_REQUIRE_BANDIT") != "" {
			t.Fatal("bandit is not installed and SCANGATE_REQUIRE_BANDIT is set")
		}
		t.Skip("bandit is not installed: apt-get install bandit")
	}
}

// SkipOnWindows skips the test on Windows, saying what it needs (symlinks,
// sh, Unix file modes).
func SkipOnWindows(t testing.TB, needs string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs " + needs)
	}
}

// CopyTree copies the tree at src into dst, creating dst if need be; a
// file that exists there already is an error.
func CopyTree(t testing.TB, src, dst string) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
}

// TempCopy copies the tree at src into a new temporary directory, under
// src's own name, so that a test can change it; it returns the copy.
func TempCopy(t testing.TB, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	CopyTree(t, src, dst)
	return dst
}

// Git runs git in dir for a test's own setup (never scangate's way of
// running it), apart from the machine's configuration, and returns its
// output trimmed.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main",
		"-c", "protocol.file.allow=always"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Commit commits everything in the work tree at dir and returns the
// commit's hash.
func Commit(t testing.TB, dir, msg string) string {
	t.Helper()
	Git(t, dir, "add", "-A")
	Git(t, dir, "commit", "-q", "-m", msg)
	return Git(t, dir, "rev-parse", "HEAD")
}

// Env is this process's environment without the variables whose names
// start with one of the prefixes, plus set: a child's environment as a CI
// runner would give it.
func Env(set map[string]string, prefixes ...string) []string {
	out := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(kv, p) })
	})
	for k, v := range set {
		out = append(out, k+"="+v)
	}
	return out
}

// Root is the repository's root directory.
func Root() string {
	_, self, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(self), "..", "..")
}

// DownloadModules puts modules (path@version) into the module cache, for
// fixtures that scans load offline (GOPROXY=off).
func DownloadModules(mods ...string) error {
	cmd := exec.Command("go", append([]string{"mod", "download"}, mods...)...)
	cmd.Dir = os.TempDir() // outside any module: the versions are all there is
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go mod download: %v\n%s", err, out)
	}
	return nil
}

// UntidyModule copies testdata/gomod/untidy, a module whose go.mod misses
// golang.org/x/text (which its golang.org/x/net needs), to dst, with both
// modules in the module cache: loaded offline, it fails on the untidy
// go.mod alone, not on a download.
func UntidyModule(t testing.TB, dst string) {
	t.Helper()
	if err := DownloadModules("golang.org/x/net@v0.61.0", "golang.org/x/text@v0.43.0"); err != nil {
		t.Fatal(err)
	}
	CopyTree(t, filepath.Join(Root(), "testdata", "gomod", "untidy"), dst)
}

// ContainsAll reports each of wants that got lacks; what names got in the
// message.
func ContainsAll(t testing.TB, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

// ContainsNone reports each of nots that got holds; what names got in the
// message.
func ContainsNone(t testing.TB, what, got string, nots ...string) {
	t.Helper()
	for _, n := range nots {
		if strings.Contains(got, n) {
			t.Errorf("%s holds %q:\n%s", what, n, got)
		}
	}
}

// ReadFile returns the content of the file at path.
func ReadFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Recorder is a testing.TB that keeps what a check reports with Errorf
// instead of failing the test: a test of the check reads Errs.
type Recorder struct {
	testing.TB
	Errs []string
}

// Helper does nothing: the recorder fails no test whose frames to hide.
func (r *Recorder) Helper() {}

// Errorf records the message.
func (r *Recorder) Errorf(format string, args ...any) {
	r.Errs = append(r.Errs, fmt.Sprintf(format, args...))
}

// Example is a fenced code block of a Markdown document.
type Example struct {
	Doc  string // the document, relative to the repository's root
	N    int    // its place among the document's blocks in that language, from 1
	Text []byte
}

// Examples returns the fenced blocks in lang (```yaml) of the documents,
// named relative to the repository's root, in order.
func Examples(t testing.TB, lang string, docs ...string) []Example {
	t.Helper()
	block := regexp.MustCompile("(?s)```" + regexp.QuoteMeta(lang) + "\n(.*?)```")
	var out []Example
	for _, doc := range docs {
		for i, m := range block.FindAllSubmatch(ReadFile(t, filepath.Join(Root(), doc)), -1) {
			out = append(out, Example{Doc: doc, N: i + 1, Text: m[1]})
		}
	}
	return out
}
