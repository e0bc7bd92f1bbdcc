// Package testfs builds file trees for tests: files, executable scripts,
// directories and symlinks, with their parent directories; SkipOnWindows
// guards the tests that need symlinks or sh.
package testfs

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// SkipOnWindows skips the test on Windows, saying what it needs (symlinks,
// sh, Unix file modes).
func SkipOnWindows(t testing.TB, needs string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs " + needs)
	}
}

// Write writes content to root/rel, creating its directories.
func Write(t testing.TB, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, rel)
	Mkdir(t, filepath.Dir(p))
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Script writes an executable file at path, creating its directories.
func Script(t testing.TB, path, content string) {
	t.Helper()
	Mkdir(t, filepath.Dir(path))
	if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
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

// Symlink makes link point to target, replacing what link was.
func Symlink(t testing.TB, target, link string) {
	t.Helper()
	Mkdir(t, filepath.Dir(link))
	os.Remove(link)
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
