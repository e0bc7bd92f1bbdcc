package scanners

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Every walker of the scanned tree skips the same directories: a go.mod, a
// Python source and a requirements file inside any of them are found by none.
func TestWalkersSkipTheSameDirs(t *testing.T) {
	root := t.TempDir()
	write(t, root, "go.mod", "module example.com/root\n")
	write(t, root, "app/main.py", "")
	for _, d := range SkippedDirs() {
		write(t, root, d+"/m/go.mod", "module ignored/"+d+"\n")
		write(t, root, d+"/lib/x.py", "")
		write(t, root, "app/"+d+"/requirements.txt", "")
	}
	mods, err := GoModules(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) != 1 || mods[0].Rel != "." {
		t.Errorf("GoModules found %+v, want the root module only", mods)
	}
	if HasFile(root, func(rel string, d fs.DirEntry) bool { return d.Name() != "go.mod" && filepath.Base(rel) != "main.py" }) {
		t.Error("HasFile found a file inside a skipped directory")
	}
	var files []string
	if err := WalkPython(root, nil, func(rel string, d fs.DirEntry) error {
		files = append(files, rel)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0] != "app/main.py" || files[1] != "go.mod" {
		t.Errorf("WalkPython saw %v, want only app/main.py and go.mod", files)
	}
}

// Go walkers add the go command's own rule ("." and "_" prefixes); Python
// walkers add environments and build output, and only they skip those.
func TestWalkerSpecificSkips(t *testing.T) {
	for _, d := range []string{"_old", ".cache"} {
		if !skipGoDir(d) {
			t.Errorf("skipGoDir(%q) = false", d)
		}
	}
	for _, d := range []string{"build", "dist", "venv"} {
		if skipGoDir(d) {
			t.Errorf("skipGoDir(%q) = true: Go packages may have that name", d)
		}
	}
	root := t.TempDir()
	write(t, root, "build/go.mod", "module example.com/build\n")
	if mods, err := GoModules(root); err != nil || len(mods) != 1 {
		t.Errorf("GoModules skipped build/: %+v, %v", mods, err)
	}
}

// An error about one file entry must not end the walk of its directory:
// returning fs.SkipDir there would skip the file's siblings.
func TestHasFileErrorOnFileSkipsOnlyThatFile(t *testing.T) {
	root := t.TempDir()
	write(t, root, "a.txt", "")
	write(t, root, "b/go.mod", "module example.com/b\n")
	var found bool
	visit := hasFileVisit(root, func(rel string, d fs.DirEntry) bool { return d.Name() == "go.mod" }, &found)
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	// a.txt sorts first; an error about it (a file that vanished or cannot
	// be stat'ed) must leave b/ to be walked.
	if got := visit(filepath.Join(root, "a.txt"), entries[0], errors.New("stat a.txt: permission denied")); got != nil {
		t.Fatalf("error on a file entry returned %v, want nil (walk on)", got)
	}
	if got := visit(filepath.Join(root, "b"), entries[1], errors.New("open b: permission denied")); got != filepath.SkipDir {
		t.Errorf("error on a directory returned %v, want fs.SkipDir", got)
	}
	if !HasFile(root, func(rel string, d fs.DirEntry) bool { return rel == "b/go.mod" }) {
		t.Error("HasFile did not find b/go.mod")
	}
}
