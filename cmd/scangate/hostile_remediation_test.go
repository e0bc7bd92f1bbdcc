package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
)

// Remediation commands name folders of the scanned repository: a folder
// named to break out of the command must not make the printed command run
// anything but go get in that folder. (A folder name with a line break gets
// no command: finding's TestRemediateControlCharacters.)
func TestHostileRemediationCommand(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	root := t.TempDir()
	marker := filepath.Join(t.TempDir(), "pwned")
	evil := "svc';touch '" + marker + "';'$(touch " + marker + ")"
	testkit.WriteFiles(t, root, map[string]string{
		evil + "/go.mod": "module example.com/svc\n\ngo 1.22\n\nrequire golang.org/x/text v0.3.6\n",
	})
	o := scanHostile(t, root, "--scanners", "osv-scanner", "--offline", "--db", "../../examples/vulndb")
	if o.code != exitFail {
		t.Fatalf("exit %d\n%s", o.code, o.stderr)
	}
	var doc struct {
		Remediations []struct {
			Package struct {
				Manifest string `json:"manifest"`
			} `json:"package"`
			Apply string `json:"apply"`
		} `json:"remediations"`
	}
	if err := json.Unmarshal([]byte(o.json), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Remediations) != 1 {
		t.Errorf("remediations: %+v, want one", doc.Remediations)
	}
	var apply string
	for _, r := range doc.Remediations {
		switch r.Package.Manifest {
		case evil + "/go.mod":
			apply = r.Apply
		default:
			t.Errorf("unexpected manifest %q", r.Package.Manifest)
		}
	}
	if apply == "" {
		t.Fatalf("no command for %q: %+v", evil, doc.Remediations)
	}
	if !strings.Contains(o.stderr, apply) {
		t.Errorf("the summary does not show %q", apply)
	}
	// Run the printed command with a go that records where it ran and how.
	bin := t.TempDir()
	log := filepath.Join(t.TempDir(), "go.log")
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte("#!/bin/sh\npwd > '"+log+"'\nprintf '%s\\n' \"$@\" >> '"+log+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", apply)
	cmd.Dir = root
	cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", apply, err, out)
	}
	assertNotRun(t, marker)
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Split(strings.TrimSpace(string(b)), "\n"), []string{filepath.Join(root, evil), "get", "golang.org/x/text@v0.3.8"}; !slices.Equal(got, want) {
		t.Errorf("go ran as %q, want %q", got, want)
	}
}
