package safety

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/noperm"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/scannertest"
)

// A folder safety's discovery cannot read is named, and the scan is partial
// with the other files' findings kept; excluded, it is not read and the
// scan completes. Run where permission bits bind (as root too).
func TestSafetyUnreadable(t *testing.T) {
	if !noperm.Isolate(t) {
		return
	}
	fakeSafety(t, "2.3.5", scannertest.Testdata("python", "safety/check-2.3.5-pypkg.json"), "", 64)
	root := filepath.Join(t.TempDir(), "pypkg")
	testkit.CopyTree(t, scannertest.Testdata("python", "pypkg"), root)
	secret := filepath.Join(root, "secret")
	if err := os.MkdirAll(secret, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(secret, "requirements.txt"), []byte("requests==2.19.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	noperm.Deny(t, secret)

	s := New(Options{})
	req := scannertest.Request(root)
	if !s.Applies(req) {
		t.Fatal("does not apply")
	}
	o := scannertest.Run(t, s, req)
	if o.Err != nil || o.Res.State != finding.Incomplete {
		t.Fatalf("err %v, state %s, want a partial scan", o.Err, o.Res.State)
	}
	res := o.Res
	scannertest.Golden(t, "testdata/pypkg.golden", res) // what was read is reported
	var notes []string
	for _, n := range res.Notifications {
		notes = append(notes, n.Message+" @ "+n.Location.Path)
		if strings.Contains(n.Message, root) {
			t.Errorf("a machine path: %s", n.Message)
		}
	}
	if want := "safety: secret cannot be read (permission denied): nothing in it was scanned; exclude it (--exclude) if it holds nothing to scan @ secret"; !slices.Contains(notes, want) {
		t.Errorf("notes %q lack %q", notes, want)
	}

	req.Exclude = []string{"secret"}
	res, err := s.Scan(context.Background(), req)
	if err != nil {
		t.Fatalf("with the folder excluded: %v", err)
	}
	checkPypkg(t, res)

	// Nothing readable at all: applies, and says so.
	noperm.Deny(t, root)
	req.Exclude = nil
	if !s.Applies(req) {
		t.Error("an unreadable root: does not apply")
	}
	var partial *scanner.PartialError
	if _, err := s.Scan(context.Background(), req); !errors.As(err, &partial) {
		t.Errorf("an unreadable root: err %v, want a partial scan", err)
	}
}
