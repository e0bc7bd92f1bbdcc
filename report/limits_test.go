package report

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/report/reporttest"
)

// The findings here are synthetic on purpose: these tests are about our
// renderer's limits, which no real scan of a small fixture reaches.

func synthetic(tool string, n int, sev func(i int) finding.Severity) finding.Result {
	r := finding.Result{Tool: tool, Version: "1.0.0"}
	for i := range n {
		id := fmt.Sprintf("R%d", i%7)
		r.Findings = append(r.Findings, finding.Finding{
			Tool: tool, RuleID: id, Severity: sev(i), Message: fmt.Sprintf("finding %d", i),
			Location:    finding.Location{Path: fmt.Sprintf("pkg%d/file%d.go", i%13, i), StartLine: i%500 + 1},
			Fingerprint: finding.Fingerprint(tool, id, fmt.Sprint(i)),
		})
	}
	return r
}

func render(t *testing.T, doc *sarif.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := doc.PrettyWrite(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func warnings(run *sarif.Run) []string {
	var out []string
	for _, inv := range run.Invocations {
		for _, n := range inv.ToolExecutionNotifications {
			if n.Level == "warning" && n.Message != nil && n.Message.Text != nil {
				out = append(out, *n.Message.Text)
			}
		}
	}
	return out
}

func mustSARIF(t *testing.T, results []finding.Result, opt SARIFOptions) *sarif.Report {
	t.Helper()
	doc, err := SARIF(results, opt)
	if err != nil {
		t.Fatal(err)
	}
	if bad := CheckLimits(doc, opt.Limits); len(bad) > 0 {
		t.Fatalf("document breaks GitHub's limits: %q", bad)
	}
	return doc
}

func TestSARIFOneResultPerFinding(t *testing.T) {
	doc := mustSARIF(t, []finding.Result{synthetic("gosec", 3, func(int) finding.Severity { return finding.High })}, SARIFOptions{})
	if n := len(doc.Runs[0].Results); n != 3 {
		t.Fatalf("%d results for 3 findings", n)
	}
}

func TestSARIFURIsAreRelativeReferences(t *testing.T) {
	paths := []string{"a b/c.go", "100%/x.go", "a:b.go", "q?#.go", "ünï/cödé.go", "dir/sub/plain.go", "we%ird:na,me::x\n::error::y.go"}
	r := finding.Result{Tool: "gosec"}
	for i, p := range paths {
		r.Findings = append(r.Findings, finding.Finding{Tool: "gosec", RuleID: "G1", Severity: finding.High, Message: "m",
			Location: finding.Location{Path: p, StartLine: 1}, Fingerprint: fmt.Sprint(i)})
	}
	doc := mustSARIF(t, []finding.Result{r}, SARIFOptions{})
	for i, res := range doc.Runs[0].Results {
		u := *res.Locations[0].PhysicalLocation.ArtifactLocation.URI
		ref, err := url.Parse(u)
		if err != nil || ref.IsAbs() || ref.Path != paths[i] || ref.RawQuery != "" || ref.Fragment != "" {
			t.Errorf("%q -> uri %q, which reads back as %q (err %v)", paths[i], u, ref.Path, err)
		}
	}
}

func TestSARIFNeverWritesAbsolutePaths(t *testing.T) {
	abs := []string{"/home/ci/work/repo/main.go", `C:\Users\ci\repo\main.go`, "file:///home/ci/repo/x.go", `\\server\share\x.go`}
	r := finding.Result{Tool: "gosec"}
	for i, p := range abs {
		r.Findings = append(r.Findings, finding.Finding{Tool: "gosec", RuleID: "G1", Severity: finding.High, Message: "m",
			Location: finding.Location{Path: p, StartLine: 3}, Fingerprint: fmt.Sprint(i),
			Trace: []finding.Frame{{Function: "f", Location: finding.Location{Path: p, StartLine: 1}}, {Function: "g", Location: finding.Location{Path: "ok.go", StartLine: 2}}}})
	}
	r.Notifications = []finding.Notification{{Level: finding.LevelError, Message: "x", Location: finding.Location{Path: "/etc/passwd"}}}
	r.Findings[0].Package = &finding.Package{Ecosystem: "Go", Name: "x", Version: "v1.0.0", Manifest: "go.mod"}
	in := r.Findings[0].Location.Path
	doc := mustSARIF(t, []finding.Result{r}, SARIFOptions{})
	out := string(render(t, doc))
	testkit.ContainsNone(t, "SARIF", out, "/home/ci", `C:\\Users`, "file:", "server", "/etc/passwd")
	// 4 primary locations, the kept finding's frame and the notification's
	// are absolute. Each finding lost its location; the first has a manifest to fall
	// back to, the others leave the SARIF.
	if len(doc.Runs[0].Results) != 1 || !strings.Contains(out, `"uri": "go.mod"`) || !strings.Contains(out, "ok.go") {
		t.Errorf("%d results; want the one with a manifest, with its relative frames", len(doc.Runs[0].Results))
	}
	w := strings.Join(warnings(doc.Runs[0]), "\n")
	testkit.ContainsAll(t, "warnings", w, "6 locations had an absolute path", "1 findings without a source location are shown at their manifest",
		"3 findings have no location in the scanned tree")
	if r.Findings[0].Location.Path != in {
		t.Error("SARIF modified the caller's findings")
	}
}

func TestSARIFSecuritySeverityIsANumberInAString(t *testing.T) {
	r := synthetic("govulncheck", 1, func(int) finding.Severity { return finding.Critical })
	r.Findings[0].Score = 9.8
	doc := mustSARIF(t, []finding.Result{r}, SARIFOptions{})
	raw := reporttest.DecodeLog(t, render(t, doc))
	got := raw.Runs[0].Tool.Driver.Rules[0].Properties["security-severity"]
	if got != "9.8" {
		t.Errorf("security-severity = %#v, want the string \"9.8\"", got)
	}
}

func TestSARIFMergesRunsOfTheSameTool(t *testing.T) {
	a := synthetic("gosec", 2, func(int) finding.Severity { return finding.High })
	b := synthetic("gosec", 3, func(int) finding.Severity { return finding.Low })
	b.State = finding.Incomplete
	b.Rules = []finding.Rule{{ID: "R0", Short: "rule zero"}, {ID: "R9", Short: "rule nine"}}
	results := []finding.Result{a, b, synthetic("bandit", 1, func(int) finding.Severity { return finding.Low })}
	doc := mustSARIF(t, results, SARIFOptions{KeepIncomplete: true})
	if len(doc.Runs) != 2 || len(doc.Runs[0].Results) != 5 {
		t.Fatalf("%d runs, first with %d results; want gosec merged into one run of 5", len(doc.Runs), len(doc.Runs[0].Results))
	}
	if *doc.Runs[0].Invocations[0].ExecutionSuccessful {
		t.Error("a merged run with an incomplete part must not claim success")
	}
	// By default the incomplete part takes the complete one with it: a
	// partial run would close the alerts of what it did not analyze.
	doc = mustSARIF(t, results, SARIFOptions{})
	if len(doc.Runs) != 1 || *doc.Runs[0].Tool.Driver.Name != "bandit" {
		t.Errorf("want bandit's run alone, got %d runs", len(doc.Runs))
	}
}

// TestSARIFWithinGitHubLimits generates a scan that breaks every limit at
// GitHub's own numbers, checks the document that comes out, and has the
// SARIF Multitool validate it when it is installed. The smaller tests below
// take the same code paths under -race; at this size the race detector
// makes the run minutes long for a renderer with one goroutine, so CI runs
// this test in its own step without it (.ci/run).
func TestSARIFWithinGitHubLimits(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("large synthetic SARIF: run without -short and -race")
	}
	// 26,000 results in one run, 5,200 of each severity, with messages that
	// do not compress, so that the file is also over 10 MB gzipped.
	const n = 26_000
	rng := rand.New(rand.NewPCG(3, 4))
	big := synthetic("osv-scanner", n, func(i int) finding.Severity { return finding.Severity(i % 5) })
	for i := range big.Findings {
		b := make([]byte, 700)
		for j := range b {
			b[j] = "abcdefghijklmnopqrstuvwxyz0123456789"[rng.IntN(36)]
		}
		big.Findings[i].Message = string(b)
	}
	big.Findings[0].Trace = make([]finding.Frame, 10_050)
	for i := range big.Findings[0].Trace {
		big.Findings[0].Trace[i] = finding.Frame{Function: fmt.Sprint("f", i), Location: finding.Location{Path: "deep.go", StartLine: i + 1}}
	}
	var tags []string
	for i := range 30 {
		tags = append(tags, fmt.Sprintf("tag%02d", i))
	}
	big.Rules = []finding.Rule{{ID: "R0", Tags: append(tags, "external/cwe/cwe-327")}}
	// 25,100 rules in another run, 100 of them with a finding.
	rules := finding.Result{Tool: "govulncheck"}
	for i := range 25_100 {
		id := fmt.Sprintf("GO-2026-%05d", i)
		rules.Rules = append(rules.Rules, finding.Rule{ID: id, Short: "advisory " + id, Severity: finding.High})
		if i%251 == 0 {
			rules.Findings = append(rules.Findings, finding.Finding{Tool: "govulncheck", RuleID: id, Severity: finding.High,
				Message: "vulnerable", Location: finding.Location{Path: "go.mod", StartLine: 3}, Fingerprint: id})
		}
	}
	results := append([]finding.Result{big, rules}, featureSample()...)
	for i := range 20 {
		results = append(results, synthetic(fmt.Sprintf("tool%02d", i), 1, func(int) finding.Severity { return finding.Severity(i % 4) }))
	}
	start := time.Now()
	// The sample's incomplete bandit run is kept, so that it is one of the
	// 24 runs the run limit cuts from.
	doc := mustSARIF(t, results, SARIFOptions{KeepIncomplete: true})
	size, _ := GzipSize(doc)
	t.Logf("%d runs, %d findings, %d rules rendered in %s: %d bytes gzipped", len(results), n+100+8+20, 25_100+1,
		time.Since(start).Round(time.Millisecond), size)

	if len(doc.Runs) != 20 {
		t.Fatalf("%d runs", len(doc.Runs))
	}
	if size < GitHubLimits.GzipBytes*9/10 {
		t.Errorf("%d bytes gzipped: the size cut kept too little", size)
	}
	run := doc.Runs[0]
	kept := len(run.Results)
	if kept >= 25_000 || kept < 15_000 {
		t.Fatalf("%d results in the big run", kept)
	}
	// What is kept is the most severe: whole severities from critical down.
	rank := map[string]int{"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
	count := map[string]int{}
	for _, r := range run.Results {
		count[r.Properties.Properties["severity"].(string)]++
	}
	for sev, r := range rank {
		if r > rank["medium"] && count[sev] != 5200 || r < rank["low"] && count[sev] != 0 {
			t.Errorf("kept by severity: %v", count)
			break
		}
	}
	w := strings.Join(warnings(run), "\n")
	testkit.ContainsAll(t, "warnings", w, "at most 20 runs",
		"at most 25000 results per run; kept the 25000 most severe of 26000 (dropped info 1000)",
		"at most 10000 thread-flow locations", "at most 20 tags per rule",
		// 25,000 + 100 + the sample's 7 with a location + 16 tools.
		"up to 10000000 bytes gzipped; the file keeps its ", "most severe results of 25123, and this run lost")
	rule := run.Tool.Driver.Rules[0]
	if rule.Properties.Tags[0] != "security" || rule.Properties.Tags[1] != "external/cwe/cwe-327" || len(rule.Properties.Tags) != 20 {
		t.Errorf("tags kept: %v", rule.Properties.Tags)
	}
	gv := doc.Runs[1]
	if len(gv.Results) != 100 || len(gv.Tool.Driver.Rules) != 100 {
		t.Errorf("govulncheck run: %d results, %d rules", len(gv.Results), len(gv.Tool.Driver.Rules))
	}
	w = strings.Join(warnings(gv), "\n")
	testkit.ContainsAll(t, "warnings", w, "at most 25000 rules per run; kept the 25000 rules with the most severe findings of 25100, dropping 0 findings",
		"leaves out 24900 rules that no result in the file uses")
	// 24 runs (the two big ones, the sample's gosec and bandit, 20 tools with
	// one finding; the sample's safety was skipped): the 4 dropped are among
	// the 5 info-only tools (i%4 == 0).
	infoKept := 0
	for _, r := range doc.Runs {
		var i int
		if _, err := fmt.Sscanf(*r.Tool.Driver.Name, "tool%d", &i); err == nil && i%4 == 0 {
			infoKept++
		}
	}
	if infoKept != 1 {
		t.Errorf("%d info-only runs kept, want 1", infoKept)
	}
	if tool := os.Getenv("SARIF_MULTITOOL"); tool != "" {
		if errs := validate(t, tool, render(t, doc)); len(errs) > 0 {
			t.Errorf("the Multitool reports %d errors:\n%s", len(errs), strings.Join(errs[:min(len(errs), 20)], "\n"))
		}
	}
}

func TestSARIFRuleLimitKeepsTheRulesWithTheWorstFindings(t *testing.T) {
	r := finding.Result{Tool: "osv-scanner"}
	for i := range 40 {
		id := fmt.Sprintf("GHSA-%02d", i)
		r.Rules = append(r.Rules, finding.Rule{ID: id, Short: id})
		if i < 30 {
			r.Findings = append(r.Findings, finding.Finding{Tool: r.Tool, RuleID: id, Severity: finding.Severity(i % 5), Message: "m", Fingerprint: id,
				Location: finding.Location{Path: "go.mod", StartLine: i + 1}})
		}
	}
	r.Findings = append(r.Findings, finding.Finding{Tool: r.Tool, RuleID: "UNDESCRIBED", Severity: finding.Critical, Message: "m", Fingerprint: "u",
		Location: finding.Location{Path: "go.mod"}})
	lim := Limits{RulesPerRun: 10}
	doc := mustSARIF(t, []finding.Result{r}, SARIFOptions{Limits: lim})
	run := doc.Runs[0]
	if len(run.Tool.Driver.Rules) != 10 {
		t.Fatalf("%d rules", len(run.Tool.Driver.Rules))
	}
	for _, res := range run.Results {
		if lvl := res.Properties.Properties["severity"]; lvl != "critical" && lvl != "high" {
			t.Errorf("kept a %s finding", lvl)
		}
	}
	// One finding per rule: 7 critical rules (6 + UNDESCRIBED) and 3 of
	// the 6 high ones fill the 10 places.
	if len(run.Results) != 10 {
		t.Errorf("%d results", len(run.Results))
	}
}

func TestSARIFSizeLimitKeepsTheMostSevere(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	r := synthetic("gosec", 2000, func(i int) finding.Severity { return finding.Severity(i % 5) })
	for i := range r.Findings {
		// Incompressible text, so that size grows with the result count.
		b := make([]byte, 300)
		for j := range b {
			b[j] = "abcdefghijklmnopqrstuvwxyz0123456789"[rng.IntN(36)]
		}
		r.Findings[i].Message = string(b)
	}
	full, err := SARIF([]finding.Result{r}, SARIFOptions{})
	if err != nil {
		t.Fatal(err)
	}
	size, _ := GzipSize(full)
	lim := Limits{GzipBytes: size / 3}
	doc := mustSARIF(t, []finding.Result{r}, SARIFOptions{Limits: lim})
	got, _ := GzipSize(doc)
	kept := len(doc.Runs[0].Results)
	t.Logf("full %d bytes gz, limit %d, kept %d results in %d bytes", size, lim.GzipBytes, kept, got)
	if kept == 0 || kept >= 2000 || got > lim.GzipBytes || got < lim.GzipBytes*9/10 {
		t.Errorf("kept %d results in %d bytes for a %d byte limit", kept, got, lim.GzipBytes)
	}
	rank := map[string]int{"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
	prev := 4
	for _, res := range doc.Runs[0].Results {
		s := rank[res.Properties.Properties["severity"].(string)]
		if s > prev {
			t.Fatalf("a %d-severity result kept after a less severe one was dropped", s)
		}
		prev = min(prev, s)
	}
	if w := strings.Join(warnings(doc.Runs[0]), "\n"); !strings.Contains(w, fmt.Sprintf("keeps its %d most severe results of 2000", kept)) {
		t.Errorf("warning: %s", w)
	}
}

func TestSARIFLocationsPerResult(t *testing.T) {
	doc := sarif.NewReport()
	run := sarif.NewRunWithInformationURI("t", "https://example.com")
	res := run.CreateResultForRule("R")
	for range 1005 {
		res.AddLocation(physical(finding.Location{Path: "a.go", StartLine: 1}, ""))
	}
	doc.AddRun(run)
	if bad := CheckLimits(doc, Limits{}); len(bad) == 0 {
		t.Fatal("1005 locations not reported")
	}
	enforceDocument(doc, GitHubLimits)
	if n := len(res.Locations); n != 1000 {
		t.Errorf("%d locations", n)
	}
}

// TestCheckLimitsFindsRejections proves the checker used above can fail.
func TestCheckLimitsFindsRejections(t *testing.T) {
	doc := sarif.NewReport()
	for range 2 {
		run := sarif.NewRunWithInformationURI("gosec", "https://example.com")
		run.WithAutomationDetails(sarif.NewRunAutomationDetails().WithID("scangate/gosec/"))
		rule := run.AddRule("G1")
		rule.WithProperties(sarif.NewPropertyBag().Add("security-severity", 8.0).WithTags(make([]string, 21)))
		res := run.CreateResultForRule("G1")
		res.AddLocation(sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
			WithArtifactLocation(sarif.NewSimpleArtifactLocation("/home/ci/x.go"))))
		doc.AddRun(run)
	}
	bad := strings.Join(CheckLimits(doc, Limits{}), "\n")
	testkit.ContainsAll(t, "CheckLimits", bad, "a second run of gosec", "21 tags", "security-severity 8", "is absolute")
}

func TestSARIFSizeLimitDropsUnusedRulesFirst(t *testing.T) {
	t.Parallel()
	r := synthetic("osv-scanner", 20, func(int) finding.Severity { return finding.High })
	for i := range 3000 {
		id := fmt.Sprintf("GHSA-%04d", i)
		r.Rules = append(r.Rules, finding.Rule{ID: id, Short: id, Full: strings.Repeat(id+" details ", 20)})
	}
	full, err := SARIF([]finding.Result{r}, SARIFOptions{})
	if err != nil {
		t.Fatal(err)
	}
	size, _ := GzipSize(full)
	doc := mustSARIF(t, []finding.Result{r}, SARIFOptions{Limits: Limits{GzipBytes: size / 2}})
	run := doc.Runs[0]
	if len(run.Results) != 20 || len(run.Tool.Driver.Rules) != 7 {
		t.Errorf("%d results, %d rules; want every result and only the 7 rules they use", len(run.Results), len(run.Tool.Driver.Rules))
	}
	if w := strings.Join(warnings(run), "\n"); !strings.Contains(w, "leaves out 3000 rules that no result in the file uses") || strings.Contains(w, "keeps its") {
		t.Errorf("warnings:\n%s", w)
	}
}
