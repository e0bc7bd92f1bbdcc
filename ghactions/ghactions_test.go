package ghactions

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/ghtest"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/report"
)

// parseCommand reads a workflow command line the way the runner does
// (actions/runner ActionCommand.TryParseV2): the command ends at the first
// "::" after the leading one, properties split on ',' then on the first
// '=', and values are unescaped with %25 last.
func parseCommand(line string) (name string, props map[string]string, data string, ok bool) {
	line = strings.TrimLeft(line, " \t")
	if !strings.HasPrefix(line, "::") {
		return "", nil, "", false
	}
	end := strings.Index(line[2:], "::")
	if end < 0 {
		return "", nil, "", false
	}
	info := line[2 : 2+end]
	name, propStr, _ := strings.Cut(info, " ")
	props = map[string]string{}
	unprop := strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",")
	undata := strings.NewReplacer("%0D", "\r", "%0A", "\n")
	for _, p := range strings.Split(strings.TrimSpace(propStr), ",") {
		k, v, found := strings.Cut(p, "=")
		if p == "" || !found || k == "" || v == "" {
			continue
		}
		props[k] = strings.ReplaceAll(unprop.Replace(v), "%25", "%")
	}
	data = strings.ReplaceAll(undata.Replace(line[2+end+2:]), "%25", "%")
	return name, props, data, true
}

// roundTrip writes a and reads it back as the runner does: one line, a
// command named by a's level.
func roundTrip(t *testing.T, a Annotation) (props map[string]string, data, line string) {
	t.Helper()
	line = a.String()
	if strings.ContainsAny(line, "\r\n") {
		t.Fatalf("command spans lines: %q", line)
	}
	name, props, data, ok := parseCommand(line)
	if !ok || name != string(a.Level) {
		t.Fatalf("not parsed as a %s command: %q", a.Level, line)
	}
	return props, data, line
}

const nasty = "50%25 100% a:b, c,d\r\n::error file=x.go::injected\n::add-mask::secret %0A ::"

func TestAnnotationEscapingRoundTrips(t *testing.T) {
	a := Annotation{Level: Error, File: "dir%2C/we%ird:na,me::x\n::warning::pwn.go", Line: 7, Col: 3, EndColumn: 9,
		Title: "HIGH G101 (gosec): a,b:c", Message: nasty}
	props, data, line := roundTrip(t, a)
	want := map[string]string{"file": a.File, "line": "7", "col": "3", "endColumn": "9", "title": a.Title}
	if fmt.Sprint(props) != fmt.Sprint(want) {
		t.Errorf("properties\n got %q\nwant %q\nline %s", props, want, line)
	}
	if data != nasty {
		t.Errorf("message\n got %q\nwant %q", data, nasty)
	}
}

func FuzzAnnotationRoundTrip(f *testing.F) {
	f.Add("a.go", "t", "m")
	f.Add("we%ird:na,me::x\n::error::y", "t,i:t%le", nasty)
	f.Add("%0A%25%3A", "%2C", "%250A")
	f.Fuzz(func(t *testing.T, file, title, msg string) {
		props, data, _ := roundTrip(t, Annotation{Level: Warning, File: file, Line: 1, Title: title, Message: msg})
		if len(props) > 3 {
			t.Errorf("extra properties: %q", props)
		}
		if file != "" && props["file"] != file {
			t.Errorf("file %q -> %q", file, props["file"])
		}
		if strings.TrimSpace(title) != props["title"] {
			t.Errorf("title %q -> %q", title, props["title"])
		}
		if data != msg {
			t.Errorf("message %q -> %q", msg, data)
		}
	})
}

