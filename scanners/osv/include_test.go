package osv

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner/scannertest"
)

func findingsAt(res *finding.Result) []string {
	var out []string
	for _, f := range res.Findings {
		out = append(out, f.RuleID+"@"+f.Location.Path+":"+strconv.Itoa(f.Location.StartLine))
	}
	return out
}

// A pin read through "-r" is reported where it is written, the file to
// edit, and once when that file is scanned on its own too.
func TestIncludedPinAtItsOwnLine(t *testing.T) {
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{
		"requirements.txt":     "flask==2.3.3\njinja2==2.11.2\n",
		"requirements-dev.txt": "-r requirements.txt\n-r common/pins.txt\n",
		// Not a name osv-scanner looks for: read only through the include.
		"common/pins.txt": "# shared\njinja2==2.10.3\n",
	})
	res, err := scan(t, New(Options{MaxDBAge: -1}), root, importDB(t, advisoriesDir), true)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(findingsAt(res), " ")
	want := "PYSEC-2021-66@common/pins.txt:2 PYSEC-2021-66@requirements.txt:2"
	if got != want {
		t.Errorf("findings %s, want %s", got, want)
	}
	for _, f := range res.Findings {
		if f.Location.Path == "common/pins.txt" && (f.Package.Version != "2.10.3" || f.Location.StartColumn != 1 || f.Module != "common") {
			t.Errorf("included pin: %+v %+v module %s", f.Location, f.Package, f.Module)
		}
	}
	if len(res.Notifications) != 0 || res.State != finding.Completed {
		t.Errorf("state %v, notifications %+v", res.State, res.Notifications)
	}
}

// An include that leaves the root, by "../" or through a symlink in the
// tree, is not reported: one warning names the including line, not the file
// it names.
func TestIncludeOutsideRootRefused(t *testing.T) {
	base := t.TempDir()
	root, outside := filepath.Join(base, "repo"), filepath.Join(base, "outside")
	testkit.WriteFiles(t, outside, map[string]string{"requirements.txt": "jinja2==2.11.2\n"})
	testkit.WriteFiles(t, root, map[string]string{
		"requirements.txt":     "-r ../outside/requirements.txt\nrequests==2.31.0\n",
		"requirements-dev.txt": "flask==2.3.3\n-r link.txt\n",
	})
	if err := os.Symlink(filepath.Join(outside, "requirements.txt"), filepath.Join(root, "link.txt")); err != nil {
		t.Fatal(err)
	}
	res, err := scan(t, New(Options{MaxDBAge: -1}), root, importDB(t, advisoriesDir), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 {
		t.Errorf("findings from outside the root: %v", findingsAt(res))
	}
	var msgs []string
	for _, n := range res.Notifications {
		msgs = append(msgs, n.Message)
		if strings.Contains(n.Message, outside) || strings.Contains(n.Message, base) {
			t.Errorf("notification names a machine path: %s", n.Message)
		}
	}
	all := strings.Join(msgs, "\n")
	testkit.ContainsAll(t, "warnings", all,
		"osv-scanner: requirements.txt:1 includes a file outside the scanned root",
		"osv-scanner: requirements-dev.txt:2 includes a file outside the scanned root",
	)
	if len(msgs) != 2 {
		t.Errorf("want one warning per include, got:\n%s", all)
	}
}

// osv-scanner's own warnings go to the progress log once named: the runner
// puts "osv-scanner: " before every line, so the adapter does not.
func TestLogLinesNotNamedTwice(t *testing.T) {
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{"requirements.txt": "-r missing.txt\njinja2==2.11.2\n"})
	req := scannertest.Request(root)
	req.Offline, req.DB = true, importDB(t, advisoriesDir)
	o := scannertest.Run(t, New(Options{MaxDBAge: -1}), req)
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	res, lines := o.Res, o.Logs
	if len(res.Findings) != 1 {
		t.Errorf("findings %v", findingsAt(res))
	}
	warned := false
	for _, l := range lines {
		if strings.HasPrefix(l, "osv-scanner:") {
			t.Errorf("log line names the scanner itself: %q", l)
		}
		warned = warned || strings.Contains(l, `"missing.txt"`)
	}
	if !warned {
		t.Errorf("osv-scanner's warning about missing.txt not logged: %q", lines)
	}
}

// An include osv-scalibr cannot open is only a warning there: its pins are
// missing, so the run is incomplete and the error names the including file,
// while the file's own pins are still reported.
func TestMissingIncludeIsIncomplete(t *testing.T) {
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{"requirements.txt": "-r missing.txt\njinja2==2.11.2\n"})
	res, err := scan(t, New(Options{MaxDBAge: -1}), root, importDB(t, advisoriesDir), true)
	if err != nil {
		t.Fatal(err)
	}
	if res.State != finding.Incomplete || len(res.Findings) != 1 {
		t.Fatalf("state %v, findings %v", res.State, findingsAt(res))
	}
	named := false
	for _, n := range res.Notifications {
		named = named || n.Level == finding.LevelError && strings.Contains(n.Message, "requirements.txt") && strings.Contains(n.Message, `"missing.txt"`)
	}
	if !named {
		t.Errorf("no error names requirements.txt and missing.txt: %+v", res.Notifications)
	}
}
