package policy

import (
	"testing"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/finding"
)

// defaultReachability is the documented default rule, the configuration's.
var defaultReachability = Reachability{Imported: config.DefaultReachability.Imported, Required: config.DefaultReachability.Required}

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
		{"required step-down", results(finding.Completed, finding.Finding{Severity: finding.High, Reachable: finding.Required}), Policy{FailOn: high, Reachability: defaultReachability}, Pass, 0, 0},
		{"called keeps", results(finding.Completed, finding.Finding{Severity: finding.High, Reachable: finding.Called}), Policy{FailOn: high, Reachability: defaultReachability}, Fail, 1, 1},
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
	Evaluate(res, Policy{Reachability: defaultReachability})
	want := []finding.Severity{finding.High, finding.Medium, finding.Low, finding.Info, finding.High}
	for i, w := range want {
		f := res[0].Findings[i]
		if f.Severity != w {
			t.Errorf("finding %d: %s, want %s", i, f.Severity, w)
		}
	}
	if res[0].Findings[0].ReportedProperties()["advisorySeverity"] != "critical" {
		t.Error("the advisory's own severity must be kept")
	}
	// Evaluating twice must not step down twice.
	Evaluate(res, Policy{Reachability: defaultReachability})
	if res[0].Findings[0].Severity != finding.High {
		t.Error("second evaluation stepped down again")
	}
	off := results(finding.Completed, finding.Finding{Severity: finding.Critical, Reachable: finding.Required})
	Evaluate(off, Policy{})
	if off[0].Findings[0].Severity != finding.Critical {
		t.Error("a zero rule must leave severities alone")
	}
}

// govulncheck fails on any called vulnerability; so does the default gate,
// whatever the severity. Imported and required ones and osv-scanner's
// matches follow the threshold; fail-on-called false and none opt out.
func TestFailOnCalled(t *testing.T) {
	unknown := func(r finding.Reachability) finding.Finding {
		return finding.Finding{Tool: "govulncheck", RuleID: "GO-2021-0113", Severity: finding.DefaultVulnSeverity, SeverityUnknown: true, Reachable: r,
			Package: &finding.Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.6", Fixed: []string{"v0.3.7"}}}
	}
	high := Threshold{Severity: finding.High}
	for _, tc := range []struct {
		name    string
		f       finding.Finding
		pol     Policy
		fails   bool
		byCalls int
	}{
		{"called, unknown", unknown(finding.Called), Policy{FailOn: high, FailOnCalled: true}, true, 1},
		{"called, low", func() finding.Finding {
			f := unknown(finding.Called)
			f.Severity, f.SeverityUnknown = finding.Low, false
			return f
		}(), Policy{FailOn: high, FailOnCalled: true}, true, 1},
		{"called, high", func() finding.Finding { f := unknown(finding.Called); f.Severity = finding.High; return f }(), Policy{FailOn: high, FailOnCalled: true}, true, 0},
		{"imported", unknown(finding.Imported), Policy{FailOn: high, FailOnCalled: true, Reachability: defaultReachability}, false, 0},
		{"required", unknown(finding.Required), Policy{FailOn: high, FailOnCalled: true, Reachability: defaultReachability}, false, 0},
		{"osv-scanner", func() finding.Finding { f := unknown(finding.ReachUnknown); f.Tool = "osv-scanner"; return f }(), Policy{FailOn: high, FailOnCalled: true}, false, 0},
		{"switched off", unknown(finding.Called), Policy{FailOn: high}, false, 0},
		{"fail-on none", unknown(finding.Called), Policy{FailOn: Threshold{None: true}, FailOnCalled: true}, false, 0},
		{"per-tool none", unknown(finding.Called), Policy{FailOn: high, FailOnCalled: true, PerTool: map[string]Threshold{"govulncheck": {None: true}}}, false, 0},
		{"suppressed", func() finding.Finding {
			f := unknown(finding.Called)
			f.Suppressions = []finding.Suppression{{Kind: "external"}}
			return f
		}(), Policy{FailOn: high, FailOnCalled: true}, false, 0},
	} {
		res := results(finding.Completed, tc.f)
		v := Evaluate(res, tc.pol)
		if f := res[0].Findings[0]; f.Fails != tc.fails || (v.Outcome == Fail) != tc.fails || v.FailingCalled != tc.byCalls {
			t.Errorf("%s: fails %v outcome %s failing-called %d; want fails %v, %d", tc.name, f.Fails, v.Outcome, v.FailingCalled, tc.fails, tc.byCalls)
		}
	}
}

// --ignore-unfixed: a vulnerability without a fixed version is counted and
// reported but does not fail; one with a fix still does.
func TestIgnoreUnfixed(t *testing.T) {
	pkg := func(fixed ...string) *finding.Package {
		return &finding.Package{Ecosystem: "PyPI", Name: "requests", Version: "2.25.0", Fixed: fixed}
	}
	mk := func() []finding.Result {
		return results(finding.Completed,
			finding.Finding{RuleID: "A", Severity: finding.Critical, Package: pkg()},
			finding.Finding{RuleID: "B", Severity: finding.Critical, Package: pkg("2.9.0")}, // a fix below the version found is none
			finding.Finding{RuleID: "C", Severity: finding.High, Package: pkg("2.31.0")},
			finding.Finding{RuleID: "G101", Severity: finding.High}) // not a dependency: always gated
	}
	crit := Threshold{Severity: finding.High}
	v := Evaluate(mk(), Policy{FailOn: crit})
	if v.Failing != 4 || v.Unfixed != 2 {
		t.Errorf("default: failing %d unfixed %d, want 4 and 2", v.Failing, v.Unfixed)
	}
	res := mk()
	v = Evaluate(res, Policy{FailOn: crit, IgnoreUnfixed: true})
	if v.Failing != 2 || v.Unfixed != 2 || v.New != 4 || !v.IgnoreUnfixed || v.Outcome != Fail {
		t.Errorf("ignore-unfixed: %+v", v)
	}
	if res[0].Findings[0].Fails || res[0].Findings[1].Fails || !res[0].Findings[2].Fails || !res[0].Findings[3].Fails {
		t.Errorf("fails marks: %+v", res[0].Findings)
	}
	res = results(finding.Completed, finding.Finding{RuleID: "A", Severity: finding.Critical, Package: pkg()})
	if v := Evaluate(res, Policy{FailOn: crit, IgnoreUnfixed: true}); v.Outcome != Pass {
		t.Errorf("only unfixed findings: %s", v.Outcome)
	}
}
