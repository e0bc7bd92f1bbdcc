package golang

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/scangate/scangate/scanner"
)

// PerModule is embedded by the adapters that analyze each Go module of the
// tree (gosec, govulncheck): they apply where a go.mod is, and each module is
// a shard unit.
type PerModule struct{}

// Applies reports whether the tree holds a go.mod.
func (PerModule) Applies(req *scanner.Request) bool {
	return HasFile(req.Root, req.Exclude, func(_ string, d fs.DirEntry) bool { return d.Name() == "go.mod" })
}

// Units are the tree's Go modules, for sharded scans.
func (PerModule) Units(req *scanner.Request) ([]scanner.Unit, error) {
	return Units(req.Root, req.Exclude)
}

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
