package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
)

// The result cache does not depend on where the tree lies: a tree scanned
// at one path is answered from the cache at another (a cache restored on a
// CI runner whose build directory changed, a pull request's base exported
// elsewhere), with what an uncached scan there answers; what lies outside
// the tree, which changes with the path, is never answered from it.

// moveTree renames from to to (a new directory), so that nothing can still
// be read at the old path.
func moveTree(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

// assertCacheNamesNoPath: no entry of the cache holds any of the paths.
func assertCacheNamesNoPath(t *testing.T, cache string, paths ...string) {
	t.Helper()
	n := 0
	filepath.WalkDir(cache, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		n++
		b, _ := os.ReadFile(p)
		for _, s := range paths {
			if strings.Contains(string(b), s) {
				t.Errorf("cache entry %s holds the machine path %s", filepath.Base(p), s)
			}
		}
		return nil
	})
	if n == 0 {
		t.Error("the cache holds no entry")
	}
}

// soundTree (symlinked files and directories, vendored dependencies,
// requirements includes, a Python file behind a link) scanned by every
// scanner, then moved: the scan at the new path is answered from the cache
// alone and equals an uncached scan there.
func TestResultCacheTreeMoved(t *testing.T) {
	t.Parallel()
	needBandit(t)
	a := soundTree(t)
	db := importDB(t, "../../examples/vulndb")
	cache := filepath.Join(t.TempDir(), "cache")
	first := scanCached(t, a, db, "--cache-dir", cache)
	first.hits(t, "at A", map[string]string{"gosec": "0/1", "govulncheck": "0/1", "osv-scanner": "0/1", "bandit": "0/1"})
	b := filepath.Join(t.TempDir(), "elsewhere", "checkout")
	moveTree(t, a, b)
	bom := func(name string) string { return filepath.Join(t.TempDir(), name) }
	movedBOM, uncachedBOM := bom("moved.cdx.json"), bom("uncached.cdx.json")
	moved := scanCached(t, b, db, "--cache-dir", cache, "--cyclonedx", movedBOM)
	moved.hits(t, "moved to B", map[string]string{"gosec": "1/1", "govulncheck": "1/1", "osv-scanner": "1/1", "bandit": "1/1"})
	if want := scanCached(t, b, db, "--no-cache", "--cyclonedx", uncachedBOM); moved.results != want.results {
		t.Fatalf("the cached scan at B differs from an uncached one:\n%s\nwant\n%s", moved.results, want.results)
	}
	// The SBOM too: the cache entries carry the package inventory.
	cachedBOM, got := readBOM(t, movedBOM)
	if _, want := readBOM(t, uncachedBOM); got != want || len(cachedBOM.Components) == 0 {
		t.Errorf("the SBOM of the cached scan differs from the uncached one's (%d components):\n%s", len(cachedBOM.Components), firstDiff(want, got))
	}
	if moved.results != first.results {
		t.Errorf("the tree's findings changed with its path:\n%s\nwant\n%s", moved.results, first.results)
	}
	assertCacheNamesNoPath(t, cache, a, b)
}

// A module whose build reads a directory outside the tree, through a
// go.work or a replace directive: what is there changes behind the tree's
// back and with the tree's path (here: a narrowing conversion of what it
// returns, gosec's G115, only when it returns an int64). Its units are
// never answered from the cache, and every scan equals an uncached one:
// after an edit outside, and after a move to where ../outside differs.
func TestHostileCacheBuildReadsOutside(t *testing.T) {
	t.Parallel()
	size := func(typ string) string { return "package size\n\nfunc Size() " + typ + " { return 1 }\n" }
	cases := []struct {
		name  string
		files map[string]string
	}{
		{"go.work uses ../outside", map[string]string{
			"go.work": "go 1.22\n\nuse (\n\t.\n\t../outside\n)\n",
			"go.mod":  "module example.com/app\n\ngo 1.22\n",
		}},
		{"go.mod replaces with ../outside", map[string]string{
			"go.mod": "module example.com/app\n\ngo 1.22\n\nrequire example.com/size v0.0.0\n\nreplace example.com/size => ../outside\n",
		}},
		{"go.work replaces with ../outside", map[string]string{
			"go.work": "go 1.22\n\nuse .\n\nreplace example.com/size => ../outside\n",
			"go.mod":  "module example.com/app\n\ngo 1.22\n\nrequire example.com/size v0.0.0\n",
		}},
	}
	db := importDB(t, "../../examples/vulndb")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			parent := filepath.Join(t.TempDir(), "a")
			repo, outside := filepath.Join(parent, "repo"), filepath.Join(parent, "outside")
			testkit.WriteFiles(t, repo, c.files)
			testkit.WriteFiles(t, repo, map[string]string{"main.go": "package main\n\nimport \"example.com/size\"\n\nfunc main() { println(int32(size.Size())) }\n"})
			testkit.WriteFiles(t, outside, map[string]string{"go.mod": "module example.com/size\n\ngo 1.22\n", "size.go": size("int32")})
			cache := filepath.Join(t.TempDir(), "cache")
			step := func(name string, g115 bool) {
				t.Helper()
				got := scanCached(t, repo, db, "--scanners", "gosec,govulncheck", "--cache-dir", cache)
				want := scanCached(t, repo, db, "--scanners", "gosec,govulncheck", "--no-cache")
				if got.results != want.results {
					t.Fatalf("%s: the cached scan differs from an uncached one:\n%s\nwant\n%s", name, got.results, want.results)
				}
				if strings.Contains(got.results, `"G115"`) != g115 {
					t.Fatalf("%s: G115 reported %v, want %v:\n%s\n%s", name, !g115, g115, got.results, got.stderr)
				}
				for _, s := range []string{"gosec", "govulncheck"} {
					if n := got.counts[s]; n != "" && !strings.HasPrefix(n, "0/") {
						t.Errorf("%s: %s answered from the cache (%s)", name, s, n)
					}
				}
			}
			step("int32 outside", false)
			testkit.WriteFiles(t, outside, map[string]string{"size.go": size("int64")})
			step("int64 outside, same path", true)
			// Elsewhere, ../outside holds the int32 version again.
			moved := filepath.Join(t.TempDir(), "b")
			moveTree(t, parent, moved)
			repo, outside = filepath.Join(moved, "repo"), filepath.Join(moved, "outside")
			testkit.WriteFiles(t, outside, map[string]string{"size.go": size("int32")})
			step("moved, int32 outside", false)
		})
	}
}

