package scanners

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// pythonSkips are what Python projects add to the directories every walker
// skips: virtual, tox and nox environments, installed packages, build
// output and tool caches, none of them the project's own sources.
var pythonSkips = []string{
	"venv", ".venv", ".tox", ".nox", "build", "dist", "site-packages", ".eggs", "__pycache__",
	".mypy_cache", ".pytest_cache", ".ruff_cache",
}

// PythonSkippedDirs returns every directory name WalkPython skips, for a
// tool that walks the tree itself and is told to skip them (bandit's -x).
func PythonSkippedDirs() []string { return append(SkippedDirs(), pythonSkips...) }

// WalkPython walks a Python project the way bandit and safety should see it
// (w says where, and what is excluded): fn gets every file, with its
// "/"-separated path relative to the root. It does not descend into the
// directories PythonSkippedDirs names, *.egg-info directories or virtual
// environments (any directory holding pyvenv.cfg), which hold other
// people's code; venv, when not nil, gets each virtual environment's
// relative path. What cannot be read is a Gap. fn may return fs.SkipAll to
// stop early.
func WalkPython(w TreeWalk, venv func(rel string), fn func(rel string, d fs.DirEntry) error) ([]Gap, error) {
	return w.Walk(func(p, rel string, d fs.DirEntry) error {
		if !d.IsDir() {
			return fn(rel, d)
		}
		name := d.Name()
		if SkippedDir(name) || slices.Contains(pythonSkips, name) || strings.HasSuffix(name, ".egg-info") {
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
