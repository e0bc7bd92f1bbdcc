// Package model is the scan report: what a scan found, per tool and unit,
// with each finding's status, the remediations, the verdict, the base it
// was compared against and, in a shard's report, what merge needs; and its
// JSON codec (the JSON report and its schema, reading a report or SARIF file
// back). It is a leaf beside finding: the pipeline fills it, the writers,
// the policy and the GitHub sink read it, and none of them needs the other.
package model

import (
	"cmp"
	"fmt"
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

// Comparison is what the report says of the base it compared against.
type Comparison struct {
	Ref    string `json:"ref"`
	Commit string `json:"commit"`
	// Incomplete are the scanners that could not complete on the base:
	// every finding of theirs counts as new.
	Incomplete []string `json:"incomplete,omitempty"`
	// Cache says which of the base's units came from the result cache.
	Cache string `json:"cache,omitempty"`
	// Duration is how long the base scan took, for the summary; the JSON
	// report has the scan's duration only.
	Duration time.Duration `json:"-"`
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
