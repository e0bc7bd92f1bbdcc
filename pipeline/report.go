package pipeline

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/scangate/scangate/finding"
)

// Report is the scan model: everything the renderers need about one scan.
type Report struct {
	Root         string // as the user named it; an absolute path by its last element only
	Version      string // scangate's version
	Results      []finding.Result
	Verdict      finding.Verdict
	Remediations []finding.Remediation
	// Fixed are the baseline's entries no scanner reported this time;
	// Verdict.Fixed counts them.
	Fixed    []Fixed
	Started  time.Time // when the scanners started
	Duration time.Duration
	Notes    []string // scan-level warnings (stale suppressions, old database, ...)
	// Baseline is the baseline file compared against, "" when none was.
	Baseline string
	// Cache says which units came from the result cache, "" when none
	// were looked up.
	Cache string
	// Shard is set in a shard's report (scan --shard): what merge needs.
	Shard *ShardInfo
	// NewFrom is the base revision compared against (--new-from-rev), nil
	// when none was.
	NewFrom *Comparison
}

// Base names the tree a change is compared against: a directory holding
// the base commit's files, at the same subdirectory as the scanned root.
type Base struct {
	Root   string // the directory to scan: the scanned subdirectory in the base's tree
	Ref    string // the revision as the user named it
	Commit string // the merge-base of Ref and HEAD
}

// Comparison is what the report says of the base it compared against.
type Comparison struct {
	Ref    string `json:"ref"`
	Commit string `json:"commit"`
	// Incomplete are the scanners that could not complete on the base:
	// every finding of theirs counts as new.
	Incomplete []string      `json:"incomplete,omitempty"`
	Duration   time.Duration `json:"-"`
	// Cache says which of the base's units came from the result cache.
	Cache string `json:"cache,omitempty"`
	notes []string
}

// Short is the commit's first 7 hex digits, as git and GitHub show it.
func (c *Comparison) Short() string {
	if len(c.Commit) > 7 {
		return c.Commit[:7]
	}
	return c.Commit
}

// String is how summaries name the comparison.
func (c *Comparison) String() string {
	return fmt.Sprintf("new relative to %s (merge-base of %s)", c.Short(), c.Ref)
}

// Fixed is a baseline entry no scanner reported this time, as far as the
// entry knows it: Line and Message only when the baseline was made from
// findings (a scan, a SARIF or JSON report), never from a baseline file.
type Fixed struct {
	Tool    string
	Rule    string
	Path    string // relative to the scanned root
	Line    int
	Package string // name@version, for dependency findings
	Message string
	Count   int // how many findings of this entry are gone
}

// Suppressed returns the suppressed findings, by path and line.
func (r *Report) Suppressed() []finding.Finding {
	var out []finding.Finding
	for _, res := range r.Results {
		for _, f := range res.Findings {
			if f.Suppressed() || f.Status == finding.StatusSuppressed {
				out = append(out, f)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b finding.Finding) int {
		return cmp.Or(cmp.Compare(a.Location.Path, b.Location.Path), cmp.Compare(a.Location.StartLine, b.Location.StartLine), cmp.Compare(a.RuleID, b.RuleID))
	})
	return out
}

// Ranked returns the findings that count (not suppressed, not baseline),
// most severe first, then by path and line.
func (r *Report) Ranked() []finding.Finding {
	var out []finding.Finding
	for _, res := range r.Results {
		for _, f := range res.Findings {
			if f.Status == finding.StatusNew {
				out = append(out, f)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b finding.Finding) int {
		return cmp.Or(
			cmp.Compare(b.Severity, a.Severity),
			cmp.Compare(b.SecurityScore(), a.SecurityScore()),
			cmp.Compare(a.Location.Path, b.Location.Path),
			cmp.Compare(a.Location.StartLine, b.Location.StartLine),
			cmp.Compare(a.RuleID, b.RuleID))
	})
	return out
}

// displayRoot is the scanned root as reports name it: as the user wrote
// it, but an absolute path (a runner's workspace, a temp checkout) by its
// last element only, since reports leave the machine.
func displayRoot(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Base(p)
	}
	return p
}
