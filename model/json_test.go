package model

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/jsonlimit"
	"github.com/scangate/scangate/report/reporttest"
)

var update = flag.Bool("update", false, "rewrite testdata/report.golden.json from the JSON report of fullReport")

// The JSON report gives [] for an empty list, for a skipped scanner as for
// one that found nothing, and for a scan with no scanner.
func TestJSONEmptyListsAreArrays(t *testing.T) {
	t.Parallel()
	s := &Report{Version: "test", Root: "repo", Results: []finding.Result{
		{Tool: "bandit", State: finding.Skipped, Notifications: []finding.Notification{{Level: finding.LevelNote, Message: "bandit: skipped: not installed"}}},
		{Tool: "gosec", State: finding.Completed, Findings: []finding.Finding{}},
	}}
	var doc struct {
		Tools []struct {
			Tool     string           `json:"tool"`
			Findings *json.RawMessage `json:"findings"`
		} `json:"tools"`
		Remediations json.RawMessage `json:"remediations"`
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, s); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Tools) != 2 {
		t.Fatalf("tools: %s", buf.String())
	}
	for _, tl := range doc.Tools {
		if tl.Findings == nil || string(*tl.Findings) != "[]" {
			t.Errorf("%s: findings %s, want []", tl.Tool, rawOrAbsent(tl.Findings))
		}
	}
	if string(doc.Remediations) != "[]" {
		t.Errorf("remediations %s, want []", doc.Remediations)
	}

	buf.Reset()
	if err := WriteJSON(&buf, &Report{Version: "test"}); err != nil {
		t.Fatal(err)
	}
	var empty struct {
		Tools json.RawMessage `json:"tools"`
	}
	if err := json.Unmarshal(buf.Bytes(), &empty); err != nil || string(empty.Tools) != "[]" {
		t.Errorf("no scanner: tools %s (%v), want []", empty.Tools, err)
	}
	validateJSON(t, buf.Bytes())
}

func rawOrAbsent(m *json.RawMessage) string {
	if m == nil {
		return "null or absent"
	}
	return string(*m)
}

func sev(s finding.Severity) *finding.Severity { return &s }

