package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if !strings.Contains(out, "imported 5 advisories from ../../testdata/osv/advisories into "+db) {
		t.Errorf("import output:\n%s", out)
	}

	code, out, errs = runDB(t, "status", "--db", db)
	if code != 0 {
		t.Fatalf("status: exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"database " + db,
		"Go         2           2024-05-20",
		"PyPI       1           2021-03-22",
		"RubyGems   1           2023-01-27",
		"npm        1           2023-11-27",
		"govulncheck: 1 GO- advisories on 1 modules",
		// The fixtures are old: the data is, whatever the import time.
		"warning: vulnerability database is",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status output lacks %q:\n%s", want, out)
		}
	}
}

func TestDBErrors(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := runDB(t, "status", "--db", filepath.Join(dir, "none"))
	if code != exitFail || !strings.Contains(errs, "no vulnerability database: run scangate db update, or pass --db") {
		t.Errorf("status of a missing database: exit %d: %s", code, errs)
	}
	code, _, errs = runDB(t, "import", "../../testdata/osv/corrupt/unknown-field", "--db", filepath.Join(dir, "db"))
	if code != exitFail || !strings.Contains(errs, `PYSEC-2021-66.json: unknown field "database-specific"`) {
		t.Errorf("import of a bad advisory: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "db")); err == nil {
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
