package golang

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/scangate/scangate/internal/testkit"

	"github.com/scangate/scangate/internal/resultcache"
)

// goKey is a module's govulncheck-style key of the tree at root: its sum,
// or "" with the reason when it cannot be used.
func goKey(root string) (sum string, err error) {
	k := (*resultcache.Cache)(nil).Key("test", "module")
	KeyFiles(k, root, root, true)
	if err := k.Err(); err != nil {
		return "", err
	}
	return k.Sum(), nil
}

// Each change of what a symlink leads to changes the key: the file behind
// a symlinked Go file, a file in a symlinked directory (vendor/ included),
// and the link's target.
func TestKeyGoFilesFollowsSymlinks(t *testing.T) {
	root := t.TempDir()
	testkit.Write(t, root, "go.mod", "module example.com/m\n\ngo 1.22\n")
	testkit.Write(t, root, "impl/main.txt", "package main\n\nfunc main() {}\n")
	testkit.Write(t, root, "impl/other.txt", "package main\n\nfunc main() {}\n")
	testkit.Write(t, root, "shared/x/x.go", "package x\n")
	testkit.Write(t, root, "shared/vendor/golang.org/x/text/language/parse.go", "package language\n")
	testkit.Write(t, root, "shared/vendor/modules.txt", "# golang.org/x/text v0.3.6\n")
	testkit.Symlink(t, "impl/main.txt", filepath.Join(root, "main.go"))
	testkit.Symlink(t, "../shared/x", filepath.Join(root, "pkg/x"))
	testkit.Symlink(t, "shared/vendor", filepath.Join(root, "vendor"))

	last, err := goKey(root)
	if err != nil {
		t.Fatal(err)
	}
	changes := []struct {
		name   string
		change func()
	}{
		{"the file behind main.go", func() {
			testkit.Write(t, root, "impl/main.txt", "package main\n\nfunc main() { println() }\n")
		}},
		{"main.go retargeted", func() { testkit.Symlink(t, "impl/other.txt", filepath.Join(root, "main.go")) }},
		{"a file in a symlinked directory", func() { testkit.Write(t, root, "shared/x/x.go", "package x\n\nconst C = 1\n") }},
		{"a file added to a symlinked directory", func() { testkit.Write(t, root, "shared/x/y.go", "package x\n") }},
		{"a file in a symlinked vendor directory", func() {
			testkit.Write(t, root, "shared/vendor/golang.org/x/text/language/parse.go", "package language\n\nfunc Parse() {}\n")
		}},
		{"a symlinked directory retargeted", func() { testkit.Symlink(t, "../impl", filepath.Join(root, "pkg/x")) }},
		{"a symlinked file replaced by its content", func() {
			b, _ := os.ReadFile(filepath.Join(root, "impl/other.txt"))
			os.Remove(filepath.Join(root, "main.go"))
			testkit.Write(t, root, "main.go", string(b)+"\n")
		}},
	}
	for _, c := range changes {
		c.change()
		sum, err := goKey(root)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if sum == last {
			t.Errorf("%s: the key did not change", c.name)
		}
		last = sum
	}
	// A file the go command does not read, in a symlinked directory: same key.
	testkit.Write(t, root, "shared/x/README.md", "readme\n")
	if sum, _ := goKey(root); sum != last {
		t.Error("a README changed the key")
	}
}

// Keys hold paths relative to the root: the same tree elsewhere has the
// same key (a restored cache, a base scanned in another directory).
func TestKeyGoFilesSameTreeElsewhere(t *testing.T) {
	sameKeyElsewhere(t, "tree", func(root string) (string, error) {
		testkit.Write(t, root, "go.mod", "module example.com/m\n\ngo 1.22\n")
		testkit.Write(t, root, "impl/a.txt", "package main\n")
		testkit.Write(t, root, "shared/x.go", "package x\n")
		testkit.Symlink(t, "impl/a.txt", filepath.Join(root, "main.go"))
		testkit.Symlink(t, filepath.Join(root, "shared"), filepath.Join(root, "pkg")) // absolute, inside
		return goKey(root)
	})
}

