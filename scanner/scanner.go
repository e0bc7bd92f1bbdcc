// Package scanner defines what an adapter is (a Scanner, and the Descriptor
// each adapter package declares for the registry) and runs adapters side by
// side, each under its own timeout and panic guard, so that one failing tool
// never loses the others' results. The runner alone turns what an adapter
// returns (one error, carrying the Gaps of a partial run) into its state and
// notifications, named after it and without machine paths. It also holds
// what every adapter shares: path sanitizing (Paths), the tree walk and skip
// lists, reading a file of the tree (ReadFile) and placing positions in
// its text (Text), cache keys, the shard partition, and the versions of the
// libraries linked in. Go and Python helpers live in scanner/golang and
// scanner/python, which import this package; it imports neither.
package scanner

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	// as its one error: nil when it analyzed everything that applied;
	// Partial(gaps...) when it analyzed all but its gaps, each a place it
	// could not analyze and why; Skip(...) when it did not run for a reason
	// that is not a failure (an optional tool not installed); any other
	// error when it failed, with the gaps it left before attached
	// (WithGaps). The findings of the returned Result are kept in every
	// case. The runner alone turns the error and the gaps into the
	// Result's State and notifications, prefixes messages with the
	// scanner's name and keeps machine paths out of them: Scan writes no
	// error notification, leaves State alone, and names neither itself nor
	// a machine path.
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
	// `scangate version` shows (github.com/scangate/scangate for rules
	// written here, which version themselves); "" for an external program.
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
	// and what to do): the runner reports it as the error of every
	// DBReader, which then does not run.
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

// A Gap is a part of what applied that a scan did not analyze: a module
// that failed to load, an unreadable folder, a lockfile read in part. The
// runner reports each as an error notification located at Rel.
type Gap struct {
	// Rel is where: "/"-separated, relative to the root; "." is the root
	// itself and "" no one place (neither locates the notification).
	Rel string
	// Line and Column place it in Rel when its reason is about one
	// position there (a compile error's); 0 when about the whole of Rel.
	Line, Column int
	// Err is why, as a sentence saying what was not analyzed, without the
	// scanner's name.
	Err error
	// Warn reports the gap as a warning: the part was analyzed, only not
	// all of the way (gosec's AST rules ran but not its SSA analyzers).
	Warn bool
}

// GapAt is a Gap at rel whose reason is formatted.
func GapAt(rel, format string, args ...any) Gap {
	return Gap{Rel: rel, Err: fmt.Errorf(format, args...)}
}

// PartialError is the error of a scan that left gaps: its Result holds
// what it analyzed, and the run is incomplete. Err, when set, is why the
// scan then stopped: it failed, and its gaps are reported still.
type PartialError struct {
	Gaps []Gap
	Err  error
}

func (e *PartialError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	why := make([]string, len(e.Gaps))
	for i, g := range e.Gaps {
		why[i] = g.Err.Error()
	}
	if len(why) == 0 {
		return "partly analyzed"
	}
	return "partly analyzed: " + strings.Join(why, "; ")
}

func (e *PartialError) Unwrap() error { return e.Err }

// Partial is the error of a scan that analyzed all but its gaps. Without
// gaps it still makes the run incomplete: a scan that cannot say where its
// gap is has one all the same.
func Partial(gaps ...Gap) error { return &PartialError{Gaps: gaps} }

// WithGaps is how a scan ended that left gaps and then stopped with err
// (nil when it did not): nil when it has neither, Partial(gaps...) without
// err, err with its gaps attached otherwise. An err that is a
// *PartialError adds its gaps after these.
func WithGaps(err error, gaps []Gap) error {
	if p, ok := err.(*PartialError); ok {
		gaps, err = append(slices.Clip(gaps), p.Gaps...), p.Err
		if err == nil {
			return Partial(gaps...) // partial still, even without gaps
		}
	}
	switch {
	case len(gaps) == 0:
		return err
	case err == nil:
		return Partial(gaps...)
	}
	return &PartialError{Gaps: gaps, Err: err}
}

// DBReader is implemented by scanners that read the local vulnerability
// database of an offline scan. When the caller could not open it
// (Request.DBErr), the runner fails them with that error instead of
// running them: before Scan does any work, after Applies and the shard
// said the scanner has something to scan.
type DBReader interface {
	ReadsDB()
}

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
