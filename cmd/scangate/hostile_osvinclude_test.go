package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
)

// Requirements that include a file outside the root, by "../" and through a
// symlink inside the tree: osv-scanner would read it and report its pins at
// the including line, as if the repository held them. No package of it
// reaches any output; a warning names the including line; the repository's
// own pin still is reported, and the same pin in two files of one folder
// is reported in each (standalone osv-scanner v2.5.0 reports both).
func TestHostileOSVIncludeOutsideRoot(t *testing.T) {
	lt := newLeakTree(t) // outside/requirements.txt pins jinja2==2.11.2 among secrets
	testkit.WriteFiles(t, lt.repo, map[string]string{
		"requirements.txt":     "-r ../outside/requirements.txt\nrequests==2.25.0\n",
		"requirements-dev.txt": "requests==2.25.0\n-r shared.txt\n",
	})
	if err := os.Symlink(filepath.Join(lt.outside, "requirements.txt"), filepath.Join(lt.repo, "shared.txt")); err != nil {
		t.Fatal(err)
	}
	o := scanHostile(t, lt.repo, "--scanners", "osv-scanner")
	assertSealed(t, lt, o)
	assertNowhere(t, o, "jinja2", "PYSEC-2021-66", "2.11.2")
	assertNote(t, o, "osv-scanner", "requirements.txt:1 includes a file outside the scanned root")
	assertNote(t, o, "osv-scanner", "requirements-dev.txt:2 includes a file outside the scanned root")
	var rep struct{ Tools []finding.Result }
	if err := json.Unmarshal([]byte(o.json), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rep.Tools {
		for _, f := range r.Findings {
			got = append(got, fmt.Sprintf("%s:%d %s", f.Location.Path, f.Location.StartLine, f.Package.Name))
		}
	}
	slices.Sort(got)
	got = slices.Compact(got)
	if want := []string{"requirements-dev.txt:1 requests", "requirements.txt:2 requests"}; !slices.Equal(got, want) {
		t.Errorf("findings at %q, want %q", got, want)
	}
}
