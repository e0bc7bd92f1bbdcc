package policy_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/policy"
	"github.com/scangate/scangate/report"
	"github.com/scangate/scangate/scanners/registry"
)

var failOnLow = policy.Threshold{Severity: finding.Low}

// stages runs the stages after the scanners, as the pipeline does.
func stages(results []finding.Result, p policy.Policy, base ...*policy.Baseline) ([]finding.Result, policy.Verdict) {
	finding.Correlate(results, registry.Names())
	fixed := 0
	for _, b := range base {
		fixed = 0
		for _, e := range b.MarkFixed(results) {
			fixed += e.Count
		}
	}
	policy.MarkSuppressed(results)
	v := policy.Evaluate(results, p)
	v.Fixed = fixed
	return results, v
}

// roundTrip writes a baseline and reads it back, as a committed file would be.
func roundTrip(t *testing.T, b *policy.Baseline) *policy.Baseline {
	t.Helper()
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := policy.ParseBaseline("b.json", buf.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	return back
}

func adopt(t *testing.T) *policy.Baseline {
	t.Helper()
	results := finding.Correlate(scan(), registry.Names())
	return roundTrip(t, policy.NewBaseline(results))
}

func TestAdoptingABaselineMakesTheGatePass(t *testing.T) {
	_, before := stages(scan(), policy.Policy{FailOn: failOnLow})
	if before.Outcome != policy.Fail || before.New != 6 {
		t.Fatalf("without a baseline: %+v", before)
	}
	base := adopt(t)
	if base.Len() != 7 { // 5 gosec (the #nosec one marked suppressed) + GO-2021-0113 (merged) + Jinja2
		t.Errorf("baseline holds %d findings, want 7: %+v", base.Len(), base.Findings)
	}
	results, v := stages(scan(), policy.Policy{FailOn: failOnLow}, base)
	if v.Outcome != policy.Pass || v.New != 0 || v.Unchanged != 6 || v.Fixed != 0 || v.Suppressed != 1 {
		t.Fatalf("with the baseline: %+v", v)
	}
	if f := find(results, "gosec", "G101", 12); f.Status != finding.StatusBaseline {
		t.Errorf("G101 status %v", f.Status)
	}
	// The suppressed finding is known (SARIF says unchanged) and does not count.
	if f := find(results, "gosec", "G401", 23); f.Status != finding.StatusBaseline || !f.Suppressed() {
		t.Errorf("#nosec G401: status %v", f.Status)
	}
}

// A finding recorded while suppressed comes back as new when its
// suppression goes (an expired ignore entry, a removed #nosec): the
// baseline does not outlive the suppression.
func TestSuppressedEntryNeedsTheSuppression(t *testing.T) {
	base := adopt(t)
	results := scan()
	find(results, "gosec", "G401", 23).Suppressions = nil
	results, v := stages(results, policy.Policy{FailOn: failOnLow}, base)
	if v.New != 1 || v.Outcome != policy.Fail || v.Fixed != 0 || find(results, "gosec", "G401", 23).Status != finding.StatusNew {
		t.Fatalf("verdict %+v", v)
	}
}

func TestOneNewFindingFailsWithExactlyThatFinding(t *testing.T) {
	base := adopt(t)
	code := `exec.Command("sh", "-c", userInput)`
	results := add(scan(), "gosec", finding.Finding{
		Tool: "gosec", RuleID: "G204", Severity: finding.Medium, Message: "Subprocess launched with variable",
		Location:    finding.Location{Path: "internal/admin/run.go", StartLine: 31, StartColumn: 9},
		Fingerprint: finding.Fingerprint("gosec", "G204", "internal/admin/run.go", finding.NormalizeCode(code)),
	})
	results, v := stages(results, policy.Policy{FailOn: failOnLow}, base)
	if v.Outcome != policy.Fail || v.New != 1 || v.Failing != 1 || v.Unchanged != 6 {
		t.Fatalf("verdict %+v", v)
	}
	sc := &model.Report{Results: results, Verdict: v}
	ranked := sc.Ranked()
	if len(ranked) != 1 || ranked[0].Location.Path != "internal/admin/run.go" {
		t.Fatalf("new findings %+v", ranked)
	}
}

// The baseline keys on fingerprints, never lines: a finding whose code moved
// (lines inserted above it, another function moved before it) stays known.
func TestMovedFindingStaysInTheBaseline(t *testing.T) {
	base := adopt(t)
	results := scan()
	for i := range results[0].Findings {
		results[0].Findings[i].Location.StartLine += 40
		results[0].Findings[i].Location.EndLine += 40
	}
	_, v := stages(results, policy.Policy{FailOn: failOnLow}, base)
	if v.New != 0 || v.Unchanged != 6 {
		t.Fatalf("moved findings are not recognised: %+v", v)
	}
}

func TestFixedFindings(t *testing.T) {
	base := adopt(t)
	results := scan()
	results[0].Findings = results[0].Findings[1:] // G101 removed from the code
	results[2].Findings = results[2].Findings[:1] // Jinja2 upgraded
	_, v := stages(results, policy.Policy{FailOn: failOnLow}, base)
	if v.Fixed != 2 || v.New != 0 || v.Unchanged != 4 {
		t.Fatalf("verdict %+v", v)
	}

	// A scanner that did not complete proves nothing: its entries are not fixed.
	results = scan()
	results[0].Findings, results[0].State = nil, finding.Incomplete
	_, v = stages(results, policy.Policy{FailOn: failOnLow}, base)
	if v.Fixed != 0 {
		t.Fatalf("entries of an incomplete scanner counted as fixed: %+v", v)
	}
}

// MarkFixed lists the fixed entries, with the line and message when the
// baseline was made from findings (a scan, here), not from a baseline file,
// which records no line.
func TestMarkFixedListsTheEntries(t *testing.T) {
	fromScan := policy.NewBaseline(finding.Correlate(scan(), registry.Names()))
	for _, tc := range []struct {
		name string
		base *policy.Baseline
		want []string
	}{
		{"from a scan", fromScan, []string{
			"gosec G101 main.go:12 Potential hardcoded credentials x1",
			"osv-scanner PYSEC-2019-217 tools/report/requirements.txt:2 Jinja2@2.10 Jinja2 sandbox escape via str.format_map x1"}},
		{"from a baseline file", roundTrip(t, fromScan), []string{
			"gosec G101 main.go:0 x1",
			"osv-scanner PYSEC-2019-217 tools/report/requirements.txt:0 Jinja2@2.10 x1"}},
	} {
		results := scan()
		results[0].Findings = results[0].Findings[1:] // G101 removed from the code
		results[2].Findings = results[2].Findings[:1] // Jinja2 upgraded
		results = finding.Correlate(results, registry.Names())
		var got []string
		for _, e := range tc.base.MarkFixed(results) {
			got = append(got, strings.Join(strings.Fields(fmt.Sprintf("%s %s %s:%d %s %s x%d", e.Tool, e.Rule, e.Path, e.Line, e.Package, e.Message, e.Count)), " "))
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s: fixed\n%s\nwant\n%s", tc.name, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

// A dependency finding keeps its baseline when another tool reports it
// first: here govulncheck did not run, so osv-scanner's GHSA finding stands
// for the GO-2021-0113 the baseline recorded from govulncheck.
func TestDependencyFindingMatchesAcrossTools(t *testing.T) {
	base := adopt(t)
	results := scan()
	results[1] = finding.Result{Tool: "govulncheck", State: finding.Skipped}
	_, v := stages(results, policy.Policy{FailOn: failOnLow}, base)
	if v.New != 0 || v.Unchanged != 6 {
		t.Fatalf("verdict %+v", v)
	}
	// A new version of the package is a new finding.
	results = scan()
	results[1] = finding.Result{Tool: "govulncheck", State: finding.Skipped}
	results[2].Findings[0].Package.Version = "v0.3.6"
	results[2].Findings[0].Fingerprint = finding.Fingerprint("osv-scanner", "GHSA-ppp9-7jff-5vj2", "go.mod", "golang.org/x/text@v0.3.6")
	_, v = stages(results, policy.Policy{FailOn: failOnLow}, base)
	if v.New != 1 {
		t.Fatalf("a new package version was taken for the baselined one: %+v", v)
	}
}

// The same flagged code twice in one file has one fingerprint: the baseline
// counts it, and a third copy is new.
func TestDuplicateFingerprintsAreCounted(t *testing.T) {
	results := scan()
	dup := results[0].Findings[1] // md5.Sum(data)
	dup.Location.StartLine = 40
	results = add(results, "gosec", dup)
	base := roundTrip(t, policy.NewBaseline(finding.Correlate(results, registry.Names())))
	if base.Len() != 8 || len(base.Findings) != 7 {
		t.Fatalf("baseline %d findings in %d entries", base.Len(), len(base.Findings))
	}
	results = add(scan(), "gosec", dup)
	dup.Location.StartLine = 60
	results = add(results, "gosec", dup)
	_, v := stages(results, policy.Policy{FailOn: failOnLow}, base)
	if v.New != 1 || v.Unchanged != 7 {
		t.Fatalf("verdict %+v", v)
	}
}

func TestBaselineFileIsSortedAndDiffFriendly(t *testing.T) {
	var a, b bytes.Buffer
	policy.NewBaseline(finding.Correlate(scan(), registry.Names())).Write(&a)
	results := scan()
	results[0], results[2] = results[2], results[0] // another scan order
	for i, j := 0, len(results[2].Findings)-1; i < j; i, j = i+1, j-1 {
		results[2].Findings[i], results[2].Findings[j] = results[2].Findings[j], results[2].Findings[i]
	}
	policy.NewBaseline(finding.Correlate(results, registry.Names())).Write(&b)
	if a.String() != b.String() {
		t.Fatalf("the file depends on scan order:\n%s\n%s", a.String(), b.String())
	}
	lines := strings.Split(strings.TrimSpace(a.String()), "\n")
	want := []string{
		`{`,
		`  "version": 1,`,
		`  "findings": [`,
		`    {"tool":"govulncheck","rule":"GO-2021-0113","path":"go.mod","package":"golang.org/x/text@v0.3.5","fingerprint":"` + finding.Fingerprint("govulncheck", "GO-2021-0113", "go.mod", "golang.org/x/text@v0.3.5") + `"},`,
	}
	for i, w := range want {
		if lines[i] != w {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, lines[i], w)
		}
	}
	if len(lines) != 3+7+2 || !strings.Contains(a.String(), `"suppressed":true`) {
		t.Errorf("want one line per finding, got:\n%s", a.String())
	}
	for _, l := range lines {
		if strings.Contains(l, `"line"`) || strings.Contains(l, "Line") {
			t.Errorf("line numbers in the baseline: %s", l)
		}
	}
	empty := &bytes.Buffer{}
	policy.NewBaseline(nil).Write(empty)
	if empty.String() != "{\n  \"version\": 1,\n  \"findings\": []\n}\n" {
		t.Errorf("empty baseline:\n%s", empty.String())
	}
}

// loadAsBaseline loads a previous report, written to a file named name, as
// the baseline, which must be the baseline file of results.
func loadAsBaseline(t *testing.T, name, doc string, results []finding.Result) *policy.Baseline {
	t.Helper()
	dir := t.TempDir()
	testkit.Write(t, dir, name, doc)
	b, err := policy.LoadBaseline(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	var got, want bytes.Buffer
	b.Write(&got)
	policy.NewBaseline(results).Write(&want)
	if got.String() != want.String() {
		t.Fatalf("baseline from %s differs from the baseline file:\n%s\n%s", name, got.String(), want.String())
	}
	return b
}

// A previous scangate SARIF works as a baseline.
func TestBaselineFromSARIF(t *testing.T) {
	results := finding.Correlate(scan(), registry.Names())
	policy.MarkSuppressed(results)
	policy.Evaluate(results, policy.Policy{FailOn: failOnLow})
	doc, err := report.SARIF(results, report.SARIFOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := doc.PrettyWrite(&buf); err != nil {
		t.Fatal(err)
	}
	fromSARIF := loadAsBaseline(t, "previous.sarif", buf.String(), results)
	_, v := stages(scan(), policy.Policy{FailOn: failOnLow}, fromSARIF)
	if v.New != 0 || v.Unchanged != 6 {
		t.Fatalf("verdict %+v", v)
	}
	if n := len(doc.Runs[0].Results); n != 5 {
		t.Errorf("gosec run has %d results for 5 findings", n)
	}
}

// A previous scangate JSON report works as a baseline, the same as the
// baseline file of the same scan.
func TestBaselineFromJSON(t *testing.T) {
	results := finding.Correlate(scan(), registry.Names())
	policy.MarkSuppressed(results)
	v := policy.Evaluate(results, policy.Policy{FailOn: failOnLow})
	var buf bytes.Buffer
	if err := report.JSON(&buf, &model.Report{Version: "test", Root: "repo", Results: results, Verdict: v}); err != nil {
		t.Fatal(err)
	}
	fromJSON := loadAsBaseline(t, "previous.json", buf.String(), results)
	_, v = stages(scan(), policy.Policy{FailOn: failOnLow}, fromJSON)
	if v.New != 0 || v.Unchanged != 6 || v.Fixed != 0 {
		t.Fatalf("verdict %+v", v)
	}
	if _, err := policy.ParseBaseline("new.json", []byte(`{"schemaVersion": 2, "tools": []}`)); err == nil ||
		err.Error() != "baseline new.json: schemaVersion 2, but this scangate reads schemaVersion 1 (docs/json.md)" {
		t.Errorf("newer JSON report: %v", err)
	}
}

func TestMalformedBaseline(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"syntax", "{\n  \"version\": 1,\n  \"findings\": [\n    {\"tool\": \"gosec\",}\n  ]\n}\n",
			`baseline b.json: line 4, column 22: invalid character '}' looking for beginning of object key string`},
		{"neither", `{"results": []}`, `baseline b.json: neither a scangate baseline (no "findings"), a SARIF file (no "runs") nor a JSON report (no "schemaVersion")`},
		{"not an object", `[1, 2]`, `baseline b.json: want a JSON object, got a JSON array`},
		{"version", `{"version": 2, "findings": []}`, `baseline b.json: unsupported version 2 (this scangate reads version 1)`},
		{"unknown field", `{"version": 1, "findings": [{"tool":"gosec","rule":"G101","fingerprint":"ab","line":12}]}`,
			`baseline b.json: json: unknown field "line"`},
		{"no fingerprint", `{"version": 1, "findings": [{"tool":"gosec","rule":"G101"}]}`,
			`baseline b.json: findings[0]: missing or invalid fingerprint`},
		{"no rule", `{"version": 1, "findings": [{"tool":"gosec","fingerprint":"ab"}]}`,
			`baseline b.json: findings[0]: tool and rule are required`},
		{"wrong type", "{\"version\": 1, \"findings\": [{\"tool\":\"gosec\",\"rule\":\"G101\",\"fingerprint\":\"ab\",\n\"count\":\"2\"}]}",
			`baseline b.json: line 2, column 11: json: cannot unmarshal string into Go struct field BaselineEntry.findings.count of type int`},
		{"foreign SARIF", `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gosec"}},"results":[{"ruleId":"G101"}]}]}`,
			`baseline b.json: runs[0].results[0] has no partialFingerprints["scangate/v1"]: not a SARIF file written by scangate`},
		{"old SARIF", `{"version":"2.0.0","runs":[]}`, `baseline b.json: SARIF version "2.0.0", want 2.1.0`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policy.ParseBaseline("b.json", []byte(tc.doc))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got  %v\nwant %s", err, tc.want)
			}
		})
	}
	_, err := policy.LoadBaseline(filepath.Join(t.TempDir(), "missing.json"))
	if err == nil || !strings.Contains(err.Error(), "does not exist (create it with scangate baseline create)") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestSeverityOverride(t *testing.T) {
	over := map[string]finding.Severity{"G101": finding.Low, "cve-2019-10906": finding.Critical}
	results, v := stages(scan(), policy.Policy{FailOn: policy.Threshold{Severity: finding.Critical}, Severity: over})
	if f := find(results, "gosec", "G101", 0); f.Severity != finding.Low || f.ReportedProperties()["toolSeverity"] != "high" {
		t.Errorf("G101: %v %v", f.Severity, f.Properties)
	}
	if f := find(results, "osv-scanner", "PYSEC-2019-217", 0); f.Severity != finding.Critical {
		t.Errorf("override by alias, case-insensitively: %v", f.Severity)
	}
	if v.Failing != 1 || v.Outcome != policy.Fail {
		t.Errorf("verdict %+v", v)
	}
}

// A base revision's baseline records reachability: the same advisory,
// module version and manifest reached more strongly (imported in the base,
// called now) is new and its entry is not fixed; reached as strongly or
// less, it is unchanged. A baseline file (NewBaseline) ignores it.
func TestRevisionBaselineReachability(t *testing.T) {
	vuln := func(reach finding.Reachability) []finding.Result {
		return []finding.Result{{Tool: "govulncheck", State: finding.Completed, Findings: []finding.Finding{{
			Tool: "govulncheck", RuleID: "GO-2021-0113", Severity: finding.High, Reachable: reach,
			Package:     &finding.Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.6", Manifest: "go.mod"},
			Location:    finding.Location{Path: "go.mod", StartLine: 5},
			Fingerprint: finding.Fingerprint("govulncheck", "GO-2021-0113", "golang.org/x/text@v0.3.6", "go.mod"),
		}}}}
	}
	for _, tc := range []struct {
		base, head finding.Reachability
		newCount   int
	}{
		{finding.Imported, finding.Called, 1},
		{finding.Required, finding.Imported, 1},
		{finding.Called, finding.Called, 0},
		{finding.Called, finding.Imported, 0},
	} {
		b := roundTrip(t, policy.RevisionBaseline(vuln(tc.base)))
		_, v := stages(vuln(tc.head), policy.Policy{FailOn: failOnLow}, b)
		if v.New != tc.newCount || v.Fixed != 0 {
			t.Errorf("%v in the base, %v now: %d new, %d fixed; want %d new, 0 fixed", tc.base, tc.head, v.New, v.Fixed, tc.newCount)
		}
		_, v = stages(vuln(tc.head), policy.Policy{FailOn: failOnLow}, policy.NewBaseline(vuln(tc.base)))
		if v.New != 0 {
			t.Errorf("a baseline file: %v in it, %v now: %d new, want 0", tc.base, tc.head, v.New)
		}
	}
}
