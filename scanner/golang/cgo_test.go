package golang

import (
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
)

func TestCgoSkipped(t *testing.T) {
	root := t.TempDir()
	other := "windows"
	if runtime.GOOS == "windows" {
		other = "linux"
	}
	cgoFile := "package p\n\n// #include <stdio.h>\nimport \"C\"\n"
	for name, body := range map[string]string{
		"go.mod":                      "module example.com/p\n\ngo 1.22\n",
		"p.go":                        "package p\n",
		"c.go":                        cgoFile,
		"tagged.go":                   "//go:build cgo\n\npackage p\n",
		"nocgo.go":                    "//go:build !cgo\n\npackage p\n",
		"c_" + other + ".go":          cgoFile, // not built on this platform anyway
		"c_test.go":                   cgoFile, // tests are off
		"gen/c.go":                    cgoFile, // excluded below
		"sub/go.mod":                  "module example.com/p/sub\n\ngo 1.22\n",
		"sub/c.go":                    cgoFile, // another module
		"testdata/c.go":               cgoFile,
		"feature/c.go":                "//go:build feature\n\npackage feature\n\nimport \"C\"\n",
		"broken/c.go":                 "package broken\n\nimport \"C\"\nfunc {\n",
		"_hidden/c.go":                cgoFile,
		"vendor/example.com/v/c.go":   cgoFile,
		"deep/er/c.go":                cgoFile,
		"deep/er/notgo.txt":           "import \"C\"\n",
		"deep/er/.dot.go":             cgoFile,
		"deep/er/_underscore.go":      cgoFile,
		"deep/er/ok_" + other + ".go": "package er\n",
	} {
		testkit.Write(t, root, filepath.FromSlash(name), body)
	}
	m := Module{Dir: root, Rel: "."}
	req := &scanner.Request{Root: root, Exclude: []string{"gen"}}
	got, err := CgoSkipped(req, m)
	if err != nil {
		t.Fatal(err)
	}
	// broken/c.go breaks after its imports: the go command reads only the
	// imports to leave it out, and so does CgoSkipped.
	want := []string{"broken/c.go", "c.go", "deep/er/c.go", "tagged.go"}
	if !slices.Equal(got, want) {
		t.Errorf("CgoSkipped = %q, want %q", got, want)
	}

	req.Tests, req.Tags = true, []string{"feature"}
	got, _ = CgoSkipped(req, m)
	want = []string{"broken/c.go", "c.go", "c_test.go", "deep/er/c.go", "feature/c.go", "tagged.go"}
	if !slices.Equal(got, want) {
		t.Errorf("with tests and tags: CgoSkipped = %q, want %q", got, want)
	}

	req.Cgo = true
	if got, _ := CgoSkipped(req, m); got != nil {
		t.Errorf("with cgo on nothing is skipped: %q", got)
	}
	if env := CgoEnv(req); !slices.Equal(env, []string{"CGO_ENABLED=1"}) {
		t.Errorf("CgoEnv = %q", env)
	}
	if env := Env(m); !slices.Contains(env, "CGO_ENABLED=0") {
		t.Error("Env must turn cgo off")
	}

	msg := CgoSkippedMessage([]string{"a.go", "b.go"})
	testkit.ContainsAll(t, "message", msg, "2 Go files use cgo and were not analyzed", "a.go, b.go", "--cgo", "--allow-incomplete")
}
