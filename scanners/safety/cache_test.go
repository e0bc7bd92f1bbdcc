package safety

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/scanner/scannertest"
)

// The key of a safety check holds what the requirements include (-r, -c),
// which safety reads too: a changed include is a miss; one leading outside
// the root is not cached at all.
func TestSafetyCacheKeysIncludes(t *testing.T) {
	fakeSafety(t, "2.3.5", scannertest.Testdata("python", "safety/check-2.3.5-pypkg.json"), "", 64)
	root := t.TempDir()
	write := func(rel, body string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.Remove(p)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("requirements.txt", "-r reqs/base.in\nrequests==2.25.0\n")
	write("reqs/base.in", "-c pins.cfg\n")
	write("reqs/pins.cfg", "jinja2==2.11.2\n")
	db := t.TempDir()
	for _, n := range []string{"insecure.json", "insecure_full.json"} {
		os.WriteFile(filepath.Join(db, n), []byte("{}"), 0o644)
	}
	dir := t.TempDir()
	check := func(step string, hits, misses int) {
		t.Helper()
		c := resultcache.Open(resultcache.Options{Dir: dir, Build: "test"})
		rq := scannertest.Request(root)
		rq.Offline, rq.Cache = true, c
		if _, err := New(Options{DB: db}).Scan(context.Background(), rq); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if n := c.Stats()["safety"]; n.Hits != hits || n.Misses != misses {
			t.Errorf("%s: %d hits, %d misses; want %d, %d", step, n.Hits, n.Misses, hits, misses)
		}
	}
	check("cold", 0, 1)
	check("unchanged", 1, 0)
	write("reqs/pins.cfg", "jinja2==2.11.3\n")
	check("an include of an include changed", 0, 1)
	write("shared/pins.cfg", "jinja2==2.11.3\n")
	os.Remove(filepath.Join(root, "reqs/pins.cfg"))
	if err := os.Symlink("../shared/pins.cfg", filepath.Join(root, "reqs/pins.cfg")); err != nil {
		t.Fatal(err)
	}
	check("the include made a symlink", 0, 1)
	write("shared/pins.cfg", "jinja2==2.10\n")
	check("the file behind the symlink changed", 0, 1)
	outside := filepath.Join(t.TempDir(), "pins.cfg")
	os.WriteFile(outside, []byte("jinja2==2.10\n"), 0o644)
	os.Remove(filepath.Join(root, "reqs/pins.cfg"))
	if err := os.Symlink(outside, filepath.Join(root, "reqs/pins.cfg")); err != nil {
		t.Fatal(err)
	}
	check("the include leads outside", 0, 0)
	check("the include leads outside, again", 0, 0)
}
