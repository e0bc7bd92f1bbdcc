package finding

import "testing"

// The public GO- records carry no severity; their GHSA aliases do. A
// finding takes its alias's rating, its rule too, and one whose aliases
// are all unknown to the database stays "severity unknown".
func TestRateFromAliases(t *testing.T) {
	// Severity facts of the real GitHub records.
	db := map[string]struct {
		vectors []string
		label   string
	}{
		"Go\x00GHSA-ppp9-7jff-5vj2":   {[]string{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}, "HIGH"},
		"Go\x00GO-2023-2402":          {nil, ""}, // present, unscored
		"PyPI\x00GHSA-g3rq-g295-4j3m": {nil, "MODERATE"},
	}
	var asked []string
	lookup := func(eco, id string) ([]string, string, bool) {
		asked = append(asked, eco+"/"+id)
		r, ok := db[eco+"\x00"+id]
		return r.vectors, r.label, ok
	}
	results := []Result{{
		Rules: []Rule{{ID: "GO-2021-0113", Severity: Medium, SeverityUnknown: true}, {ID: "GO-2023-2402", Severity: Medium, SeverityUnknown: true}},
		Findings: []Finding{
			{RuleID: "GO-2021-0113", Severity: Medium, SeverityUnknown: true, Aliases: []string{"CVE-2021-38561", "GHSA-ppp9-7jff-5vj2"}, Package: goPkg("v0.3.6", "v0.3.7")},
			{RuleID: "GO-2023-2402", Severity: Medium, SeverityUnknown: true, Aliases: []string{"CVE-2023-48795", "GHSA-45x7-px36-x8w8"}, Package: &Package{Ecosystem: "Go", Name: "golang.org/x/crypto"}},
			{RuleID: "PYSEC-2021-66", Severity: Medium, SeverityUnknown: true, Aliases: []string{"CVE-2020-28493", "GHSA-g3rq-g295-4j3m"}, Package: &Package{Ecosystem: "PyPI", Name: "jinja2"}},
			// A scored finding is left alone.
			{RuleID: "GHSA-j8r2-6x86-q33q", Severity: Medium, Score: 6.1, Aliases: []string{"GHSA-ppp9-7jff-5vj2"}, Package: &Package{Ecosystem: "Go", Name: "x"}},
		},
	}}
	if n := RateFromAliases(results, lookup); n != 2 {
		t.Errorf("rated %d findings, want 2", n)
	}
	f := results[0].Findings
	if f[0].SeverityUnknown || f[0].Severity != High || f[0].Score != 7.5 || f[0].SeverityFrom != "GHSA-ppp9-7jff-5vj2" {
		t.Errorf("GO-2021-0113: %+v", f[0])
	}
	if r := results[0].Rule("GO-2021-0113"); r.SeverityUnknown || r.Severity != High || r.Score != 7.5 {
		t.Errorf("its rule: %+v", r)
	}
	if !f[1].SeverityUnknown || f[1].Severity != Medium || f[1].SeverityFrom != "" || !results[0].Rule("GO-2023-2402").SeverityUnknown {
		t.Errorf("GO-2023-2402 must stay unknown: %+v", f[1])
	}
	if f[2].SeverityUnknown || f[2].Severity != Medium || f[2].Score != 0 || f[2].SeverityFrom != "GHSA-g3rq-g295-4j3m" {
		t.Errorf("PYSEC-2021-66 from its GHSA label: %+v", f[2])
	}
	if f[3].Score != 6.1 || f[3].SeverityFrom != "" {
		t.Errorf("scored finding changed: %+v", f[3])
	}
	for _, a := range asked {
		if a == "Go/GHSA-j8r2-6x86-q33q" {
			t.Error("looked up a scored finding")
		}
	}
}

// Correlation rates an unknown finding from a rated one of the same
// vulnerability (here by a GHSA label alone), never the other way round.
func TestCorrelateKeepsKnownSeverity(t *testing.T) {
	gv := Finding{Tool: "govulncheck", RuleID: "GO-2021-0113", Aliases: []string{"GHSA-ppp9-7jff-5vj2"}, Severity: Medium, SeverityUnknown: true, Reachable: Called, Package: goPkg("v0.3.6", "v0.3.7")}
	osv := Finding{Tool: "osv-scanner", RuleID: "GHSA-ppp9-7jff-5vj2", Aliases: []string{"GO-2021-0113"}, Severity: High, Package: goPkg("0.3.6", "0.3.7"), Location: Location{Path: "go.mod"}}
	results := Correlate([]Result{{Findings: []Finding{gv}}, {Findings: []Finding{osv}}}, vulnOrder)
	if len(results[0].Findings) != 1 || len(results[1].Findings) != 0 {
		t.Fatalf("not merged: %+v", results)
	}
	if f := results[0].Findings[0]; f.SeverityUnknown || f.Severity != High || f.SeverityFrom != "GHSA-ppp9-7jff-5vj2" || f.Reachable != Called {
		t.Errorf("merged: %+v", f)
	}

	gv.SeverityUnknown, gv.Severity, gv.Score = false, Critical, 9.8
	osv.SeverityUnknown, osv.Severity = true, Medium
	osv.Package = goPkg("0.3.6", "0.3.7")
	gv.Package = goPkg("v0.3.6", "v0.3.7")
	results = Correlate([]Result{{Findings: []Finding{gv}}, {Findings: []Finding{osv}}}, vulnOrder)
	if f := results[0].Findings[0]; f.SeverityUnknown || f.Severity != Critical || f.Score != 9.8 {
		t.Errorf("a rated finding took an unknown one's severity: %+v", f)
	}
}