// fullReport has every optional part of the model: a baseline, suppressed,
// unchanged and new findings, a trace, remediations, typed severities,
// properties, an incomplete and a skipped tool. No timing, fixed versions.
func fullReport() *Report {
	text := finding.Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.6", Fixed: []string{"v0.3.7"}, Manifest: "go.mod"}
	fix := "go.mod: upgrade golang.org/x/text v0.3.6 -> v0.3.7 fixes 1: go get golang.org/x/text@v0.3.7"
	return &Report{
		Root:     "repo",
		Version:  "v1.2.3",
		Baseline: ".scangate-baseline.json",
		Notes:    []string{".scangate-ignore.yml:4: suppression for G104 matches nothing"},
		Verdict: finding.Verdict{
			Outcome: finding.GateIncomplete, Threshold: "high", ToolThresholds: map[string]string{"gosec": "medium"},
			Total: 5, New: 2, Unchanged: 1, Fixed: 1, Suppressed: 1, Failing: 0,
			BySeverity:      map[finding.Severity]int{finding.Medium: 1, finding.Low: 1},
			IncompleteTools: []string{"bandit"}, SeverityUnknown: 1, Unfixed: 1, IgnoreUnfixed: true,
		},
		Results: []finding.Result{
			{Tool: "gosec", Version: "2.30.0", InformationURI: "https://github.com/securego/gosec", State: finding.Completed,
				Rules: []finding.Rule{
					{ID: "G401", Name: "WeakCrypto", Short: "Use of weak cryptographic primitive", Full: "Use of weak cryptographic primitive. CWE-328.",
						Help: "Use SHA-256.", HelpMarkdown: "Use **SHA-256**.", HelpURI: "https://cwe.mitre.org/data/definitions/328.html",
						Tags: []string{"security", "external/cwe/cwe-328"}, Severity: finding.Medium},
				},
				Findings: []finding.Finding{
					{Tool: "gosec", RuleID: "G401", Severity: finding.Low, ToolSeverity: sev(finding.Medium), Confidence: "high",
						Message:  "Use of weak cryptographic primitive",
						Location: finding.Location{Path: "main.go", StartLine: 15, StartColumn: 9, EndLine: 15, EndColumn: 20, Snippet: "md5.New()"},
						Module:   "example.com/m", Tools: []string{"gosec"}, Fingerprint: "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f01",
						Status: finding.StatusNew, Properties: map[string]string{"goVersion": "go1.22"}},
					{Tool: "gosec", RuleID: "G401", Severity: finding.Medium, Confidence: "high", Message: "Use of weak cryptographic primitive",
						Location: finding.Location{Path: "main.go", StartLine: 23, StartColumn: 7}, Module: "example.com/m", Tools: []string{"gosec"},
						Fingerprint: "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f02", Status: finding.StatusSuppressed,
						Suppressions: []finding.Suppression{
							{Kind: "inSource", Justification: "cache key only", Marker: "#nosec"},
							{Kind: "external", Justification: "reviewed", Marker: ".scangate-ignore.yml", Expires: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)},
						}},
				}},
			{Tool: "govulncheck", Version: "v1.9.0", InformationURI: "https://pkg.go.dev/golang.org/x/vuln/cmd/govulncheck", State: finding.Completed,
				Rules: []finding.Rule{{ID: "GO-2021-0113", Name: "GO-2021-0113", Short: "Out-of-bounds read in golang.org/x/text/language",
					HelpURI: "https://pkg.go.dev/vuln/GO-2021-0113", Tags: []string{"CVE-2021-38561", "GHSA-ppp9-7jff-5vj2"}, Severity: finding.High, Score: 7.5},
					{ID: "GO-2023-2402", Severity: finding.Low, SeverityUnknown: true}},
				Findings: []finding.Finding{
					{Tool: "govulncheck", RuleID: "GO-2021-0113", Severity: finding.Medium, AdvisorySeverity: sev(finding.High), Score: 7.5,
						SeverityFrom: "GHSA-ppp9-7jff-5vj2", Reachable: finding.Imported,
						Message:  "GO-2021-0113: Out-of-bounds read in golang.org/x/text/language (golang.org/x/text v0.3.6, fixed in v0.3.7): package imported",
						Location: finding.Location{Path: "go.mod", StartLine: 7, StartColumn: 2, EndLine: 7, EndColumn: 26},
						Module:   "example.com/m", Package: &text, Aliases: []string{"CVE-2021-38561", "GHSA-ppp9-7jff-5vj2"},
						Trace: []finding.Frame{
							{Function: "main", Package: "example.com/m", Location: finding.Location{Path: "main.go", StartLine: 11, StartColumn: 26}},
							{Function: "Parse", Package: "golang.org/x/text/language", External: true, Location: finding.Location{Path: "language/parse.go", StartLine: 33, StartColumn: 6}},
						},
						Tools: []string{"govulncheck", "osv-scanner"}, Fingerprint: "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f03", Status: finding.StatusNew,
						Remediation: fix, Properties: map[string]string{"scanLevel": "symbol", "osvIds": "GO-2021-0113,GHSA-ppp9-7jff-5vj2"}},
					{Tool: "govulncheck", RuleID: "GO-2023-2402", Severity: finding.Low, SeverityUnknown: true, Reachable: finding.Required,
						Message:  "GO-2023-2402: Man-in-the-middle attacker in golang.org/x/crypto (golang.org/x/crypto v0.16.0, no fixed version)",
						Location: finding.Location{Path: "go.mod", StartLine: 6, StartColumn: 2},
						Package:  &finding.Package{Ecosystem: "Go", Name: "golang.org/x/crypto", Version: "v0.16.0", Manifest: "go.mod"},
						Tools:    []string{"govulncheck"}, Fingerprint: "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f04", Status: finding.StatusBaseline},
				},
				Notifications: []finding.Notification{{Level: finding.LevelNote, Message: "govulncheck: standard library checked as go1.26.8"}}},
			{Tool: "bandit", Version: "1.6.2", State: finding.Incomplete, Findings: []finding.Finding{},
				Notifications: []finding.Notification{{Level: finding.LevelError, Message: "bandit: tools/x.py: syntax error",
					Location: finding.Location{Path: "tools/x.py", StartLine: 3}}}},
			{Tool: "safety", State: finding.Skipped, Notifications: []finding.Notification{{Level: finding.LevelNote, Message: "safety: skipped: not installed"}}},
		},
		Remediations: []finding.Remediation{
			{Package: finding.Package{Ecosystem: "Go", Name: "golang.org/x/crypto", Version: "v0.16.0", Manifest: "go.mod"}, Unfixed: 1, Findings: 1},
			{Package: finding.Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.6", Manifest: "go.mod"}, To: "v0.3.7", Fixes: 1, Findings: 1,
				Apply: "go get golang.org/x/text@v0.3.7"},
		},
	}
}

