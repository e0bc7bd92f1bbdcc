// Package scanner defines what an adapter is and runs adapters side by side,
// each under its own timeout and panic guard, so that one failing tool never
// loses the others' results. It also holds what every adapter shares: path
// sanitizing (Paths), the tree walk and skip lists, cache keys, and the shard
// partition. Go and Python helpers live in scanner/golang and scanner/python,
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

// Scanner is one embedded or external tool. Values are built with their own
// options in cmd/scangate; everything a scan shares is in the Request.
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
	// Timeout bounds each scanner; 0 means config.DefaultTimeout.
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
