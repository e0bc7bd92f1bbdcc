package vulndb

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scangate/scangate/internal/testkit"
)

const (
	advisories = "../testdata/osv/advisories"
	corruptDir = "../testdata/osv/corrupt"
	examples   = "../examples/vulndb"
)

func mustImport(t *testing.T, src string) (string, *Stats) {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "db")
	st, err := Import(src, dst)
	if err != nil {
		t.Fatalf("Import(%s): %v", src, err)
	}
	return dst, st
}

// openZip opens a zip file for the rest of the test.
func openZip(t *testing.T, p string) *zip.Reader {
	t.Helper()
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { zr.Close() })
	return &zr.Reader
}

// zipNames lists a zip's entries in their order.
func zipNames(t *testing.T, p string) []string {
	t.Helper()
	var names []string
	for _, f := range openZip(t, p).File {
		names = append(names, f.Name)
	}
	return names
}

func TestImportBuildsBothLayouts(t *testing.T) {
	dst, st := mustImport(t, advisories)

	if st.Entries != 5 || st.Origin != OriginImport || st.Format != FormatVersion {
		t.Errorf("stats: entries %d origin %q format %d", st.Entries, st.Origin, st.Format)
	}
	want := map[string][]string{
		"Go":       {"GHSA-ppp9-7jff-5vj2.json", "GO-2021-0113.json"},
		"PyPI":     {"PYSEC-2021-66.json"},
		"RubyGems": {"GHSA-j6w9-fv6q-3q52.json"},
		"npm":      {"GHSA-35jh-r3h4-6jhm.json"},
	}
	if len(st.Ecosystems) != len(want) {
		t.Fatalf("ecosystems %+v, want %v", st.Ecosystems, want)
	}
	for _, e := range st.Ecosystems {
		got := zipNames(t, filepath.Join(dst, "osv-scanner", "osv-scalibr", e.Name, "all.zip"))
		if !slices.Equal(got, want[e.Name]) || e.Entries != len(want[e.Name]) {
			t.Errorf("%s zip holds %v (stats %d), want %v", e.Name, got, e.Entries, want[e.Name])
		}
	}
	if e := st.Ecosystem("Go"); e.NewestModified != time.Date(2024, 5, 20, 16, 3, 47, 0, time.UTC) {
		t.Errorf("Go newest modified %v", e.NewestModified)
	}

	// govulncheck: only the GO- entry, verbatim, with the index it requires.
	raw, _ := os.ReadFile(filepath.Join(advisories, "GO-2021-0113.json"))
	got, err := os.ReadFile(filepath.Join(dst, "govulncheck", "ID", "GO-2021-0113.json"))
	if err != nil || !bytes.Equal(got, raw) {
		t.Errorf("ID/GO-2021-0113.json not a verbatim copy (err %v)", err)
	}
	if _, err := os.Stat(filepath.Join(dst, "govulncheck", "ID", "GHSA-ppp9-7jff-5vj2.json")); err == nil {
		t.Error("a GHSA entry went into govulncheck's layout: govulncheck would report it twice")
	}
	var mods []moduleMeta
	b, _ := os.ReadFile(filepath.Join(dst, "govulncheck", "index", "modules.json"))
	if err := json.Unmarshal(b, &mods); err != nil {
		t.Fatal(err)
	}
	if len(mods) != 1 || mods[0].Path != "golang.org/x/text" || len(mods[0].Vulns) != 1 ||
		mods[0].Vulns[0].ID != "GO-2021-0113" || mods[0].Vulns[0].Fixed != "0.3.7" {
		t.Errorf("modules.json = %s", b)
	}
	var meta dbMeta
	b, _ = os.ReadFile(filepath.Join(dst, "govulncheck", "index", "db.json"))
	if err := json.Unmarshal(b, &meta); err != nil || !meta.Modified.Equal(time.Date(2024, 5, 20, 16, 3, 47, 0, time.UTC)) {
		t.Errorf("db.json = %s (%v)", b, err)
	}
	if st.Govulncheck.Entries != 1 || st.Govulncheck.Modules != 1 {
		t.Errorf("govulncheck stats %+v", st.Govulncheck)
	}

	// The metadata on disk is what Import returned, and Open accepts it.
	db, err := Open(dst)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if db.Temporary || db.Stats.Entries != 5 || !db.HasEcosystem("npm") || db.HasEcosystem("crates.io") {
		t.Errorf("Open: %+v", db)
	}
	if u := db.GovulncheckURL(); !strings.HasPrefix(u, "file:///") || !strings.HasSuffix(u, "/db/govulncheck") {
		t.Errorf("GovulncheckURL = %s", u)
	}
}