func renderJSON(t *testing.T, s *Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, s); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The JSON of a fixed report is the golden file: a change of the contract
// shows in review. go test ./model -update rewrites it.
func TestJSONGolden(t *testing.T) {
	got := renderJSON(t, fullReport())
	golden := filepath.Join("testdata", "report.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./model -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the JSON report differs from %s (review the change; go test ./model -update rewrites it):\n%s", golden, firstDiff(got, want))
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got  %s\n want %s", i+1, gl, wl)
		}
	}
	return ""
}

func validateJSON(t *testing.T, data []byte) {
	t.Helper()
	if err := schemaError(t, data); err != nil {
		t.Errorf("the JSON report does not validate against its schema: %v", err)
	}
}

func schemaError(t *testing.T, data []byte) error {
	t.Helper()
	return reporttest.ValidateJSON(t, reporttest.CompileSchema(t, "scangate-report.schema.json", Schema()), data)
}

func TestJSONSchema(t *testing.T) {
	validateJSON(t, renderJSON(t, fullReport()))

	// The schema is strict: a key it does not know, a property key in
	// another style, a duplicate list value or a wrong enum fails, so that
	// a change of the report without a change of the schema fails here.
	for _, tc := range []struct{ name, from, to string }{
		{"unknown finding key", `"fingerprint": "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f01",`, `"fingerprint": "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f01", "line": 15,`},
		{"unknown top-level key", `"root": "repo",`, `"root": "repo", "durationNs": 0,`},
		{"snake_case property", `"scanLevel": "symbol"`, `"scan_level": "symbol"`},
		{"dotted property", `"goVersion": "go1.22"`, `"go.version": "go1.22"`},
		{"duplicate fixed version", `"fixed": [
              "v0.3.7"`, `"fixed": [
              "v0.3.7", "v0.3.7"`},
		{"wrong schemaVersion", `"schemaVersion": 1,`, `"schemaVersion": 2,`},
		{"unknown severity", `"severity": "low",`, `"severity": "minor",`},
		{"remediation key in another style", `"fixes": 1,`, `"Fixes": 1,`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := string(renderJSON(t, fullReport()))
			if !strings.Contains(doc, tc.from) {
				t.Fatalf("the report lacks %q", tc.from)
			}
			if err := schemaError(t, []byte(strings.Replace(doc, tc.from, tc.to, 1))); err == nil {
				t.Errorf("accepted with %s", tc.to)
			}
		})
	}
}

// ReadJSON gives back the report JSON wrote.
func TestReadJSONRoundTrip(t *testing.T) {
	want := fullReport()
	want.Duration = 1500 * time.Millisecond
	want.Results[0].Duration = 250 * time.Millisecond
	want.Results[3].Findings = []finding.Finding{} // JSON has [] for none
	file := filepath.Join(t.TempDir(), "scan.json")
	if err := os.WriteFile(file, renderJSON(t, want), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSON(file)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("read back:\n%s\nwant\n%s", firstDiff(g, w), w)
	}
}

