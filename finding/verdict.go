package finding

import (
	"maps"
	"slices"
	"strings"
)

// Outcome of the gate. Its value is the process exit status the CLI
// documents: 0 pass, 1 gate failed, 3 incomplete scan (2, usage errors,
// is the CLI's own).
type Outcome int

const (
	GatePass       Outcome = 0
	GateFail       Outcome = 1
	GateIncomplete Outcome = 3
)

func (o Outcome) String() string {
	switch o {
	case GateFail:
		return "fail"
	case GateIncomplete:
		return "incomplete"
	}
	return "pass"
}

// MarshalText keeps JSON readable.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

func (o *Outcome) UnmarshalText(b []byte) error {
	return unmarshalText(o, b, "outcome", GatePass, GateFail, GateIncomplete)
}

// Verdict summarizes a scan for the gate.
type Verdict struct {
	Outcome   Outcome `json:"outcome"`
	Threshold string  `json:"threshold"`
	// ToolThresholds are the scanners' own fail-on, where set.
	ToolThresholds map[string]string `json:"toolThresholds,omitempty"`
	Total          int               `json:"total"`      // every finding
	New            int               `json:"new"`        // not suppressed, not in the baseline
	Unchanged      int               `json:"unchanged"`  // in the baseline
	Fixed          int               `json:"fixed"`      // baseline entries no longer found
	Suppressed     int               `json:"suppressed"` // in source or by the ignore file
	Failing        int               `json:"failing"`    // new findings that fail the gate
	BySeverity     map[Severity]int  `json:"bySeverity"` // of new findings
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

// ExitCode is the documented process exit status of the verdict.
func (v Verdict) ExitCode() int { return int(v.Outcome) }

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
