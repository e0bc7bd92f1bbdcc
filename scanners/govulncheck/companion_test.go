package govulncheck

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// goBuild builds the package at pkg (relative to the repository root) into
// dir/name, with extra go build flags. It builds as the Dockerfile does
// (-trimpath, no cgo), which is what ships, and so shares compiled packages
// with cmd/scangate's tests instead of compiling them a third way.
func goBuild(t *testing.T, pkg, dir, name string, flags ...string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", append(append([]string{"build", "-trimpath", "-o", out}, flags...), pkg)...)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// childProgram on real files: the real companion build is chosen, through
// a symlinked scangate too; anything else in its place, including a real
// companion that speaks another protocol, is passed over with a warning
// that says why.
func TestChildProgram(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the companion's name and modes are checked on Unix")
	}
	ctx := context.Background()
	bin := t.TempDir()
	self := filepath.Join(bin, "scangate") // need not exist: only its directory is used

	if exe, warn := childProgram(ctx, self); exe != self || warn != "" {
		t.Errorf("no companion: got %q, warning %q", exe, warn)
	}

	companion := goBuild(t, "./cmd/scangate-govulncheck", bin, Companion)
	if exe, warn := childProgram(ctx, self); exe != companion || warn != "" {
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
	if exe, warn := childProgram(ctx, link); exe != companion || warn != "" {
		t.Errorf("through a symlink: got %q, warning %q", exe, warn)
	}

	// The same govulncheck behind another contract: a companion from
	// before a protocol change.
	if err := os.Remove(companion); err != nil {
		t.Fatal(err)
	}
	goBuild(t, "./cmd/scangate-govulncheck", bin, Companion,
		"-ldflags=-X github.com/scangate/scangate/scanners/govulncheck.protocol=scangate-govulncheck/0")
	wantOld := "it speaks protocol scangate-govulncheck/0, scangate " + Protocol()
	if exe, warn := childProgram(ctx, self); exe != self || !strings.Contains(warn, wantOld) {
		t.Errorf("older protocol: got %q, warning %q", exe, warn)
	}

	// Another Go program under the companion's name.
	if err := os.Remove(companion); err != nil {
		t.Fatal(err)
	}
	goBuild(t, "./bench/cmd/treerss", bin, Companion)
	if exe, warn := childProgram(ctx, self); exe != self || !strings.Contains(warn, "it does not link golang.org/x/vuln") {
		t.Errorf("another Go program: got %q, warning %q", exe, warn)
	}

	for _, c := range []struct {
		name    string
		content string
		mode    os.FileMode
		warn    string
	}{
		{"script", "#!/bin/sh\necho " + Protocol() + "\n", 0o755, "not a Go program"},
		{"not executable", "", 0o644, "not an executable file"},
	} {
		if err := os.Remove(companion); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(companion, []byte(c.content), c.mode); err != nil {
			t.Fatal(err)
		}
		exe, warn := childProgram(ctx, self)
		if exe != self || !strings.Contains(warn, c.warn) || !strings.Contains(warn, "govulncheck runs in scangate itself") {
			t.Errorf("%s: got %q, warning %q", c.name, exe, warn)
		}
	}
}

func TestMismatch(t *testing.T) {
	mod := func(path, v string) *debug.Module { return &debug.Module{Path: path, Version: v} }
	build := func() *debug.BuildInfo {
		return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/scangate/scangate", Version: "(devel)"},
			Deps: []*debug.Module{mod("golang.org/x/mod", "v0.30.0"), mod("golang.org/x/tools", "v0.39.0"), mod("golang.org/x/vuln", "v1.9.0")}}
	}
	// scangate links more modules than its companion; only the companion's count.
	scangate := func() *debug.BuildInfo {
		b := build()
		b.Deps = append(b.Deps, mod("github.com/securego/gosec/v2", "v2.30.0"))
		return b
	}
	for _, c := range []struct {
		name   string
		theirs func(*debug.BuildInfo)
		want   string
	}{
		{"same govulncheck", nil, ""},
		// What scangate commit built it, and whether either tree was dirty, does not matter.
		{"another scangate commit", func(b *debug.BuildInfo) {
			b.Main.Version = "v0.0.0-20261101000000-0123456789ab+dirty"
			b.Settings = []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789ab"}}
		}, ""},
		{"older govulncheck", func(b *debug.BuildInfo) { b.Deps[2].Version = "v1.8.0" },
			"it links golang.org/x/vuln v1.8.0, scangate v1.9.0"},
		{"older x/tools under the same govulncheck", func(b *debug.BuildInfo) { b.Deps[1].Version = "v0.38.0" },
			"it links golang.org/x/tools v0.38.0, scangate v0.39.0"},
		{"a module scangate lacks", func(b *debug.BuildInfo) { b.Deps = append(b.Deps, mod("example.com/extra", "v1.0.0")) },
			"it links example.com/extra v1.0.0, scangate nothing"},
		{"a local fork of govulncheck", func(b *debug.BuildInfo) { b.Deps[2].Replace = &debug.Module{Path: "../vuln"} },
			"it links golang.org/x/vuln v1.9.0 => ../vuln, scangate v1.9.0"},
		{"another Go release", func(b *debug.BuildInfo) { b.GoVersion = "go1.26.5" },
			"it is built with go1.26.5, scangate with go1.26.8"},
		{"no govulncheck at all", func(b *debug.BuildInfo) { b.Deps = b.Deps[:2] }, "it does not link golang.org/x/vuln"},
	} {
		theirs := build()
		if c.theirs != nil {
			c.theirs(theirs)
		}
		if got := mismatch(scangate(), theirs); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}

	// Both sides forked the same way: the same govulncheck.
	ours, theirs := scangate(), build()
	ours.Deps[2].Replace = &debug.Module{Path: "../vuln"}
	theirs.Deps[2].Replace = &debug.Module{Path: "../vuln"}
	if got := mismatch(ours, theirs); got != "" {
		t.Errorf("the same local fork: %q", got)
	}
	// A test binary lists no modules: x/vuln is compared with go.mod's pin.
	test := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/scangate/scangate", Version: "(devel)"}}
	if got := mismatch(test, build()); got != "" {
		t.Errorf("from a test binary: %q", got)
	}
	old := build()
	old.Deps[2].Version = "v1.8.0"
	if got, want := mismatch(test, old), "it links golang.org/x/vuln v1.8.0, scangate "+vulnVersion; got != want {
		t.Errorf("from a test binary, older govulncheck: %q, want %q", got, want)
	}
	if got := mismatch(nil, build()); got != "" {
		t.Errorf("no build information of our own: %q", got)
	}
}
