package golang

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/python"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/noperm"
)

// gapList renders gaps as "rel: error" lines, with the bare error the
// gap's sentence wraps.
func gapList(gaps []scanner.Gap) string {
	var out []string
	for _, g := range gaps {
		out = append(out, g.Rel+": "+errors.Unwrap(g.Err).Error())
	}
	return strings.Join(out, "\n")
}

// An unreadable directory is a gap every walker reports, with its path
// relative to the root, and the walk goes on past it: the modules and
// files beside and after it are still found. Excluded, it is not read at
// all, and is no gap. Run where permission bits bind (as root too).
func TestWalkersReportUnreadable(t *testing.T) {
	if !noperm.Isolate(t) {
		return
	}
	root := t.TempDir()
	testkit.Write(t, root, "go.mod", "module example.com/root\n\ngo 1.22\n")
	testkit.Write(t, root, "a/secret/go.mod", "module example.com/secret\n")
	testkit.Write(t, root, "a/secret/x.py", "")
	testkit.Write(t, root, "a/secret/requirements.txt", "")
	testkit.Write(t, root, "b/go.mod", "module example.com/b\n") // walked after the gap
	testkit.Write(t, root, "b/y.py", "")
	testkit.Write(t, root, "sub/go.mod", "module example.com/sub\n")
	noperm.Deny(t, filepath.Join(root, "sub", "go.mod")) // a module that cannot be read
	noperm.Deny(t, filepath.Join(root, "a", "secret"))

	tree, err := Modules(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	var rels []string
	for _, m := range tree.Modules {
		rels = append(rels, m.Rel)
	}
	if !slices.Equal(rels, []string{".", "b"}) {
		t.Errorf("Modules found %v, want . and b", rels)
	}
	want := "a/secret: permission denied\nsub/go.mod: permission denied"
	if got := gapList(tree.Gaps); got != want {
		t.Errorf("Modules gaps:\n%s\nwant:\n%s", got, want)
	}
	files := map[string]bool{}
	gaps, err := python.Walk(scanner.TreeWalk{Root: root}, nil, func(rel string, d fs.DirEntry) error {
		files[rel] = true
		return nil
	})
	if err != nil || gapList(gaps) != "a/secret: permission denied" || !files["b/y.py"] {
		t.Errorf("python.Walk: gaps %q, err %v, files %v", gapList(gaps), err, files)
	}
	// Nothing but an unreadable directory: the Go scanners apply (and
	// report it), never "nothing to scan here".
	only := t.TempDir()
	testkit.Write(t, only, "secret/go.mod", "module example.com/secret\n")
	noperm.Deny(t, filepath.Join(only, "secret"))
	if !HasFile(only, nil, func(string, fs.DirEntry) bool { return false }) {
		t.Error("HasFile: false for a tree with an unreadable directory")
	}
	if HasFile(only, []string{"secret"}, func(string, fs.DirEntry) bool { return false }) {
		t.Error("HasFile: true with the unreadable directory excluded")
	}

	// Excluded: not read, no gap, the other modules found.
	tree, err = Modules(root, []string{"secret"})
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Modules) != 2 || gapList(tree.Gaps) != "sub/go.mod: permission denied" || !slices.Equal(tree.Excluded, []string{"a/secret"}) {
		t.Errorf("with a/secret excluded: modules %d, gaps %q, excluded %v", len(tree.Modules), gapList(tree.Gaps), tree.Excluded)
	}
	gaps, _ = python.Walk(scanner.TreeWalk{Root: root, Exclude: []string{"a/secret"}}, nil, func(string, fs.DirEntry) error { return nil })
	if len(gaps) != 0 {
		t.Errorf("python.Walk with a/secret excluded: gaps %q", gapList(gaps))
	}

	// The root itself unreadable: one gap, ".", and no error.
	noperm.Deny(t, root)
	tree, err = Modules(root, nil)
	if err != nil || len(tree.Modules) != 0 || gapList(tree.Gaps) != ".: permission denied" {
		t.Errorf("unreadable root: %+v, %v", tree, err)
	}
	res := &finding.Result{Tool: "gosec"}
	if err := scanner.Settle(res, scanner.Partial(tree.Gaps...), nil); err != nil || res.State != finding.Incomplete || len(res.Notifications) != 1 {
		t.Fatalf("settled: %v, %s, %+v", err, res.State, res.Notifications)
	}
	if n := res.Notifications[0]; n.Level != finding.LevelError || n.Location.Path != "" || strings.Contains(n.Message, root) ||
		n.Message != "gosec: the scanned root (.) cannot be read (permission denied): nothing was scanned" {
		t.Errorf("root gap note: %+v", n)
	}
}

