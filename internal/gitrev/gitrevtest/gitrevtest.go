// Package gitrevtest holds test helpers for code that runs git on a
// hostile repository.
package gitrevtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// OldGit puts first on PATH a stand-in for a git that ignores
// GIT_NO_LAZY_FETCH (git before 2.44 without the 2024 backports): a
// wrapper that drops the variable and runs the real git, whose path it
// returns. A lazy fetch the caller did not forbid some other way then
// happens, as it would with such a git.
func OldGit(t *testing.T) (real string) {
	t.Helper()
	real, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	bin := t.TempDir()
	script := "#!/bin/sh\nunset GIT_NO_LAZY_FETCH\nexec '" + real + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return real
}
