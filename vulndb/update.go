package vulndb

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Public exports db update downloads, by default. Both are overridden by
// UpdateOptions (and db update's flags and environment) for mirrors and
// tests. The layouts are the publishers': osv.dev serves
// <bucket>/<Ecosystem>/all.zip from Google Cloud Storage (with an
// x-goog-hash header), and vuln.go.dev the Go vulnerability database API
// (go.dev/doc/security/vuln/database): index/db.json, index/modules.json,
// index/vulns.json and ID/<ID>.json.
const (
	DefaultOSVURL      = "https://osv-vulnerabilities.storage.googleapis.com"
	DefaultGoVulnDBURL = "https://vuln.go.dev"
)

// DefaultUpdateEcosystems are the ecosystems of the lockfiles scangate scans.
var DefaultUpdateEcosystems = []string{
	"Go", "PyPI", "npm", "RubyGems", "crates.io", "Packagist", "Maven", "NuGet",
	"Pub", "Hex", "CRAN", "Hackage", "SwiftURL", "ConanCenter",
}

// GovulncheckSource names the vuln.go.dev download in a *PartialError.
const GovulncheckSource = "vuln.go.dev"

// UpdateOptions tune Update; the zero value downloads DefaultUpdateEcosystems
// from the public exports.
type UpdateOptions struct {
	Ecosystems  []string
	OSVURL      string // base URL: <OSVURL>/<Ecosystem>/all.zip
	GoVulnDBURL string // base URL of the Go vulnerability database API
	HTTPClient  *http.Client
	Logf        func(format string, args ...any)
	// Attempts per file (default 3): a dropped connection or a checksum
	// mismatch is tried again before the source counts as failed.
	Attempts int
	now      func() time.Time
}

// Failure is one source db update could not download.
type Failure struct {
	Source string // an ecosystem, or GovulncheckSource
	Err    error
	// Kept is when the data kept from the previous database was current,
	// zero when there was none to keep.
	Kept time.Time
}

// PartialError is returned with the Stats of an update that replaced the
// database although some sources failed: their data is the previous
// database's (Failure.Kept), or missing.
type PartialError struct{ Failures []Failure }

func (e *PartialError) Error() string {
	return fmt.Sprintf("partial update: %d source%s failed, the others were updated:\n  %s",
		len(e.Failures), plural(len(e.Failures), "", "s"), e.list())
}

func (e *PartialError) list() string {
	var parts []string
	for _, f := range e.Failures {
		kept := "no previous data to keep"
		if !f.Kept.IsZero() {
			kept = "kept its previous data of " + f.Kept.UTC().Format("2006-01-02")
		}
		parts = append(parts, fmt.Sprintf("%s: %v (%s)", f.Source, f.Err, kept))
	}
	return strings.Join(parts, "\n  ")
}

