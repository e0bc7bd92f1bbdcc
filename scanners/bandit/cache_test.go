package bandit

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner/scannertest"
)

// bandit's key holds what bandit reads behind symlinks: a Python file's
// target, a .bandit target that is a symlinked directory, and a config
// file outside the tree named by the trusted configuration. Each change is
// a miss, and every answer equals an uncached scan.
func TestRealBanditCacheFollowsSymlinks(t *testing.T) {
	needBandit(t)
	root := t.TempDir()
	outside := t.TempDir()
	cfg := filepath.Join(outside, "bandit.yml")
	testkit.WriteFile(t, cfg, "skips: []\n")
	shell := "import subprocess\nsubprocess.call('ls', shell=True)\n"
	testkit.Write(t, root, filepath.Join("py", "impl.txt"), shell)
	testkit.Write(t, root, filepath.Join("lib", "a.py"), "x = 1\n")
	testkit.Write(t, root, filepath.Join("lib2", "a.py"), "assert True\n")
	testkit.Write(t, root, ".bandit", "[bandit]\ntargets = src,tool.py\n")
	for link, target := range map[string]string{"tool.py": "py/impl.txt", "src": "lib"} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	opt := Options{ConfigFile: cfg}
	check := func(step string, nHits, nMisses int) {
		t.Helper()
		c := resultcache.Open(resultcache.Options{Dir: dir, Build: "test"})
		rq := scannertest.Request(root)
		rq.Cache = c
		got, err := New(opt).Scan(context.Background(), rq)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if n := c.Stats()["bandit"]; n.Hits != nHits || n.Misses != nMisses {
			t.Errorf("%s: %d hits, %d misses; want %d, %d", step, n.Hits, n.Misses, nHits, nMisses)
		}
		want := scannertest.Scan(t, New(opt), scannertest.Request(root))
		if g, w := hits(got), hits(want); !slices.Equal(g, w) {
			t.Errorf("%s: cached %v, uncached %v", step, g, w)
		}
	}
	check("cold", 0, 1)
	check("unchanged", 1, 0)
	testkit.Write(t, root, filepath.Join("py", "impl.txt"), shell+"subprocess.call('ls', shell=True)\n")
	check("the file behind tool.py", 0, 1)
	os.Remove(filepath.Join(root, "src"))
	if err := os.Symlink("lib2", filepath.Join(root, "src")); err != nil {
		t.Fatal(err)
	}
	check("the target src retargeted", 0, 1)
	testkit.WriteFile(t, cfg, "skips: ['B602']\n")
	check("the config file outside the tree", 0, 1)
	if err := os.Symlink(cfg, filepath.Join(root, "leak.py")); err != nil {
		t.Fatal(err)
	}
	check("a Python file leading outside", 0, 0)
}
