// Package policy is the gate: it decides which findings count, applies the
// reachability rule to severities, and gives one Verdict for the scan.
package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/scangate/scangate/finding"
)

// Threshold is the lowest severity that fails the gate; None never fails on
// findings.
type Threshold struct {
	Severity finding.Severity
	None     bool
}

func (t Threshold) String() string {
	if t.None {
		return "none"
	}
	return t.Severity.String()
}

// ParseThreshold accepts critical, high, medium, low or none.
func ParseThreshold(s string) (Threshold, error) {
	if strings.EqualFold(strings.TrimSpace(s), "none") {
		return Threshold{None: true}, nil
	}
	sev, err := finding.ParseSeverity(s)
	if err != nil || sev == finding.Info {
		return Threshold{}, fmt.Errorf("invalid threshold %q: want critical, high, medium, low or none", s)
	}
	return Threshold{Severity: sev}, nil
}

// Counts fails when sev is at or above the threshold.
func (t Threshold) Counts(sev finding.Severity) bool { return !t.None && sev >= t.Severity }

// Reachability is how many severity steps a vulnerability loses when
// govulncheck shows its vulnerable code is not called. The default: Called
// keeps the advisory's severity, Imported loses one step, Required two,
// never below Low.
type Reachability struct {
	Imported int
	Required int
}

// DefaultReachability is the documented default rule.
var DefaultReachability = Reachability{Imported: 1, Required: 2}

// Policy is what the gate applies.
type Policy struct {
	FailOn          Threshold
	PerTool         map[string]Threshold // overrides FailOn for one tool's findings
	AllowIncomplete bool
	Reachability    Reachability
	// Severity overrides the severity of findings by rule ID or any alias;
	// the override is final (the reachability rule does not lower it).
	Severity map[string]finding.Severity
	// Baseline, when set, marks the findings it holds as unchanged; only
	// the others count, and its entries no longer found are Fixed.
	Baseline *Baseline
	// FailOnCalled fails the gate on a vulnerability whose vulnerable code
	// is called, whatever its severity, as govulncheck itself does (exit 3
	// on any called vulnerability). A threshold of none still never fails.
	FailOnCalled bool
	// IgnoreUnfixed keeps dependency findings without a fixed version out
	// of the gate; they are still reported.
	IgnoreUnfixed bool
}

// Outcome of the gate.
type Outcome int

const (
	Pass Outcome = iota
	Fail
	Incomplete
)

func (o Outcome) String() string {
	switch o {
	case Fail:
		return "fail"
	case Incomplete:
		return "incomplete"
	}
	return "pass"
}

// MarshalText keeps JSON readable.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// Verdict summarizes a scan for the gate.
type Verdict struct {
	Outcome   Outcome `json:"outcome"`
	Threshold string  `json:"threshold"`
	// ToolThresholds are the scanners' own fail-on, where set.
	ToolThresholds map[string]string        `json:"toolThresholds,omitempty"`
	Total          int                      `json:"total"`      // every finding
	New            int                      `json:"new"`        // not suppressed, not in the baseline
	Unchanged      int                      `json:"unchanged"`  // in the baseline
	Fixed          int                      `json:"fixed"`      // baseline entries no longer found
	Suppressed     int                      `json:"suppressed"` // in source or by the ignore file
	Failing        int                      `json:"failing"`    // new findings that fail the gate
	BySeverity     map[finding.Severity]int `json:"bySeverity"` // of new findings
	// IncompleteTools names scanners that applied but could not finish.
	IncompleteTools []string `json:"incompleteTools,omitempty"`

	// FailingCalled are the failing findings below the threshold that fail
	// because their vulnerable code is called (Policy.FailOnCalled).
	FailingCalled int `json:"failingCalled,omitempty"`
	// SeverityUnknown are new findings whose advisory has no severity.
	SeverityUnknown int `json:"severityUnknown,omitempty"`
	// Unfixed are new dependency findings with no fixed version; with
	// IgnoreUnfixed they do not fail the gate.
	Unfixed       int  `json:"unfixed,omitempty"`
	IgnoreUnfixed bool `json:"ignoreUnfixed,omitempty"`
}

// Thresholds says what fails the gate: "critical", or with scanners' own
// fail-on "critical (gosec: medium)", so that a verdict never names a
// threshold its findings are not measured against.
func (v Verdict) Thresholds() string {
	if len(v.ToolThresholds) == 0 {
		return v.Threshold
	}
	var parts []string
	for _, tool := range slices.Sorted(maps.Keys(v.ToolThresholds)) {
		parts = append(parts, tool+": "+v.ToolThresholds[tool])
	}
	return v.Threshold + " (" + strings.Join(parts, ", ") + ")"
}

