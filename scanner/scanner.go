// Package scanner defines what an adapter is (a Scanner, and the Descriptor
// each adapter package declares for the registry) and runs adapters side by
// side, each under its own timeout and panic guard, so that one failing tool never
// loses the others' results. It also holds what every adapter shares: path
// sanitizing (Paths), the tree walk and skip lists, cache keys, the shard
// partition, and the versions of the libraries linked in. Go and Python helpers live in scanner/golang and scanner/python,
// which import this package; it imports neither.
package scanner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/resultcache"
)

// Scanner is one embedded or external tool. Values are built by their
// Descriptor's New with their own options; everything a scan shares is in
// the Request.
type Scanner interface {
	// Name is the stable name users pass to --scanners ("gosec", "bandit").
	Name() string
	// Applies reports whether the tree holds anything the scanner analyzes.
	// It must be cheap: it runs before any scan starts.
	Applies(req *Request) bool
	// Scan analyzes req.Root and returns what it found, and how far it got
	// as its error: nil when it analyzed everything that applied;
	// Partial(reasons...) when it analyzed only part of it; Skip(...) when
	// it did not run for a reason that is not a failure (an optional tool
	// not installed); any other error when it failed. The findings of the
	// returned Result are kept in every case. Scan leaves Result.State
	// alone: the runner alone decides it, from the error.
	Scan(ctx context.Context, req *Request) (*finding.Result, error)
}

// Descriptor is one adapter as the rest of scangate knows it, as a
// go/analysis Analyzer is: the registry lists these values, and the names
// --scanners accepts, the configuration's scanners.NAME keys, defaults and
// checks, the JSON Schema's fragment, the programs checked before a scan
// and the kind each report is filed under all derive from them. Each
// adapter package declares one (var Descriptor).
type Descriptor struct {
	// Name is what --scanners, scanners.NAME and the reports call it.
	Name string
	// Doc says in one line what it finds; the schema shows it.
	Doc string
	// Kind is what it analyzes; GitLab's reports are split by it.
	Kind finding.Kind
	// Module is the Go module of the embedded library whose linked version
	// `scangate version` shows; "" for an external program.
	Module string
	// Options points at the adapter's settings with their defaults: a
	// struct whose yaml-tagged fields are the keys of scanners.NAME beside
	// enabled, required, timeout and fail-on, in config's tag dialect (see
	// package config; doc:"..." is a key's description in the schema). It is
	// a prototype: each configuration works on its own copy.
	Options any
	// Rules is the rule catalogue: the IDs an option tagged rules:"" may
	// name, sorted; nil when no option names rules.
	Rules []string
	// Program is the key of Options naming the external program it runs,
	// "" when it embeds its tool: a configured program is looked up before
	// the scan starts, and refused inside the scanned tree.
	Program string
	// New builds the scanner from a copy of Options as the configuration
	// set it (the same pointer type as Options).
	New func(options any) Scanner
}

// Version is the version the scanner reports in its results (the linked
// library's, read by LinkedVersion), or what an external program's version
// depends on.
func (d *Descriptor) Version() string {
	if v, ok := d.New(d.Options).(Versioner); ok {
		return v.Version()
	}
	return "external: run when installed"
}

// DefaultTimeout bounds a scanner's run when nothing says otherwise.
const DefaultTimeout = 10 * time.Minute

// Versioner is implemented by scanners that can say their version without
// scanning (embedded libraries); `scangate version` lists them.
type Versioner interface {
	Version() string
}

