package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
)

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
	entry, err := os.ReadFile("../../testdata/osv/advisories/GO-2021-0113.json")
	if err != nil {
		t.Fatal(err)
	}
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
