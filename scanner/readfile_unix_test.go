//go:build unix

package scanner

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// ReadFile reads what the walk saw and nothing it did not: not through a
// symlink, not a pipe that would block, not past its limit.
func TestReadFile(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	secret := filepath.Join(outside, "secret")
	if err := os.WriteFile(secret, []byte("outside"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a"), []byte("12345"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadFile(filepath.Join(dir, "a"), 5); err != nil || string(got) != "12345" {
		t.Errorf("a at its limit: %q %v", got, err)
	}
	if _, err := ReadFile(filepath.Join(dir, "a"), 4); !errors.Is(err, ErrTooBig) {
		t.Errorf("a over its limit: %v", err)
	}
	if got, err := ReadFile(filepath.Join(dir, "link"), 100); err == nil || strings.Contains(string(got), "outside") {
		t.Errorf("through a symlink: %q %v", got, err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no fifo:", err)
	}
	if _, err := ReadFile(fifo, 100); !errors.Is(err, ErrNotRegular) {
		t.Errorf("a pipe: %v", err)
	}
}
