package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
)

// The result cache end to end, with the real scanners on the example
// project against a database imported from the example advisories.

func importDB(t *testing.T, src string) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "db")
	if code, _, stderr := runCLI(t, "db", "import", src, "--db", db); code != 0 {
		t.Fatalf("db import: exit %d\n%s", code, stderr)
	}
	return db
}

type cachedScan struct {
	results string            // the SARIF runs' results, by tool
	counts  map[string]string // scanner -> "hits/units" from the summary
	stderr  string
	notes   []string
}

var cacheLine = regexp.MustCompile(`from the result cache: (.*)`)

// scanCached scans root with every scanner and returns the SARIF results
// and what the summary says came from the cache.
func scanCached(t *testing.T, root, db string, args ...string) cachedScan {
	t.Helper()
	sarif := filepath.Join(t.TempDir(), "r.sarif")
	jsonOut := filepath.Join(t.TempDir(), "r.json")
	all := append([]string{"scan", "-q", "--offline", "--db", db, "--fail-on", "none", "--sarif", sarif, "--json", jsonOut}, args...)
	code, _, stderr := runCLI(t, append(all, root)...)
	if code != 0 {
		t.Fatalf("scan: exit %d\n%s", code, stderr)
	}
	return readCachedScan(t, sarif, jsonOut, stderr)
}

// scanNoFatal is scanCached for a goroutine other than the test's.
func scanNoFatal(root, db string, args ...string) (cachedScan, error) {
	dir, err := os.MkdirTemp(testTmp, "scan-")
	if err != nil {
		return cachedScan{}, err
	}
	defer os.RemoveAll(dir)
	sarif, jsonOut := filepath.Join(dir, "r.sarif"), filepath.Join(dir, "r.json")
	all := append([]string{"scan", "-q", "--offline", "--db", db, "--fail-on", "none", "--sarif", sarif, "--json", jsonOut}, args...)
	var stdout, stderr bytes.Buffer
	if code := run(offlineByDefault(append(all, root)), &stdout, &stderr); code != 0 {
		return cachedScan{}, fmt.Errorf("exit %d\n%s", code, stderr.String())
	}
	b, err := os.ReadFile(sarif)
	if err != nil {
		return cachedScan{}, err
	}
	return cachedScan{results: sarifResults(b), stderr: stderr.String()}, nil
}

func readCachedScan(t *testing.T, sarif, jsonOut, stderr string) cachedScan {
	t.Helper()
	b := testkit.ReadFile(t, sarif)
	res := sarifResults(b)
	if res == "" {
		t.Fatalf("%s does not parse as SARIF", sarif)
	}
	var rep struct {
		Notes []string `json:"notes"`
	}
	if b, err := os.ReadFile(jsonOut); err == nil {
		_ = json.Unmarshal(b, &rep)
	}
	out := cachedScan{results: res, counts: map[string]string{}, stderr: stderr, notes: rep.Notes}
	// The last: with --new-from-rev the first is the base scan's.
	if all := cacheLine.FindAllStringSubmatch(stderr, -1); all != nil {
		m := all[len(all)-1]
		for _, part := range strings.Split(m[1], ", ") {
			f := strings.Fields(part)
			out.counts[f[0]] = f[1]
		}
	}
	return out
}

func (c cachedScan) hits(t *testing.T, step string, want map[string]string) {
	t.Helper()
	for s, w := range want {
		if c.counts[s] != w {
			t.Errorf("%s: %s from the cache %q, want %q\n%s", step, s, c.counts[s], w, c.stderr)
		}
	}
}

// exampleUncached is the results of an uncached scan of the example
// project, made once for the tests that compare with it: a copy scanned
// elsewhere must give the same (cache keys do not depend on where a tree
// lies, and no output names it).
func exampleUncached(t *testing.T) string {
	t.Helper()
	uncached.once.Do(func() {
		root := testkit.TempCopy(t, "../../examples/project")
		uncached.results = scanCached(t, root, importDB(t, "../../examples/vulndb"), "--no-cache").results
	})
	if uncached.results == "" {
		t.Fatal("the uncached scan of the example project failed in an earlier test")
	}
	return uncached.results
}

