package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/scangate/scangate/internal/noperm"
	"github.com/scangate/scangate/internal/testkit"
)

// The result cache is sound: a cached scan answers what an uncached scan of
// the same tree answers, whatever symlinks, includes and configuration the
// tree changed in between.

// soundTree is the example module with its dependencies vendored, its
// main.go a symlink to a file of another name, a package reached through a
// symlinked directory (into _libs, which ./... does not list), requirements
// that include another file, and a Python script behind a symlink.
func soundTree(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "repo")
	testkit.CopyTree(t, "../../examples/project/vendor", filepath.Join(root, "vendor"))
	for _, f := range []string{"go.mod", "go.sum"} {
		b := testkit.ReadFile(t, filepath.Join("../../examples/project", f))
		testkit.WriteFiles(t, root, map[string]string{f: string(b)})
	}
	testkit.WriteFiles(t, root, map[string]string{
		"impl/main.txt":    soundMain,
		"impl/alt.txt":     soundAlt,
		"_libs/a/lib.go":   "package lib\n\nimport \"golang.org/x/text/language\"\n\n// Tag calls language.Parse (GO-2021-0113).\nfunc Tag(s string) string {\n\tt, _ := language.Parse(s)\n\treturn t.String()\n}\n",
		"_libs/b/lib.go":   "package lib\n\n// Tag calls nothing vulnerable.\nfunc Tag(s string) string { return s }\n",
		"requirements.txt": "-r reqs/base.txt\nrequests==2.31.0\n",
		"reqs/base.txt":    "jinja2==2.11.2\n",
		"py/notes.txt":     soundPy(true),
	})
	for link, target := range map[string]string{"main.go": "impl/main.txt", "lib": "_libs/a", "tools/notes.py": "../py/notes.txt"} {
		relink(t, root, link, target)
	}
	return root
}

const soundMain = `package main

import (
	"fmt"
	"os"

	"example.com/scangate-example/lib"
)

func main() { fmt.Println(lib.Tag(os.Args[1])) }
`

// soundMainMD5 adds a weak hash (gosec G401, G501).
var soundMainMD5 = strings.NewReplacer("\t\"fmt\"", "\t\"crypto/md5\"\n\t\"fmt\"", "lib.Tag(os.Args[1]))", "lib.Tag(os.Args[1]), md5.Sum(nil))").Replace(soundMain)

// soundAlt runs its argument through a shell (gosec G204).
const soundAlt = `package main

import (
	"os"
	"os/exec"

	"example.com/scangate-example/lib"
)

func main() {
	_ = lib.Tag("en")
	_ = exec.Command("sh", "-c", os.Args[1]).Run()
}
`

func soundPy(shell bool) string {
	return fmt.Sprintf("import subprocess\nimport sys\n\nsubprocess.call(sys.argv[1], shell=%s)\n", map[bool]string{true: "True", false: "False"}[shell])
}

// relink points the symlink link (relative to root) at target.
func relink(t *testing.T, root, link, target string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(link))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.FromSlash(target), p); err != nil {
		t.Fatal(err)
	}
}