func TestReadJSONErrors(t *testing.T) {
	dir := t.TempDir()
	good := string(renderJSON(t, fullReport()))
	for _, tc := range []struct{ name, doc, want string }{
		{"syntax", "{\n  \"schemaVersion\": 1,\n  \"tools\": [,]\n}\n", "line 3, column 13: invalid character ','"},
		{"not an object", `[1]`, "want a JSON object, got a JSON array"},
		{"no version", `{"tools": []}`, "no schemaVersion: not a JSON report written by scangate scan --json"},
		{"newer version", strings.Replace(good, `"schemaVersion": 1`, `"schemaVersion": 2`, 1), "schemaVersion 2, but this scangate reads schemaVersion 1"},
		{"version not a number", `{"schemaVersion": "1"}`, `schemaVersion "1" is not a whole number`},
		{"wrong type", strings.Replace(good, `"total": 5`, `"total": "5"`, 1), "cannot unmarshal string"},
		{"bad severity", strings.Replace(good, `"severity": "low",`, `"severity": "minor",`, 1), `unknown severity "minor"`},
		{"no fingerprint", strings.Replace(good, `"fingerprint": "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f03",`, ``, 1), "tools[1].findings[0]: tool, ruleId and fingerprint are required"},
		{"no tools", `{"schemaVersion": 1, "verdict": {}}`, `"tools" and "verdict" are required`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
			if err := os.WriteFile(file, []byte(tc.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadJSON(file)
			if err == nil || !strings.HasPrefix(err.Error(), "JSON report "+file+": ") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error naming %s with %q", err, file, tc.want)
			}
		})
	}
	missing := filepath.Join(dir, "missing.json")
	if _, err := ReadJSON(missing); err == nil || err.Error() != "JSON report "+missing+": no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
}

// What merge reads is bounded: a hostile shard file cannot make the
// decoder allocate without limit. Each bound is an error naming the file.
func TestReadJSONBounds(t *testing.T) {
	dir := t.TempDir()
	good := renderJSON(t, fullReport())
	write := func(name, doc string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	head := `{"schemaVersion": 1, "verdict": {}, "tools": [{"tool": "gosec", "findings": [`
	for _, tc := range []struct{ name, doc, want string }{
		{"long list", head + strings.Repeat(`{},`, 250_000) + `{}]}]}`, `tools[0].findings: more than 250000 entries`},
		{"long string", `{"schemaVersion": 1, "root": "` + strings.Repeat("a", 1<<20+1) + `"}`, "root: a string of 1048577 bytes, more than 1048576"},
		{"deep", `{"schemaVersion": 1, "x": ` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, "nested more than 32 deep"},
	} {
		file := write(tc.name+".json", tc.doc)
		_, err := ReadJSON(file)
		if err == nil || !strings.HasPrefix(err.Error(), "JSON report "+file+": ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error naming %s with %q", tc.name, err, file, tc.want)
		}
	}

	// One budget across files: each fits, together they do not.
	a, b := write("a.json", string(good)), write("b.json", string(good))
	budget := &Budget{Bytes: int64(len(good))*2 - 1, Entries: 1 << 20}
	if _, err := ReadJSONWithin(a, budget); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadJSONWithin(b, budget); err == nil || !strings.HasPrefix(err.Error(), "JSON report "+b+": ") || !strings.Contains(err.Error(), "bytes, more than the") {
		t.Errorf("bytes over the budget: %v", err)
	}
	entries, _ := jsonlimit.Check(good, jsonlimit.Limits{})
	budget = &Budget{Bytes: 1 << 30, Entries: entries*2 - 1}
	if _, err := ReadJSONWithin(a, budget); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadJSONWithin(b, budget); err == nil || !strings.Contains(err.Error(), "entries in the whole document") {
		t.Errorf("entries over the budget: %v", err)
	}
	// A file that is not regular is read up to the bound, not to its end.
	if _, err := ReadJSONWithin("/dev/zero", &Budget{Bytes: 1 << 20, Entries: 10}); err == nil || !strings.Contains(err.Error(), "more than the 1048576 bytes left to read") {
		t.Errorf("/dev/zero: %v", err)
	}
}

