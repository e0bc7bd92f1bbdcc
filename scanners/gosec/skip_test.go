package gosec

import (
	"os"
	"path/filepath"
	"testing"
)

// Go code under a directory every walker skips is not the project's: the go
// command loads node_modules/x for ./..., but its findings are dropped, as
// vendor's and testdata's are.
func TestSkippedDirsFindingsDropped(t *testing.T) {
	root := t.TempDir()
	weak := "package x\n\nimport \"crypto/md5\"\n\nfunc Sum(b []byte) [16]byte { return md5.Sum(b) }\n"
	for name, body := range map[string]string{
		"go.mod":                "module example.com/skipped\n\ngo 1.21\n",
		"own/own.go":            weak,
		"node_modules/x/x.go":   weak,
		"app/node_modules/y.go": weak,
	} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	o := scan(t, root, Options{}, nil)
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	paths := map[string]bool{}
	for _, f := range o.Res.Findings {
		paths[f.Location.Path] = true
	}
	if !paths["own/own.go"] || len(paths) != 1 {
		t.Errorf("findings in %v, want own/own.go only", paths)
	}
}
