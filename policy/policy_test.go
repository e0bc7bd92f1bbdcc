package policy

import (
	"testing"

	"github.com/scangate/scangate/finding"
)

func TestParseThreshold(t *testing.T) {
	for _, s := range []string{"critical", "HIGH", "medium", "low", "none"} {
		if _, err := ParseThreshold(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{"", "info", "severe"} {
		if _, err := ParseThreshold(s); err == nil {
			t.Errorf("%q must be rejected", s)
		}
	}
}

func results(state finding.State, fs ...finding.Finding) []finding.Result {
	return []finding.Result{{Tool: "t", State: state, Findings: fs}}
}

func TestEvaluate(t *testing.T) {
	high := Threshold{Severity: finding.High}
	for _, tc := range []struct {
		name  string
		res   []finding.Result
		pol   Policy
		out   Outcome
		code  int
		count int
	}{
		{"clean", results(finding.Completed), Policy{FailOn: high}, Pass, 0, 0},
		{"below threshold", results(finding.Completed, finding.Finding{Severity: finding.Medium}), Policy{FailOn: high}, Pass, 0, 0},
		{"at threshold", results(finding.Completed, finding.Finding{Severity: finding.High}), Policy{FailOn: high}, Fail, 1, 1},
		{"suppressed", results(finding.Completed, finding.Finding{Severity: finding.Critical, Suppressions: []finding.Suppression{{Kind: "inSource"}}}), Policy{FailOn: high}, Pass, 0, 0},
		{"baseline", results(finding.Completed, finding.Finding{Severity: finding.Critical, Status: finding.StatusBaseline}), Policy{FailOn: high}, Pass, 0, 0},
		{"none", results(finding.Completed, finding.Finding{Severity: finding.Critical}), Policy{FailOn: Threshold{None: true}}, Pass, 0, 0},
		{"incomplete", results(finding.Incomplete, finding.Finding{Severity: finding.Low}), Policy{FailOn: high}, Incomplete, 3, 0},
		{"incomplete allowed", results(finding.Incomplete), Policy{FailOn: high, AllowIncomplete: true}, Pass, 0, 0},
		{"fail beats incomplete", results(finding.Incomplete, finding.Finding{Severity: finding.High}), Policy{FailOn: high}, Fail, 1, 1},
		{"per tool", results(finding.Completed, finding.Finding{Tool: "t", Severity: finding.Low}), Policy{FailOn: high, PerTool: map[string]Threshold{"t": {Severity: finding.Low}}}, Fail, 1, 1},
		{"required step-down", results(finding.Completed, finding.Finding{Severity: finding.High, Reachable: finding.Required}), Policy{FailOn: high, Reachability: DefaultReachability}, Pass, 0, 0},
		{"called keeps", results(finding.Completed, finding.Finding{Severity: finding.High, Reachable: finding.Called}), Policy{FailOn: high, Reachability: DefaultReachability}, Fail, 1, 1},
	} {
		v := Evaluate(tc.res, tc.pol)
		if v.Outcome != tc.out || v.ExitCode() != tc.code || v.Failing != tc.count {
			t.Errorf("%s: got %s exit %d failing %d", tc.name, v.Outcome, v.ExitCode(), v.Failing)
		}
	}
}

func TestReachabilityRule(t *testing.T) {
	res := results(finding.Completed,
		finding.Finding{Severity: finding.Critical, Reachable: finding.Imported},
		finding.Finding{Severity: finding.Critical, Reachable: finding.Required},
		finding.Finding{Severity: finding.Medium, Reachable: finding.Required},
		finding.Finding{Severity: finding.Info, Reachable: finding.Required},
		finding.Finding{Severity: finding.High, Reachable: finding.ReachUnknown},
	)
	Evaluate(res, Policy{Reachability: DefaultReachability})
	want := []finding.Severity{finding.High, finding.Medium, finding.Low, finding.Info, finding.High}
	for i, w := range want {
		f := res[0].Findings[i]
		if f.Severity != w {
			t.Errorf("finding %d: %s, want %s", i, f.Severity, w)
		}
	}
	if res[0].Findings[0].Properties["advisory-severity"] != "critical" {
		t.Error("the advisory's own severity must be kept")
	}
	// Evaluating twice must not step down twice.
	Evaluate(res, Policy{Reachability: DefaultReachability})
	if res[0].Findings[0].Severity != finding.High {
		t.Error("second evaluation stepped down again")
	}
	off := results(finding.Completed, finding.Finding{Severity: finding.Critical, Reachable: finding.Required})
	Evaluate(off, Policy{})
	if off[0].Findings[0].Severity != finding.Critical {
		t.Error("a zero rule must leave severities alone")
	}
}