// sameKeyElsewhere fails unless key, which makes a tree in the directory
// it is given, gives the same key in two directories.
func sameKeyElsewhere(t *testing.T, what string, key func(dir string) (string, error)) {
	t.Helper()
	var sums []string
	for range 2 {
		sum, err := key(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, sum)
	}
	if sums[0] != sums[1] {
		t.Errorf("the same %s at two paths has two keys", what)
	}
}

// What cannot be keyed makes the key unusable, without hanging on a FIFO
// and without reading outside the root.
func TestKeyGoFilesCannotKey(t *testing.T) {
	outside := t.TempDir()
	testkit.Write(t, outside, "x.go", "package x\n")
	testkit.Write(t, outside, "dir/y.go", "package y\n")
	cases := []struct {
		name  string
		setup func(root string)
		want  string
	}{
		{"a Go file leading outside", func(root string) {
			testkit.Symlink(t, filepath.Join(outside, "x.go"), filepath.Join(root, "x.go"))
		}, "leads outside the scanned root"},
		{"a Go file leading outside through a relative link", func(root string) {
			rel, _ := filepath.Rel(filepath.Join(root, "sub"), filepath.Join(outside, "x.go"))
			testkit.Symlink(t, rel, filepath.Join(root, "sub/x.go"))
		}, "leads outside the scanned root"},
		{"a directory leading outside", func(root string) {
			testkit.Symlink(t, filepath.Join(outside, "dir"), filepath.Join(root, "pkg"))
		}, "leads outside the scanned root"},
		{"a vendor directory leading outside", func(root string) {
			testkit.Symlink(t, filepath.Join(outside, "dir"), filepath.Join(root, "vendor"))
		}, "leads outside the scanned root"},
		{"a cycle", func(root string) { testkit.Symlink(t, ".", filepath.Join(root, "sub/here")) }, "cycle"},
		{"a cycle to an ancestor", func(root string) { testkit.Symlink(t, "..", filepath.Join(root, "a/b/up")) }, "cycle"},
		{"a cycle of two links", func(root string) {
			testkit.Symlink(t, "../b", filepath.Join(root, "a/l"))
			testkit.Symlink(t, "../a", filepath.Join(root, "b/l"))
		}, "cycle"},
		{"a dangling Go file", func(root string) { testkit.Symlink(t, "nowhere.go", filepath.Join(root, "x.go")) }, "no such file"},
		{"a FIFO", func(root string) {
			if err := syscall.Mkfifo(filepath.Join(root, "fifo.go"), 0o644); err != nil {
				t.Skip(err)
			}
		}, "not a regular file"},
		{"a link to a FIFO", func(root string) {
			if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
				t.Skip(err)
			}
			testkit.Symlink(t, "fifo", filepath.Join(root, "f.go"))
		}, "not a regular file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			testkit.Write(t, root, "go.mod", "module example.com/m\n")
			testkit.Write(t, root, "main.go", "package main\n")
			c.setup(root)
			_, err := goKey(root)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
			if strings.Contains(err.Error(), outside) || strings.Contains(err.Error(), root) {
				t.Errorf("the error names a machine path: %v", err)
			}
		})
	}
}

// Links the go command does not read do not spoil the key: a dangling
// link and a link leading outside under a name it ignores.
func TestKeyGoFilesIgnoredLinks(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	testkit.Write(t, outside, "notes.md", "x\n")
	testkit.Write(t, outside, "dir/y.go", "package y\n")
	testkit.Write(t, root, "go.mod", "module example.com/m\n")
	testkit.Write(t, root, "main.go", "package main\n")
	testkit.Symlink(t, "nowhere", filepath.Join(root, "dangling"))
	testkit.Symlink(t, filepath.Join(outside, "notes.md"), filepath.Join(root, "notes.md"))
	testkit.Symlink(t, filepath.Join(outside, "dir"), filepath.Join(root, "node_modules"))
	if _, err := goKey(root); err != nil {
		t.Fatal(err)
	}
}

func TestKeyGoFilesUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads everything")
	}
	root := t.TempDir()
	testkit.Write(t, root, "go.mod", "module example.com/m\n")
	testkit.Write(t, root, "main.go", "package main\n")
	testkit.Write(t, root, "secret/s.go", "package secret\n")
	if err := os.Chmod(filepath.Join(root, "secret/s.go"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := goKey(root); err == nil {
		t.Error("an unreadable Go file left the key usable")
	}
	os.Chmod(filepath.Join(root, "secret/s.go"), 0o644)
	os.Chmod(filepath.Join(root, "secret"), 0)
	defer os.Chmod(filepath.Join(root, "secret"), 0o755)
	if _, err := goKey(root); err == nil {
		t.Error("an unreadable directory left the key usable")
	}
}

// moduleKey is the key of m's files and go command environment, as the Go
// scanners build it.
func moduleKey(m Module) (string, error) {
	k := (*resultcache.Cache)(nil).Key("test", "module")
	KeyModule(k, m)
	KeyModuleFiles(k, m)
	KeyEnv(k, m, Env(m))
	if err := k.Err(); err != nil {
		return "", err
	}
	return k.Sum(), nil
}

// A workspace and a local replace inside the tree key the same at two
// paths (the go.work's path, in GOWORK too, relative to the root). One
// that names a directory outside the tree cannot be keyed: what it holds
// is not hashed and changes with where the tree lies.
func TestKeyModuleWorkspaceElsewhere(t *testing.T) {
	tree := func(parent string, work, replace string) Module {
		t.Helper()
		root := filepath.Join(parent, "repo")
		testkit.Write(t, root, "go.work", work)
		testkit.Write(t, root, "app/go.mod", "module example.com/app\n\ngo 1.22\n\nrequire example.com/lib v0.0.0\n"+replace)
		testkit.Write(t, root, "app/main.go", "package main\n\nfunc main() {}\n")
		testkit.Write(t, root, "lib/go.mod", "module example.com/lib\n\ngo 1.22\n")
		testkit.Write(t, root, "lib/lib.go", "package lib\n")
		testkit.Write(t, parent, "outside/go.mod", "module example.com/out\n\ngo 1.22\n")
		tr, err := Modules(root, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range tr.Modules {
			if m.Rel == "app" {
				return m
			}
		}
		t.Fatalf("no module app in %+v", tr.Modules)
		return Module{}
	}
	inside := "go 1.22\n\nuse (\n\t./app\n\t./lib\n)\n"
	sameKeyElsewhere(t, "workspace", func(dir string) (string, error) {
		m := tree(dir, inside, "")
		if m.Work == "" || !slices.Contains(Env(m), "GOWORK="+m.Work) {
			t.Fatalf("the workspace is not used: %+v", m)
		}
		return moduleKey(m)
	})
	// A replace inside the tree: the replacement's files are keyed.
	m := tree(t.TempDir(), "go 1.22\n", "replace example.com/lib => ../lib\n")
	before, err := moduleKey(m)
	if err != nil {
		t.Fatal(err)
	}
	testkit.Write(t, m.Root, "lib/lib.go", "package lib\n\nfunc F() {}\n")
	if after, err := moduleKey(m); err != nil || after == before {
		t.Errorf("an edit in the replacement left the key as it was (%v)", err)
	}
	for _, tc := range []struct{ name, work, replace, want string }{
		{"go.work uses ../outside", inside + "use ../outside\n", "", "go.work uses a directory outside the tree"},
		{"go.work replaces with ../outside", inside + "replace example.com/lib => ../outside\n", "", "go.work replaces example.com/lib with a directory outside the tree"},
		{"go.mod replaces with ../../outside", "go 1.22\n", "replace example.com/lib => ../../outside\n", "app/go.mod replaces example.com/lib with a directory outside the tree"},
	} {
		parent := t.TempDir()
		m := tree(parent, tc.work, tc.replace)
		if m.Work == "" && tc.replace == "" {
			t.Fatalf("%s: the workspace is not used", tc.name)
		}
		if _, err := moduleKey(m); err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), parent) {
			t.Errorf("%s: key error %v, want %q without a machine path", tc.name, err, tc.want)
		}
	}
}
