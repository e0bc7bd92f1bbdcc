package osv

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner/scannertest"
)

// A lockfile osv-scanner cannot parse was not scanned: the run is
// incomplete and the error names the file, for each ecosystem's format;
// the good lockfiles' findings stay.
func TestUnparsableLockfilesMakeTheRunIncomplete(t *testing.T) {
	db := importDB(t, advisoriesDir)
	for _, tc := range []struct{ file, body string }{
		{"web2/package-lock.json", `{"lockfileVersion": 3, "packages": {`},
		{"py2/poetry.lock", "[[package]\nname = \"x\"\n"},
		{"py2/Pipfile.lock", `{"default": {"requests": `},
		{"rb2/Gemfile.lock", "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.3\n\nBUNDLED WITH\n"},
		{"mod2/go.mod", "module example.com/x\n\nrequire (\n\tgolang.org/x/text v0.3.5\n"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			root := copyTree(t, t.TempDir())
			p := filepath.Join(root, filepath.FromSlash(tc.file))
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte(tc.body), 0o644)
			res, err := scan(t, New(Options{MaxDBAge: -1}), root, db, true)
			msgs := ""
			if err != nil {
				msgs = err.Error()
			}
			for _, n := range res.Notifications {
				if n.Level == finding.LevelError {
					msgs += "\n" + n.Message
				}
			}
			if !strings.Contains(msgs, tc.file) {
				t.Errorf("no error names %s: err %v, notifications %+v", tc.file, err, res.Notifications)
			}
			if strings.Contains(msgs, root) {
				t.Errorf("errors name the machine path: %s", msgs)
			}
			if got := rows(res); len(got) != len(treeWant) {
				t.Errorf("findings %+v, want the tree's %d", got, len(treeWant))
			}
			// Only the broken lockfile's unit failed: the others report.
			for _, u := range res.Units {
				if (u.State == finding.Incomplete) != (u.Path == tc.file) {
					t.Errorf("unit %s: %s", u.Path, u.State)
				}
			}

			// Excluded, the broken lockfile is not read: the run completes.
			req := scannertest.Request(root)
			req.Offline, req.DB, req.Exclude = true, db, []string{filepath.Dir(tc.file)}
			o := scannertest.Run(t, New(Options{MaxDBAge: -1}), req)
			if res, err = o.Res, o.Err; err != nil || res.State == finding.Incomplete {
				t.Errorf("excluded: err %v state %s notifications %+v", err, res.State, res.Notifications)
			}
		})
	}
}

const partialLock = "../../testdata/osv/partial/pnpm-lock.yaml"

// A lockfile osv-scalibr reads in part (one pnpm entry with an invalid
// dependency path) reports the packages it yielded, as osv-scanner's own
// directory walk does (the golden of TestGolden/real records the
// standalone binary's walk of the same file: lodash), with the error
// located on the file; the run is incomplete, and the other lockfiles keep
// their findings.
func TestPartlyParsedLockfileKeepsItsFindings(t *testing.T) {
	db := importDB(t, advisoriesDir)
	root := copyTree(t, t.TempDir())
	b := testkit.ReadFile(t, partialLock)
	os.MkdirAll(filepath.Join(root, "web2"), 0o755)
	os.WriteFile(filepath.Join(root, "web2", "pnpm-lock.yaml"), b, 0o644)

	res, err := scan(t, New(Options{MaxDBAge: -1}), root, db, true)
	if err != nil {
		t.Fatal(err)
	}
	lodash := row{"web2/pnpm-lock.yaml", 28, 4, 10, "GHSA-35jh-r3h4-6jhm", []string{"CVE-2021-23337"},
		"npm", "lodash", "4.17.20", []string{"4.17.21"}, finding.High, 7.2, "web2"}
	want := slices.Clone(treeWant)
	want = append(want, lodash)
	if got := rows(res); !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n got %+v\nwant %+v", got, want)
	}
	if res.State != finding.Incomplete {
		t.Errorf("state %v, want incomplete", res.State)
	}
	located := 0
	for _, n := range res.Notifications {
		if strings.Contains(n.Message, root) || strings.Contains(n.Message, strings.TrimPrefix(root, "/")) {
			t.Errorf("a machine path in %q", n.Message)
		}
		if n.Level != finding.LevelError {
			continue
		}
		if n.Location.Path != "web2/pnpm-lock.yaml" || !strings.Contains(n.Message, "web2/pnpm-lock.yaml") ||
			!strings.Contains(n.Message, "invalid dependency path: ms@2.1.3") {
			t.Errorf("error notification %+v: want it located on web2/pnpm-lock.yaml, naming the error", n)
			continue
		}
		located++
	}
	if located == 0 {
		t.Errorf("no error names the partly read lockfile: %+v", res.Notifications)
	}
}