// The pull-request flow across paths: a push scan of the base commit at
// one path fills the cache; a clone of it at another path, with one file
// changed, runs --new-from-rev the base. The base (exported elsewhere
// again) is answered from the push scan's entries, the head's unchanged
// units too, and the findings equal an uncached run.
func TestNewFromRevBaseFromPushElsewhere(t *testing.T) {
	t.Parallel()
	push := filepath.Join(t.TempDir(), "ci-1", "repo")
	if err := os.MkdirAll(push, 0o755); err != nil {
		t.Fatal(err)
	}
	testkit.Git(t, push, "init", "-q")
	testkit.WriteFiles(t, push, map[string]string{
		"go.mod": goModOnly, "main.go": weakHash, "token.go": randToken,
		"lib/lib.go":       "package lib\n\nimport \"os/exec\"\n\nfunc Run(s string) error { return exec.Command(\"sh\", \"-c\", s).Run() }\n",
		"requirements.txt": "jinja2==2.11.2\n",
	})
	testkit.Commit(t, push, "base")
	db := importDB(t, "../../examples/vulndb")
	cache := filepath.Join(t.TempDir(), "cache")
	args := []string{"--scanners", "gosec,govulncheck,osv-scanner"}
	scanCached(t, push, db, append(args, "--cache-dir", cache)...).hits(t, "push", map[string]string{"gosec": "0/2"})

	pr := filepath.Join(t.TempDir(), "ci-2", "repo")
	testkit.Git(t, filepath.Dir(push), "clone", "-q", push, pr)
	testkit.Git(t, pr, "checkout", "-q", "-b", "change")
	testkit.WriteFiles(t, pr, map[string]string{"token.go": "// Package main changed.\n" + randToken})
	testkit.Commit(t, pr, "change")

	nfr := func(extra ...string) (cachedScan, string) {
		t.Helper()
		sarif, out := filepath.Join(t.TempDir(), "r.sarif"), filepath.Join(t.TempDir(), "r.json")
		all := append([]string{"scan", "-q", "--offline", "--db", db, "--fail-on", "none", "--sarif", sarif, "--json", out, "--new-from-rev", "main"}, args...)
		code, _, stderr := runCLI(t, append(append(all, extra...), pr)...)
		if code != 0 {
			t.Fatalf("--new-from-rev: exit %d\n%s", code, stderr)
		}
		var rep struct {
			NewFrom struct{ Cache string } `json:"newFrom"`
		}
		b, _ := os.ReadFile(out)
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		return readCachedScan(t, sarif, out, stderr), rep.NewFrom.Cache
	}
	got, base := nfr("--cache-dir", cache)
	if want := "from the result cache: gosec 2/2 packages, govulncheck 1/1 module, osv-scanner 1/1 lockfile set"; base != want {
		t.Errorf("the base scan: %q, want %q\n%s", base, want, got.stderr)
	}
	got.hits(t, "head", map[string]string{"gosec": "1/2", "govulncheck": "0/1", "osv-scanner": "1/1"})
	want, _ := nfr("--no-cache")
	if got.results != want.results {
		t.Fatalf("--new-from-rev with the cache differs from an uncached one:\n%s\nwant\n%s", got.results, want.results)
	}
	assertCacheNamesNoPath(t, cache, push, pr)
}

// Another runner: another TMPDIR, and a PATH with another tool directory
// in front (what setup actions add). Neither changes what a scanner
// answers, so the cache still serves; GOFLAGS does change it, and misses.
func TestResultCacheOtherRunner(t *testing.T) {
	needBandit(t)
	root := soundTree(t)
	db := importDB(t, "../../examples/vulndb")
	cache := filepath.Join(t.TempDir(), "cache")
	scanCached(t, root, db, "--cache-dir", cache)

	tools := t.TempDir()
	t.Setenv("PATH", tools+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("TMPDIR", t.TempDir())
	again := scanCached(t, root, db, "--cache-dir", cache)
	again.hits(t, "another TMPDIR and PATH", map[string]string{"gosec": "1/1", "govulncheck": "1/1", "osv-scanner": "1/1", "bandit": "1/1"})

	t.Setenv("GOFLAGS", "-tags=other")
	other := scanCached(t, root, db, "--cache-dir", cache)
	other.hits(t, "another GOFLAGS", map[string]string{"gosec": "0/1", "govulncheck": "0/1", "osv-scanner": "1/1"})
}
