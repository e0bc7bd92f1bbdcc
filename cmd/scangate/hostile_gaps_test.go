package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
)

// An untidy module (testdata/gomod/untidy, as found in real repositories)
// is not a silent gap: both Go scanners are incomplete (exit 3), the summary
// names the module and shows the go command's decisive line, and no machine
// path or environment value reaches any output.
func TestHostileUntidyModule(t *testing.T) {
	modcache, _ := exec.Command("go", "env", "GOMODCACHE").Output()
	const secret = "hostile-gaps-secret-6f1d"
	t.Setenv("SCANGATE_HOSTILE_SECRET", secret)

	root := t.TempDir()
	testkit.UntidyModule(t, filepath.Join(root, "api"))
	testkit.WriteFiles(t, root, map[string]string{
		"go.mod":  "module example.com/app\n\ngo 1.22\n",
		"main.go": "package main\n\nfunc main() {}\n",
	})
	o := scanHostile(t, root, "--offline", "--db", "../../examples/vulndb", "--scanners", "gosec,govulncheck")
	if o.code != exitIncomplete {
		t.Fatalf("exit %d, want %d (incomplete)\n%s", o.code, exitIncomplete, o.stderr)
	}
	for _, want := range []string{
		"error: gosec: module api (example.com/untidy/api) could not be loaded, nothing in it was scanned: go: updates to go.mod needed; to update it: go mod tidy\n",
		"error: govulncheck: module api (example.com/untidy/api): nothing in it was scanned: go: updates to go.mod needed, disabled by -mod=readonly; to update it: go mod tidy\n",
	} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, o.stderr)
		}
	}
	if strings.Contains(o.stderr, "has no Go packages to scan") {
		t.Errorf("the untidy module is reported as empty:\n%s", o.stderr)
	}
	// The root itself is the scan's argument; no path under it may appear.
	assertNowhere(t, o, root+string(filepath.Separator), strings.TrimSpace(string(modcache)), secret)
}
