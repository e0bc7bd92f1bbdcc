package safety

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/scangate/scangate/scanner/python"
)

// safety is given no dependency file from a directory every walker skips
// (vendored trees and testdata included) nor from a Python environment.
func TestDiscoverSkipsTheSharedDirs(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "requirements.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range python.SkippedDirs() {
		p := filepath.Join(root, "svc", d, "requirements.txt")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, _, err := discover(root, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(files, []string{"requirements.txt"}) {
		t.Errorf("discover = %q, want requirements.txt only", files)
	}
}