// Request is what every scanner of one scan receives.
type Request struct {
	Root    string   // absolute path of the scanned tree
	Tests   bool     // analyze test files too
	Tags    []string // Go build tags
	Exclude []string // path globs relative to Root ("/" separated) whose findings are dropped
	Offline bool     // no network: vulnerability scanners read DB
	DB      string   // local vulnerability database directory
	// DBVerified says the caller opened and verified DB for this scan, so
	// scanners need not hash its files again.
	DBVerified bool
	// DBErr is why the caller could not open DB (it names the path tried
	// and what to do); the vulnerability scanners report it as their error.
	DBErr error
	// DBMaxAge is the age above which an offline database draws a
	// warning (db.max-age); 0 leaves it to the scanner.
	DBMaxAge time.Duration
	// DBDigest identifies the content of the verified database DB ("" when
	// none was verified); result cache keys of vulnerability scanners use it.
	DBDigest string
	// Cache answers units whose inputs did not change; nil scans uncached.
	Cache *resultcache.Cache
	// Cgo lets the go command run cgo, and so the C compiler, on the
	// scanned tree. Off, files that use cgo are left out and reported: a
	// repository's "#include" could pull any file of the machine into the
	// compiler's messages. Only a trusted flag or configuration sets it.
	Cgo bool
	// Paths keeps machine paths out of messages; Run sets it for every
	// scanner (PathsFor builds one for an adapter used alone).
	Paths *Paths
	// Logf reports progress on long work ("module 2/5: example.com/x"); Run
	// sets it for each scanner. Adapters call Log, which accepts a nil Logf.
	Logf func(format string, args ...any)
	// Keep says which units (see Unit) this scan analyzes, nil all of them:
	// Run sets it from Options.Shard. Adapters ask through Keeps.
	Keep func(kind, path string) bool
}

// Log reports progress through Logf, if any.
func (r *Request) Log(format string, args ...any) {
	if r.Logf != nil {
		r.Logf(format, args...)
	}
}

// SkipError marks a scanner that did not run for a reason that is not a
// failure, such as an optional tool that is not installed.
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return e.Reason }

// Skip returns a SkipError with a formatted reason.
func Skip(format string, args ...any) error {
	return &SkipError{Reason: fmt.Sprintf(format, args...)}
}

// PartialError marks a scan that analyzed part of what applied: its Result
// holds what was analyzed, and the run is incomplete. Each reason becomes an
// error notification; an adapter whose reasons have a location (a go.mod, a
// package) records them as notifications itself and may give none here.
type PartialError struct{ Reasons []string }

func (e *PartialError) Error() string {
	if len(e.Reasons) == 0 {
		return "partly analyzed"
	}
	return "partly analyzed: " + strings.Join(e.Reasons, "; ")
}

// Partial returns a PartialError with the reasons.
func Partial(reasons ...string) error { return &PartialError{Reasons: reasons} }

// StateOf is the state a scanner's run ends in, given what Scan returned:
// the one rule the runner applies.
func StateOf(err error) finding.State {
	var skip *SkipError
	switch {
	case err == nil:
		return finding.Completed
	case errors.As(err, &skip):
		return finding.Skipped
	}
	return finding.Incomplete
}

// EventKind says what happened to a scanner.
type EventKind int

const (
	Started EventKind = iota
	Progress
	Finished
)

// Event is a progress report from Run.
type Event struct {
	Kind     EventKind
	Scanner  string
	Message  string        // Progress: the scanner's message
	Duration time.Duration // Finished
	Findings int           // Finished
	State    finding.State // Finished
}

// Options control Run.
type Options struct {
	// Timeout bounds each scanner; 0 means DefaultTimeout.
	Timeout time.Duration
	// Timeouts overrides Timeout for the named scanners.
	Timeouts map[string]time.Duration
	// Required names scanners whose absence (skip) makes the scan incomplete.
	Required map[string]bool
	// OnEvent receives progress; it may be called from several goroutines at once.
	OnEvent func(Event)
	// Shard, when set, runs only the scanners with units in this shard,
	// each on its units (scan --shard).
	Shard *Shard
	// Grace is how long Run waits for a scanner that ignores its cancelled
	// context before abandoning it; 0 means 5 seconds.
	Grace time.Duration
}

var errTimeout = errors.New("timed out")
