package resultcache

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scangate/scangate/internal/testkit"
)

func open(t *testing.T, dir string, max int64) (*Cache, *[]string) {
	t.Helper()
	var warnings []string
	var mu sync.Mutex
	c := Open(Options{Dir: dir, Build: "test", MaxBytes: max, Warnf: func(f string, a ...any) {
		mu.Lock()
		warnings = append(warnings, f)
		mu.Unlock()
	}})
	if c == nil {
		t.Fatalf("Open(%s) = nil: %q", dir, warnings)
	}
	return c, &warnings
}

func TestKeyParts(t *testing.T) {
	c, _ := open(t, t.TempDir(), 0)
	sum := func(parts ...string) string {
		k := c.Key("s", "u")
		k.Add(parts...)
		return k.Sum()
	}
	if sum("ab", "c") == sum("a", "bc") || sum("a") == sum("a", "") {
		t.Error("parts are not delimited")
	}
	other := Open(Options{Dir: t.TempDir(), Build: "other"})
	if k := other.Key("s", "u"); k.Sum() == c.Key("s", "u").Sum() {
		t.Error("the build is not part of the key")
	}
	k := c.Key("s", "u")
	k.File(filepath.Join(t.TempDir(), "missing"), "missing")
	var v int
	c.Put(k, 1)
	if k.Err() == nil || c.Get(k, &v) {
		t.Error("a key over a missing file is usable")
	}
}

func TestPutGetAndStats(t *testing.T) {
	dir := t.TempDir()
	c, warnings := open(t, dir, 0)
	k := c.Key("gosec", "package")
	k.Add("x")
	var got []string
	if c.Get(k, &got) {
		t.Fatal("hit in an empty cache")
	}
	c.Put(k, []string{"a", "b"})
	if !c.Get(k, &got) || strings.Join(got, ",") != "a,b" {
		t.Fatalf("Get = %q", got)
	}
	if s := c.Summary([]string{"govulncheck", "gosec"}); s != "from the result cache: gosec 1/2 packages" {
		t.Errorf("Summary = %q", s)
	}
	if len(*warnings) > 0 {
		t.Errorf("warnings: %q", *warnings)
	}
	// A nil cache is a disabled one.
	var nc *Cache
	nk := nc.Key("gosec", "package")
	nc.Put(nk, 1)
	if nc.Get(nk, &got) || nc.Summary([]string{"gosec"}) != "" || nc.Close() != nil {
		t.Error("a nil cache cached something")
	}
}