// A seeded random sequence of changes to soundTree, each followed by a
// scan with the cache and one without (at once, on the same tree): their
// results must be equal. The seed is logged; SCANGATE_TEST_SEED replays
// another. As root the test runs in a child process that permission bits
// bind (noperm), so that the chmod step makes a file unreadable there too.
func TestResultCacheDifferential(t *testing.T) {
	testkit.SkipShort(t, "several whole scans compared")
	t.Parallel()
	if !noperm.Isolate(t) {
		return
	}
	seed := uint64(24)
	if s := os.Getenv("SCANGATE_TEST_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("SCANGATE_TEST_SEED: %v", err)
		}
		seed = v
	}
	t.Logf("seed %d (SCANGATE_TEST_SEED=%d replays it)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	root := soundTree(t)
	db := importDB(t, "../../examples/vulndb")
	cache := filepath.Join(t.TempDir(), "cache")
	write := func(rel, body string) { testkit.WriteFiles(t, root, map[string]string{rel: body}) }
	remove := func(rel string) {
		if err := os.Remove(filepath.Join(root, filepath.FromSlash(rel))); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	exists := func(rel string) bool {
		_, err := os.Lstat(filepath.Join(root, filepath.FromSlash(rel)))
		return err == nil
	}
	target := func(rel string) string {
		s, _ := os.Readlink(filepath.Join(root, filepath.FromSlash(rel)))
		return filepath.ToSlash(s)
	}
	toggle := func(rel, a, b string) {
		cur, _ := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if string(cur) == a {
			write(rel, b)
		} else {
			write(rel, a)
		}
	}
	// Each mutation flips one thing, so a sequence returns to states the
	// cache has seen: those are the scans a stale entry would answer.
	mutations := []struct {
		name string
		do   func()
	}{
		{"edit the file behind main.go", func() {
			toggle("impl/main.txt", soundMain, soundMainMD5)
		}},
		{"retarget main.go", func() {
			relink(t, root, "main.go", map[bool]string{true: "impl/alt.txt", false: "impl/main.txt"}[target("main.go") == "impl/main.txt"])
		}},
		{"retarget the symlinked directory lib", func() {
			relink(t, root, "lib", map[bool]string{true: "_libs/b", false: "_libs/a"}[target("lib") == "_libs/a"])
		}},
		{"add or remove a Go file", func() {
			if exists("extra.go") {
				remove("extra.go")
			} else {
				write("extra.go", "package main\n\nimport \"crypto/sha1\"\n\nfunc init() { _ = sha1.Sum(nil) }\n")
			}
		}},
		{"chmod the Python file behind a symlink", func() {
			p := filepath.Join(root, "py", "notes.txt")
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			mode := os.FileMode(0o644)
			if fi.Mode().Perm() != 0 {
				mode = 0
			}
			if err := os.Chmod(p, mode); err != nil {
				t.Fatal(err)
			}
		}},
		{"edit the Python file behind a symlink", func() {
			p := filepath.Join(root, "py", "notes.txt")
			fi, _ := os.Stat(p)
			os.Chmod(p, 0o644)
			toggle("py/notes.txt", soundPy(true), soundPy(false))
			os.Chmod(p, fi.Mode().Perm())
		}},
		{"change a requirements include", func() { toggle("reqs/base.txt", "jinja2==2.11.2\n", "jinja2==2.11.3\n") }},
		{"retarget a requirements include", func() {
			if target("reqs/base.txt") == "" {
				write("reqs/pinned.txt", "jinja2==2.10\n")
				relink(t, root, "reqs/base.txt", "pinned.txt")
			} else {
				remove("reqs/base.txt")
				write("reqs/base.txt", "jinja2==2.11.2\n")
			}
		}},
		{"change .bandit", func() {
			if exists(".bandit") {
				remove(".bandit")
			} else {
				write(".bandit", "[bandit]\nskips = B602\n")
			}
		}},
	}

	hits := 0
	compare := func(step string) {
		t.Helper()
		var (
			wg       sync.WaitGroup
			uncached cachedScan
			uerr     error
		)
		// An unreadable file makes scanners incomplete: their runs are
		// compared too.
		flags := []string{"--allow-incomplete", "--sarif-keep-incomplete"}
		wg.Go(func() { uncached, uerr = scanNoFatal(root, db, append(flags, "--no-cache")...) })
		cached := scanCached(t, root, db, append(flags, "--cache-dir", cache)...)
		wg.Wait()
		if uerr != nil {
			t.Fatalf("%s: uncached scan: %v", step, uerr)
		}
		t.Logf("%s: %v", step, cached.counts)
		for _, c := range cached.counts {
			n, _, _ := strings.Cut(c, "/")
			if v, _ := strconv.Atoi(n); v > 0 {
				hits += v
			}
		}
		if cached.results != uncached.results {
			t.Fatalf("%s: the cached scan differs from an uncached one (seed %d):\n%s\nwant\n%s", step, seed, cached.results, uncached.results)
		}
	}
	compare("initial tree")
	// Every kind once, in a random order, then one more: 10 steps.
	order := append(rng.Perm(len(mutations)), rng.IntN(len(mutations)))
	for i, n := range order {
		m := mutations[n]
		m.do()
		compare(fmt.Sprintf("step %d, %s", i+1, m.name))
	}
	if hits == 0 {
		t.Error("no scan was answered from the cache: the test compared nothing")
	}
}

// A symlinked main.go whose target changes behind it: the cached scan sees
// the new call of a vulnerable function and fails the gate.
func TestResultCacheSymlinkTargetEdited(t *testing.T) {
	t.Parallel()
	root := soundTree(t)
	relink(t, root, "lib", "_libs/b")
	for _, f := range []string{"requirements.txt", "reqs/base.txt", "tools/notes.py"} {
		os.Remove(filepath.Join(root, f))
	}
	db := importDB(t, "../../examples/vulndb")
	cache := filepath.Join(t.TempDir(), "cache")
	gate := func(step string, want int, scanner string) string {
		t.Helper()
		code, _, stderr := runCLI(t, "scan", "--offline", "--db", db, "--scanners", scanner, "--cache-dir", cache, root)
		if code != want {
			t.Fatalf("%s: exit %d, want %d\n%s", step, code, want, stderr)
		}
		return stderr
	}
	gate("cold", 0, "govulncheck")
	if stderr := gate("unchanged", 0, "govulncheck"); !strings.Contains(stderr, "govulncheck 1/1") {
		t.Fatalf("the unchanged tree was not answered from the cache:\n%s", stderr)
	}
	testkit.WriteFiles(t, root, map[string]string{"impl/main.txt": strings.NewReplacer("\t\"fmt\"", "\t\"fmt\"\n\n\t\"golang.org/x/text/language\"",
		"lib.Tag(os.Args[1]))", "lib.Tag(os.Args[1]), language.MustParse(os.Args[1]))").Replace(soundMain)})
	if stderr := gate("main.go's target calls language.MustParse", 1, "govulncheck"); !strings.Contains(stderr, "GO-2021-0113") {
		t.Errorf("the gate failed without naming GO-2021-0113:\n%s", stderr)
	}
}

// gosec through a vendored file behind a symlink: main converts what the
// vendored function returns, and its result type decides G115 (integer
// overflow).
func TestResultCacheSymlinkedVendorFile(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "repo")
	db := importDB(t, "../../examples/vulndb")
	cache := filepath.Join(t.TempDir(), "cache")
	testkit.WriteFiles(t, root, map[string]string{
		"go.mod":             "module example.com/v\n\ngo 1.22\n\nrequire example.com/size v1.0.0\n",
		"vendor/modules.txt": "# example.com/size v1.0.0\n## explicit\nexample.com/size\n",
		"shared/size.txt":    "package size\n\nfunc Size() int32 { return 1 }\n",
		"main.go":            "package main\n\nimport \"example.com/size\"\n\nfunc main() { println(int32(size.Size())) }\n",
	})
	relink(t, root, "vendor/example.com/size/size.go", "../../../shared/size.txt")
	scan := func(step string, args ...string) cachedScan {
		t.Helper()
		got := scanCached(t, root, db, append([]string{"--scanners", "gosec"}, args...)...)
		if want := scanCached(t, root, db, "--scanners", "gosec", "--no-cache"); got.results != want.results {
			t.Fatalf("%s: the cached scan differs from an uncached one:\n%s\nwant\n%s", step, got.results, want.results)
		}
		return got
	}
	if got := scan("vendored int32", "--cache-dir", cache); strings.Contains(got.results, `"G115"`) {
		t.Fatalf("G115 without a narrowing conversion:\n%s", got.results)
	}
	scan("unchanged", "--cache-dir", cache).hits(t, "unchanged", map[string]string{"gosec": "1/1"})
	testkit.WriteFiles(t, root, map[string]string{"shared/size.txt": "package size\n\nfunc Size() int64 { return 1 }\n"})
	if got := scan("vendored int64", "--cache-dir", cache); !strings.Contains(got.results, `"G115"`) {
		t.Errorf("the vendored file's new type did not reach the cached scan:\n%s\n%s", got.results, got.stderr)
	}
}

