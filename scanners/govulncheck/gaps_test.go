package govulncheck

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner/scannertest"
)

// An untidy module (testdata/gomod/untidy) fails govulncheck's package
// load: the run is incomplete and the error's first line (the one the
// summary shows) names the module and the go command's decisive line.
func TestUntidyModuleDecisiveLine(t *testing.T) {
	root := t.TempDir()
	testkit.CopyTree(t, "testdata/stdlib", root)
	testkit.UntidyModule(t, filepath.Join(root, "api"))
	res := scannertest.Scan(t, newScanner(), request(root, exampleDB(t, "testdata/vulndb/GO-9999-0001.json")))
	if res.State != finding.Incomplete {
		t.Errorf("state %s, want incomplete", res.State)
	}
	// -mod=readonly is explicit in the child: the go command says so.
	want := "govulncheck: module api (example.com/untidy/api): nothing in it was scanned: go: updates to go.mod needed, disabled by -mod=readonly; to update it: go mod tidy"
	var found bool
	for _, n := range res.Notifications {
		first, _, _ := strings.Cut(n.Message, "\n")
		if n.Level == finding.LevelError && first == want {
			found = true
		}
	}
	if !found {
		t.Errorf("no error whose first line is %q:\n%s", want, notes(res))
	}
	if strings.Contains(notes(res), root) {
		t.Errorf("notifications name the machine path %s", root)
	}
	if len(res.Findings) != 1 {
		t.Errorf("%d findings, want the root module's stdlib one", len(res.Findings))
	}
}