// Update downloads osv.dev's per-ecosystem exports and the Go vulnerability
// database, checks every file (size, the server's checksum when it sends
// one, every advisory as db import does) and builds the database at dst.
// The database at dst stays as it was, and usable, until the new one is
// complete; it is then replaced in one step.
//
// When some sources fail and others succeed, the database is still
// replaced: the failed sources keep the data they had in the previous
// database (with its age, so that staleness shows), and the returned error
// is a *PartialError naming them, with the new Stats. When every source
// fails, nothing changes.
func Update(ctx context.Context, dst string, opt UpdateOptions) (*Stats, error) {
	if len(opt.Ecosystems) == 0 {
		opt.Ecosystems = DefaultUpdateEcosystems
	}
	if opt.OSVURL == "" {
		opt.OSVURL = DefaultOSVURL
	}
	if opt.GoVulnDBURL == "" {
		opt.GoVulnDBURL = DefaultGoVulnDBURL
	}
	if opt.HTTPClient == nil {
		opt.HTTPClient = http.DefaultClient
	}
	if opt.Logf == nil {
		opt.Logf = func(string, ...any) {}
	}
	if opt.Attempts <= 0 {
		opt.Attempts = 3
	}
	if opt.now == nil {
		opt.now = time.Now
	}
	tmp, err := os.MkdirTemp("", "scangate-update-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	d := &downloader{ctx: ctx, c: opt.HTTPClient, attempts: opt.Attempts, logf: opt.Logf}

	var (
		ins      []*input
		failures []Failure
		only     []string
	)
	defer func() {
		for _, in := range ins {
			in.close()
		}
	}()
	// vuln.go.dev first: on a tie its GO- entries win over osv.dev's copies.
	goDir := filepath.Join(tmp, "vuln.go.dev")
	if n, err := d.goVulnDB(opt.GoVulnDBURL, goDir); err != nil {
		opt.Logf("%s: %v", GovulncheckSource, err)
		failures = append(failures, Failure{Source: GovulncheckSource, Err: err})
	} else {
		s, err := openDirSource(filepath.Join(goDir, "ID"))
		if err != nil {
			return nil, fmt.Errorf("vulndb: update: %w", err)
		}
		opt.Logf("%s: %d advisories", GovulncheckSource, n)
		ins = append(ins, &input{source: s, scope: []string{"Go"}, asOf: opt.now()})
	}
	for _, eco := range opt.Ecosystems {
		u := strings.TrimSuffix(opt.OSVURL, "/") + "/" + url.PathEscape(eco) + "/all.zip"
		p := filepath.Join(tmp, "osv", eco+".zip")
		s, err := d.zip(u, p)
		if err != nil {
			opt.Logf("%s: %v", eco, err)
			failures = append(failures, Failure{Source: eco, Err: err})
			continue
		}
		ins = append(ins, &input{source: s, scope: []string{eco}, asOf: opt.now()})
		only = append(only, eco)
	}
	if len(failures) == len(opt.Ecosystems)+1 {
		return nil, fmt.Errorf("vulndb: update: every download failed, the database is unchanged:\n  %s", (&PartialError{Failures: failures}).list())
	}
	if len(failures) > 0 {
		// Keep the failed sources' data from the previous database.
		old, err := verify(dst)
		if err != nil {
			old = nil // none, or unusable: the failed sources have no data
		}
		for i, f := range failures {
			if old == nil {
				continue
			}
			if f.Source == GovulncheckSource {
				if old.Govulncheck.Entries == 0 {
					continue
				}
				s, err := openDirSource(filepath.Join(dst, GovulncheckDir, "ID"))
				if err != nil {
					continue
				}
				t := old.Govulncheck.AsOf
				if t.IsZero() {
					t = old.Imported
				}
				ins = append(ins, &input{source: s, scope: []string{"Go"}, asOf: t})
				failures[i].Kept = t
				continue
			}
			e := old.Ecosystem(f.Source)
			if e == nil {
				continue
			}
			s, err := openZipSource(filepath.Join(dst, filepath.FromSlash(e.Zip)))
			if err != nil {
				continue
			}
			t := old.EcosystemTime(e)
			ins = append(ins, &input{source: s, scope: []string{f.Source}, asOf: t})
			only = append(only, f.Source)
			failures[i].Kept = t
		}
	}
	var rejected []Rejected
	for _, f := range failures {
		rejected = append(rejected, Rejected{File: f.Source, Error: "download failed: " + f.Err.Error()})
	}
	st, err := build(ins, dst, buildOptions{origin: OriginUpdate, label: "osv.dev and vuln.go.dev exports",
		sources: []string{opt.OSVURL, opt.GoVulnDBURL}, lenient: true, only: only, rejected: rejected, now: opt.now()})
	if err != nil {
		return nil, fmt.Errorf("vulndb: update: %w", err)
	}
	if len(failures) > 0 {
		return st, &PartialError{Failures: failures}
	}
	return st, nil
}

type downloader struct {
	ctx      context.Context
	c        *http.Client
	attempts int
	logf     func(string, ...any)
}

// zip downloads an osv.dev export to p and opens it.
func (d *downloader) zip(u, p string) (*zipSource, error) {
	var s *zipSource
	err := d.retry(u, func() error {
		if err := d.file(u, p); err != nil {
			return err
		}
		var err error
		s, err = openZipSource(p)
		return err
	})
	return s, err
}

// retry runs get until it succeeds, the context ends, the server says the
// file does not exist, or the attempts are spent.
func (d *downloader) retry(u string, get func() error) error {
	var err error
	for i := 0; i < d.attempts; i++ {
		if i > 0 {
			d.logf("  retrying %s: %v", u, err)
			select {
			case <-d.ctx.Done():
				return d.ctx.Err()
			case <-time.After(time.Duration(i) * 200 * time.Millisecond):
			}
		}
		if err = get(); err == nil || notFound(err) || d.ctx.Err() != nil {
			return err
		}
	}
	return err
}

// statusError is a download the server answered with an error status.
type statusError struct {
	url    string
	status string
	code   int
}

func (e *statusError) Error() string { return fmt.Sprintf("download %s: %s", e.url, e.status) }

// notFound reports whether err is a 404: the file does not exist, and
// trying again will not make it.
func notFound(err error) bool {
	var se *statusError
	return errors.As(err, &se) && se.code == http.StatusNotFound
}

// file downloads u to p, checking the length the server announced and
// the checksums Google Cloud Storage sends (x-goog-hash: crc32c and md5).
func (d *downloader) file(u, p string) error {
	req, err := http.NewRequestWithContext(d.ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "scangate")
	resp, err := d.c.Do(req)
	if err != nil {
		return fmt.Errorf("download %s (is there network?): %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &statusError{url: u, status: resp.Status, code: resp.StatusCode}
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	sums := map[string]hash.Hash{}
	var checks []string
	if !resp.Uncompressed { // the checksums are of the stored bytes
		for _, h := range resp.Header.Values("X-Goog-Hash") {
			for _, kv := range strings.Split(h, ",") {
				k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
				if !ok {
					continue
				}
				switch k {
				case "md5":
					sums[k] = md5.New()
				case "crc32c":
					sums[k] = crc32.New(crc32.MakeTable(crc32.Castagnoli))
				default:
					continue
				}
				checks = append(checks, k+"="+v)
			}
		}
	}
	ws := []io.Writer{f}
	for _, h := range sums {
		ws = append(ws, h)
	}
	n, err := io.Copy(io.MultiWriter(ws...), resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("download %s: interrupted after %d bytes: %w", u, n, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return fmt.Errorf("download %s: got %d of %d bytes", u, n, resp.ContentLength)
	}
	if s := resp.Header.Get("X-Goog-Stored-Content-Length"); s != "" && !resp.Uncompressed {
		if want, err := strconv.ParseInt(s, 10, 64); err == nil && want != n {
			return fmt.Errorf("download %s: size mismatch: got %d bytes, the server stores %d", u, n, want)
		}
	}
	for _, c := range checks {
		k, want, _ := strings.Cut(c, "=")
		if got := base64.StdEncoding.EncodeToString(sums[k].Sum(nil)); got != want {
			return fmt.Errorf("download %s: %s checksum mismatch: got %s, the server says %s", u, k, got, want)
		}
	}
	if n == 0 {
		return fmt.Errorf("download %s: empty", u)
	}
	return nil
}

// goVulnDB downloads the Go vulnerability database's index and every entry
// it lists to dir (index/*.json, ID/<ID>.json), checking that each entry is
// the one the index announces (ID and modified time), and returns the
// number of entries.
func (d *downloader) goVulnDB(base, dir string) (int, error) {
	base = strings.TrimSuffix(base, "/")
	get := func(rel string) ([]byte, error) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := d.retry(base+"/"+rel, func() error { return d.file(base+"/"+rel, p) }); err != nil {
			return nil, err
		}
		return os.ReadFile(p)
	}
	for _, rel := range []string{"index/db.json", "index/modules.json"} {
		b, err := get(rel)
		if err != nil {
			return 0, err
		}
		if !json.Valid(b) {
			return 0, fmt.Errorf("%s/%s: not JSON", base, rel)
		}
	}
	b, err := get("index/vulns.json")
	if err != nil {
		return 0, err
	}
	var index []struct {
		ID       string    `json:"id"`
		Modified time.Time `json:"modified"`
	}
	if err := json.Unmarshal(b, &index); err != nil {
		return 0, fmt.Errorf("%s/index/vulns.json: %w", base, err)
	}
	if len(index) == 0 {
		return 0, fmt.Errorf("%s/index/vulns.json lists no advisory", base)
	}
	// A few downloads at a time, as go get does.
	const workers = 8
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
		ch    = make(chan int)
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ch {
				v := index[i]
				if v.ID == "" || path.Base(v.ID) != v.ID || strings.HasPrefix(v.ID, ".") {
					mu.Lock()
					first = cmpErr(first, fmt.Errorf("%s/index/vulns.json: bad ID %q", base, v.ID))
					mu.Unlock()
					continue
				}
				rel := "ID/" + v.ID + ".json"
				u := base + "/" + rel
				p := filepath.Join(dir, "ID", v.ID+".json")
				err := d.retry(u, func() error {
					if err := d.file(u, p); err != nil {
						return err
					}
					b, err := os.ReadFile(p)
					if err != nil {
						return err
					}
					var e struct {
						ID       string    `json:"id"`
						Modified time.Time `json:"modified"`
					}
					if err := json.Unmarshal(b, &e); err != nil {
						return fmt.Errorf("%s: %w", u, err)
					}
					if e.ID != v.ID || !e.Modified.Equal(v.Modified) {
						return fmt.Errorf("%s: holds %s modified %s, index/vulns.json says %s modified %s (the database changed during the download?)",
							u, e.ID, e.Modified.UTC().Format(time.RFC3339), v.ID, v.Modified.UTC().Format(time.RFC3339))
					}
					return nil
				})
				if err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range index {
		mu.Lock()
		stop := first != nil
		mu.Unlock()
		if stop || d.ctx.Err() != nil {
			break
		}
		ch <- i
	}
	close(ch)
	wg.Wait()
	if first == nil {
		first = d.ctx.Err()
	}
	if first != nil {
		return 0, first
	}
	return len(index), nil
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
