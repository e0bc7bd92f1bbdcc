package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/policy"
)

// sampleResults is shaped like what the adapters produce; the renderers are
// what is under test here.
func sampleResults() []finding.Result {
	return []finding.Result{
		{Tool: "gosec", Version: "v2.30.0", InformationURI: "https://github.com/securego/gosec", State: finding.Completed,
			Rules: []finding.Rule{{ID: "G401", Name: "WeakCrypto", Short: "Use of weak cryptographic primitive", Tags: []string{"external/cwe/cwe-328"}, Severity: finding.Medium}},
			Findings: []finding.Finding{
				{Tool: "gosec", RuleID: "G401", Severity: finding.Medium, Message: "Use of weak cryptographic primitive",
					Location: finding.Location{Path: "main.go", StartLine: 15, StartColumn: 9}, Fingerprint: "fp1"},
				{Tool: "gosec", RuleID: "G401", Severity: finding.Medium, Message: "Use of weak cryptographic primitive",
					Location: finding.Location{Path: "main.go", StartLine: 23, StartColumn: 7}, Fingerprint: "fp2",
					Suppressions: []finding.Suppression{{Kind: "inSource", Justification: "cache key only", Marker: "#nosec"}}},
				// A rule the adapter did not describe still needs a rule entry.
				{Tool: "gosec", RuleID: "G999", Severity: finding.High, Message: "made-up rule", Location: finding.Location{Path: "a/b.go", StartLine: 1}, Fingerprint: "fp3"},
			}},
		{Tool: "govulncheck", Version: "v1.9.0", State: finding.Incomplete,
			Findings: []finding.Finding{{Tool: "govulncheck", RuleID: "GO-2021-0113", Severity: finding.High, Score: 7.5, Reachable: finding.Called,
				Message: "Out-of-bounds read in golang.org/x/text/language", Aliases: []string{"CVE-2021-38561"},
				Package:     &finding.Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.6", Fixed: []string{"v0.3.7"}, Manifest: "go.mod"},
				Location:    finding.Location{Path: "main.go", StartLine: 11, StartColumn: 26},
				Remediation: "upgrade golang.org/x/text v0.3.6 -> v0.3.7 fixes 1",
				Fingerprint: "fp4",
				Trace: []finding.Frame{
					{Function: "main", Package: "example.com/m", Location: finding.Location{Path: "main.go", StartLine: 11, StartColumn: 26}},
					{Function: "Parse", Package: "golang.org/x/text/language", External: true, Location: finding.Location{Path: "golang.org/x/text@v0.3.6/language/parse.go", StartLine: 33, StartColumn: 6}},
				}}},
			Notifications: []finding.Notification{{Level: finding.LevelError, Message: "govulncheck: module sub: loading packages: boom"}}},
		{Tool: "bandit", State: finding.Skipped, Notifications: []finding.Notification{{Level: finding.LevelNote, Message: "bandit: skipped: not installed"}}},
	}
}