func TestAnnotationPositions(t *testing.T) {
	for _, tc := range []struct {
		a    Annotation
		want string
	}{
		{Annotation{Level: Notice, Message: "m"}, "::notice::m"},
		{Annotation{Level: Error, File: "a.go", Message: "m"}, "::error file=a.go::m"},
		{Annotation{Level: Error, File: "a.go", Line: 3, EndLine: 5, Col: 2, EndColumn: 4, Message: "m"},
			"::error file=a.go,line=3,endLine=5::m"}, // columns only on one line
		{Annotation{Level: Error, File: "a.go", Line: 3, EndLine: 3, Col: 2, EndColumn: 4, Title: "T", Message: "m"},
			"::error file=a.go,line=3,col=2,endColumn=4,title=T::m"},
		{Annotation{Level: Warning, Line: 3, Message: "m"}, "::warning::m"}, // a line without a file means nothing
	} {
		if got := tc.a.String(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}

func TestCapKeepsTheFirstTenOfEachLevel(t *testing.T) {
	var anns []Annotation
	for i := range 25 {
		anns = append(anns, Annotation{Level: Error, Message: fmt.Sprint("e", i)})
		if i < 12 {
			anns = append(anns, Annotation{Level: Warning, Message: fmt.Sprint("w", i)})
		}
		if i < 3 {
			anns = append(anns, Annotation{Level: Notice, Message: fmt.Sprint("n", i)})
		}
	}
	kept, dropped := Cap(anns)
	count := map[Level]int{}
	for _, a := range kept {
		count[a.Level]++
	}
	if count[Error] != 10 || count[Warning] != 10 || count[Notice] != 3 {
		t.Errorf("kept %v", count)
	}
	if dropped[Error] != 15 || dropped[Warning] != 2 || dropped[Notice] != 0 {
		t.Errorf("dropped %v", dropped)
	}
	var errs []string
	for _, a := range kept {
		if a.Level == Error {
			errs = append(errs, a.Message)
		}
	}
	if strings.Join(errs, " ") != "e0 e1 e2 e3 e4 e5 e6 e7 e8 e9" {
		t.Errorf("kept errors %v, want the first ten in order", errs)
	}
}

func TestFromFindings(t *testing.T) {
	fs := []finding.Finding{
		{Tool: "gosec", RuleID: "G401", Severity: finding.High, Message: "weak hash", Location: finding.Location{Path: "a/b.go", StartLine: 4, StartColumn: 2}},
		{Tool: "osv-scanner", Tools: []string{"govulncheck", "osv-scanner"}, RuleID: "GO-2024-1", Severity: finding.Medium, Message: "vuln",
			Location: finding.Location{Path: "go.mod", StartLine: 5}, Package: &finding.Package{Ecosystem: "Go", Name: "x", Version: "v1.2.0", Fixed: []string{"v1.2.3"}, Manifest: "go.mod"},
			Remediation: "upgrade x to v1.2.3"},
		{Tool: "bandit", RuleID: "B101", Severity: finding.Low, Message: "assert"},
		{Tool: "govulncheck", RuleID: "GO-2023-2402", Severity: finding.Low, SeverityUnknown: true, Message: "no score"},
	}
	anns := FromFindings(fs, "svc")
	// The message is report.Message's: the tool's text and the fix.
	want := []string{
		"::error file=svc/a/b.go,line=4,col=2,title=HIGH G401 (gosec)::",
		"::warning file=svc/go.mod,line=5,title=MEDIUM GO-2024-1 (govulncheck+osv-scanner)::",
		"::notice title=LOW B101 (bandit)::",
		"::notice title=UNKNOWN GO-2023-2402 (govulncheck)::", // as every output names it
	}
	for i, a := range anns {
		if w := want[i] + EscapeData(report.Message(fs[i])); a.String() != w {
			t.Errorf("got  %s\nwant %s", a, w)
		}
	}
	if !strings.Contains(anns[1].Message, "upgrade x to v1.2.3") {
		t.Errorf("the fix is not in the message: %q", anns[1].Message)
	}
}

func TestStopCommandsWrapsWithARandomToken(t *testing.T) {
	var b bytes.Buffer
	resume := StopCommands(&b)
	b.WriteString("::error::from a file name\n")
	resume()
	resume() // idempotent
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %q", lines)
	}
	tok, ok := strings.CutPrefix(lines[0], "::stop-commands::")
	if !ok || len(tok) < 32 {
		t.Fatalf("bad stop line %q", lines[0])
	}
	if lines[2] != "::"+tok+"::" {
		t.Errorf("resume %q does not match token %q", lines[2], tok)
	}
	if Token() == Token() {
		t.Error("tokens repeat")
	}
}

func TestOutputsFileFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out")
	os.WriteFile(path, []byte("earlier=1\n"), 0o644)
	err := SetOutputs(path, []Output{{"verdict", "fail"}, {"findings", "3"}, {"sarif-file", "odd\nname.sarif"}})
	if err != nil {
		t.Fatal(err)
	}
	got := ghtest.ReadOutputs(t, path)
	want := map[string]string{"earlier": "1", "verdict": "fail", "findings": "3", "sarif-file": "odd\nname.sarif"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q want %q", got, want)
	}
	if err := SetOutputs(path, []Output{{"bad\nname", "x"}}); err == nil {
		t.Error("accepted a name with a line break")
	}
}