func TestImportExamplesValidate(t *testing.T) {
	_, st := mustImport(t, examples)
	py := st.Ecosystem("PyPI")
	if py == nil || py.Entries != 4 {
		t.Errorf("PyPI: %+v, want the 4 example advisories", py)
	}
}

func TestImportIsReproducible(t *testing.T) {
	_, a := mustImport(t, advisories)
	_, b := mustImport(t, advisories)
	for i := range a.Ecosystems {
		if a.Ecosystems[i].SHA256 != b.Ecosystems[i].SHA256 {
			t.Errorf("%s zip differs between two imports of the same advisories", a.Ecosystems[i].Name)
		}
	}
}

func TestImportZipSource(t *testing.T) {
	src := filepath.Join(t.TempDir(), "advisories.zip")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	entries, _ := os.ReadDir(advisories)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(advisories, e.Name()))
		w, _ := zw.Create("advisories/" + e.Name())
		w.Write(b)
	}
	w, _ := zw.Create("README.md")
	w.Write([]byte("not an advisory"))
	zw.Close()
	os.WriteFile(src, buf.Bytes(), 0o644)

	_, st := mustImport(t, src)
	if st.Entries != 5 || st.Source != src {
		t.Errorf("entries %d, source %q", st.Entries, st.Source)
	}
}

func TestImportRejectsBadAdvisories(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []string
	}{
		// osv-scanner would drop this one without a word.
		{filepath.Join(corruptDir, "unknown-field"), []string{"PYSEC-2021-66.json", `unknown field "database-specific"`, "line 43:"}},
		{filepath.Join(corruptDir, "bad-json"), []string{"GHSA-35jh-r3h4-6jhm.json", "bad JSON", "line 7"}},
		{filepath.Join(corruptDir, "bad-id"), []string{"GO-2021-9999.json", `"GO-2021-0113"`, "must be named after it (GO-2021-0113.json)"}},
		{filepath.Join(corruptDir, "truncated.zip"), []string{"truncated.zip", "not a readable zip"}},
	} {
		t.Run(filepath.Base(tc.src), func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "db")
			_, err := Import(tc.src, dst)
			if err == nil {
				t.Fatal("Import succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if _, serr := os.Stat(dst); !errors.Is(serr, os.ErrNotExist) {
				t.Errorf("a failed import left %s behind", dst)
			}
			if m, _ := filepath.Glob(filepath.Join(filepath.Dir(dst), ".scangate-db-new-*")); len(m) > 0 {
				t.Errorf("temporary build directories left: %v", m)
			}
		})
	}
}

func TestImportDuplicateID(t *testing.T) {
	src := t.TempDir()
	b, _ := os.ReadFile(filepath.Join(advisories, "GO-2021-0113.json"))
	for _, d := range []string{"a", "b"} {
		testkit.Write(t, src, d+"/GO-2021-0113.json", string(b))
	}
	_, err := Import(src, filepath.Join(t.TempDir(), "db"))
	if err == nil || !strings.Contains(err.Error(), "b/GO-2021-0113.json: advisory GO-2021-0113 is also in a/GO-2021-0113.json") {
		t.Errorf("err = %v", err)
	}
}

