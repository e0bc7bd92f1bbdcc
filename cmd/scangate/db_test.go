package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
)

// runDB runs a db subcommand through the root command, registering newDBCmd
// when main.go does not (yet).
func runDB(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	root := newRootCmd(&out, &errb)
	if c, _, err := root.Find([]string{"db"}); err != nil || c == root {
		root.AddCommand(newDBCmd())
	}
	root.SetArgs(append([]string{"db"}, args...))
	err := root.Execute()
	code := exitPass
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		code = ee.code
		if ee.err != nil {
			errb.WriteString(ee.err.Error())
		}
	case err != nil:
		code = exitUsage
		errb.WriteString(err.Error())
	}
	return code, out.String(), errb.String()
}

func TestDBImportThenStatus(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	code, out, errs := runDB(t, "import", "../../testdata/osv/advisories", "--db", db)
	if code != 0 {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	if !strings.HasPrefix(out, "imported into "+db+" in ") ||
		!strings.Contains(out, ": 5 advisories (Go 2, PyPI 1, RubyGems 1, npm 1; govulncheck 1), 0 withdrawn, 0 unmatchable, 0 skipped\n") {
		t.Errorf("import output:\n%s", out)
	}

	code, out, errs = runDB(t, "status", "--db", db)
	if code != 0 {
		t.Fatalf("status: exit %d: %s", code, errs)
	}
	testkit.ContainsAll(t, "status output", out,
		"database "+db,
		"ECOSYSTEM  ADVISORIES  NEWEST MODIFIED  DATA OF     AGE",
		"Go         2           2024-05-20       2024-05-20  ",
		"PyPI       1           2021-03-22       2024-05-20  ",
		"RubyGems   1           2023-01-27       2024-05-20  ",
		"npm        1           2023-11-27       2024-05-20  ",
		" days (stale)\n",
		"govulncheck: 1 GO- advisories on 1 modules",
		// The fixtures are old: the data is, whatever the import time.
		"warning: vulnerability database older than 7 days for 4 ecosystems: Go ",
	)
}

func TestDBErrors(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := runDB(t, "status", "--db", filepath.Join(dir, "none"))
	if code != exitFail || !strings.Contains(errs, "no vulnerability database at "+filepath.Join(dir, "none")+" (does not exist): run scangate db update, or without network build it with scangate db import SRC") {
		t.Errorf("status of a missing database: exit %d: %s", code, errs)
	}
	// A public source's bad file is reported and skipped; --strict fails
	// the whole import and creates nothing.
	code, out, errs := runDB(t, "import", "../../testdata/osv/corrupt/unknown-field", "--db", filepath.Join(dir, "db"))
	if code != 0 || !strings.Contains(errs, `skipped: PYSEC-2021-66.json: unknown field "database-specific" (line 43:3)`) ||
		!strings.Contains(out, ": 1 advisories (RubyGems 1; govulncheck 0), 0 withdrawn, 0 unmatchable, 1 skipped\n") {
		t.Errorf("import of a bad advisory: exit %d:\n%s%s", code, out, errs)
	}
	code, _, errs = runDB(t, "import", "--strict", "../../testdata/osv/corrupt/unknown-field", "--db", filepath.Join(dir, "strict"))
	if code != exitFail || !strings.Contains(errs, `PYSEC-2021-66.json: unknown field "database-specific"`) {
		t.Errorf("strict import of a bad advisory: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "strict")); err == nil {
		t.Error("a failed import created the database")
	}
	code, _, _ = runDB(t, "import")
	if code != exitUsage {
		t.Errorf("import without SRC: exit %d", code)
	}
}

func TestDBHelp(t *testing.T) {
	for _, sub := range []string{"import", "status", "update"} {
		code, out, _ := runDB(t, sub, "--help")
		if code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "--db") || !strings.Contains(out, "Exit status:") {
			t.Errorf("db %s --help: exit %d:\n%s", sub, code, out)
		}
	}
}
