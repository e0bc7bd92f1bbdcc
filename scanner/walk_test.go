package scanner

import (
	"path/filepath"
	"testing"
)

func TestRelPath(t *testing.T) {
	if got := RelPath("/a/b", "/a/b/c/d.go"); got != "c/d.go" {
		t.Errorf("got %q", got)
	}
	// Outside the root: no machine path, but visibly outside, so that Run
	// drops a finding located there.
	if got := RelPath("/a/b", "/etc/passwd"); got != "../../etc/passwd" || filepath.IsLocal(got) {
		t.Errorf("outside path: got %q", got)
	}
}