func TestSARIF(t *testing.T) {
	results := sampleResults()
	policy.MarkSuppressed(results)
	v := policy.Evaluate(results, policy.Policy{FailOn: policy.Threshold{Severity: finding.High}})
	if v.Failing != 2 || v.Suppressed != 1 {
		t.Fatalf("verdict %+v", v)
	}
	rep, err := SARIF(results, SARIFOptions{KeepIncomplete: true})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.PrettyWrite(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := sarif.FromBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := back.Validate(); err != nil {
		t.Fatalf("schema validation: %v", err)
	}
	if len(back.Runs) != 2 {
		t.Fatalf("skipped tools get no run: %d runs", len(back.Runs))
	}
	g := back.Runs[0]
	if *g.Tool.Driver.Name != "gosec" || *g.Tool.Driver.SemanticVersion != "2.30.0" || *g.AutomationDetails.ID != "scangate/gosec/" {
		t.Errorf("driver/automation: %v %v %v", *g.Tool.Driver.Name, *g.Tool.Driver.SemanticVersion, *g.AutomationDetails.ID)
	}
	if len(g.Results) != 3 || len(back.Runs[1].Results) != 1 {
		t.Fatalf("each finding must appear once: %d, %d results", len(g.Results), len(back.Runs[1].Results))
	}
	if len(g.Tool.Driver.Rules) != 2 {
		t.Fatalf("rules: %d", len(g.Tool.Driver.Rules))
	}
	for i, r := range g.Results {
		rule := g.Tool.Driver.Rules[r.RuleIndex]
		if *rule.ID != *r.RuleID {
			t.Errorf("result %d: ruleIndex points at %s, ruleId %s", i, *rule.ID, *r.RuleID)
		}
		if r.PartialFingerprints[model.FingerprintKey] == "" {
			t.Errorf("result %d: no fingerprint", i)
		}
	}
	if s := g.Results[1].Suppressions; len(s) != 1 || *s[0].Kind != "inSource" || *s[0].Justification != "cache key only" {
		t.Errorf("suppression: %+v", s)
	}
	sev := g.Tool.Driver.Rules[0].Properties.Properties["security-severity"]
	if sev != "5.5" {
		t.Errorf("security-severity must be a number in a string: %#v", sev)
	}
	vr := back.Runs[1]
	if *vr.Invocations[0].ExecutionSuccessful || len(vr.Invocations[0].ToolExecutionNotifications) != 1 {
		t.Errorf("incomplete run must say so: %+v", vr.Invocations[0])
	}
	if vr.Tool.Driver.Rules[0].Properties.Properties["security-severity"] != "7.5" {
		t.Errorf("CVSS score expected as security-severity: %v", vr.Tool.Driver.Rules[0].Properties.Properties)
	}
	msg := *vr.Results[0].Message.Text
	if !strings.Contains(msg, "Fix: upgrade golang.org/x/text v0.3.6 -> v0.3.7 fixes 1.") {
		t.Errorf("remediation missing from message: %q", msg)
	}
	if n := len(vr.Results[0].CodeFlows[0].ThreadFlows[0].Locations); n != 2 {
		t.Errorf("code flow frames: %d", n)
	}
	doc := buf.String()
	wd, _ := os.Getwd()
	testkit.ContainsNone(t, "SARIF", doc, wd, os.TempDir(), "file://")
	if !strings.Contains(doc, `"%GOMODCACHE%"`) {
		t.Errorf("external frames need the %s base", "%GOMODCACHE%")
	}
}

func TestSummaries(t *testing.T) {
	results := sampleResults()
	policy.MarkSuppressed(results)
	v := policy.Evaluate(results, policy.Policy{FailOn: policy.Threshold{Severity: finding.High}})
	s := &model.Report{Root: "examples/project", Version: "dev", Results: results, Verdict: v, Duration: time.Second,
		Remediations: finding.Remediate(results)}
	var text bytes.Buffer
	if err := Text(&text, s, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	testkit.ContainsAll(t, "text summary", text.String(),
		"gosec        completed    3 findings",
		"bandit       skipped    (not installed)",
		"Findings: 3 new (high 2, medium 1), 1 suppressed",
		"HIGH     GO-2021-0113         main.go:11:26",
		"[govulncheck, called]",
		"upgrade golang.org/x/text v0.3.6 -> v0.3.7 fixes 1",
		"error: govulncheck: module sub: loading packages: boom",
		"Verdict: FAIL: 2 new finding(s) at or above high",
	)
	if strings.Contains(text.String(), "\x1b[") {
		t.Error("colour without Color option")
	}
	var md bytes.Buffer
	if err := Markdown(&md, s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "## scangate: ❌ Fail") || !strings.Contains(md.String(), "| high | GO-2021-0113 | `main.go:11:26` |") {
		t.Errorf("markdown:\n%s", md.String())
	}
	var js bytes.Buffer
	if err := JSON(&js, s); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Verdict struct {
			Outcome    string         `json:"outcome"`
			BySeverity map[string]int `json:"bySeverity"`
		} `json:"verdict"`
		ExitCode int `json:"exitCode"`
		Tools    []struct {
			Tool     string `json:"tool"`
			State    string `json:"state"`
			Findings []struct {
				Severity     string `json:"severity"`
				Reachability string `json:"reachability"`
				Status       string `json:"status"`
			} `json:"findings"`
		} `json:"tools"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Verdict.Outcome != "fail" || doc.ExitCode != 1 || doc.Verdict.BySeverity["high"] != 2 || doc.Tools[1].State != "incomplete" ||
		doc.Tools[1].Findings[0].Reachability != "called" || doc.Tools[0].Findings[1].Status != "suppressed" {
		t.Errorf("JSON: %s", js.String())
	}
}

func TestShortSummary(t *testing.T) {
	results := sampleResults()
	policy.MarkSuppressed(results)
	v := policy.Evaluate(results, policy.Policy{FailOn: policy.Threshold{Severity: finding.High}})
	var b bytes.Buffer
	_ = Text(&b, &model.Report{Results: results, Verdict: v}, TextOptions{Short: true, FullReportHint: "scangate scan ."})
	out := b.String()
	if !strings.HasPrefix(out, "Verdict: FAIL") || strings.Contains(out, "G401") || !strings.Contains(out, "Full report: scangate scan .") {
		t.Errorf("short summary:\n%s", out)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.sarif")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(p, nil, func(w io.Writer) error {
		io.WriteString(w, "half")
		return errors.New("renderer failed")
	})
	if err == nil || !strings.Contains(err.Error(), "out.sarif") {
		t.Fatalf("error must name the file: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("a failed write must leave the old file: %q", b)
	}
	if err := WriteFile(p, nil, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("got %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("temporary files left behind: %v", ents)
	}
	var out bytes.Buffer
	if err := WriteFile("-", &out, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err }); err != nil || out.String() != "x" {
		t.Errorf("stdout: %q %v", out.String(), err)
	}
	if err := CheckWritable(filepath.Join(dir, "missing", "x.json")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing dir: %v", err)
	}
}
