package gosec

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/scannertest"
)

// A module whose go.mod is untidy loads no package at all: gosec's run is
// incomplete, and the error names the module and the go command's line
// that says what to do. The other module is still scanned.
func TestUntidyModuleIsIncomplete(t *testing.T) {
	root := copyTree(t, scannertest.Testdata("gosec", "fixture"))
	testkit.UntidyModule(t, filepath.Join(root, "api"))
	o := scan(t, root, Options{}, nil)
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	if o.Res.State != finding.Incomplete {
		t.Errorf("state %s, want incomplete", o.Res.State)
	}
	want := "gosec: module api (example.com/untidy/api) could not be loaded, nothing in it was scanned: go: updates to go.mod needed; to update it: go mod tidy"
	var found bool
	for _, n := range o.Res.Notifications {
		first, _, _ := strings.Cut(n.Message, "\n")
		if n.Level == finding.LevelNote && strings.Contains(n.Message, "api") {
			t.Errorf("the untidy module is a note: %q", n.Message)
		}
		if n.Level == finding.LevelError && first == want && n.Location.Path == "api/go.mod" {
			found = true
		}
		if strings.Contains(n.Message, root) {
			t.Errorf("notification names the machine path: %q", n.Message)
		}
	}
	if !found {
		t.Errorf("no error %q at api/go.mod in %+v", want, o.Res.Notifications)
	}
	var fixture, api int
	for _, f := range o.Res.Findings {
		if strings.HasPrefix(f.Location.Path, "api/") {
			api++
		} else {
			fixture++
		}
	}
	if fixture == 0 || api != 0 {
		t.Errorf("%d findings in the tidy module, %d in the untidy one; want some and none", fixture, api)
	}
	// The failed module is placed: the tidy one's findings can be reported.
	wantUnits := []finding.Unit{{Kind: "go-module", Path: ".", State: finding.Completed}, {Kind: "go-module", Path: "api", State: finding.Incomplete}}
	if !slices.Equal(o.Res.Units, wantUnits) {
		t.Errorf("units %+v, want %+v", o.Res.Units, wantUnits)
	}

	// Excluded, the untidy module is not loaded at all: the scan completes.
	o = scan(t, root, Options{}, func(r *scanner.Request) { r.Exclude = []string{"api"} })
	if o.Err != nil || o.Res.State == finding.Incomplete {
		t.Errorf("excluded: err %v state %s notifications %+v", o.Err, o.Res.State, o.Res.Notifications)
	}
}

// A dependency missing from go.sum and the module cache (offline): the type
// checker only says "could not import X (invalid package name: "")"; the
// error must carry the go command's line that says what to do.
func TestMissingDependencyNamesTheFix(t *testing.T) {
	root := t.TempDir()
	for name, body := range map[string]string{
		"go.mod":  "module example.com/nocache\n\ngo 1.22\n\nrequire example.com/notinthecache v1.0.0\n",
		"main.go": "package main\n\nimport \"example.com/notinthecache/lib\"\n\nfunc main() { lib.F() }\n",
	} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	o := scan(t, root, Options{}, func(r *scanner.Request) { r.Offline = true })
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	if o.Res.State != finding.Incomplete {
		t.Errorf("state %s, want incomplete", o.Res.State)
	}
	for _, n := range o.Res.Notifications {
		if n.Level == finding.LevelError && n.Location.Path == "main.go" &&
			strings.Contains(n.Message, "could not import example.com/notinthecache/lib: missing go.sum entry") && strings.Contains(n.Message, "to add:") {
			return
		}
	}
	t.Errorf("no error at main.go with the go command's fix: %+v", o.Res.Notifications)
}