// osv-scanner reads a go.mod's go.sum when the go directive is below 1.17
// (its indirect requirements are there): the key holds it.
func TestResultCacheOSVGoSum(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{
		"go.mod": "module example.com/o\n\ngo 1.16\n",
		"go.sum": "golang.org/x/text v0.3.6 h1:aRYxNxv6iGQlyVaZmk6ZgYEDa+Jg18DxebPSrd6bg1M=\n",
	})
	db := importDB(t, "../../examples/vulndb")
	cache := filepath.Join(t.TempDir(), "cache")
	for _, step := range []string{"vulnerable", "fixed"} {
		got := scanCached(t, root, db, "--scanners", "osv-scanner", "--cache-dir", cache)
		want := scanCached(t, root, db, "--scanners", "osv-scanner", "--no-cache")
		if got.results != want.results {
			t.Fatalf("%s: the cached scan differs from an uncached one:\n%s\nwant\n%s", step, got.results, want.results)
		}
		if vuln := strings.Contains(got.results, "GO-2021-0113"); vuln != (step == "vulnerable") {
			t.Fatalf("%s: GO-2021-0113 reported: %v\n%s", step, vuln, got.results)
		}
		testkit.WriteFiles(t, root, map[string]string{"go.sum": "golang.org/x/text v0.3.8 h1:nAL+RVCQ9uMn3vJZbV+MRnydTJFPf8qqY42YiA6MrqY=\n"})
	}
}

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
	testkit.SkipShort(t, "several whole scans compared")
	t.Parallel()
	testkit.NeedBandit(t)
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
	testkit.SkipShort(t, "several whole scans compared")
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
	testkit.SkipShort(t, "several whole scans compared")
	testkit.NeedBandit(t)
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