// A JSON report reads as a baseline's findings, a SARIF file as before.
func TestReadFindings(t *testing.T) {
	s := fullReport()
	fs, err := ReadFindings("scan.json", renderJSON(t, s))
	if err != nil {
		t.Fatal(err)
	}
	var want []finding.Finding
	for _, r := range s.Results {
		want = append(want, r.Findings...)
	}
	if !reflect.DeepEqual(fs, want) {
		t.Errorf("findings %+v\nwant %+v", fs, want)
	}
	if _, err := ReadFindings("scan.json", []byte(`{"schemaVersion": 7, "tools": []}`)); err == nil ||
		err.Error() != "baseline scan.json: schemaVersion 7, but this scangate reads schemaVersion 1 (docs/json.md)" {
		t.Errorf("newer report: %v", err)
	}
	if _, err := ReadFindings("old.sarif", []byte(`{"version":"2.0.0","runs":[]}`)); err == nil || !strings.Contains(err.Error(), `SARIF version "2.0.0"`) {
		t.Errorf("SARIF: %v", err)
	}
}

// A shard's report carries its section in the schema, and ReadJSON gives
// merge back exactly what the shard recorded.
func TestShardJSONRoundTrip(t *testing.T) {
	r := fullReport()
	raw := make([]finding.Result, len(r.Results))
	for i, res := range r.Results {
		res.Findings = append([]finding.Finding{}, res.Findings...) // [] as written, never null
		for j := range res.Findings {
			res.Findings[j].Status = finding.StatusNew // before policy
		}
		res.Duration = time.Duration(i+1) * time.Second
		raw[i] = res
	}
	r.Shard = &ShardInfo{Index: 2, Count: 3, Commit: strings.Repeat("a", 40), Tree: "t", Settings: "fail-on: medium\n", Narrowed: true, Database: "d",
		Units: []Unit{{Kind: "go-module", Path: ".", Size: 42}}, Ran: []string{"gosec"}, Results: raw,
		Ratings: []Rating{{Ecosystem: "Go", ID: "GHSA-69CH-W2M2-3VJP", Vectors: []string{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}}}}
	data := renderJSON(t, r)
	validateJSON(t, data)
	path := filepath.Join(t.TempDir(), "shard.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Shard == nil {
		t.Fatal("no shard section read back")
	}
	got, want := *back.Shard, *r.Shard
	got.Results, want.Results = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("shard section read back as %+v, want %+v", got, want)
	}
	a, _ := json.Marshal(back.Shard.Results)
	b, _ := json.Marshal(raw)
	if !bytes.Equal(a, b) {
		t.Errorf("shard results read back differ:\n%s\nwant\n%s", a, b)
	}
	for i, res := range back.Shard.Results {
		if res.Duration != raw[i].Duration {
			t.Errorf("%s: duration %v, want %v", res.Tool, res.Duration, raw[i].Duration)
		}
	}
}

// A scan with --new-from-rev names its base, in words too; the schema
// knows the object.
func TestJSONNewFrom(t *testing.T) {
	r := fullReport()
	r.NewFrom = &Comparison{Ref: "origin/main", Commit: "0123456789abcdef0123456789abcdef01234567", Incomplete: []string{"govulncheck"}}
	doc := renderJSON(t, r)
	validateJSON(t, doc)
	var got struct {
		NewFrom map[string]any `json:"newFrom"`
	}
	if err := json.Unmarshal(doc, &got); err != nil {
		t.Fatal(err)
	}
	if got.NewFrom["description"] != "new relative to 0123456 (merge-base of origin/main)" || got.NewFrom["commit"] != r.NewFrom.Commit {
		t.Errorf("newFrom = %v", got.NewFrom)
	}
	if err := schemaError(t, bytes.Replace(doc, []byte(`"ref": "origin/main"`), []byte(`"ref": "origin/main", "sha": "x"`), 1)); err == nil {
		t.Errorf("the schema accepts an unknown key in newFrom")
	}
}
