// Package python holds what the Python adapters (bandit, safety) share: the
// walk of a Python project, its one shard unit, and the program they run.
package python

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/scangate/scangate/scanner"
)

// pythonSkips are what Python projects add to the directories every walker
// skips: virtual, tox and nox environments, installed packages, build
// output and tool caches, none of them the project's own sources.
var pythonSkips = []string{
	"venv", ".venv", ".tox", ".nox", "build", "dist", "site-packages", ".eggs", "__pycache__",
	".mypy_cache", ".pytest_cache", ".ruff_cache",
}

// SkippedDirs returns every directory name Walk skips, for a
// tool that walks the tree itself and is told to skip them (bandit's -x).
func SkippedDirs() []string { return append(scanner.SkippedDirs(), pythonSkips...) }

// Walk walks a Python project the way bandit and safety should see it
// (w says where, and what is excluded): fn gets every file, with its
// "/"-separated path relative to the root. It does not descend into the
// directories SkippedDirs names, *.egg-info directories or virtual
// environments (any directory holding pyvenv.cfg), which hold other
// people's code; venv, when not nil, gets each virtual environment's
// relative path. What cannot be read is a Gap. fn may return fs.SkipAll to
// stop early.
func Walk(w scanner.TreeWalk, venv func(rel string), fn func(rel string, d fs.DirEntry) error) ([]scanner.Gap, error) {
	return w.Walk(func(p, rel string, d fs.DirEntry) error {
		if !d.IsDir() {
			return fn(rel, d)
		}
		name := d.Name()
		if scanner.SkippedDir(name) || slices.Contains(pythonSkips, name) || strings.HasSuffix(name, ".egg-info") {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(p, "pyvenv.cfg")); err == nil {
			if venv != nil {
				venv(rel)
			}
			return filepath.SkipDir
		}
		return nil
	})
}

// TreeUnit is the one unit of the scanner name that analyzes the whole tree at
// once (bandit, safety), sized by the bytes of the files match accepts among
// those Walk visits.
func TreeUnit(name, root string, exclude []string, match func(rel string) bool) []scanner.Unit {
	var n int64
	Walk(scanner.TreeWalk{Root: root, Exclude: exclude}, nil, func(rel string, d fs.DirEntry) error {
		if d.Type().IsRegular() && match(rel) {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return []scanner.Unit{{Kind: name, Path: ".", Size: n}}
}
