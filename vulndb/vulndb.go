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
	"strings"
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

// ErrNoDB is wrapped by every error that says there is no usable
// database (a *NoDBError from Open and Status).
var ErrNoDB = errors.New("no vulnerability database")

// NoDBError says which database path was tried, why it is not usable, and
// how to make one, air-gapped machines included.
type NoDBError struct {
	Path   string // as shown: the --db value, or the default with ~ for the home directory
	Reason string // "does not exist", ...
	// Default is true when Path is the default database, not a --db.
	Default bool
}

func (e *NoDBError) Error() string {
	hint := "run scangate db update, or without network build it with scangate db import SRC (osv.dev all.zip exports, golang/vulndb data/osv, pypa/advisory-database vulns, github/advisory-database advisories)"
	if e.Default {
		hint += ", or pass --db DIR"
	}
	return fmt.Sprintf("%v at %s (%s): %s", ErrNoDB, e.Path, e.Reason, hint)
}

func (e *NoDBError) Unwrap() error { return ErrNoDB }

// noDB is the *NoDBError for the database path p.
func noDB(p, reason string) error {
	def, _ := DefaultDir()
	return &NoDBError{Path: DisplayPath(p), Reason: reason, Default: def != "" && filepath.Clean(p) == filepath.Clean(def)}
}

// DisplayPath shows a database path in messages: under the home directory
// as ~/..., so that the default database does not put the machine's home
// directory into reports; other paths as given.
func DisplayPath(p string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || !filepath.IsAbs(p) {
		return p
	}
	if rel, err := filepath.Rel(home, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(filepath.Join("~", rel))
	}
	return p
}

// Ecosystem describes one osv-scanner zip.
type Ecosystem struct {
	Name           string    `json:"name"`    // OSV ecosystem, the zip's directory ("PyPI")
	Entries        int       `json:"entries"` // advisories in the zip
	NewestModified time.Time `json:"newestModified"`
	Zip            string    `json:"zip"` // path relative to the database, "/" separated
	Size           int64     `json:"size"`
	SHA256         string    `json:"sha256"`
	// AsOf is when the ecosystem's data was known current: its download,
	// or for an import the newest "modified" of the sources it came from.
	AsOf time.Time `json:"asOf,omitzero"`
}

// Govulncheck describes the govulncheck layout.
type Govulncheck struct {
	Entries        int       `json:"entries"` // GO- advisories
	Modules        int       `json:"modules"` // module paths in index/modules.json
	NewestModified time.Time `json:"newestModified,omitzero"`
	ModulesSHA256  string    `json:"modulesSha256"`
	// EntriesSHA256 covers the ID/<ID>.json files, in ID order.
	EntriesSHA256 string `json:"entriesSha256"`
	// AsOf is as Ecosystem.AsOf, for the Go data govulncheck reads.
	AsOf time.Time `json:"asOf,omitzero"`
}

// Rejected is a file left out by a lenient import (db import without
// --strict, db update), or a download db update could not use.
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
	Origin  string   `json:"origin"`
	Source  string   `json:"source"`
	Sources []string `json:"sources,omitempty"`
	// Entries are the live advisories, those the scanners match against.
	Entries     int         `json:"entries"`
	Ecosystems  []Ecosystem `json:"ecosystems"`
	Govulncheck Govulncheck `json:"govulncheck"`
	// Withdrawn advisories are kept out of matching, as both tools ignore
	// them.
	Withdrawn int `json:"withdrawn,omitempty"`
	// Unmatchable advisories are live but name no package with ranges or
	// versions: they can match nothing. The first are listed.
	Unmatchable    int      `json:"unmatchable,omitempty"`
	UnmatchableIDs []string `json:"unmatchableIds,omitempty"`
	// Skipped files did not check (lenient imports); the first are in
	// Rejected with the problem.
	Skipped  int        `json:"skipped,omitempty"`
	Rejected []Rejected `json:"rejected,omitempty"`
	// Duplicates counts advisories found more than once (the copy modified
	// last is kept).
	Duplicates int `json:"duplicates,omitempty"`
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

// DataTime is when the data was current, over the whole database: the
// oldest of its ecosystems' DataTime.
func (s *Stats) DataTime() time.Time {
	var t time.Time
	for i := range s.Ecosystems {
		if d := s.EcosystemTime(&s.Ecosystems[i]); t.IsZero() || d.Before(t) {
			t = d
		}
	}
	return t
}

// EcosystemTime is when an ecosystem's data was current. A download is as
// new as its time; an import only as new as the newest advisory of the
// export it came from, since importing an old export today does not make
// it fresh. Databases written before AsOf existed fall back to the
// database's download time or the ecosystem's newest advisory.
func (s *Stats) EcosystemTime(e *Ecosystem) time.Time {
	switch {
	case !e.AsOf.IsZero():
		return e.AsOf
	case s.Origin == OriginUpdate:
		return s.Imported
	}
	return e.NewestModified
}

// Age is how old the data is at now: that of its oldest ecosystem.
func (s *Stats) Age(now time.Time) time.Duration {
	t := s.DataTime()
	if t.IsZero() {
		return 0
	}
	return now.Sub(t)
}

// Stale is an ecosystem whose data is older than the limit.
type Stale struct {
	Ecosystem string
	Time      time.Time // EcosystemTime
	Age       time.Duration
}

// StaleEcosystems lists the ecosystems among names (nil: all) whose data
// is older than maxAge (0 means DefaultMaxAge, a negative maxAge disables
// the check), oldest first.
func (s *Stats) StaleEcosystems(names []string, maxAge time.Duration, now time.Time) []Stale {
	if maxAge == 0 {
		maxAge = DefaultMaxAge
	}
	if maxAge < 0 {
		return nil
	}
	var out []Stale
	for i := range s.Ecosystems {
		e := &s.Ecosystems[i]
		if names != nil && !slices.Contains(names, e.Name) {
			continue
		}
		t := s.EcosystemTime(e)
		if age := now.Sub(t); !t.IsZero() && age > maxAge {
			out = append(out, Stale{Ecosystem: e.Name, Time: t, Age: age})
		}
	}
	slices.SortStableFunc(out, func(a, b Stale) int { return a.Time.Compare(b.Time) })
	return out
}

// StaleWarning returns a warning naming every ecosystem whose data is
// older than maxAge, else "". See StaleEcosystems.
func (s *Stats) StaleWarning(maxAge time.Duration, now time.Time) string {
	return s.StaleWarningFor(nil, maxAge, now)
}

// StaleWarningFor is StaleWarning for the ecosystems among names (nil:
// all), so that a scan warns about the data it used.
func (s *Stats) StaleWarningFor(names []string, maxAge time.Duration, now time.Time) string {
	stale := s.StaleEcosystems(names, maxAge, now)
	if len(stale) == 0 {
		return ""
	}
	if maxAge == 0 {
		maxAge = DefaultMaxAge
	}
	what := "data of"
	if s.Origin == OriginUpdate {
		what = "downloaded"
	}
	var list []string
	for _, e := range stale {
		list = append(list, fmt.Sprintf("%s %s old (%s %s)", e.Ecosystem, FormatAge(e.Age), what, e.Time.UTC().Format("2006-01-02")))
	}
	return fmt.Sprintf("vulnerability database older than %s for %d ecosystem%s: %s: run scangate db update, or import newer exports",
		FormatAge(maxAge), len(stale), plural(len(stale), "", "s"), strings.Join(list, ", "))
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
