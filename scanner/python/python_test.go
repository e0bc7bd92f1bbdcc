package python

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/scangate/scangate/scanner"
)

func TestWalkPython(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{
		"setup.py", "pkg/mod.py", "pkg/sub/requirements.txt",
		"build/gen.py", "node_modules/x/y.py", // skip by name
		"pkg.egg-info/SOURCES.txt",            // egg-info
		"env3/pyvenv.cfg", "env3/lib/site.py", // a virtualenv under an unusual name
	} {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var files, venvs []string
	gaps, err := Walk(scanner.TreeWalk{Root: root}, func(rel string) { venvs = append(venvs, rel) }, func(rel string, d fs.DirEntry) error {
		files = append(files, rel)
		return nil
	})
	if err != nil || gaps != nil {
		t.Fatal(err, gaps)
	}
	if want := []string{"pkg/mod.py", "pkg/sub/requirements.txt", "setup.py"}; !slices.Equal(files, want) {
		t.Errorf("files %v, want %v", files, want)
	}
	if want := []string{"env3"}; !slices.Equal(venvs, want) {
		t.Errorf("venvs %v, want %v", venvs, want)
	}

	// fs.SkipAll stops the walk at the first file, without an error.
	var n int
	if _, err := Walk(scanner.TreeWalk{Root: root}, nil, func(string, fs.DirEntry) error { n++; return fs.SkipAll }); err != nil || n != 1 {
		t.Errorf("SkipAll: %d files, err %v", n, err)
	}
	// A root that cannot be read is a gap, never an empty tree.
	gaps, err = Walk(scanner.TreeWalk{Root: filepath.Join(root, "missing")}, nil, func(string, fs.DirEntry) error { return nil })
	if err != nil || len(gaps) != 1 || gaps[0].Rel != "." || !errors.Is(gaps[0].Err, fs.ErrNotExist) {
		t.Errorf("a missing root: gaps %v, err %v", gaps, err)
	}
}
