package bandit

import (
	"path/filepath"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner/python"
	"github.com/scangate/scangate/scanner/scannertest"
)

// bandit walks the tree itself: its -x globs must leave out every directory
// the other walkers skip, vendored code and testdata included, so that an
// eval in vendor/ is no finding while the same eval in src/ is one.
func TestRealBanditSkipsTheSharedDirs(t *testing.T) {
	needBandit(t)
	root := t.TempDir()
	testkit.Write(t, root, filepath.Join("src", "app.py"), "eval(input())\n")
	for _, d := range python.SkippedDirs() {
		testkit.Write(t, root, filepath.Join(d, "lib.py"), "eval(input())\n")
		testkit.Write(t, root, filepath.Join("src", d, "lib.py"), "eval(input())\n")
	}
	res := scannertest.Scan(t, New(Options{}), scannertest.Request(root))
	var paths []string
	for _, f := range res.Findings {
		if f.RuleID == "B307" {
			paths = append(paths, f.Location.Path)
		}
	}
	if len(paths) != 1 || paths[0] != "src/app.py" {
		t.Errorf("eval found in %v, want src/app.py only", paths)
	}
}
