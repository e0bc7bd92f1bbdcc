package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/policy"
)

// "Severity unknown" reaches every renderer, and the verdict says a called
// vulnerability failed the gate below the threshold.
func TestSeverityUnknownRendered(t *testing.T) {
	results := []finding.Result{{Tool: "govulncheck", Findings: []finding.Finding{{
		Tool: "govulncheck", RuleID: "GO-2021-0113", Severity: finding.Medium, SeverityUnknown: true, Reachable: finding.Called,
		Message:  "GO-2021-0113: Out-of-bounds read in golang.org/x/text/language",
		Location: finding.Location{Path: "main.go", StartLine: 38},
		Package:  &finding.Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.6", Fixed: []string{"v0.3.7"}, Manifest: "go.mod"},
	}}}}
	rems := finding.Remediate(results)
	policy.MarkSuppressed(results)
	v := policy.Evaluate(results, policy.Policy{FailOn: policy.Threshold{Severity: finding.High}, FailOnCalled: true})
	s := &model.Report{Root: ".", Results: results, Verdict: v, Remediations: rems}
	var text, md bytes.Buffer
	if err := Text(&text, s, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, s); err != nil {
		t.Fatal(err)
	}
	var short bytes.Buffer
	if err := Text(&short, s, TextOptions{Short: true}); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		out  string
		want []string
	}{
		"text":     {text.String(), []string{"Findings: 1 new (unknown 1)", "UNKNOWN  GO-2021-0113", "Severity unknown", "Verdict: FAIL: 1 new vulnerability below high whose vulnerable code is called (fail-on-called)", "go.mod: upgrade golang.org/x/text v0.3.6 -> v0.3.7 fixes 1: go get golang.org/x/text@v0.3.7"}},
		"markdown": {md.String(), []string{"| unknown | GO-2021-0113 |", "1 of unknown severity", "whose vulnerable code is called"}},
		"short":    {short.String(), []string{"GO-2021-0113"}}, // the hook lists what fails
	} {
		for _, w := range tc.want {
			if !strings.Contains(tc.out, w) {
				t.Errorf("%s lacks %q:\n%s", name, w, tc.out)
			}
		}
	}
	doc, err := SARIF(results, SARIFOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := doc.Runs[0]
	if lvl := r.Results[0].Level; lvl != "error" {
		t.Errorf("level %s, want error: it fails the gate", lvl)
	}
	if p := r.Tool.Driver.Rules[0].Properties.Properties; p["security-severity"] != nil || p["severity"] != "unknown" {
		t.Errorf("rule properties %v", p)
	}
}
