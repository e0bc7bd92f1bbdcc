package vulndb

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scangate/scangate/internal/testkit"
)

// exportServer serves the public exports' real layouts on loopback:
// osv.dev's <Ecosystem>/all.zip under /osv, with the headers Google Cloud
// Storage sends (Content-Length, x-goog-hash, x-goog-stored-content-length),
// and the Go vulnerability database API under /go (index/db.json,
// index/modules.json, index/vulns.json, ID/<ID>.json). Faults are set per
// path.
type exportServer struct {
	*httptest.Server
	mu     sync.Mutex
	files  map[string][]byte
	hits   map[string]int
	faults map[string]string // path -> cut-once, cut, md5, size
	// block, when set for a path, holds its response until closed.
	block   map[string]chan struct{}
	started chan string
}

func newExportServer(t *testing.T) *exportServer {
	t.Helper()
	s := &exportServer{files: map[string][]byte{}, hits: map[string]int{}, faults: map[string]string{},
		block: map[string]chan struct{}{}, started: make(chan string, 100)}

	// vuln.go.dev: the entry as served (real modified time), two
	// golang/vulndb records, one of them withdrawn.
	entries := map[string][]byte{
		"GO-2021-0113": testkit.ReadFile(t, filepath.Join(advisories, "GO-2021-0113.json")),
		"GO-2022-1059": testkit.ReadFile(t, filepath.Join(sampleGo, "GO-2022-1059.json")),
		"GO-2024-2730": testkit.ReadFile(t, filepath.Join(sampleGo, "GO-2024-2730.json")),
	}
	type vuln struct {
		ID       string    `json:"id"`
		Modified time.Time `json:"modified"`
		Aliases  []string  `json:"aliases,omitempty"`
	}
	var vulns []vuln
	var modules []moduleMeta
	var newest time.Time
	for _, id := range []string{"GO-2021-0113", "GO-2022-1059", "GO-2024-2730"} {
		var v struct {
			vuln
			Affected []struct {
				Package struct{ Name string } `json:"package"`
			} `json:"affected"`
		}
		if err := json.Unmarshal(entries[id], &v); err != nil {
			t.Fatal(err)
		}
		vulns = append(vulns, v.vuln)
		newest = later(newest, v.Modified)
		modules = append(modules, moduleMeta{Path: v.Affected[0].Package.Name, Vulns: []moduleVuln{{ID: id, Modified: v.Modified}}})
		s.files["/go/ID/"+id+".json"] = entries[id]
	}
	s.files["/go/index/vulns.json"], _ = json.Marshal(vulns)
	s.files["/go/index/modules.json"], _ = json.Marshal(modules)
	s.files["/go/index/db.json"], _ = json.Marshal(dbMeta{Modified: newest})

	// osv.dev: Go (its copy of the GO- record and a GHSA), PyPI (pypa's
	// records as osv.dev converts them, the withdrawn one included), npm.
	zipBytes := func(files map[string][]byte) []byte {
		p := filepath.Join(t.TempDir(), "all.zip")
		writeZipFile(t, p, files)
		return testkit.ReadFile(t, p)
	}
	s.files["/osv/Go/all.zip"] = zipBytes(map[string][]byte{
		"GO-2021-0113.json":        entries["GO-2021-0113"],
		"GHSA-69ch-w2m2-3vjp.json": testkit.ReadFile(t, filepath.Join(sampleGHSA, "github-reviewed/2022/10/GHSA-69ch-w2m2-3vjp/GHSA-69ch-w2m2-3vjp.json")),
	})
	s.files["/osv/PyPI/all.zip"] = testkit.ReadFile(t, osvDevPyPIZip(t))
	s.files["/osv/npm/all.zip"] = zipBytes(map[string][]byte{
		"GHSA-35jh-r3h4-6jhm.json": testkit.ReadFile(t, filepath.Join(advisories, "GHSA-35jh-r3h4-6jhm.json")),
	})

	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *exportServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	body, ok := s.files[r.URL.Path]
	s.hits[r.URL.Path]++
	hit := s.hits[r.URL.Path]
	fault := s.faults[r.URL.Path]
	block := s.block[r.URL.Path]
	s.mu.Unlock()
	if block != nil {
		s.started <- r.URL.Path
		<-block
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	sum := md5.Sum(body)
	crc := make([]byte, 4)
	binary.BigEndian.PutUint32(crc, crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("X-Goog-Hash", "crc32c="+base64.StdEncoding.EncodeToString(crc))
	w.Header().Add("X-Goog-Hash", "md5="+base64.StdEncoding.EncodeToString(sum[:]))
	w.Header().Set("X-Goog-Stored-Content-Length", strconv.Itoa(len(body)))
	switch {
	case fault == "cut" || fault == "cut-once" && hit == 1:
		// The connection drops half way.
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	case fault == "md5":
		body = bytes.Clone(body)
		body[len(body)/2] ^= 0xff
	case fault == "size":
		w.Header().Set("X-Goog-Stored-Content-Length", strconv.Itoa(len(body)+1))
	}
	w.Write(body)
}

func (s *exportServer) set(path, fault string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fault == "" {
		delete(s.faults, path)
	} else {
		s.faults[path] = fault
	}
}

func (s *exportServer) hitsOf(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *exportServer) options(now time.Time) UpdateOptions {
	return UpdateOptions{Ecosystems: []string{"Go", "PyPI", "npm"}, OSVURL: s.URL + "/osv", GoVulnDBURL: s.URL + "/go",
		now: func() time.Time { return now }}
}

func TestUpdate(t *testing.T) {
	srv := newExportServer(t)
	dst := filepath.Join(t.TempDir(), "db")
	day1 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()

	// A clean update; PyPI's first download drops half way and is retried.
	srv.set("/osv/PyPI/all.zip", "cut-once")
	st, err := Update(ctx, dst, srv.options(day1))
	if err != nil {
		t.Fatal(err)
	}
	if srv.hitsOf("/osv/PyPI/all.zip") != 2 {
		t.Errorf("PyPI downloaded %d times, want 2 (one retry)", srv.hitsOf("/osv/PyPI/all.zip"))
	}
	if st.Origin != OriginUpdate || st.Entries != 6 || st.Withdrawn != 2 || st.Skipped != 0 {
		t.Errorf("origin %q entries %d withdrawn %d skipped %d", st.Origin, st.Entries, st.Withdrawn, st.Skipped)
	}
	for _, eco := range []string{"Go", "PyPI", "npm"} {
		if e := st.Ecosystem(eco); e == nil || !e.AsOf.Equal(day1) {
			t.Errorf("%s: %+v", eco, e)
		}
	}
	if got := testkit.ReadFile(t, filepath.Join(dst, GovulncheckDir, "ID", "GO-2021-0113.json")); !bytes.Equal(got, srv.files["/go/ID/GO-2021-0113.json"]) {
		t.Error("the GO- entry is not vuln.go.dev's")
	}
	if st.Govulncheck.Entries != 2 || !st.Govulncheck.AsOf.Equal(day1) {
		t.Errorf("govulncheck %+v", st.Govulncheck)
	}
	npmZip := testkit.ReadFile(t, EcosystemZip(filepath.Join(dst, OSVScannerDir), "npm"))

	// npm's export fails its checksum on every try: Go and PyPI are
	// updated, npm keeps its previous data, with its age.
	day2 := day1.Add(10 * 24 * time.Hour)
	srv.set("/osv/npm/all.zip", "md5")
	st, err = Update(ctx, dst, srv.options(day2))
	var pe *PartialError
	if !errors.As(err, &pe) || len(pe.Failures) != 1 || pe.Failures[0].Source != "npm" || !pe.Failures[0].Kept.Equal(day1) ||
		!strings.Contains(err.Error(), "crc32c checksum mismatch: got ") || !strings.Contains(err.Error(), "npm: download "+srv.URL+"/osv/npm/all.zip") ||
		!strings.Contains(err.Error(), "kept its previous data of 2026-11-01") {
		t.Fatalf("err = %v", err)
	}
	if srv.hitsOf("/osv/npm/all.zip") != 1+3 {
		t.Errorf("npm downloaded %d times, want 1 + 3 attempts", srv.hitsOf("/osv/npm/all.zip"))
	}
	db, err := Open(dst)
	if err != nil {
		t.Fatalf("Open after a partial update: %v", err)
	}
	if e := db.Stats.Ecosystem("npm"); e == nil || !e.AsOf.Equal(day1) || e.Entries != 1 {
		t.Errorf("npm after a partial update: %+v", e)
	}
	if !bytes.Equal(testkit.ReadFile(t, EcosystemZip(db.OSVScannerDir(), "npm")), npmZip) {
		t.Error("npm's previous data was not kept as it was")
	}
	if e := db.Stats.Ecosystem("PyPI"); e == nil || !e.AsOf.Equal(day2) {
		t.Errorf("PyPI: %+v", e)
	}
	if got := db.Stats.StaleEcosystems(nil, 0, day2); len(got) != 1 || got[0].Ecosystem != "npm" {
		t.Errorf("stale: %+v", got)
	}
	if len(db.Stats.Rejected) != 1 || db.Stats.Rejected[0].File != "npm" {
		t.Errorf("rejected: %+v", db.Stats.Rejected)
	}
	srv.set("/osv/npm/all.zip", "")

	// vuln.go.dev drops one entry on every try: govulncheck keeps its
	// previous entries, merged with the GO- records of osv.dev's fresh Go
	// export (its copy of GO-2021-0113), so its data is that new.
	day3 := day2.Add(24 * time.Hour)
	srv.set("/go/ID/GO-2022-1059.json", "cut")
	st, err = Update(ctx, dst, srv.options(day3))
	if !errors.As(err, &pe) || len(pe.Failures) != 1 || pe.Failures[0].Source != GovulncheckSource ||
		!strings.Contains(err.Error(), "/go/ID/GO-2022-1059.json: interrupted after") {
		t.Fatalf("err = %v", err)
	}
	if st.Govulncheck.Entries != 2 || !st.Govulncheck.AsOf.Equal(day3) || !st.Ecosystem("Go").AsOf.Equal(day3) ||
		!pe.Failures[0].Kept.Equal(day2) {
		t.Errorf("govulncheck %+v, Go %+v", st.Govulncheck, st.Ecosystem("Go"))
	}
	srv.set("/go/ID/GO-2022-1059.json", "")

	// Every download fails (a size the storage does not announce): the
	// database is unchanged.
	before := testkit.ReadFile(t, filepath.Join(dst, MetaFile))
	for _, p := range []string{"/osv/Go/all.zip", "/osv/PyPI/all.zip", "/osv/npm/all.zip", "/go/index/db.json"} {
		srv.set(p, "size")
	}
	_, err = Update(ctx, dst, srv.options(day3.Add(time.Hour)))
	if err == nil || !strings.Contains(err.Error(), "every download failed, the database is unchanged") ||
		!strings.Contains(err.Error(), "size mismatch: got") {
		t.Errorf("err = %v", err)
	}
	if !bytes.Equal(testkit.ReadFile(t, filepath.Join(dst, MetaFile)), before) {
		t.Error("a failed update changed the database")
	}
}

// An entry that is not the one the index announces fails vuln.go.dev (a
// database changing under the download, or a broken mirror).
func TestUpdateGoIndexMismatch(t *testing.T) {
	srv := newExportServer(t)
	srv.files["/go/ID/GO-2022-1059.json"] = bytes.Replace(srv.files["/go/ID/GO-2022-1059.json"],
		[]byte(`"modified": "0001-01-01T00:00:00Z"`), []byte(`"modified": "2026-01-01T00:00:00Z"`), 1)
	_, err := Update(context.Background(), filepath.Join(t.TempDir(), "db"), srv.options(time.Now()))
	if err == nil || !strings.Contains(err.Error(), "/go/ID/GO-2022-1059.json: holds GO-2022-1059 modified 2026-01-01T00:00:00Z, index/vulns.json says GO-2022-1059 modified 0001-01-01T00:00:00Z") {
		t.Errorf("err = %v", err)
	}
}

// While an update downloads, the old database stays usable; it is replaced
// only when the new one is complete.
func TestUpdateKeepsOldDatabaseUntilDone(t *testing.T) {
	srv := newExportServer(t)
	dst := filepath.Join(t.TempDir(), "db")
	day1 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	if _, err := Update(context.Background(), dst, srv.options(day1)); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	srv.mu.Lock()
	srv.block["/osv/npm/all.zip"] = release
	srv.mu.Unlock()
	done := make(chan error, 1)
	go func() {
		_, err := Update(context.Background(), dst, srv.options(day1.Add(24*time.Hour)))
		done <- err
	}()
	<-srv.started // the new update is half way: Go and PyPI are downloaded
	db, err := Open(dst)
	if err != nil || !db.Stats.Imported.Equal(day1) {
		t.Errorf("during the update: %v, imported %v", err, db.Stats.Imported)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	db, err = Open(dst)
	if err != nil || !db.Stats.Imported.Equal(day1.Add(24*time.Hour)) {
		t.Errorf("after the update: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dst), ".scangate-db-new-*")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

// A 404 (an ecosystem osv.dev does not export) is named, not retried.
func TestUpdateMissingExport(t *testing.T) {
	srv := newExportServer(t)
	opt := srv.options(time.Now())
	opt.Ecosystems = []string{"Go", "Hex"}
	st, err := Update(context.Background(), filepath.Join(t.TempDir(), "db"), opt)
	var pe *PartialError
	if !errors.As(err, &pe) || pe.Failures[0].Source != "Hex" || !strings.Contains(err.Error(), "404 Not Found") ||
		srv.hitsOf("/osv/Hex/all.zip") != 1 || st.Ecosystem("Hex") != nil || st.Ecosystem("Go") == nil {
		t.Errorf("err = %v, hits %d", err, srv.hitsOf("/osv/Hex/all.zip"))
	}
}