// ExitCode is the documented process exit status: 0 pass, 1 gate failed,
// 3 incomplete scan (2 is for usage errors and is decided by the CLI).
func (v Verdict) ExitCode() int {
	switch v.Outcome {
	case Fail:
		return 1
	case Incomplete:
		return 3
	}
	return 0
}

// Evaluate applies the reachability rule and the severity overrides,
// compares with the baseline, marks suppressed findings, and returns the
// verdict. Findings whose Status an earlier stage set keep it. Results are
// changed in place.
func Evaluate(results []finding.Result, p Policy) Verdict {
	v := Verdict{Threshold: p.FailOn.String(), BySeverity: map[finding.Severity]int{}, IgnoreUnfixed: p.IgnoreUnfixed}
	for tool, th := range p.PerTool {
		if v.ToolThresholds == nil {
			v.ToolThresholds = map[string]string{}
		}
		v.ToolThresholds[tool] = th.String()
	}
	if p.Baseline != nil {
		for _, e := range p.Baseline.mark(results) {
			v.Fixed += e.count()
		}
	}
	for r := range results {
		res := &results[r]
		if res.State == finding.Incomplete {
			v.IncompleteTools = append(v.IncompleteTools, res.Tool)
		}
		for i := range res.Findings {
			f := &res.Findings[i]
			f.Fails = false
			adjust(f, p.Reachability)
			override(f, p.Severity)
			v.Total++
			// A suppressed finding never counts; one the baseline knows
			// keeps StatusBaseline so that SARIF says "unchanged".
			if f.Suppressed() && f.Status != finding.StatusBaseline {
				f.Status = finding.StatusSuppressed
			}
			switch {
			case f.Suppressed(), f.Status == finding.StatusSuppressed:
				v.Suppressed++
				continue
			case f.Status == finding.StatusBaseline:
				v.Unchanged++
				continue
			}
			v.New++
			v.BySeverity[f.Severity]++
			if f.SeverityUnknown {
				v.SeverityUnknown++
			}
			if f.Package != nil && !f.Fixable() {
				v.Unfixed++
				if p.IgnoreUnfixed {
					continue
				}
			}
			th := p.FailOn
			if t, ok := p.PerTool[f.Tool]; ok {
				th = t
			}
			switch {
			case th.Counts(f.Severity):
				f.Fails = true
			case p.FailOnCalled && !th.None && f.Reachable == finding.Called:
				f.Fails = true
				v.FailingCalled++
			}
			if f.Fails {
				v.Failing++
			}
		}
	}
	slices.Sort(v.IncompleteTools)
	switch {
	case v.Failing > 0:
		v.Outcome = Fail
	case len(v.IncompleteTools) > 0 && !p.AllowIncomplete:
		v.Outcome = Incomplete
	}
	return v
}

// adjust lowers a vulnerability's severity when its code is not called, and
// records the advisory's own severity so that nothing is hidden.
func adjust(f *finding.Finding, rule Reachability) {
	steps := 0
	switch f.Reachable {
	case finding.Imported:
		steps = rule.Imported
	case finding.Required:
		steps = rule.Required
	}
	if steps <= 0 || f.Properties["advisory-severity"] != "" {
		return
	}
	if f.Properties == nil {
		f.Properties = map[string]string{}
	}
	f.Properties["advisory-severity"] = f.Severity.String()
	f.Severity = max(min(f.Severity, finding.Low), f.Severity-finding.Severity(steps))
}

// override sets the severity the configuration gives the finding's rule or
// one of its aliases, recording the tool's own.
func override(f *finding.Finding, m map[string]finding.Severity) {
	if len(m) == 0 {
		return
	}
	sev, ok := m[f.RuleID]
	for _, a := range f.Aliases {
		if ok {
			break
		}
		sev, ok = m[a]
	}
	if !ok { // IDs are case-insensitive (GHSA IDs come in both cases)
		ids := make([]string, 0, len(m))
		for id := range m {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			if hasID(f, id) {
				sev, ok = m[id], true
				break
			}
		}
	}
	if !ok || sev == f.Severity {
		return
	}
	if f.Properties == nil {
		f.Properties = map[string]string{}
	}
	if _, done := f.Properties["tool-severity"]; !done {
		f.Properties["tool-severity"] = f.Severity.String()
	}
	f.Severity = sev
}
