package intree

import (
	"path/filepath"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
)

func TestContainsAndNamed(t *testing.T) {
	testkit.SkipOnWindows(t, "symlinks")
	base := t.TempDir()
	root := filepath.Join(base, "repo")
	outside := filepath.Join(base, "outside")
	testkit.Mkdir(t, filepath.Join(root, "sub"), outside)
	link := func(target, name string) string {
		testkit.Symlink(t, target, name)
		return name
	}
	rootLink := link(root, filepath.Join(base, "repo-link"))
	out := link(outside, filepath.Join(root, "out"))                     // a link in the tree leading out
	in := link(filepath.Join(root, "sub"), filepath.Join(outside, "in")) // a link outside leading in
	cfg := link(filepath.Join(outside, "c.yml"), filepath.Join(root, ".scangate.yml"))

	for _, c := range []struct {
		root, p         string
		contains, named bool
	}{
		{root, filepath.Join(root, "sub", "x"), true, true},
		{rootLink, filepath.Join(root, "sub", "x"), true, true},
		{root, filepath.Join(rootLink, "new", "file.sarif"), true, true}, // does not exist yet
		{root, filepath.Join(out, "x"), false, true},
		{root, filepath.Join(in, "x"), true, true},
		{root, cfg, false, true},
		{root, filepath.Join(root, "..", "outside", "x"), false, false},
		{root, filepath.Join(outside, "x"), false, false},
		{root, root, true, true},
		{"", filepath.Join(root, "x"), false, false},
	} {
		if got := Contains(c.root, c.p); got != c.contains {
			t.Errorf("Contains(%s, %s) = %v", c.root, c.p, got)
		}
		if c.root == "" {
			continue
		}
		if got := Named(c.root, c.p); got != c.named {
			t.Errorf("Named(%s, %s) = %v", c.root, c.p, got)
		}
	}
	if got := Rel(rootLink, filepath.Join(root, "sub", "x")); got != "sub/x" {
		t.Errorf("Rel = %q", got)
	}
}
