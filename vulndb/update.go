package vulndb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
)

// Public exports db update downloads. They are not reachable from the
// machine this was written on, so Update is tested against a local server
// only: the URLs and formats follow the publishers' documentation
// (osv.dev: <bucket>/<Ecosystem>/all.zip; go.dev/doc/security/vuln/database:
// "a zip file containing all the index and OSV files" at vuln.go.dev/vulndb.zip).
const (
	DefaultOSVBucketURL = "https://osv-vulnerabilities.storage.googleapis.com"
	DefaultGoVulnDBURL  = "https://vuln.go.dev/vulndb.zip"
)

// DefaultUpdateEcosystems are the ecosystems of the lockfiles scangate scans.
var DefaultUpdateEcosystems = []string{
	"Go", "PyPI", "npm", "RubyGems", "crates.io", "Packagist", "Maven", "NuGet",
	"Pub", "Hex", "CRAN", "Hackage", "SwiftURL", "ConanCenter",
}

// UpdateOptions tune Update; the zero value downloads DefaultUpdateEcosystems
// from the public exports.
type UpdateOptions struct {
	Ecosystems   []string
	OSVBucketURL string
	GoVulnDBURL  string
	HTTPClient   *http.Client
	Logf         func(format string, args ...any)
}

// Update downloads the public exports (osv.dev's per-ecosystem zips and the
// Go vulnerability database's zip) and builds the database at dst from
// them, like Import. Advisories that do not validate are left out and
// listed in Stats.Rejected rather than failing the whole update; GO- entries
// come from vuln.go.dev, as govulncheck would read them online.
func Update(ctx context.Context, dst string, opt UpdateOptions) (*Stats, error) {
	if len(opt.Ecosystems) == 0 {
		opt.Ecosystems = DefaultUpdateEcosystems
	}
	if opt.OSVBucketURL == "" {
		opt.OSVBucketURL = DefaultOSVBucketURL
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
	tmp, err := os.MkdirTemp("", "scangate-update-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	type dl struct{ url, file, eco string }
	dls := []dl{{opt.GoVulnDBURL, "vulndb.zip", ""}} // first: its GO- entries win over osv.dev's copies
	for _, eco := range opt.Ecosystems {
		dls = append(dls, dl{opt.OSVBucketURL + "/" + url.PathEscape(eco) + "/all.zip", eco + ".zip", eco})
	}
	var missing []Rejected
	var srcs []source
	defer func() {
		for _, s := range srcs {
			s.close()
		}
	}()
	for _, d := range dls {
		p := filepath.Join(tmp, d.file)
		opt.Logf("downloading %s", d.url)
		n, err := download(ctx, opt.HTTPClient, d.url, p)
		if errors.Is(err, errNotFound) && d.eco != "" {
			// An ecosystem osv.dev does not export: scans of its lockfiles
			// will say that its database is missing.
			opt.Logf("  no export for %s: %v", d.eco, err)
			missing = append(missing, Rejected{File: d.eco + "/all.zip", Error: err.Error()})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("vulndb: update: %w", err)
		}
		s, err := openZipSource(p)
		if err != nil {
			return nil, fmt.Errorf("vulndb: update: %s: %w", d.url, err)
		}
		opt.Logf("  %d bytes, %d files", n, len(s.files()))
		srcs = append(srcs, s)
	}
	st, err := build(srcs, dst, buildOptions{origin: OriginUpdate, label: "osv.dev and vuln.go.dev exports",
		lenient: true, only: opt.Ecosystems, rejected: missing})
	if err != nil {
		return nil, fmt.Errorf("vulndb: update: %w", err)
	}
	return st, nil
}

var errNotFound = errors.New("not found")

func download(ctx context.Context, c *http.Client, u, dst string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", "scangate")
	resp, err := c.Do(req)
	if err != nil {
		return 0, fmt.Errorf("download %s (is there network?): %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return 0, fmt.Errorf("download %s: %s: %w", u, resp.Status, errNotFound)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("download %s: %s", u, resp.Status)
	}
	f, err := os.Create(dst)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("download %s: %w", u, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return n, fmt.Errorf("download %s: got %d of %d bytes", u, n, resp.ContentLength)
	}
	if n == 0 {
		return 0, errors.New("download " + u + ": empty")
	}
	return n, nil
}
