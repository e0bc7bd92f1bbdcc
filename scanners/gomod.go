package scanners

import (
	"cmp"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"golang.org/x/mod/modfile"

	"github.com/scangate/scangate/internal/pathglob"
	"github.com/scangate/scangate/scanners/shellout"
)

// GoModule is one go.mod under the scanned root.
type GoModule struct {
	Root      string // the scanned root the module was found under
	Dir       string // absolute directory holding go.mod
	Rel       string // Dir relative to the root, "/" separated ("." for the root)
	Path      string // module path
	GoVersion string // the go directive ("1.22"), "" when absent
	Toolchain string // the toolchain directive ("go1.22.4"), "" when absent
	// Work is the go.work file that lists this module, "" when none does.
	// Scanners load such a module with GOWORK set to it, and others with
	// GOWORK=off so that an unrelated workspace cannot change the build.
	Work string
}

// GoModules finds every Go module under root, sorted by path relative to root.
// A go.mod that cannot be parsed is an error naming the file.
func GoModules(root string) ([]GoModule, error) {
	var mods []GoModule
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && skipGoDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() != "go.mod" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		// Parse keeps toolchain and replace lines; ParseLax accepts go.mod
		// files of newer Go releases with directives we do not know yet.
		f, err := modfile.Parse(p, data, nil)
		if err != nil {
			var lerr error
			if f, lerr = modfile.ParseLax(p, data, nil); lerr != nil {
				return fmt.Errorf("%s: %w", relOrAbs(root, p), err)
			}
		}
		if f.Module == nil {
			return fmt.Errorf("%s: no module directive", relOrAbs(root, p))
		}
		dir := filepath.Dir(p)
		m := GoModule{Root: root, Dir: dir, Rel: relOrAbs(root, dir), Path: f.Module.Mod.Path}
		if f.Go != nil {
			m.GoVersion = f.Go.Version
		}
		if f.Toolchain != nil {
			m.Toolchain = f.Toolchain.Name
		}
		mods = append(mods, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := applyWork(root, mods); err != nil {
		return nil, err
	}
	sort.Slice(mods, func(i, j int) bool { return mods[i].Rel < mods[j].Rel })
	return mods, nil
}

// applyWork marks the modules that root's go.work uses.
func applyWork(root string, mods []GoModule) error {
	wp := filepath.Join(root, "go.work")
	data, err := os.ReadFile(wp)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	wf, err := modfile.ParseWork(wp, data, nil)
	if err != nil {
		return fmt.Errorf("go.work: %w", err)
	}
	used := map[string]bool{}
	for _, u := range wf.Use {
		used[filepath.Clean(filepath.Join(root, u.Path))] = true
	}
	for i := range mods {
		if used[mods[i].Dir] {
			mods[i].Work = wp
		}
	}
	return nil
}

// RelPath makes p relative to root with "/" separators. A path outside
// root keeps its climb out ("../x/y"), never a machine path, so that Run
// sees a finding there is outside the root and drops it.
func RelPath(root, p string) string {
	if !filepath.IsAbs(p) {
		return filepath.ToSlash(filepath.Clean(p))
	}
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return "../" + filepath.Base(p)
	}
	return filepath.ToSlash(rel)
}

func relOrAbs(root, p string) string { return RelPath(root, p) }

// GoEnv is the environment for go commands run on a module: the minimal
// child environment (shellout.Env, PATH without the scanned tree), the
// user's own toolchain only, no cgo (CgoEnv turns it on), the module's
// workspace (or none), and no
// go/packages driver program (one found on PATH would be run instead of go).
func GoEnv(m GoModule) []string {
	work := "GOWORK=off"
	if m.Work != "" {
		work = "GOWORK=" + m.Work
	}
	return shellout.Env(cmp.Or(m.Root, m.Dir), "GOTOOLCHAIN=local", "CGO_ENABLED=0", work, "GOPACKAGESDRIVER=off")
}

// HasFile reports whether any file under root (skipping the directories
// GoModules skips) satisfies match; it stops at the first.
func HasFile(root string, match func(rel string, d fs.DirEntry) bool) bool {
	found := false
	_ = filepath.WalkDir(root, hasFileVisit(root, match, &found))
	return found
}

// hasFileVisit is HasFile's walk function. An error leaves out only the
// entry it is about: an unreadable directory is skipped, an unreadable file
// is passed over, and the rest of its directory is still walked.
func hasFileVisit(root string, match func(rel string, d fs.DirEntry) bool, found *bool) fs.WalkDirFunc {
	return func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != root && skipGoDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if match(RelPath(root, p), d) {
			*found = true
			return filepath.SkipAll
		}
		return nil
	}
}

// Excluded reports whether rel (a "/"-separated path relative to the root)
// matches one of the globs, in scangate's one path-glob dialect (see
// internal/pathglob): a glob without "/" names a file or directory at any
// depth, one with "/" is matched from the root, "**" spans directories, and
// a matched directory excludes everything below it.
func Excluded(globs []string, rel string) bool {
	return pathglob.Match(globs, rel)
}