var uncached struct {
	once    sync.Once
	results string
}

func TestResultCacheHitsAndMisses(t *testing.T) {
	testkit.SkipShort(t, "several whole scans compared")
	t.Parallel()
	root := testkit.TempCopy(t, "../../examples/project")
	db := importDB(t, "../../examples/vulndb")
	cache := filepath.Join(t.TempDir(), "cache")
	uncached := func() string { return scanCached(t, root, db, "--no-cache").results }

	cold := scanCached(t, root, db, "--cache-dir", cache)
	cold.hits(t, "cold", map[string]string{"gosec": "0/1", "govulncheck": "0/1", "osv-scanner": "0/1"})
	for _, rule := range []string{"GO-2021-0113", "G204", "PYSEC-2021-66"} {
		if !strings.Contains(cold.results, `"`+rule+`"`) {
			t.Fatalf("cold scan lacks %s:\n%s", rule, cold.results)
		}
	}
	warm := scanCached(t, root, db, "--cache-dir", cache)
	warm.hits(t, "unchanged", map[string]string{"gosec": "1/1", "govulncheck": "1/1", "osv-scanner": "1/1"})
	if _, err := exec.LookPath("bandit"); err == nil {
		cold.hits(t, "cold", map[string]string{"bandit": "0/1"})
		warm.hits(t, "unchanged", map[string]string{"bandit": "1/1"})
	}
	if warm.results != cold.results || warm.results != exampleUncached(t) {
		t.Fatalf("cached results differ from uncached ones:\n%s\nwant\n%s", warm.results, cold.results)
	}

	// One miss per key component; each time the answer equals an uncached
	// scan and the scanners the change cannot affect still hit.
	edit := func(rel, add string) {
		t.Helper()
		p := filepath.Join(root, rel)
		b := testkit.ReadFile(t, p)
		if err := os.WriteFile(p, append(b, add...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Each step's uncached scan runs on a snapshot of the tree, beside the
	// next steps: the test waits for the slow part of its scans only once.
	var uncachedScans sync.WaitGroup
	t.Cleanup(uncachedScans.Wait)
	step := func(name string, want map[string]string, args ...string) {
		t.Helper()
		got := scanCached(t, root, db, append([]string{"--cache-dir", cache}, args...)...)
		got.hits(t, name, want)
		snap := filepath.Join(t.TempDir(), filepath.Base(root))
		testkit.CopyTree(t, root, snap)
		db := db // the next steps change db while this scan runs
		uncachedScans.Go(func() {
			u, err := scanNoFatal(snap, db, append([]string{"--no-cache"}, args...)...)
			if err != nil {
				t.Errorf("%s: uncached scan: %v", name, err)
			} else if got.results != u.results {
				t.Errorf("%s: cached results differ from uncached ones:\n%s\nwant\n%s", name, got.results, u.results)
			}
		})
	}
	edit("main.go", "\n// changed\n")
	step("a source file", map[string]string{"gosec": "0/1", "govulncheck": "0/1", "osv-scanner": "1/1"})
	edit("go.sum", "\n")
	step("go.sum", map[string]string{"gosec": "0/1", "govulncheck": "0/1", "osv-scanner": "1/1"})

	// The same advisories imported again: same digest, so hits.
	db = importDB(t, "../../examples/vulndb")
	step("the same database again", map[string]string{"gosec": "1/1", "govulncheck": "1/1", "osv-scanner": "1/1"})
	changed := testkit.TempCopy(t, "../../examples/vulndb")
	p := filepath.Join(changed, "GO-2022-1059.json")
	b := testkit.ReadFile(t, p)
	b2 := bytes.Replace(b, []byte(`"details": "`), []byte(`"details": "Changed. `), 1)
	if bytes.Equal(b, b2) {
		t.Fatal("the advisory was not changed")
	}
	if err := os.WriteFile(p, b2, 0o644); err != nil {
		t.Fatal(err)
	}
	db = importDB(t, changed)
	step("the database", map[string]string{"gosec": "1/1", "govulncheck": "0/1", "osv-scanner": "0/1"})

	cfg := filepath.Join(t.TempDir(), "scangate.yml")
	if err := os.WriteFile(cfg, []byte("scanners:\n  gosec:\n    exclude: [G104]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	step("the configuration", map[string]string{"gosec": "0/1", "govulncheck": "1/1", "osv-scanner": "1/1"}, "--config", cfg)
	step("tags", map[string]string{"gosec": "0/1", "govulncheck": "0/1", "osv-scanner": "1/1"}, "--tags", "extra")

	// Another build: a process of its own, since parallel tests read cacheBuild.
	other := scanChild(t, []string{testCacheBuildVar + "=another scangate"},
		"scan", "-q", "--offline", "--db", db, "--fail-on", "none", "--cache-dir", cache, root)
	other.hits(t, "the scangate build", map[string]string{"gosec": "0/1", "govulncheck": "0/1", "osv-scanner": "0/1"})
	if u := uncached(); other.results != u {
		t.Errorf("the scangate build: cached results differ from uncached ones:\n%s\nwant\n%s", other.results, u)
	}
	uncachedScans.Wait()
}

// testCacheBuildVar gives the test binary run as scangate another build
// identity for the result cache.
const testCacheBuildVar = "SCANGATE_TEST_CACHE_BUILD"

// scanChild runs the test binary as scangate with extra environment and
// the args (a scan; --sarif and --json are added).
func scanChild(t *testing.T, env []string, args ...string) cachedScan {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sarif, jsonOut := filepath.Join(dir, "r.sarif"), filepath.Join(dir, "r.json")
	args = append([]string{args[0], "--sarif", sarif, "--json", jsonOut}, args[1:]...)
	cmd := exec.Command(self, args...)
	cmd.Env = append(append(os.Environ(), "SCANGATE_TEST_AS_CLI=1"), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("scangate %q: %v\n%s", args, err, stderr.String())
	}
	return readCachedScan(t, sarif, jsonOut, stderr.String())
}

func TestResultCacheCorruptEntries(t *testing.T) {
	t.Parallel()
	root := testkit.TempCopy(t, "../../examples/project")
	db := importDB(t, "../../examples/vulndb")
	cache := filepath.Join(t.TempDir(), "cache")
	cold := scanCached(t, root, db, "--cache-dir", cache, "--scanners", "gosec,govulncheck,osv-scanner")
	// Truncated, foreign (valid JSON, not ours), and another key's entry.
	var entries []string
	_ = filepath.WalkDir(cache, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			entries = append(entries, p)
		}
		return nil
	})
	if len(entries) != 5 {
		t.Fatalf("%d entries, want 5 (gosec's package, where its imports' export data is and its module's mark, govulncheck, osv-scanner): %q", len(entries), entries)
	}
	first, _ := os.ReadFile(entries[0])
	for i, p := range entries {
		// Truncated, foreign, the first entry's (right format, wrong key).
		body := []string{`{"format":"scangate-result-cache/1","key":"`, `{"findings":[]}`, string(first)}[i%3]
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := scanCached(t, root, db, "--cache-dir", cache, "--scanners", "gosec,govulncheck,osv-scanner")
	got.hits(t, "corrupt", map[string]string{"gosec": "0/1", "govulncheck": "0/1", "osv-scanner": "0/1"})
	if got.results != cold.results {
		t.Errorf("results after corrupt entries differ:\n%s\nwant\n%s", got.results, cold.results)
	}
	// Every entry read says so; gosec's imports record is not read when its
	// module's mark is unusable (a cold module), only rewritten.
	if n := strings.Count(strings.Join(got.notes, "\n"), "is corrupt or not scangate's: ignored and rewritten"); n != len(entries)-1 {
		t.Errorf("%d corrupt-entry warnings in the report's notes, want %d: %q", n, len(entries)-1, got.notes)
	}
	if strings.Contains(strings.Join(got.notes, "\n"), cache) {
		t.Errorf("a note names the cache directory's machine path: %q", got.notes)
	}
	again := scanCached(t, root, db, "--cache-dir", cache, "--scanners", "gosec,govulncheck,osv-scanner")
	again.hits(t, "rewritten", map[string]string{"gosec": "1/1", "govulncheck": "1/1", "osv-scanner": "1/1"})
	if len(again.notes) > 0 || again.results != cold.results {
		t.Errorf("after the rewrite: notes %q, same results %v", again.notes, again.results == cold.results)
	}
}

// readOnlyDir returns a directory this process cannot create files in: a
// directory without write permission, or, for root, which ignores
// permissions, a directory of /proc.
func readOnlyDir(t *testing.T) string {
	t.Helper()
	d := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(d, 0o555); err != nil {
		t.Fatal(err)
	}
	if f, err := os.CreateTemp(d, "probe"); err != nil {
		return d
	} else {
		f.Close()
		os.Remove(f.Name())
	}
	if fi, err := os.Stat("/proc/self/fdinfo"); err == nil && fi.IsDir() {
		return "/proc/self/fdinfo"
	}
	t.Skip("no read-only directory for this user")
	return ""
}

func TestResultCacheReadOnlyDirectory(t *testing.T) {
	t.Parallel()
	root := testkit.TempCopy(t, "../../examples/project")
	db := importDB(t, "../../examples/vulndb")
	dir := readOnlyDir(t)
	want := exampleUncached(t)
	got := scanCached(t, root, db, "--cache-dir", dir)
	if got.results != want {
		t.Errorf("read-only cache: results differ:\n%s\nwant\n%s", got.results, want)
	}
	note := strings.Join(got.notes, "\n")
	if !strings.Contains(note, "is not writable") || !strings.Contains(note, "results are not stored") {
		t.Errorf("no warning about the read-only cache in the notes: %q\n%s", got.notes, got.stderr)
	}
	got.hits(t, "read-only", map[string]string{"gosec": "0/1", "govulncheck": "0/1"})
}

// Two scangate processes scan one tree at once with one cache: both
// succeed with the uncached answer, and the entries they raced to write
// are whole (a third scan hits every one without a warning).
func TestResultCacheTwoProcesses(t *testing.T) {
	testkit.SkipShort(t, "several whole scans compared")
	t.Parallel()
	root := testkit.TempCopy(t, "../../examples/project")
	db := importDB(t, "../../examples/vulndb")
	cache := filepath.Join(t.TempDir(), "cache")
	want := exampleUncached(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	outs := make([]cachedScan, 2)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dir := t.TempDir()
			sarif, jsonOut := filepath.Join(dir, "r.sarif"), filepath.Join(dir, "r.json")
			cmd := exec.Command(self, "scan", "-q", "--offline", "--db", db, "--fail-on", "none", "--cache-dir", cache,
				"--sarif", sarif, "--json", jsonOut, root)
			cmd.Env = append(os.Environ(), "SCANGATE_TEST_AS_CLI=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				t.Errorf("process %d: %v\n%s", i, err, stderr.String())
				return
			}
			outs[i] = readCachedScan(t, sarif, jsonOut, stderr.String())
		}()
	}
	wg.Wait()
	for i, o := range outs {
		if o.results != want {
			t.Errorf("process %d: results differ from an uncached scan:\n%s\nwant\n%s", i, o.results, want)
		}
		if len(o.notes) > 0 {
			t.Errorf("process %d: notes %q", i, o.notes)
		}
	}
	// A process of its own too: gosec's Go version is fixed once per process
	// (and is part of the key), and parallel tests scan other modules here.
	third := scanChild(t, nil, "scan", "-q", "--offline", "--db", db, "--fail-on", "none", "--cache-dir", cache, root)
	third.hits(t, "after two processes", map[string]string{"gosec": "1/1", "govulncheck": "1/1", "osv-scanner": "1/1"})
	if third.results != want || len(third.notes) > 0 {
		t.Errorf("third scan: notes %q, same results %v", third.notes, third.results == want)
	}
}

// sarifResults is a SARIF file's results, run by run ("" if it does not
// parse, which the comparison then reports).
func sarifResults(b []byte) string {
	var doc struct {
		Runs []struct {
			Tool struct {
				Driver struct{ Name string } `json:"driver"`
			} `json:"tool"`
			Results json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return ""
	}
	var res bytes.Buffer
	for _, r := range doc.Runs {
		res.WriteString(r.Tool.Driver.Name + ": ")
		res.Write(r.Results)
		res.WriteString("\n")
	}
	return res.String()
}
