// Package vulndb builds and opens scangate's local vulnerability database:
// one import of OSV advisories laid out for both embedded scanners.
//
// Layout of a database directory DIR:
//
//	DIR/scangate-db.json                         metadata (Stats)
//	DIR/govulncheck/index/db.json                govulncheck v1 file:// layout,
//	DIR/govulncheck/index/modules.json           GO- entries only, uncompressed
//	DIR/govulncheck/ID/<ID>.json
//	DIR/osv-scanner/osv-scalibr/<Ecosystem>/all.zip   osv-scanner's LocalDBPath is DIR/osv-scanner
//
// Every advisory is validated when it is imported (osv-scanner would drop a
// malformed one silently), and a database is checked against its metadata
// when it is opened, so that a corrupt file is an error naming the file
// instead of missing findings.
package vulndb

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"time"
)

const (
	// FormatVersion is the layout version written to scangate-db.json.
	FormatVersion = 1
	// MetaFile is the metadata file at the root of a database.
	MetaFile = "scangate-db.json"
	// GovulncheckDir holds the layout govulncheck reads with -db file://.
	GovulncheckDir = "govulncheck"
	// OSVScannerDir is osv-scanner's LocalDBPath.
	OSVScannerDir = "osv-scanner"
	// DefaultMaxAge is how old a database may be before scans warn.
	DefaultMaxAge = 7 * 24 * time.Hour
)

// ErrNoDB is returned (wrapped) when there is no usable database; scanners
// put its text in their error so that users know what to do.
var ErrNoDB = errors.New("no vulnerability database: run scangate db update, or pass --db")

// Ecosystem describes one osv-scanner zip.
type Ecosystem struct {
	Name           string    `json:"name"`    // OSV ecosystem, the zip's directory ("PyPI")
	Entries        int       `json:"entries"` // advisories in the zip
	NewestModified time.Time `json:"newestModified"`
	Zip            string    `json:"zip"` // path relative to the database, "/" separated
	Size           int64     `json:"size"`
	SHA256         string    `json:"sha256"`
}

// Govulncheck describes the govulncheck layout.
type Govulncheck struct {
	Entries        int       `json:"entries"` // GO- advisories
	Modules        int       `json:"modules"` // module paths in index/modules.json
	NewestModified time.Time `json:"newestModified,omitzero"`
	ModulesSHA256  string    `json:"modulesSha256"`
	// EntriesSHA256 covers the ID/<ID>.json files, in ID order.
	EntriesSHA256 string `json:"entriesSha256"`
}

// Rejected is an advisory left out by a lenient import (db update only).
type Rejected struct {
	File  string `json:"file"`
	Error string `json:"error"`
}

// Stats is the content of scangate-db.json: what was imported, from where
// and when.
type Stats struct {
	Format   int       `json:"format"`
	Imported time.Time `json:"imported"`
	// Origin is "import" (scangate db import) or "update" (downloaded).
	Origin      string      `json:"origin"`
	Source      string      `json:"source"`
	Entries     int         `json:"entries"`
	Ecosystems  []Ecosystem `json:"ecosystems"`
	Govulncheck Govulncheck `json:"govulncheck"`
	Rejected    []Rejected  `json:"rejected,omitempty"`
}

// Ecosystem returns the named ecosystem's stats, or nil.
func (s *Stats) Ecosystem(name string) *Ecosystem {
	for i := range s.Ecosystems {
		if s.Ecosystems[i].Name == name {
			return &s.Ecosystems[i]
		}
	}
	return nil
}

// NewestModified is the newest `modified` time over all advisories.
func (s *Stats) NewestModified() time.Time {
	var t time.Time
	for _, e := range s.Ecosystems {
		if e.NewestModified.After(t) {
			t = e.NewestModified
		}
	}
	return t
}

// DataTime is when the data was current. A downloaded database is as new as
// its download; an imported one only as new as its newest advisory, since
// importing an old export today does not make it fresh.
func (s *Stats) DataTime() time.Time {
	if s.Origin == OriginUpdate {
		return s.Imported
	}
	return s.NewestModified()
}

// Age is how old the data is at now.
func (s *Stats) Age(now time.Time) time.Duration {
	t := s.DataTime()
	if t.IsZero() {
		return 0
	}
	return now.Sub(t)
}

// StaleWarning returns a warning when the data is older than maxAge (0 means
// DefaultMaxAge, a negative maxAge disables the check), else "".
func (s *Stats) StaleWarning(maxAge time.Duration, now time.Time) string {
	if maxAge == 0 {
		maxAge = DefaultMaxAge
	}
	if maxAge < 0 {
		return ""
	}
	age := s.Age(now)
	if age <= maxAge {
		return ""
	}
	what := "newest advisory modified"
	if s.Origin == OriginUpdate {
		what = "downloaded"
	}
	return fmt.Sprintf("vulnerability database is %s old (%s %s; limit %s): run scangate db update",
		FormatAge(age), what, s.DataTime().UTC().Format("2006-01-02"), FormatAge(maxAge))
}

// FormatAge prints a duration in days or hours, as people read ages.
func FormatAge(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	case d >= time.Hour:
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	}
	return fmt.Sprintf("%d minutes", int(d/time.Minute))
}

// Origins of a database.
const (
	OriginImport = "import"
	OriginUpdate = "update"
)

// DefaultDir is the database used when --db is not given:
// os.UserCacheDir()/scangate/db.
func DefaultDir() (string, error) {
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("vulndb: default database directory: %w", err)
	}
	return filepath.Join(c, "scangate", "db"), nil
}

// DB is an opened, checked database.
type DB struct {
	Dir   string // absolute directory of the imported database
	Stats *Stats
	// Temporary is true when Open imported raw advisories on the fly; Close
	// removes Dir then.
	Temporary bool
}

// Close removes a temporary database; it is a no-op otherwise.
func (db *DB) Close() error {
	if db == nil || !db.Temporary {
		return nil
	}
	return os.RemoveAll(filepath.Dir(db.Dir))
}

// GovulncheckDir is the directory to give govulncheck.
func (db *DB) GovulncheckDir() string { return filepath.Join(db.Dir, GovulncheckDir) }

// GovulncheckURL is the -db argument for govulncheck (an absolute file URL).
func (db *DB) GovulncheckURL() string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(db.GovulncheckDir())}).String()
}

// OSVScannerDir is osv-scanner's LocalDBPath.
func (db *DB) OSVScannerDir() string { return filepath.Join(db.Dir, OSVScannerDir) }

// EcosystemZip is where osv-scanner v2.5.0 looks for an ecosystem's zip.
func EcosystemZip(localDBPath, ecosystem string) string {
	return filepath.Join(localDBPath, "osv-scalibr", ecosystem, "all.zip")
}

// HasEcosystem reports whether the database holds the ecosystem's zip.
func (db *DB) HasEcosystem(name string) bool { return db.Stats.Ecosystem(name) != nil }

// Ecosystems lists the ecosystems present, sorted.
func (db *DB) Ecosystems() []string {
	var out []string
	for _, e := range db.Stats.Ecosystems {
		out = append(out, e.Name)
	}
	slices.Sort(out)
	return out
}
