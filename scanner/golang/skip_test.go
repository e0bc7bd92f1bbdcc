package golang

import (
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/python"
)

// Every walker of the scanned tree skips the same directories: a go.mod, a
// Python source and a requirements file inside any of them are found by none.
func TestWalkersSkipTheSameDirs(t *testing.T) {
	root := t.TempDir()
	testkit.Write(t, root, "go.mod", "module example.com/root\n")
	testkit.Write(t, root, "app/main.py", "")
	for _, d := range scanner.SkippedDirs() {
		testkit.Write(t, root, d+"/m/go.mod", "module ignored/"+d+"\n")
		testkit.Write(t, root, d+"/lib/x.py", "")
		testkit.Write(t, root, "app/"+d+"/requirements.txt", "")
	}
	tree, err := Modules(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	if mods := tree.Modules; len(mods) != 1 || mods[0].Rel != "." {
		t.Errorf("Modules found %+v, want the root module only", mods)
	}
	if HasFile(root, nil, func(rel string, d fs.DirEntry) bool { return d.Name() != "go.mod" && filepath.Base(rel) != "main.py" }) {
		t.Error("HasFile found a file inside a skipped directory")
	}
	var files []string
	if _, err := python.Walk(scanner.TreeWalk{Root: root}, nil, func(rel string, d fs.DirEntry) error {
		files = append(files, rel)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0] != "app/main.py" || files[1] != "go.mod" {
		t.Errorf("python.Walk saw %v, want only app/main.py and go.mod", files)
	}
}

// Go walkers add the go command's own rule ("." and "_" prefixes); Python
// walkers add environments and build output, and only they skip those.
func TestWalkerSpecificSkips(t *testing.T) {
	for _, d := range []string{"_old", ".cache"} {
		if !skipDir(d) {
			t.Errorf("skipDir(%q) = false", d)
		}
	}
	for _, d := range []string{"build", "dist", "venv"} {
		if skipDir(d) {
			t.Errorf("skipDir(%q) = true: Go packages may have that name", d)
		}
	}
	root := t.TempDir()
	testkit.Write(t, root, "build/go.mod", "module example.com/build\n")
	if tree, err := Modules(root, nil); err != nil || len(tree.Modules) != 1 {
		t.Errorf("Modules skipped build/: %+v, %v", tree, err)
	}
}
