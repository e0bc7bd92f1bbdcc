// Package golang holds what the Go adapters (gosec, govulncheck) share: the
// modules of the tree and their shard units, the go command's environment
// and version, cgo, cache keys of Go builds, the go command's errors, and Go
// package URLs.
package golang

import (
	"cmp"
	"errors"
	"fmt"
	"go/build"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/scangate/scangate/scanner"

	"golang.org/x/mod/modfile"

	"github.com/scangate/scangate/internal/shellout"
)

// Module is one go.mod under the scanned root.
type Module struct {
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
	// blocked are the directories inside the module, relative to Dir, that
	// the go command would walk but must not: excluded or unreadable ones.
	blocked []string
}

// Tree is what Modules found.
type Tree struct {
	Modules []Module      // sorted by Rel
	Gaps    []scanner.Gap // what could not be read: it may hold modules or packages
	// Excluded are the directories the exclude globs kept the walk out of.
	Excluded []string
}

// Modules finds every Go module under root, outside the directories the
// go command skips and those the exclude globs match (which are not read at
// all). A directory or go.mod it cannot read is a Gap, and the walk goes on.
// A go.mod that cannot be parsed is an error naming the file.
func Modules(root string, exclude []string) (*Tree, error) {
	t := &Tree{}
	var blocked []string // excluded or unreadable directories, which ./... would read
	w := scanner.TreeWalk{Root: root, Exclude: exclude, Excluded: func(rel string) {
		if !skipDir(path.Base(rel)) {
			t.Excluded = append(t.Excluded, rel)
			blocked = append(blocked, rel)
		}
	}}
	gaps, err := w.Walk(func(p, rel string, d fs.DirEntry) error {
		if d.IsDir() {
			if skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() != "go.mod" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Gaps = append(t.Gaps, scanner.Unreadable(rel, err))
			return nil
		}
		// Parse keeps toolchain and replace lines; ParseLax accepts go.mod
		// files of newer Go releases with directives we do not know yet.
		f, err := modfile.Parse(rel, data, nil)
		if err != nil {
			var lerr error
			if f, lerr = modfile.ParseLax(rel, data, nil); lerr != nil {
				return err
			}
		}
		if f.Module == nil {
			return fmt.Errorf("%s: no module directive", rel)
		}
		dir := filepath.Dir(p)
		m := Module{Root: root, Dir: dir, Rel: scanner.RelPath(root, dir), Path: f.Module.Mod.Path}
		if f.Go != nil {
			m.GoVersion = f.Go.Version
		}
		if f.Toolchain != nil {
			m.Toolchain = f.Toolchain.Name
		}
		t.Modules = append(t.Modules, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, g := range gaps {
		t.Gaps = append(t.Gaps, g)
		blocked = append(blocked, g.Rel)
	}
	if len(gaps) > 0 && gaps[0].Rel == "." {
		return t, nil // the root unread: nothing more to read either
	}
	if err := applyWork(root, t.Modules); err != nil {
		return nil, err
	}
	sort.Slice(t.Modules, func(i, j int) bool { return t.Modules[i].Rel < t.Modules[j].Rel })
	sort.Slice(t.Gaps, func(i, j int) bool { return t.Gaps[i].Rel < t.Gaps[j].Rel })
	// Each blocked directory belongs to the innermost module around it,
	// whose packages are then listed around it (Patterns).
	for _, b := range blocked {
		in := -1
		for i, m := range t.Modules {
			if under(b, m.Rel) && b != m.Rel && (in < 0 || len(m.Rel) > len(t.Modules[in].Rel)) {
				in = i
			}
		}
		if in >= 0 {
			m := &t.Modules[in]
			if m.Rel != "." {
				b = strings.TrimPrefix(b, m.Rel+"/")
			}
			m.blocked = append(m.blocked, b)
		}
	}
	return t, nil
}

// Scan finds the Go modules a per-module adapter analyzes, logs what
// --exclude left out, and returns the tree with the gaps the scan reports.
// Without a module to analyze the error says why: only gaps (partial),
// everything excluded (skip), or nothing at all.
func Scan(req *scanner.Request) (*Tree, []scanner.Gap, error) {
	t, err := Modules(req.Root, req.Exclude)
	if err != nil {
		return nil, nil, fmt.Errorf("find Go modules: %w", err)
	}
	for _, x := range t.Excluded {
		req.Log("%s: excluded, not read", x)
	}
	gaps := t.GapsFor(req)
	switch {
	case len(t.Modules) > 0:
		return t, gaps, nil
	case len(gaps) > 0:
		return t, gaps, scanner.Partial(gaps...)
	case len(t.Excluded) > 0:
		return t, gaps, scanner.Skip("every Go module under the root is excluded")
	}
	return t, gaps, errors.New("no Go module (go.mod) under the scanned root outside vendor and testdata")
}

// GapsFor are the gaps a scan of the modules it keeps reports: those inside
// a kept module, and those outside every module in the one scan that keeps
// them as units of their own (see Units).
func (t *Tree) GapsFor(req *scanner.Request) []scanner.Gap {
	var out []scanner.Gap
	for _, g := range t.Gaps {
		if req.Keeps(scanner.UnitGoModule, t.unitOf(g)) {
			out = append(out, g)
		}
	}
	return out
}

// unitOf is the module a gap lies in, or the gap itself outside every module.
func (t *Tree) unitOf(g scanner.Gap) string {
	unit := g.Rel
	for _, m := range t.Modules {
		if under(g.Rel, m.Rel) && g.Rel != m.Rel && (unit == g.Rel || len(m.Rel) > len(unit)) {
			unit = m.Rel
		}
	}
	return unit
}

// applyWork marks the modules that root's go.work uses.
func applyWork(root string, mods []Module) error {
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

// Env is the environment for go commands run on a module: the minimal
// child environment (shellout.Env, PATH without the scanned tree), the
// user's own toolchain only, no cgo (CgoEnv turns it on), the module's
// workspace (or none), and no
// go/packages driver program (one found on PATH would be run instead of go).
func Env(m Module) []string {
	work := "GOWORK=off"
	if m.Work != "" {
		work = "GOWORK=" + m.Work
	}
	return shellout.Env(cmp.Or(m.Root, m.Dir), "GOTOOLCHAIN=local", "CGO_ENABLED=0", work, "GOPACKAGESDRIVER=off")
}

// HasFile reports whether any file under root, outside the directories
// Modules skips or the exclude globs match, satisfies match, or whether
// some part of the tree could not be read (it may hold one): an unreadable
// tree is scanned, and reported as such, never passed as holding nothing.
// It stops at the first.
func HasFile(root string, exclude []string, match func(rel string, d fs.DirEntry) bool) bool {
	found := false
	gaps, _ := scanner.TreeWalk{Root: root, Exclude: exclude}.Walk(func(p, rel string, d fs.DirEntry) error {
		if d.IsDir() {
			if skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if match(rel, d) {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return found || len(gaps) > 0
}

// Patterns are the go command's package patterns for the module: "./...",
// unless a directory the go command would walk is excluded or unreadable:
// it would read it, and fail as a whole. Then they name the packages around
// it: each directory on the way to it alone, when it holds a Go file this
// build compiles (as "./..." leaves out one that holds none), and every
// other subtree with "/...". None means the module has no package outside
// those directories.
func (m Module) Patterns(req *scanner.Request) []string {
	if len(m.blocked) == 0 {
		return []string{"./..."}
	}
	ctx := build.Default
	ctx.CgoEnabled, ctx.BuildTags = req.Cgo, req.Tags
	var out []string
	var cover func(dir, rel string)
	cover = func(dir, rel string) {
		inside := false
		for _, b := range m.blocked {
			if b == rel {
				return
			}
			inside = inside || under(b, rel)
		}
		pat, all := ".", "./..."
		if rel != "." {
			pat, all = "./"+rel, "./"+rel+"/..."
		}
		if !inside {
			out = append(out, all)
			return
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return // a gap Modules reported
		}
		for _, e := range entries {
			name := e.Name()
			if e.Type().IsRegular() && strings.HasSuffix(name, ".go") && !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "_") {
				if ok, err := ctx.MatchFile(dir, name); err == nil && ok && (req.Cgo || !importsC(filepath.Join(dir, name))) {
					out = append(out, pat)
					break
				}
			}
		}
		for _, e := range entries {
			if !e.IsDir() || skipDir(e.Name()) {
				continue
			}
			sub := filepath.Join(dir, e.Name())
			if _, err := os.Lstat(filepath.Join(sub, "go.mod")); err == nil {
				continue // another module
			}
			cover(sub, path.Join(rel, e.Name()))
		}
	}
	cover(m.Dir, ".")
	return out
}

// skipDir adds what the go command itself ignores for ./... patterns:
// directories whose name begins with "." or "_".
func skipDir(name string) bool {
	return scanner.SkippedDir(name) || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// under reports whether rel is dir or below it (both "/"-separated,
// relative to the root).
func under(rel, dir string) bool {
	return dir == "." || rel == dir || strings.HasPrefix(rel, dir+"/")
}
