package golang

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/scangate/scangate/scanner"
)

// Units are the Go modules gosec and govulncheck analyze, each
// sized by the bytes of its Go files (nested modules and the directories
// the go command skips left out), and each part of the tree outside every
// module that could not be read: some shard must report it.
func Units(root string, exclude []string) ([]scanner.Unit, error) {
	t, err := Modules(root, exclude)
	if err != nil {
		return nil, err
	}
	var out []scanner.Unit
	for _, m := range t.Modules {
		out = append(out, scanner.Unit{Kind: scanner.UnitGoModule, Path: m.Rel, Size: goBytes(m, exclude)})
	}
	for _, g := range t.Gaps {
		if u := t.unitOf(g); u == g.Rel {
			out = append(out, scanner.Unit{Kind: scanner.UnitGoModule, Path: u})
		}
	}
	return out, nil
}

// goBytes is the size of the .go files of module m.
func goBytes(m Module, exclude []string) int64 {
	var n int64
	scanner.TreeWalk{Root: m.Root, Dir: m.Dir, Exclude: exclude}.Walk(func(p, rel string, d fs.DirEntry) error {
		if d.IsDir() {
			if skipDir(d.Name()) {
				return filepath.SkipDir
			}
			if _, err := os.Lstat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir // a nested module is a unit of its own
			}
			return nil
		}
		if d.Type().IsRegular() && strings.HasSuffix(d.Name(), ".go") {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