func TestImportReplacesOnlyADatabase(t *testing.T) {
	dst, _ := mustImport(t, advisories)
	// A second import replaces the first one whole.
	st, err := Import(examples, dst)
	if err != nil {
		t.Fatal(err)
	}
	if st.Ecosystem("npm") != nil {
		t.Error("stats still list npm")
	}
	if _, err := os.Stat(filepath.Join(dst, "osv-scanner", "osv-scalibr", "npm")); err == nil {
		t.Error("the old npm zip survived the replacement")
	}
	if _, err := Open(dst); err != nil {
		t.Errorf("Open after replace: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(dst), ".scangate-db-new-*")); len(m) > 0 {
		t.Errorf("left behind: %v", m)
	}

	// A directory that is not a database is never replaced.
	other := t.TempDir()
	keep := filepath.Join(other, "keep.txt")
	os.WriteFile(keep, []byte("mine"), 0o644)
	_, err = Import(advisories, other)
	if err == nil || !strings.Contains(err.Error(), "not a scangate database") {
		t.Errorf("err = %v", err)
	}
	if b, _ := os.ReadFile(keep); string(b) != "mine" {
		t.Error("the user's file was touched")
	}
}

func TestOpenDetectsCorruption(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(dir string)
		file   string
		want   string
	}{
		{"missing metadata", func(d string) { os.Remove(filepath.Join(d, MetaFile)) }, MetaFile, "missing"},
		{"bad metadata", func(d string) { os.WriteFile(filepath.Join(d, MetaFile), []byte("{"), 0o644) }, MetaFile, "bad JSON"},
		{"missing modules index", func(d string) { os.Remove(filepath.Join(d, "govulncheck", "index", "modules.json")) },
			"govulncheck/index/modules.json", "missing"},
		{"bad modules index", func(d string) {
			os.WriteFile(filepath.Join(d, "govulncheck", "index", "modules.json"), []byte(`[{"path":`), 0o644)
		}, "govulncheck/index/modules.json", "bad JSON"},
		{"missing db index", func(d string) { os.Remove(filepath.Join(d, "govulncheck", "index", "db.json")) },
			"govulncheck/index/db.json", "missing"},
		{"bad entry", func(d string) {
			os.WriteFile(filepath.Join(d, "govulncheck", "ID", "GO-2021-0113.json"), []byte(`{"id": "GO-2021-0113",`), 0o644)
		}, "govulncheck/ID/GO-2021-0113.json", "bad JSON"},
		{"missing entry", func(d string) { os.Remove(filepath.Join(d, "govulncheck", "ID", "GO-2021-0113.json")) },
			"govulncheck/ID/GO-2021-0113.json", "missing"},
		{"truncated zip", func(d string) {
			p := filepath.Join(d, "osv-scanner", "osv-scalibr", "PyPI", "all.zip")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o644)
		}, "osv-scanner/osv-scalibr/PyPI/all.zip", "truncated"},
		{"missing zip", func(d string) { os.Remove(filepath.Join(d, "osv-scanner", "osv-scalibr", "npm", "all.zip")) },
			"osv-scanner/osv-scalibr/npm/all.zip", "missing"},
		{"zip entry with an unknown field", func(d string) {
			p := filepath.Join(d, "osv-scanner", "osv-scalibr", "PyPI", "all.zip")
			bad, _ := os.ReadFile(filepath.Join(corruptDir, "unknown-field", "PYSEC-2021-66.json"))
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			w, _ := zw.Create("PYSEC-2021-66.json")
			w.Write(bad)
			zw.Close()
			os.WriteFile(p, buf.Bytes(), 0o644)
			// Record the new size, so that only the checksum tells.
			var st Stats
			b, _ := os.ReadFile(filepath.Join(d, MetaFile))
			json.Unmarshal(b, &st)
			st.Ecosystem("PyPI").Size = int64(buf.Len())
			writeJSON(filepath.Join(d, MetaFile), &st)
		}, "osv-scanner/osv-scalibr/PyPI/all.zip", `entry PYSEC-2021-66.json: unknown field "database-specific"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst, _ := mustImport(t, advisories)
			tc.damage(dst)
			_, err := Open(dst)
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Open = %v, want a *CorruptError", err)
			}
			if ce.File != tc.file || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q: file %q, want %q containing %q", err, ce.File, tc.file, tc.want)
			}
			if strings.Contains(err.Error(), dst) {
				t.Errorf("error %q names the machine path", err)
			}
			if _, err := Status(dst); err == nil {
				t.Error("Status accepted the damaged database")
			}
		})
	}
}

func TestOpenRawAdvisories(t *testing.T) {
	var logged []string
	opt := OpenOptions{Logf: func(f string, a ...any) { logged = append(logged, f) }}
	db, err := OpenWith(examples, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !db.Temporary || db.Stats.Ecosystem("PyPI") == nil || len(logged) != 1 {
		t.Errorf("db %+v, logged %q", db, logged)
	}
	dir := db.Dir
	if _, err := Open(dir); err != nil {
		t.Errorf("the temporary database does not open: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Close left %s", dir)
	}

	_, err = OpenWith(filepath.Join(corruptDir, "unknown-field"), opt)
	if err == nil || !strings.Contains(err.Error(), `PYSEC-2021-66.json: unknown field "database-specific"`) {
		t.Errorf("raw advisories with an unknown field: %v", err)
	}
}

func TestOpenNoDatabase(t *testing.T) {
	empty := t.TempDir()
	for p, why := range map[string]string{filepath.Join(empty, "nope"): "(does not exist)", empty: "(holds neither scangate-db.json nor OSV advisories)"} {
		_, err := Open(p)
		// The path tried, why, and both ways to make a database; --db was
		// given, so no advice to pass it.
		if !errors.Is(err, ErrNoDB) || !strings.HasPrefix(err.Error(), "no vulnerability database at "+p+" "+why+": run scangate db update, or without network build it with scangate db import SRC") ||
			strings.Contains(err.Error(), "pass --db") {
			t.Errorf("Open(%s) = %v", p, err)
		}
	}
	// The default database is shown under ~, and the advice names --db.
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", "")
	def, err := DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(def); err == nil || err.Error() != "no vulnerability database at ~/.cache/scangate/db (does not exist): "+
		"run scangate db update, or without network build it with scangate db import SRC (osv.dev all.zip exports, golang/vulndb data/osv, "+
		"pypa/advisory-database vulns, github/advisory-database advisories), or pass --db DIR" {
		t.Errorf("Open(default) = %v", err)
	}
	if _, err := Status(filepath.Join(empty, "nope")); !errors.Is(err, ErrNoDB) {
		t.Errorf("Status = %v", err)
	}
}

func TestStaleWarning(t *testing.T) {
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	imported := &Stats{Origin: OriginImport, Imported: now,
		Ecosystems: []Ecosystem{{Name: "PyPI", NewestModified: now.Add(-30 * 24 * time.Hour)}}}
	if w := imported.StaleWarning(0, now); w != "vulnerability database older than 7 days for 1 ecosystem: PyPI 30 days old (data of 2025-12-11): run scangate db update, or import newer exports" {
		t.Errorf("imported: %q", w)
	}
	if w := imported.StaleWarning(40*24*time.Hour, now); w != "" {
		t.Errorf("within max age: %q", w)
	}
	if w := imported.StaleWarning(-1, now); w != "" {
		t.Errorf("disabled: %q", w)
	}
	updated := &Stats{Origin: OriginUpdate, Imported: now.Add(-8 * 24 * time.Hour),
		Ecosystems: []Ecosystem{{Name: "PyPI", NewestModified: now.Add(-9 * 24 * time.Hour)}}}
	if w := updated.StaleWarning(0, now); !strings.Contains(w, "PyPI 8 days old (downloaded 2026-01-02)") {
		t.Errorf("updated: %q", w)
	}
	updated.Imported = now.Add(-time.Hour)
	if w := updated.StaleWarning(0, now); w != "" {
		t.Errorf("fresh download: %q", w)
	}

	// Per ecosystem: a partial update keeps npm's old data, and only npm
	// is stale; a scan of Go lockfiles alone is not warned about it.
	mixed := &Stats{Origin: OriginUpdate, Imported: now.Add(-time.Hour), Ecosystems: []Ecosystem{
		{Name: "Go", AsOf: now.Add(-time.Hour)},
		{Name: "PyPI", AsOf: now.Add(-10 * 24 * time.Hour)},
		{Name: "npm", AsOf: now.Add(-20 * 24 * time.Hour)},
	}}
	if w := mixed.StaleWarning(0, now); w != "vulnerability database older than 7 days for 2 ecosystems: "+
		"npm 20 days old (downloaded 2025-12-21), PyPI 10 days old (downloaded 2025-12-31): run scangate db update, or import newer exports" {
		t.Errorf("mixed: %q", w)
	}
	if w := mixed.StaleWarningFor([]string{"Go"}, 0, now); w != "" {
		t.Errorf("Go only: %q", w)
	}
	if got := mixed.StaleEcosystems([]string{"Go", "PyPI"}, 0, now); len(got) != 1 || got[0].Ecosystem != "PyPI" || got[0].Age != 10*24*time.Hour {
		t.Errorf("StaleEcosystems = %+v", got)
	}
	if got := mixed.Age(now); got != 20*24*time.Hour {
		t.Errorf("Age = %v, want that of the oldest ecosystem", got)
	}
}

func TestNonSupersededFix(t *testing.T) {
	raw := []byte(`{"id":"GO-2099-0001","modified":"2024-01-01T00:00:00Z","affected":[
	 {"package":{"ecosystem":"Go","name":"example.com/a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"},{"introduced":"1.3.0"},{"fixed":"1.3.4"}]}]},
	 {"package":{"ecosystem":"Go","name":"example.com/b"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.9.0"},{"introduced":"1.0.0"}]}]}]}`)
	e, err := parseAdvisory("GO-2099-0001.json", raw)
	if err != nil {
		t.Fatal(err)
	}
	want := []goModuleVuln{{"example.com/a", "1.3.4"}, {"example.com/b", ""}}
	if !slices.Equal(e.goModules, want) {
		t.Errorf("got %v, want %v", e.goModules, want)
	}
}

func TestParseAdvisoryRejects(t *testing.T) {
	for _, tc := range []struct{ json, want string }{
		{`{"id":"X-1","affected":[{"package":{"ecosystem":"PyPI","name":"a"},"versions":["1"]}]}`, `missing "modified"`},
		{`{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Pypi","name":"a"},"versions":["1"]}]}`, `unknown ecosystem "Pypi"`},
		{`{"id":"X-1","modified":"yesterday","affected":[]}`, `invalid google.protobuf.Timestamp value "yesterday"`},
		{`{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"a","version":"1"}}]}`, `unknown field "version"`},
	} {
		_, err := parseAdvisory("X-1.json", []byte(tc.json))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "X-1.json: ") {
			t.Errorf("%s: err = %v, want %q", tc.json, err, tc.want)
		}
	}
}

// A database the caller has verified is not hashed again: opening it with
// Verified reads the metadata alone (a file damaged after the first open
// goes unnoticed by design), and still rejects broken metadata.
func TestOpenVerifiedReadsMetadataOnly(t *testing.T) {
	dst, st := mustImport(t, advisories)
	p := filepath.Join(dst, "osv-scanner", "osv-scalibr", "PyPI", "all.zip")
	if err := os.WriteFile(p, []byte("damaged"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dst); err == nil {
		t.Fatal("a full open must notice the damaged zip")
	}
	db, err := OpenWith(dst, OpenOptions{Verified: true})
	if err != nil {
		t.Fatalf("verified open: %v", err)
	}
	if len(db.Stats.Ecosystems) != len(st.Ecosystems) {
		t.Errorf("metadata: %d ecosystems, imported %d", len(db.Stats.Ecosystems), len(st.Ecosystems))
	}
	if err := os.WriteFile(filepath.Join(dst, MetaFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	var ce *CorruptError
	if _, err := OpenWith(dst, OpenOptions{Verified: true}); !errors.As(err, &ce) || ce.File != MetaFile {
		t.Errorf("broken metadata: %v", err)
	}
}
