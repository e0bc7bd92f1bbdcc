package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The result cache and a hostile repository: the cache is never kept under
// the scanned root, and entries are found by the content of what was
// scanned, so a repository cannot plant an answer for another tree, even
// one scanned at the same path after it.

func TestHostileCacheDirInsideTree(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"go.mod":  "module example.com/h\n\ngo 1.21\n",
		"main.go": "package main\n\nimport \"crypto/md5\"\n\nfunc main() { _ = md5.Sum(nil) }\n",
	})
	o := scanHostile(t, root, "--scanners", "gosec", "--cache-dir", filepath.Join(root, ".scangate-cache"))
	if o.code != 0 && o.code != 1 {
		t.Fatalf("exit %d\n%s", o.code, o.stderr)
	}
	if !strings.Contains(o.stderr, "result cache .scangate-cache (from the root) is inside the scanned tree: scanning uncached") {
		t.Errorf("no warning about a cache inside the tree:\n%s", o.stderr)
	}
	if _, err := os.Stat(filepath.Join(root, ".scangate-cache")); err == nil {
		t.Error("the cache directory was created inside the scanned tree")
	}
	if !strings.Contains(o.sarif, `"G401"`) {
		t.Errorf("the scan did not run uncached:\n%s", o.sarif)
	}
	assertNowhere(t, o, root)
}

// A --cache-dir not made yet, reached through a link into the tree (here
// a directory the tree itself holds): judged by where MkdirAll would put
// it, refused on the first scan as on later ones.
func TestHostileCacheDirThroughLinkIntoTree(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"go.mod":       "module example.com/h\n\ngo 1.21\n",
		"main.go":      "package main\n\nimport \"crypto/md5\"\n\nfunc main() { _ = md5.Sum(nil) }\n",
		"out/.keep.go": "package out\n",
	})
	outside := t.TempDir()
	if err := os.Symlink(filepath.Join(root, "out"), filepath.Join(outside, "caches")); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		o := scanHostile(t, root, "--scanners", "gosec", "--cache-dir", filepath.Join(outside, "caches", "scangate"))
		if o.code != 0 && o.code != 1 {
			t.Fatalf("scan %d: exit %d\n%s", i, o.code, o.stderr)
		}
		if !strings.Contains(o.stderr, "result cache out/scangate (from the root) is inside the scanned tree: scanning uncached") {
			t.Errorf("scan %d: no warning about a cache inside the tree:\n%s", i, o.stderr)
		}
		if _, err := os.Lstat(filepath.Join(root, "out", "scangate")); err == nil {
			t.Fatalf("scan %d: the cache directory was created inside the scanned tree", i)
		}
		if !strings.Contains(o.sarif, `"G401"`) {
			t.Errorf("scan %d did not run:\n%s", i, o.sarif)
		}
		assertNowhere(t, o, outside)
	}
}

func TestHostileTreeCannotAnswerForAnother(t *testing.T) {
	cache := t.TempDir()
	root := filepath.Join(t.TempDir(), "checkout")
	// The hostile tree: the same module, package and file names as the
	// victim, with no finding. Scanned first, its answer is cached.
	writeTree(t, root, map[string]string{
		"go.mod":  "module example.com/victim\n\ngo 1.21\n",
		"main.go": "package main\n\nfunc main() {}\n",
	})
	if o := scanHostile(t, root, "--scanners", "gosec", "--cache-dir", cache); strings.Contains(o.sarif, `"G401"`) || o.code != 0 {
		t.Fatalf("hostile tree: exit %d\n%s", o.code, o.stderr)
	}
	// The victim, checked out at the same path afterwards.
	writeTree(t, root, map[string]string{
		"main.go": "package main\n\nimport \"crypto/md5\"\n\nfunc main() { _ = md5.Sum(nil) }\n",
	})
	o := scanHostile(t, root, "--scanners", "gosec", "--cache-dir", cache)
	if !strings.Contains(o.sarif, `"G401"`) {
		t.Errorf("the victim's scan was answered by the hostile tree's entry:\n%s", o.stderr)
	}
	if !strings.Contains(o.stderr, "gosec 0/1 package") {
		t.Errorf("the victim's package came from the cache:\n%s", o.stderr)
	}
}