// A module holding an unreadable or excluded directory is listed around
// it: "./..." would read it and fail as a whole. The go command, run on
// the patterns, lists every other package of the module without an error.
func TestPatternsAroundGaps(t *testing.T) {
	if !noperm.Isolate(t) {
		return
	}
	root := t.TempDir()
	testkit.Write(t, root, "go.mod", "module example.com/m\n\ngo 1.22\n")
	testkit.Write(t, root, "main.go", "package main\n\nfunc main() {}\n")
	testkit.Write(t, root, "c/c.go", "package c\n")
	testkit.Write(t, root, "c/deep/deep.go", "package deep\n")
	testkit.Write(t, root, "d/d_test.go", "package d\n") // tests only: a package all the same
	testkit.Write(t, root, "d/legacy/l.go", "package legacy\n")
	testkit.Write(t, root, "e/e.go", "//go:build ignore\n\npackage e\n") // built nowhere: not named
	testkit.Write(t, root, "e/secret/s.go", "package secret\n")
	testkit.Write(t, root, "e/f/f.go", "package f\n")
	testkit.Write(t, root, "g/cgo.go", "package g\n\nimport \"C\"\n") // cgo off: not built
	testkit.Write(t, root, "g/sub/ok.go", "package sub\n")
	testkit.Write(t, root, "g/secret/s.go", "package secret\n")
	testkit.Write(t, root, "nested/go.mod", "module example.com/nested\n")
	testkit.Write(t, root, "nested/n.go", "package nested\n")
	noperm.Deny(t, filepath.Join(root, "e", "secret"))
	noperm.Deny(t, filepath.Join(root, "g", "secret"))

	tree, err := Modules(root, []string{"legacy"})
	if err != nil {
		t.Fatal(err)
	}
	if gapList(tree.Gaps) != "e/secret: permission denied\ng/secret: permission denied" {
		t.Errorf("gaps %q", gapList(tree.Gaps))
	}
	m := tree.Modules[0]
	pats := m.Patterns(&scanner.Request{Root: root})
	want := []string{".", "./c/...", "./d", "./e/f/...", "./g/sub/..."}
	if !slices.Equal(pats, want) {
		t.Errorf("patterns %q, want %q", pats, want)
	}
	if p := tree.Modules[1].Patterns(&scanner.Request{Root: root}); !slices.Equal(p, []string{"./..."}) {
		t.Errorf("a module without gaps: %q", p)
	}

	list := exec.Command("go", append([]string{"list", "-e", "-json=ImportPath,Error"}, pats...)...)
	list.Dir, list.Env = m.Dir, Env(m)
	out, err := list.Output()
	if err != nil {
		t.Fatalf("go list %q: %v", pats, err)
	}
	var got []string
	for dec := json.NewDecoder(strings.NewReader(string(out))); ; {
		var p struct {
			ImportPath string
			Error      *struct{ Err string }
		}
		if err := dec.Decode(&p); err != nil {
			break
		}
		if p.Error != nil {
			t.Errorf("go list: %s: %s", p.ImportPath, p.Error.Err)
		}
		got = append(got, strings.TrimPrefix(p.ImportPath, "example.com/m"))
	}
	if w := []string{"", "/c", "/c/deep", "/d", "/e/f", "/g/sub"}; !slices.Equal(got, w) {
		t.Errorf("go list found %q, want %q", got, w)
	}
}

// In a sharded scan each gap is reported once: with the module it lies in,
// or, outside every module, as a unit of its own that some shard runs.
func TestGapsInShards(t *testing.T) {
	if !noperm.Isolate(t) {
		return
	}
	root := t.TempDir()
	testkit.Write(t, root, "a/go.mod", "module example.com/a\n")
	testkit.Write(t, root, "a/x/x.go", "package x\n")
	testkit.Write(t, root, "b/go.mod", "module example.com/b\n")
	testkit.Write(t, root, "secret/go.mod", "module example.com/secret\n")
	noperm.Deny(t, filepath.Join(root, "a", "x"))
	noperm.Deny(t, filepath.Join(root, "secret"))
	units, err := Units(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, u := range units {
		paths = append(paths, u.Path)
	}
	if !slices.Equal(paths, []string{"a", "b", "secret"}) {
		t.Fatalf("units %q, want a, b and the gap secret", paths)
	}
	tree, err := Modules(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 3; n++ {
		seen := map[string]int{}
		for k := 1; k <= n; k++ {
			sh, err := scanner.NewShard(k, n, map[string][]scanner.Unit{"gosec": units})
			if err != nil {
				t.Fatal(err)
			}
			req := &scanner.Request{Root: root, Keep: sh.Keeper("gosec")}
			gaps := tree.GapsFor(req)
			if len(gaps) > 0 && !sh.Runs("gosec") {
				t.Errorf("shard %d/%d reports gaps but does not run gosec", k, n)
			}
			for _, g := range gaps {
				seen[g.Rel]++
			}
		}
		if seen["a/x"] != 1 || seen["secret"] != 1 || len(seen) != 2 {
			t.Errorf("%d shards: gaps reported %v, want a/x and secret once each", n, seen)
		}
	}
}
