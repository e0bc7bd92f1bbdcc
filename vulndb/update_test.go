package vulndb

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The public exports cannot be reached from the test machine: a local
// server serves zips in their documented shapes (osv.dev: <Ecosystem>/all.zip
// of <ID>.json; vuln.go.dev/vulndb.zip: index/ and ID/ files).
func TestUpdate(t *testing.T) {
	goIndex := t.TempDir()
	os.MkdirAll(filepath.Join(goIndex, "index"), 0o755)
	os.WriteFile(filepath.Join(goIndex, "index", "db.json"), []byte(`{"modified":"2024-05-20T16:03:47Z"}`), 0o644)
	os.WriteFile(filepath.Join(goIndex, "index", "modules.json"), []byte(`[]`), 0o644)
	os.MkdirAll(filepath.Join(goIndex, "ID"), 0o755)
	b, _ := os.ReadFile(filepath.Join(advisories, "GO-2021-0113.json"))
	os.WriteFile(filepath.Join(goIndex, "ID", "GO-2021-0113.json"), b, 0o644)

	// osv.dev's Go export carries its own copy of the GO- entry: the one
	// from vuln.go.dev wins.
	osvGo := t.TempDir()
	os.WriteFile(filepath.Join(osvGo, "GO-2021-0113.json"),
		[]byte(strings.Replace(string(b), "Out-of-bounds read", "osv.dev copy", 1)), 0o644)
	bad, _ := os.ReadFile(filepath.Join(corruptDir, "unknown-field", "PYSEC-2021-66.json"))
	os.WriteFile(filepath.Join(osvGo, "GHSA-zzzz-zzzz-zzzz.json"), nil, 0o644)
	pypi := t.TempDir()
	os.WriteFile(filepath.Join(pypi, "PYSEC-2021-66.json"), bad, 0o644)
	for _, n := range []string{"GHSA-g3rq-g295-4j3m.json", "PYSEC-2023-74.json"} {
		b, _ := os.ReadFile(filepath.Join(examples, n))
		os.WriteFile(filepath.Join(pypi, n), b, 0o644)
	}

	files := map[string][]byte{
		"/vulndb.zip":       zipOf(t, goIndex, "", "index/db.json", "index/modules.json", "ID/GO-2021-0113.json"),
		"/osv/Go/all.zip":   zipOf(t, osvGo, "", "GO-2021-0113.json", "GHSA-zzzz-zzzz-zzzz.json"),
		"/osv/PyPI/all.zip": zipOf(t, pypi, "", "PYSEC-2021-66.json", "GHSA-g3rq-g295-4j3m.json", "PYSEC-2023-74.json"),
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

	dst := filepath.Join(t.TempDir(), "db")
	opt := UpdateOptions{Ecosystems: []string{"Go", "PyPI"}, OSVURL: srv.URL + "/osv", GoVulnDBURL: srv.URL + "/vulndb.zip"}
	st, err := Update(context.Background(), dst, opt)
	if err != nil {
		t.Fatal(err)
	}
	if st.Origin != OriginUpdate || st.Entries != 3 {
		t.Errorf("origin %q entries %d", st.Origin, st.Entries)
	}
	got, _ := os.ReadFile(filepath.Join(dst, "govulncheck", "ID", "GO-2021-0113.json"))
	if string(got) != string(b) {
		t.Error("the GO- entry is not vuln.go.dev's")
	}
	// Bad advisories are left out and listed, not fatal.
	var rejected []string
	for _, r := range st.Rejected {
		rejected = append(rejected, r.File)
	}
	if strings.Join(rejected, " ") != "GHSA-zzzz-zzzz-zzzz.json PYSEC-2021-66.json" {
		t.Errorf("rejected %+v", st.Rejected)
	}
	if _, err := Open(dst); err != nil {
		t.Errorf("Open: %v", err)
	}

	// An ecosystem without an export is left out and listed; a failed
	// download fails the update and leaves the database as it was.
	opt.Ecosystems = []string{"Go", "npm"}
	st, err = Update(context.Background(), dst, opt)
	if err != nil || st.Ecosystem("npm") != nil || len(st.Rejected) == 0 || st.Rejected[0].File != "npm/all.zip" {
		t.Errorf("missing export: err %v, rejected %+v", err, st.Rejected)
	}
	if db, err := Open(dst); err != nil || db.Stats.Rejected[0].File != "npm/all.zip" {
		t.Errorf("metadata after update: %v", err)
	}
	broken := UpdateOptions{Ecosystems: []string{"Go"}, OSVURL: srv.URL + "/osv", GoVulnDBURL: srv.URL + "/nothing.zip"}
	_, err = Update(context.Background(), dst, broken)
	if err == nil || !strings.Contains(err.Error(), "/nothing.zip: 404 Not Found") {
		t.Errorf("err = %v", err)
	}
	if db, err := Open(dst); err != nil || db.Stats.Ecosystem("Go") == nil {
		t.Errorf("the previous database was damaged: %v", err)
	}
}
