package vulndb

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/scangate/scangate/internal/testkit"
)

// Real public advisories, as published (see testdata/advisories/README.md).
const (
	sampleGo   = "../testdata/advisories/golang-vulndb/data/osv"
	samplePyPA = "../testdata/advisories/pypa/vulns"
	sampleGHSA = "../testdata/advisories/ghsa/advisories"
)

// osvDevJSON converts a pypa/advisory-database YAML record to the JSON
// osv.dev publishes in its exports: the same fields, with schema_version
// and, on each affected package, database_specific.source pointing at the
// record in the repository (osv.dev also enumerates "versions" from PyPI's
// release list, which a test cannot reach; they are optional).
func osvDevJSON(t *testing.T, file string) []byte {
	t.Helper()
	y := testkit.ReadFile(t, file)
	var v map[string]any
	if err := yaml.Unmarshal(y, &v); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(samplePyPA, file)
	src := "https://github.com/pypa/advisory-database/blob/main/vulns/" + filepath.ToSlash(rel)
	for _, a := range v["affected"].([]any) {
		a.(map[string]any)["database_specific"] = map[string]any{"source": src}
	}
	v["schema_version"] = "1.6.0"
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeZipFile writes a flat zip, as osv.dev's <Ecosystem>/all.zip.
func writeZipFile(t *testing.T, p string, files map[string][]byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range slices.Sorted(maps.Keys(files)) {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// osvDevPyPIZip builds osv.dev's PyPI all.zip from the pypa sample,
// PYSEC-2022-15 (withdrawn, neither ranges nor versions) included.
func osvDevPyPIZip(t *testing.T) string {
	t.Helper()
	files := map[string][]byte{}
	for _, f := range []string{"jinja2/PYSEC-2021-66.yaml", "loguru/PYSEC-2022-15.yaml", "pyyaml/PYSEC-2021-142.yaml"} {
		files[strings.TrimSuffix(path.Base(f), ".yaml")+".json"] = osvDevJSON(t, filepath.Join(samplePyPA, filepath.FromSlash(f)))
	}
	p := filepath.Join(t.TempDir(), "PyPI-all.zip")
	writeZipFile(t, p, files)
	return p
}

// Issue 12 item 1: osv.dev's PyPI export, unmodified, with the withdrawn
// loguru record that has neither ranges nor versions, imports.
func TestImportOSVDevZipWithWithdrawnRecord(t *testing.T) {
	zipPath := osvDevPyPIZip(t)
	for _, strict := range []bool{false, true} {
		dst := filepath.Join(t.TempDir(), "db")
		st, err := ImportSources([]string{zipPath}, dst, ImportOptions{Strict: strict})
		if err != nil {
			t.Fatalf("strict %v: %v", strict, err)
		}
		if st.Entries != 2 || st.Withdrawn != 1 || st.Unmatchable != 0 || st.Skipped != 0 {
			t.Errorf("strict %v: entries %d withdrawn %d unmatchable %d skipped %d", strict, st.Entries, st.Withdrawn, st.Unmatchable, st.Skipped)
		}
		if got := zipNames(t, EcosystemZip(filepath.Join(dst, OSVScannerDir), "PyPI")); !slices.Equal(got, []string{"PYSEC-2021-142.json", "PYSEC-2021-66.json"}) {
			t.Errorf("strict %v: PyPI zip holds %v: the withdrawn record must not be matched", strict, got)
		}
		if _, err := Open(dst); err != nil {
			t.Errorf("Open: %v", err)
		}
	}
}

// Every public source in one import, merged: golang/vulndb's data/osv,
// pypa's YAML, GHSA's nested folders and osv.dev's zip (which repeats
// pypa's records).
func TestImportPublicSourcesMerged(t *testing.T) {
	zipPath := osvDevPyPIZip(t)
	dst := filepath.Join(t.TempDir(), "db")
	st, err := ImportSources([]string{sampleGo, samplePyPA, sampleGHSA, zipPath}, dst, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Entries != 6 || st.Withdrawn != 2 || st.Unmatchable != 0 || st.Skipped != 0 || st.Duplicates != 3 {
		t.Errorf("entries %d withdrawn %d unmatchable %d skipped %d duplicates %d",
			st.Entries, st.Withdrawn, st.Unmatchable, st.Skipped, st.Duplicates)
	}
	want := map[string][]string{
		"Go":   {"GHSA-69ch-w2m2-3vjp.json", "GO-2021-0113.json", "GO-2022-1059.json"},
		"PyPI": {"GHSA-g3rq-g295-4j3m.json", "PYSEC-2021-142.json", "PYSEC-2021-66.json"},
	}
	for eco, names := range want {
		if got := zipNames(t, EcosystemZip(filepath.Join(dst, OSVScannerDir), eco)); !slices.Equal(got, names) {
			t.Errorf("%s zip: %v, want %v", eco, got, names)
		}
	}
	if len(st.Ecosystems) != 2 {
		t.Errorf("ecosystems %+v", st.Ecosystems)
	}
	// govulncheck gets the live GO- records, verbatim; not the withdrawn one.
	ids, _ := filepath.Glob(filepath.Join(dst, GovulncheckDir, "ID", "*.json"))
	if len(ids) != 2 || st.Govulncheck.Entries != 2 {
		t.Errorf("govulncheck entries %v", ids)
	}
	if got := testkit.ReadFile(t, filepath.Join(dst, GovulncheckDir, "ID", "GO-2021-0113.json")); !bytes.Equal(got, testkit.ReadFile(t, filepath.Join(sampleGo, "GO-2021-0113.json"))) {
		t.Error("GO-2021-0113 is not the golang/vulndb record")
	}
	// A tie (pypa's record and osv.dev's copy have one modified time): the
	// source named first wins, converted from YAML to JSON.
	var rec map[string]any
	if err := json.Unmarshal(zipEntry(t, EcosystemZip(filepath.Join(dst, OSVScannerDir), "PyPI"), "PYSEC-2021-66.json"), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["id"] != "PYSEC-2021-66" || rec["schema_version"] != nil {
		t.Errorf("PYSEC-2021-66 is not pypa's record: %v", rec)
	}
	if _, err := Open(dst); err != nil {
		t.Errorf("Open: %v", err)
	}
}

func zipEntry(t *testing.T, zp, name string) []byte {
	t.Helper()
	b, err := fs.ReadFile(openZip(t, zp), name)
	if err != nil {
		t.Fatalf("%s: %v", zp, err)
	}
	return b
}

// Of one ID in several sources, the one modified last wins, whatever the
// order: golang/vulndb's data/osv copy (zero placeholder time) loses to the
// copy vuln.go.dev and osv.dev serve with its real modified time.
func TestImportNewestModifiedWins(t *testing.T) {
	served := testkit.ReadFile(t, filepath.Join(advisories, "GO-2021-0113.json")) // modified 2024-05-20
	zipPath := filepath.Join(t.TempDir(), "Go-all.zip")
	writeZipFile(t, zipPath, map[string][]byte{"GO-2021-0113.json": served})
	for _, order := range [][]string{{sampleGo, zipPath}, {zipPath, sampleGo}} {
		dst := filepath.Join(t.TempDir(), "db")
		st, err := ImportSources(order, dst, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := testkit.ReadFile(t, filepath.Join(dst, GovulncheckDir, "ID", "GO-2021-0113.json")); !bytes.Equal(got, served) {
			t.Errorf("order %v: the older copy won", order)
		}
		if st.Duplicates != 1 || st.Entries != 2 {
			t.Errorf("order %v: duplicates %d entries %d", order, st.Duplicates, st.Entries)
		}
	}
}

// A public source's malformed file is reported (file and problem) and
// skipped; a live record that can match nothing is a counted warning.
// --strict fails on both and leaves the database as it was.
func TestImportLenientAndStrict(t *testing.T) {
	src := t.TempDir()
	os.CopyFS(src, os.DirFS(samplePyPA))
	// A truncated record, and loguru's record as it was before it was
	// withdrawn: no ranges, no versions.
	os.WriteFile(filepath.Join(src, "jinja2", "PYSEC-2014-8.yaml"), []byte("id: PYSEC-2014-8\naffected: [\n"), 0o644)
	y := testkit.ReadFile(t, filepath.Join(samplePyPA, "loguru", "PYSEC-2022-15.yaml"))
	live := strings.Replace(strings.Replace(string(y), "PYSEC-2022-15", "PYSEC-2022-14", 1), "withdrawn:", "# withdrawn:", 1)
	os.WriteFile(filepath.Join(src, "loguru", "PYSEC-2022-14.yaml"), []byte(live), 0o644)

	dst := filepath.Join(t.TempDir(), "db")
	st, err := ImportSources([]string{src}, dst, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Entries != 2 || st.Withdrawn != 1 || st.Unmatchable != 1 || st.Skipped != 1 {
		t.Errorf("entries %d withdrawn %d unmatchable %d skipped %d", st.Entries, st.Withdrawn, st.Unmatchable, st.Skipped)
	}
	if !slices.Equal(st.UnmatchableIDs, []string{"PYSEC-2022-14"}) {
		t.Errorf("unmatchable %v", st.UnmatchableIDs)
	}
	if len(st.Rejected) != 1 || st.Rejected[0].File != "jinja2/PYSEC-2014-8.yaml" || !strings.HasPrefix(st.Rejected[0].Error, "jinja2/PYSEC-2014-8.yaml: bad YAML: ") {
		t.Errorf("rejected %+v", st.Rejected)
	}
	// The metadata keeps the counts for db status.
	again, err := Status(dst)
	if err != nil || again.Skipped != 1 || again.Unmatchable != 1 || again.Withdrawn != 1 {
		t.Errorf("status: %+v %v", again, err)
	}

	before := testkit.ReadFile(t, filepath.Join(dst, MetaFile))
	_, err = ImportSources([]string{src}, dst, ImportOptions{Strict: true})
	if err == nil || !strings.Contains(err.Error(), "2 bad advisories") ||
		!strings.Contains(err.Error(), "jinja2/PYSEC-2014-8.yaml: bad YAML") ||
		!strings.Contains(err.Error(), "loguru/PYSEC-2022-14.yaml: affected[0] (PyPI loguru) has neither ranges nor versions: it would match nothing") {
		t.Errorf("strict: %v", err)
	}
	if !bytes.Equal(testkit.ReadFile(t, filepath.Join(dst, MetaFile)), before) {
		t.Error("a failed strict import changed the database")
	}
}

// An imported ecosystem is as new as the newest record of the sources it
// came from; golang/vulndb's records carry no time, so its files' time
// counts (a git archive gives them the commit's).
func TestImportEcosystemAge(t *testing.T) {
	goSrc := t.TempDir()
	os.CopyFS(goSrc, os.DirFS(sampleGo))
	commit := time.Date(2026, 8, 21, 20, 38, 0, 0, time.UTC)
	ents, _ := os.ReadDir(goSrc)
	for _, e := range ents {
		os.Chtimes(filepath.Join(goSrc, e.Name()), commit, commit)
	}
	dst := filepath.Join(t.TempDir(), "db")
	st, err := ImportSources([]string{goSrc, samplePyPA}, dst, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if e := st.Ecosystem("Go"); e == nil || !e.AsOf.Equal(commit) || !st.Govulncheck.AsOf.Equal(commit) {
		t.Errorf("Go: %+v, govulncheck as of %v", e, st.Govulncheck.AsOf)
	}
	// pypa's newest record in the sample, withdrawn or not: PYSEC-2022-15.
	pypi := st.Ecosystem("PyPI")
	if pypi == nil || pypi.AsOf.Format(time.RFC3339Nano) != "2022-01-29T16:47:14.527876Z" {
		t.Errorf("PyPI: %+v", pypi)
	}
	now := commit.Add(3 * 24 * time.Hour)
	if got := st.StaleEcosystems(nil, 0, now); len(got) != 1 || got[0].Ecosystem != "PyPI" {
		t.Errorf("stale: %+v", got)
	}
}