func TestSummaryAppendsAndTruncates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.md")
	os.WriteFile(path, []byte("# from an earlier step\n"), 0o644)
	if err := AppendSummary(path, []byte("## scangate")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if string(b) != "# from an earlier step\n## scangate\n" {
		t.Errorf("got %q", b)
	}
	big := bytes.Repeat([]byte("| row | row |\n"), SummaryLimit/10)
	path2 := filepath.Join(t.TempDir(), "big.md")
	if err := AppendSummary(path2, big); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(path2)
	if len(b) > SummaryLimit || !bytes.Contains(b, []byte("truncated")) || !bytes.HasPrefix(b, []byte("| row | row |\n")) {
		t.Errorf("size %d, truncated note: %v", len(b), bytes.Contains(b, []byte("truncated")))
	}
	if err := AppendSummary("", []byte("x")); err == nil || !strings.Contains(err.Error(), "GITHUB_STEP_SUMMARY") {
		t.Errorf("unset path: %v", err)
	}
}

// The sink publishes once, inside Actions only: commands stay paused until
// it does, an incomplete scanner is the first annotation, and the step
// outputs carry the verdict and the SARIF report's figures.
func TestSinkPublishes(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": filepath.Join(dir, "out"), "GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md")}
	var stderr bytes.Buffer
	s := Start(func(k string) string { return env[k] }, &stderr)
	if !strings.HasPrefix(stderr.String(), "::stop-commands::") {
		t.Fatalf("commands not paused: %q", stderr.String())
	}
	r := &model.Report{Results: []finding.Result{{Tool: "gosec", State: finding.Incomplete}}}
	r.Verdict.Outcome = finding.GateIncomplete
	r.Verdict.IncompleteTools = []string{"gosec"}
	err := s.Publish(context.Background(), r, Publication{SARIFFile: "x.sarif", Written: report.Written{SARIFRuns: 2, LeftOut: []string{"gosec"}}})
	if err != nil {
		t.Fatal(err)
	}
	s.Stop() // already resumed: no second resume line
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[2], "::error title=scangate%3A gosec could not complete::") || !strings.Contains(lines[2], "left out of the SARIF report") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	out := ghtest.ReadOutputs(t, env["GITHUB_OUTPUT"])
	if len(out) != len(Outputs) || out["sarif-file"] != "x.sarif" || out["sarif-runs"] != "2" || out["incomplete"] != "gosec" || out["verdict"] != finding.GateIncomplete.String() {
		t.Errorf("outputs %q", out)
	}
	if md, err := os.ReadFile(env["GITHUB_STEP_SUMMARY"]); err != nil || !bytes.Contains(md, []byte("## scangate")) {
		t.Errorf("summary %q, %v", md, err)
	}

	// Outside Actions, and without a comment to post, nothing is written.
	stderr.Reset()
	s = Start(func(string) string { return "" }, &stderr)
	if err := s.Publish(context.Background(), r, Publication{}); err != nil || stderr.Len() > 0 {
		t.Errorf("outside Actions: %v, %q", err, stderr.String())
	}
}
