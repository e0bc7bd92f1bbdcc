// Package policy is the gate: it decides which findings count (thresholds,
// per tool too, and the reachability rule on severities), suppresses
// (inline markers, the ignore file's entries with reason and expiry, the
// baseline: a baseline file or a previous SARIF or JSON report), and gives
// one Verdict for the scan.
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

// Policy is what the gate applies.
type Policy struct {
	FailOn          Threshold
	PerTool         map[string]Threshold // overrides FailOn for one tool's findings
	AllowIncomplete bool
	Reachability    Reachability
	// Severity overrides the severity of findings by rule ID or any alias;
	// the override is final (the reachability rule does not lower it).
	Severity map[string]finding.Severity
	// FailOnCalled fails the gate on a vulnerability whose vulnerable code
	// is called, whatever its severity, as govulncheck itself does (exit 3
	// on any called vulnerability). A threshold of none still never fails.
	FailOnCalled bool
	// IgnoreUnfixed keeps dependency findings without a fixed version out
	// of the gate; they are still reported.
	IgnoreUnfixed bool
}

// The verdict is part of the scan model (finding.Verdict); these names
// keep the gate's vocabulary at its call sites.
type (
	Outcome = finding.Outcome
	Verdict = finding.Verdict
)

const (
	Pass       = finding.GatePass
	Fail       = finding.GateFail
	Incomplete = finding.GateIncomplete
)

// MarkSuppressed gives every suppressed finding (inline marker or ignore
// file) StatusSuppressed, except one the baseline knows: it keeps
// StatusBaseline so that SARIF says "unchanged". Call it after the ignore
// file and the baseline are applied.
func MarkSuppressed(results []finding.Result) {
	for r := range results {
		for i := range results[r].Findings {
			f := &results[r].Findings[i]
			if f.Suppressed() && f.Status != finding.StatusBaseline {
				f.Status = finding.StatusSuppressed
			}
		}
	}
}

// Evaluate applies the reachability rule and the severity overrides and
// returns the verdict over the findings' statuses, which the suppress stage
// set (MarkSuppressed, Baseline.Mark). Results are changed in place.
func Evaluate(results []finding.Result, p Policy) Verdict {
	v := Verdict{Threshold: p.FailOn.String(), BySeverity: map[finding.Severity]int{}, IgnoreUnfixed: p.IgnoreUnfixed}
	for tool, th := range p.PerTool {
		if v.ToolThresholds == nil {
			v.ToolThresholds = map[string]string{}
		}
		v.ToolThresholds[tool] = th.String()
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
	if steps <= 0 || f.AdvisorySeverity != nil {
		return
	}
	own := f.Severity
	f.AdvisorySeverity = &own
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
		for _, id := range slices.Sorted(maps.Keys(m)) {
			if hasID(f, id) {
				sev, ok = m[id], true
				break
			}
		}
	}
	if !ok || sev == f.Severity {
		return
	}
	if f.ToolSeverity == nil {
		own := f.Severity
		f.ToolSeverity = &own
	}
	f.Severity = sev
}
