package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
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

// Real public advisories as published (testdata/advisories/README.md).
const (
	sampleGo   = "../../testdata/advisories/golang-vulndb/data/osv"
	samplePyPA = "../../testdata/advisories/pypa/vulns"
	sampleGHSA = "../../testdata/advisories/ghsa/advisories"
)

// The public sources imported together, then a real osv-scanner scan
// against the result: a pinned jinja2 matches pypa's and GitHub's
// advisories; gorilla/sessions matches GO-2024-2730 only when it is not
// withdrawn (the control: the same record without its withdrawn field);
// the warning names the stale ecosystem the scan used.
func TestDBImportPublicSourcesThenScan(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	code, out, errs := runDB(t, "import", "--db", db, sampleGo, samplePyPA, sampleGHSA)
	if code != 0 {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, ": 6 advisories (Go 3, PyPI 3; govulncheck 2), 2 withdrawn, 0 unmatchable, 0 skipped\n") {
		t.Errorf("import output:\n%s", out)
	}

	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "requirements.txt"), []byte("jinja2==2.11.2\nloguru==0.5.3\n"), 0o644)
	os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/app\n\ngo 1.22\n\nrequire github.com/gorilla/sessions v1.2.1\n"), 0o644)
	scan := func(db string) (int, string) {
		code, _, stderr := runCLI(t, "scan", "-q", "--offline", "--db", db, "--scanners", "osv-scanner", "--fail-on", "low", root)
		return code, stderr
	}
	code, stderr := scan(db)
	if code != exitFail {
		t.Fatalf("scan: exit %d, want 1\n%s", code, stderr)
	}
	testkit.ContainsAll(t, "summary", stderr, "PYSEC-2021-66", "GHSA-g3rq-g295-4j3m", "jinja2",
		// golang/vulndb's records carry no time: their files' (the
		// checkout's) make Go fresh; pypa's and GitHub's are years old.
		"vulnerability database older than 7 days for 1 ecosystem: PyPI ")
	testkit.ContainsNone(t, "summary", stderr, "GO-2024-2730", "PYSEC-2022-15")

	live := t.TempDir()
	os.CopyFS(live, os.DirFS(sampleGo))
	rec := filepath.Join(live, "GO-2024-2730.json")
	b, _ := os.ReadFile(rec)
	os.WriteFile(rec, bytes.Replace(b, []byte(`"withdrawn": "2024-04-17T18:06:23Z",`), nil, 1), 0o644)
	control := filepath.Join(t.TempDir(), "db")
	if code, _, errs := runDB(t, "import", "--db", control, live); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	if code, stderr := scan(control); !strings.Contains(stderr, "GO-2024-2730") {
		t.Errorf("control: the record without withdrawn did not match: exit %d\n%s", code, stderr)
	}
}

// A database with no Go advisories must not let govulncheck pass.
func TestScanDatabaseWithoutGoAdvisories(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	if code, _, errs := runDB(t, "import", "--db", db, samplePyPA); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	code, _, stderr := runCLI(t, "scan", "-q", "--offline", "--db", db, "--scanners", "govulncheck", "../../examples/project")
	if code != exitIncomplete || !strings.Contains(stderr, "govulncheck: the vulnerability database holds no Go advisories: import golang/vulndb's data/osv") {
		t.Errorf("exit %d, want 3:\n%s", code, stderr)
	}
}

// db update through the CLI against a loopback server in the real layouts,
// the osv.dev URL from the environment: PyPI has no export (404), Go is
// updated, the command names PyPI and exits 1.
func TestDBUpdatePartialCLI(t *testing.T) {
	entry := testkit.ReadFile(t, "../../testdata/osv/advisories/GO-2021-0113.json")
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("GO-2021-0113.json")
	w.Write(entry)
	zw.Close()
	vulns, _ := json.Marshal([]map[string]string{{"id": "GO-2021-0113", "modified": "2024-05-20T16:03:47Z"}})
	files := map[string][]byte{
		"/go/index/db.json":        []byte(`{"modified":"2024-05-20T16:03:47Z"}`),
		"/go/index/modules.json":   []byte(`[{"path":"golang.org/x/text","vulns":[{"id":"GO-2021-0113","modified":"2024-05-20T16:03:47Z","fixed":"0.3.7"}]}]`),
		"/go/index/vulns.json":     vulns,
		"/go/ID/GO-2021-0113.json": entry,
		"/osv/Go/all.zip":          zbuf.Bytes(),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	defer srv.Close()
	t.Setenv("SCANGATE_OSV_URL", srv.URL+"/osv")

	db := filepath.Join(t.TempDir(), "db")
	code, out, errs := runDB(t, "update", "--db", db, "--go-url", srv.URL+"/go", "--ecosystems", "Go,PyPI")
	if code != exitFail || !strings.Contains(errs, "partial update: 1 source failed, the others were updated:\n  PyPI: download "+srv.URL+"/osv/PyPI/all.zip: 404 Not Found") ||
		!strings.Contains(out, "updated "+db+": 1 advisories (Go 1; govulncheck 1), 0 withdrawn, 0 unmatchable, 0 skipped") {
		t.Fatalf("update: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runDB(t, "status", "--db", db)
	if code != 0 || !strings.Contains(out, "downloaded ") || !strings.Contains(out, "PyPI: download failed: download "+srv.URL+"/osv/PyPI/all.zip: 404 Not Found") {
		t.Errorf("status: exit %d\n%s%s", code, out, errs)
	}
}

// Issue 28, point 8: db status of a folder that scan takes as raw
// advisories describes it as such, with what a scan reads from it, and
// exits 0; an empty folder is no database rather than a corrupt one, and a
// raw folder scan would refuse names the bad file.
func TestDBStatusOfRawAdvisories(t *testing.T) {
	code, out, errs := runDB(t, "status", "--db", "../../examples/vulndb")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	testkit.ContainsAll(t, "status", out,
		"../../examples/vulndb: raw OSV advisories, not an imported database",
		"scangate db import ../../examples/vulndb --db DIR",
		"\nGo         5 ",
		"\nPyPI       4 ",
		"govulncheck: 3 GO- advisories on 2 modules",
	)
	if strings.Contains(out+errs, "corrupt") {
		t.Errorf("raw advisories called corrupt:\n%s%s", out, errs)
	}
	empty := t.TempDir()
	if code, _, errs := runDB(t, "status", "--db", empty); code != exitFail || strings.Contains(errs, "corrupt") ||
		!strings.Contains(errs, "holds neither scangate-db.json nor OSV advisories") {
		t.Errorf("empty folder: exit %d: %s", code, errs)
	}
	if code, _, errs := runDB(t, "status", "--db", "../../testdata/osv/corrupt/bad-json"); code != exitFail ||
		!strings.Contains(errs, "GHSA-35jh-r3h4-6jhm.json: bad JSON") {
		t.Errorf("bad raw folder: exit %d: %s", code, errs)
	}
}
