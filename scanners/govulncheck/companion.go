package govulncheck

import (
	"debug/buildinfo"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
)

// Companion is the program the adapter prefers as its child process when it
// sits beside the scangate binary: cmd/scangate-govulncheck, which links
// nothing but govulncheck. scangate itself costs about 55 MiB just to start
// (the package initialisation of gosec's and osv-scanner's dependencies), a
// cost the child would pay again on top of govulncheck's own; the companion
// starts in about 10 MiB, as standalone govulncheck does.
const Companion = "scangate-govulncheck"

// childProgram returns the program to run as the child for a scangate
// binary at self: the companion beside it (self's symlinks resolved) when
// that is a build of the same scangate, else self. A companion that is there
// but unusable (another version, not a Go program) is worth a warning: the
// scan still runs, at scangate's start-up cost.
func childProgram(self string) (exe, warning string) {
	dir := filepath.Dir(self)
	if real, err := filepath.EvalSymlinks(self); err == nil {
		dir = filepath.Dir(real)
	}
	name := Companion
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	comp := filepath.Join(dir, name)
	fi, err := os.Stat(comp)
	if err != nil {
		return self, ""
	}
	if !fi.Mode().IsRegular() || (runtime.GOOS != "windows" && fi.Mode().Perm()&0o111 == 0) {
		return self, fmt.Sprintf("govulncheck: %s beside scangate is not an executable file; running govulncheck in scangate itself", name)
	}
	theirs, err := buildinfo.ReadFile(comp)
	if err != nil {
		return self, fmt.Sprintf("govulncheck: %s beside scangate is not a Go program (%v); running govulncheck in scangate itself", name, err)
	}
	ours, _ := debug.ReadBuildInfo()
	if why := mismatch(ours, theirs); why != "" {
		return self, fmt.Sprintf("govulncheck: %s beside scangate is not from this scangate build (%s); running govulncheck in scangate itself: reinstall both to fix this", name, why)
	}
	return comp, ""
}

// mismatch says why the companion's build information shows a different
// build from ours, or returns "". The govulncheck version decides the
// findings; the main module's version and VCS revision catch a companion
// left behind by an upgrade. What our own build lacks (test binaries list
// no dependencies, builds without VCS stamping say "(devel)") is not
// compared.
func mismatch(ours, theirs *debug.BuildInfo) string {
	if v := depVersion(theirs, "golang.org/x/vuln"); v != vulnVersionOf(ours) {
		if v == "" {
			v = "none"
		}
		return fmt.Sprintf("it embeds golang.org/x/vuln %s, scangate %s", v, vulnVersionOf(ours))
	}
	if ours == nil || ours.Main.Path == "" {
		return ""
	}
	if theirs.Main.Path != ours.Main.Path {
		return fmt.Sprintf("it is built from %s, scangate from %s", theirs.Main.Path, ours.Main.Path)
	}
	if v := ours.Main.Version; v != "" && v != "(devel)" && theirs.Main.Version != v {
		return fmt.Sprintf("it is version %s, scangate %s", theirs.Main.Version, ours.Main.Version)
	}
	if a, b := setting(theirs, "vcs.revision"), setting(ours, "vcs.revision"); a != "" && b != "" && a != b {
		return fmt.Sprintf("it is built from revision %.12s, scangate from %.12s", a, b)
	}
	return ""
}

// vulnVersionOf is the golang.org/x/vuln version in bi, or the version
// go.mod pins when bi lists no dependencies (test binaries).
func vulnVersionOf(bi *debug.BuildInfo) string {
	if v := depVersion(bi, "golang.org/x/vuln"); v != "" {
		return v
	}
	return vulnVersion
}

func depVersion(bi *debug.BuildInfo, path string) string {
	if bi == nil {
		return ""
	}
	for _, d := range bi.Deps {
		if d.Path == path {
			if d.Replace != nil {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	return ""
}

func setting(bi *debug.BuildInfo, key string) string {
	for _, s := range bi.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}
