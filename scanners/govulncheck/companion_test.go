package govulncheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// goBuild builds the package at pkg (relative to the repository root) into
// dir/name.
func goBuild(t *testing.T, pkg, dir, name string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// childProgram on real files: the real companion build is chosen, through
// a symlinked scangate too; anything else in its place is passed over
// with a warning that says why.
func TestChildProgram(t *testing.T) {
	bin := t.TempDir()
	self := filepath.Join(bin, "scangate") // need not exist: only its directory is used

	if exe, warn := childProgram(self); exe != self || warn != "" {
		t.Errorf("no companion: got %q, warning %q", exe, warn)
	}

	companion := goBuild(t, "./cmd/scangate-govulncheck", bin, Companion)
	if exe, warn := childProgram(self); exe != companion || warn != "" {
		t.Errorf("real companion: got %q, warning %q", exe, warn)
	}
	// /usr/local/bin/scangate -> /opt/scangate/scangate: the companion is
	// looked for where the binary really is.
	if err := os.WriteFile(self, []byte("stand-in"), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "scangate")
	if err := os.Symlink(self, link); err != nil {
		t.Fatal(err)
	}
	if exe, warn := childProgram(link); exe != companion || warn != "" {
		t.Errorf("through a symlink: got %q, warning %q", exe, warn)
	}

	// Another Go program under the companion's name: no golang.org/x/vuln in it.
	if err := os.Remove(companion); err != nil {
		t.Fatal(err)
	}
	goBuild(t, "./bench/cmd/treerss", bin, Companion)
	if exe, warn := childProgram(self); exe != self || !strings.Contains(warn, "not from this scangate build (it embeds golang.org/x/vuln none, scangate v1.9.0)") {
		t.Errorf("another Go program: got %q, warning %q", exe, warn)
	}

	for _, c := range []struct {
		name    string
		content string
		mode    os.FileMode
		warn    string
	}{
		{"script", "#!/bin/sh\nexit 0\n", 0o755, "is not a Go program"},
		{"not executable", "", 0o644, "is not an executable file"},
	} {
		if err := os.Remove(companion); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(companion, []byte(c.content), c.mode); err != nil {
			t.Fatal(err)
		}
		if exe, warn := childProgram(self); exe != self || !strings.Contains(warn, c.warn) || !strings.Contains(warn, "running govulncheck in scangate itself") {
			t.Errorf("%s: got %q, warning %q", c.name, exe, warn)
		}
	}
}

func TestMismatch(t *testing.T) {
	vuln := func(v string) []*debug.Module { return []*debug.Module{{Path: "golang.org/x/vuln", Version: v}} }
	rev := func(r string) []debug.BuildSetting { return []debug.BuildSetting{{Key: "vcs.revision", Value: r}} }
	release := func() *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: "github.com/scangate/scangate", Version: "v0.3.0"},
			Deps: vuln("v1.9.0"), Settings: rev("974ec7a0d9c1e2f3a4b5c6d7e8f90a1b2c3d4e5f")}
	}
	for _, c := range []struct {
		name         string
		ours, theirs func(*debug.BuildInfo)
		want         string
	}{
		{"same build", nil, nil, ""},
		{"older govulncheck", nil, func(b *debug.BuildInfo) { b.Deps = vuln("v1.8.0") },
			"it embeds golang.org/x/vuln v1.8.0, scangate v1.9.0"},
		{"replaced govulncheck", func(b *debug.BuildInfo) { b.Deps[0].Replace = &debug.Module{Version: "v1.9.1"} }, nil,
			"it embeds golang.org/x/vuln v1.9.0, scangate v1.9.1"},
		{"left behind by an upgrade", nil, func(b *debug.BuildInfo) { b.Main.Version = "v0.2.0" },
			"it is version v0.2.0, scangate v0.3.0"},
		{"another program", nil, func(b *debug.BuildInfo) { b.Main.Path = "example.com/other" },
			"it is built from example.com/other, scangate from github.com/scangate/scangate"},
		{"another commit", nil, func(b *debug.BuildInfo) { b.Settings = rev("0123456789abcdef0123") },
			"it is built from revision 0123456789ab, scangate from 974ec7a0d9c1"},
		{"a revision only one side knows", func(b *debug.BuildInfo) { b.Settings = nil }, nil, ""},
		// Test binaries and builds without VCS stamping list no version.
		{"our build is unversioned", func(b *debug.BuildInfo) { b.Main.Version = "(devel)" }, nil, ""},
		{"our build lists no dependencies", func(b *debug.BuildInfo) { b.Deps = nil; b.Main.Path = "" }, nil, ""},
	} {
		ours, theirs := release(), release()
		if c.ours != nil {
			c.ours(ours)
		}
		if c.theirs != nil {
			c.theirs(theirs)
		}
		if got := mismatch(ours, theirs); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	if got := mismatch(nil, release()); got != "" {
		t.Errorf("no build information of our own: %q", got)
	}
}
