package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
)

// The result cache and a hostile repository: the cache is never kept under
// the scanned root, and entries are found by the content of what was
// scanned, so a repository cannot plant an answer for another tree, even
// one scanned at the same path after it.

func TestHostileCacheDirInsideTree(t *testing.T) {
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{
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
	testkit.WriteFiles(t, root, map[string]string{
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
	testkit.WriteFiles(t, root, map[string]string{
		"go.mod":  "module example.com/victim\n\ngo 1.21\n",
		"main.go": "package main\n\nfunc main() {}\n",
	})
	if o := scanHostile(t, root, "--scanners", "gosec", "--cache-dir", cache); strings.Contains(o.sarif, `"G401"`) || o.code != 0 {
		t.Fatalf("hostile tree: exit %d\n%s", o.code, o.stderr)
	}
	// The victim, checked out at the same path afterwards.
	testkit.WriteFiles(t, root, map[string]string{
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

// Symlinks leading out of the tree: a Go file, a directory, a requirements
// include, a Python file and a .bandit. The scanners would read what they
// lead to, which no key may hold: the scanners reading it are not answered
// from the cache, and nothing of the outside files reaches any output. The
// same tree with a copy in place of the link is answered from the cache.
// A .bandit leading out is not read at all: bandit is incomplete (exit 3).
func TestHostileCacheSymlinksOutside(t *testing.T) {
	cases := []struct {
		name, target, link, scanners string
		files                        map[string]string
		refused                      bool
	}{
		{"a Go file", "secret.go", "leak.go", "gosec,govulncheck", nil, false},
		{"a directory", "gopkg", "gopkg", "gosec,govulncheck", map[string]string{
			"main.go": "package main\n\nimport _ \"example.com/h/gopkg\"\n\nfunc main() {}\n"}, false},
		{"a requirements include", "requirements.txt", "shared.txt", "osv-scanner", map[string]string{
			"requirements.txt": "-r shared.txt\nrequests==2.31.0\n"}, false},
		{"a Python file", "secret.py", "tool.py", "bandit", nil, false},
		{".bandit", "bandit.ini", ".bandit", "bandit", nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if strings.Contains(c.scanners, "bandit") {
				testkit.NeedBandit(t)
			}
			lt := newLeakTree(t, nil)
			testkit.WriteFiles(t, lt.outside, map[string]string{"bandit.ini": "[bandit]\nskips = B101\n# " + githubToken + "\n"})
			testkit.WriteFiles(t, lt.repo, map[string]string{
				"go.mod":  "module example.com/h\n\ngo 1.22\n",
				"main.go": "package main\n\nfunc main() {}\n",
				"app.py":  "import subprocess\nsubprocess.call('ls', shell=True)\n",
			})
			testkit.WriteFiles(t, lt.repo, c.files)
			lt.symlink(t, c.target, c.link)
			cache := t.TempDir()
			hits := func(step string) map[string]string {
				o := scanHostile(t, lt.repo, "--scanners", c.scanners, "--cache-dir", cache)
				if refused := c.refused && step != "a copy"; refused != (o.code == 3) || (!refused && o.code != 0 && o.code != 1) {
					t.Fatalf("%s: exit %d\n%s", step, o.code, o.stderr)
				}
				if step != "a copy" {
					assertSealed(t, lt, o)
				}
				got := map[string]string{}
				if m := cacheLine.FindStringSubmatch(o.stderr); m != nil {
					for _, part := range strings.Split(m[1], ", ") {
						if f := strings.Fields(part); len(f) > 1 {
							got[f[0]] = f[1]
						}
					}
				}
				return got
			}
			hits("cold")
			for s, n := range hits("again") {
				if !strings.HasPrefix(n, "0/") {
					t.Errorf("%s answered from the cache (%s) through a link leading outside", s, n)
				}
			}
			// The control: a copy of the outside file or directory.
			p := filepath.Join(lt.repo, filepath.FromSlash(c.link))
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			testkit.CopyTree(t, filepath.Join(lt.outside, filepath.Dir(c.target)), p+".d")
			if err := os.Rename(filepath.Join(p+".d", filepath.Base(c.target)), p); err != nil {
				t.Fatal(err)
			}
			os.RemoveAll(p + ".d")
			hits("a copy")
			got := hits("a copy")
			for _, s := range strings.Split(c.scanners, ",") {
				if n, m, _ := strings.Cut(got[s], "/"); n == "" || n == "0" || n != m {
					t.Errorf("control: %s not answered from the cache for a copy in the tree: %q", s, got[s])
				}
			}
		})
	}
}