func TestEvictionKeepsRecentlyUsed(t *testing.T) {
	dir := t.TempDir()
	c, _ := open(t, dir, 3000)
	big := strings.Repeat("x", 900)
	keys := make([]*Key, 5)
	for i := range keys {
		keys[i] = c.Key("s", "u")
		keys[i].Add(string(rune('a' + i)))
		c.Put(keys[i], big)
		// Older entries first; the first one is used again last.
		old := time.Now().Add(time.Duration(i-10) * time.Minute)
		os.Chtimes(c.path(keys[i].Sum()), old, old)
	}
	var v string
	if !c.Get(keys[0], &v) {
		t.Fatal("miss before eviction")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	var left []int
	for i, k := range keys {
		if _, err := os.Stat(c.path(k.Sum())); err == nil {
			left = append(left, i)
		}
	}
	// Five entries of about 1 kB over a 3 kB bound: down to 2.4 kB, the
	// least recently used (1, 2, 3) go first.
	if len(left) != 2 || left[0] != 0 || left[1] != 4 {
		t.Errorf("entries left %v, want [0 4]", left)
	}
}

func TestRefusesDirectoryInsideRoot(t *testing.T) {
	root := t.TempDir()
	var warned string
	c := Open(Options{Dir: filepath.Join(root, "sub", "cache"), Root: root, Build: "b", Warnf: func(f string, a ...any) { warned = f }})
	if c != nil || !strings.Contains(warned, "inside the scanned tree") {
		t.Errorf("cache inside the root: %v, warning %q", c, warned)
	}
	if _, err := os.Stat(filepath.Join(root, "sub")); err == nil {
		t.Error("created a directory in the root")
	}
}

// A cache directory not made yet, reached through a link into the root,
// is judged by its longest existing ancestor with links resolved: refused,
// and nothing is created in the tree.
func TestRefusesDirectoryReachedThroughLinkIntoRoot(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "repo")
	testkit.Mkdir(t, filepath.Join(root, "sub"))
	outside := filepath.Join(base, "outside")
	testkit.Symlink(t, filepath.Join(root, "sub"), filepath.Join(outside, "link"))
	// A dangling link whose target would be made inside the tree.
	testkit.Symlink(t, filepath.Join(root, "notyet"), filepath.Join(outside, "dangling"))
	for _, tc := range []struct{ dir, shown string }{
		{filepath.Join(outside, "link", "cache"), "sub/cache"},
		{filepath.Join(outside, "link", "a", "b", "cache"), "sub/a/b/cache"},
		{filepath.Join(outside, "link"), "sub"},
		{filepath.Join(outside, "dangling", "cache"), "notyet/cache"},
	} {
		var warned string
		c := Open(Options{Dir: tc.dir, Root: root, Build: "b", Warnf: func(f string, a ...any) { warned = fmt.Sprintf(f, a...) }})
		if c != nil || !strings.Contains(warned, "result cache "+tc.shown+" (from the root) is inside the scanned tree") {
			t.Errorf("%s: cache %v, warning %q", tc.dir, c, warned)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(root, "sub"))
	if len(entries) != 0 {
		t.Errorf("created in the tree: %v", entries)
	}
	if _, err := os.Lstat(filepath.Join(root, "notyet")); err == nil {
		t.Error("created the dangling link's target in the tree")
	}
	// Beside the tree, through a link that stays outside: accepted.
	testkit.Mkdir(t, filepath.Join(base, "elsewhere"))
	testkit.Symlink(t, filepath.Join(base, "elsewhere"), filepath.Join(outside, "ok"))
	if c := Open(Options{Dir: filepath.Join(outside, "ok", "cache"), Root: root, Build: "b"}); c == nil {
		t.Error("a cache outside the tree was refused")
	}
}

func TestSelfIDIsTheBuildID(t *testing.T) {
	id, err := selfID()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id, "buildid:") && !strings.HasPrefix(id, "sha256:") {
		t.Errorf("selfID = %q", id)
	}
	// Another program has another identity.
	if other, err := programID("/bin/sh"); err != nil || other == id {
		t.Errorf("/bin/sh: %q, %v", other, err)
	}
}

// A value naming the root, as given or through a link, would not hold for
// the tree at another path: it is not stored. A name that only begins
// like the root (a sibling "repo2") is no mention of it.
func TestPutRefusesValuesNamingTheRoot(t *testing.T) {
	base := t.TempDir()
	real := filepath.Join(base, "real", "repo")
	testkit.Mkdir(t, real)
	link := filepath.Join(base, "link")
	testkit.Symlink(t, filepath.Join(base, "real"), link)
	root := filepath.Join(link, "repo")
	c := Open(Options{Dir: filepath.Join(base, "cache"), Root: root, Build: "b"})
	for _, tc := range []struct {
		value  any
		stored bool
	}{
		{"main.go:3: weak hash", true},
		{map[string]string{"file": "cmd/main.go"}, true},
		{"see " + root + "2/x.go", true},
		{"see " + real + "_old", true},
		{root, false},
		{"open " + root + "/main.go: permission denied", false},
		{[]string{"x", real + "/lib/a.go"}, false},
		{"in " + real + ": no Go files", false},
	} {
		k := c.Key("s", "u")
		k.JSON(tc.value)
		c.Put(k, tc.value)
		var got any
		if c.Get(k, &got) != tc.stored {
			t.Errorf("%q: stored %v, want %v", tc.value, !tc.stored, tc.stored)
		}
	}
	// Without a root nothing is refused.
	c = Open(Options{Dir: filepath.Join(base, "cache"), Build: "b"})
	k := c.Key("s", "u")
	k.Add("no root")
	c.Put(k, "open "+root+"/main.go")
	var got string
	if !c.Get(k, &got) {
		t.Error("without a root: not stored")
	}
	if len(jsonRoots(string(filepath.Separator))) != 0 {
		t.Error("the filesystem root refuses values: every path is under it")
	}
}
