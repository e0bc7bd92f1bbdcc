package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/policy"
	"github.com/scangate/scangate/report/reporttest"
)

// gitlabSchemas are the schemas GitLab reports are checked against: ours
// (testdata/gitlab-schemas, always) and, when $SCANGATE_GITLAB_SCHEMAS names
// a directory holding GitLab's published files, those too.
func gitlabSchemas(t testing.TB, dir string) map[string][]string {
	t.Helper()
	out := map[string][]string{
		"sast":                {filepath.Join(dir, "sast.schema.json")},
		"dependency_scanning": {filepath.Join(dir, "dependency-scanning.schema.json")},
		"secret_detection":    {filepath.Join(dir, "secret-detection.schema.json")},
	}
	if up := os.Getenv("SCANGATE_GITLAB_SCHEMAS"); up != "" {
		for typ, name := range map[string]string{"sast": "sast-report-format.json", "dependency_scanning": "dependency-scanning-report-format.json", "secret_detection": "secret-detection-report-format.json"} {
			p := filepath.Join(up, name)
			if _, err := os.Stat(p); err != nil {
				t.Fatalf("SCANGATE_GITLAB_SCHEMAS: %v", err)
			}
			out[typ] = append(out[typ], p)
		}
	}
	return out
}

// validateGitLab checks doc against every schema for its scan type.
func validateGitLab(t *testing.T, doc []byte) {
	t.Helper()
	var head struct {
		Scan struct{ Type string } `json:"scan"`
	}
	if err := json.Unmarshal(doc, &head); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, doc)
	}
	schemas := gitlabSchemas(t, "../testdata/gitlab-schemas")[head.Scan.Type]
	if len(schemas) == 0 {
		t.Fatalf("scan.type %q has no schema", head.Scan.Type)
	}
	for _, p := range schemas {
		if err := validateJSONSchema(t, p, doc); err != nil {
			t.Errorf("%s: %v\n%s", p, err, doc)
		}
	}
}

// validateJSONSchema validates doc against the JSON Schema file at path.
func validateJSONSchema(t *testing.T, path string, doc []byte) error {
	t.Helper()
	sch, err := jsonschema.NewCompiler().Compile(path)
	if err != nil {
		t.Fatal(err)
	}
	return reporttest.ValidateJSON(t, sch, doc)
}

func gitlabSample(t *testing.T) *model.Report {
	t.Helper()
	results := sampleResults()
	for i := range results {
		results[i].Kind = finding.KindCode
		if results[i].Tool == "govulncheck" {
			results[i].Kind = finding.KindDependencies
		}
	}
	policy.MarkSuppressed(results)
	v := policy.Evaluate(results, policy.Policy{FailOn: policy.Threshold{Severity: finding.High}})
	return &model.Report{Root: "repo", Version: "v1.2.3", Results: results, Verdict: v,
		Started: time.Date(2026, 3, 4, 5, 6, 7, 800, time.FixedZone("X", 3600)), Duration: 90 * time.Second}
}

type glDoc struct {
	Version string
	Scan    struct {
		Type, Status, StartTime, EndTime string
		Analyzer, Scanner                struct{ ID, Name, Version string }
		Messages                         []struct{ Level, Value string }
	}
	Vulnerabilities []struct {
		ID, Name, Description, Severity, Solution string
		Identifiers                               []struct{ Type, Name, Value, URL string }
		Location                                  struct {
			File               string
			StartLine, EndLine int
			Dependency         *struct {
				Package struct{ Name string }
				Version string
			}
		}
	}
	DependencyFiles []struct {
		Path, PackageManager string
		Dependencies         []struct {
			Package struct{ Name string }
			Version string
		}
	}
}

// decodeGitLab reads a report with the schemas' snake_case keys.
func decodeGitLab(t *testing.T, b []byte) glDoc {
	t.Helper()
	snake := regexp.MustCompile(`"([a-z]+)_([a-z]+)":`)
	b = snake.ReplaceAll(b, []byte(`"$1$2":`))
	var d glDoc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func renderTo(t *testing.T, f func(*bytes.Buffer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGitLabSAST(t *testing.T) {
	s := gitlabSample(t)
	b := renderTo(t, func(w *bytes.Buffer) error { return GitLabSAST(w, s, "") })
	validateGitLab(t, b)
	d := decodeGitLab(t, b)
	if d.Version != GitLabSchemaVersion || d.Scan.Type != "sast" {
		t.Errorf("version %q type %q", d.Version, d.Scan.Type)
	}
	if d.Scan.StartTime != "2026-03-04T04:06:07" || d.Scan.EndTime != "2026-03-04T04:07:37" {
		t.Errorf("times %s .. %s, want UTC to the second", d.Scan.StartTime, d.Scan.EndTime)
	}
	if d.Scan.Analyzer.Version != "v1.2.3" || d.Scan.Scanner.Version != "v1.2.3" || !strings.Contains(d.Scan.Scanner.Name, "gosec v2.30.0") {
		t.Errorf("analyzer %+v scanner %+v", d.Scan.Analyzer, d.Scan.Scanner)
	}
	// gosec completed; bandit was skipped, which is not a failure but is said.
	if d.Scan.Status != "success" {
		t.Errorf("status %s", d.Scan.Status)
	}
	if len(d.Scan.Messages) != 1 || d.Scan.Messages[0].Level != "info" || !strings.Contains(d.Scan.Messages[0].Value, "bandit: skipped (not installed)") {
		t.Errorf("messages %+v", d.Scan.Messages)
	}
	// The #nosec finding is left out; no dependency finding gets in.
	if len(d.Vulnerabilities) != 2 {
		t.Fatalf("%d vulnerabilities, want 2:\n%s", len(d.Vulnerabilities), b)
	}
	v := d.Vulnerabilities[1]
	if v.Location.File != "main.go" || v.Location.StartLine != 15 || v.Severity != "Medium" || v.Name != "Use of weak cryptographic primitive" {
		t.Errorf("G401: %+v", v)
	}
	ids := v.Identifiers
	if len(ids) != 2 || ids[0].Type != "gosec_rule_id" || ids[0].Value != "G401" || ids[1].Type != "cwe" || ids[1].Value != "328" ||
		ids[1].URL != "https://cwe.mitre.org/data/definitions/328.html" {
		t.Errorf("identifiers %+v", ids)
	}
	if d.Vulnerabilities[0].Location.File != "a/b.go" || d.Vulnerabilities[0].Severity != "High" {
		t.Errorf("first by path: %+v", d.Vulnerabilities[0])
	}
	if d.DependencyFiles != nil {
		t.Error("a SAST report has no dependency_files")
	}
}

func TestGitLabDependencyScanning(t *testing.T) {
	s := gitlabSample(t)
	b := renderTo(t, func(w *bytes.Buffer) error { return GitLabDependencyScanning(w, s, "") })
	validateGitLab(t, b)
	d := decodeGitLab(t, b)
	// govulncheck could not complete: never a success.
	if d.Scan.Type != "dependency_scanning" || d.Scan.Status != "failure" {
		t.Errorf("type %s status %s", d.Scan.Type, d.Scan.Status)
	}
	var levels []string
	for _, m := range d.Scan.Messages {
		levels = append(levels, m.Level+": "+m.Value)
	}
	want := []string{"fatal: govulncheck: could not complete; its findings are partial", "warn: govulncheck: module sub: loading packages: boom"}
	if !slices.Equal(levels, want) {
		t.Errorf("messages %q, want %q", levels, want)
	}
	if len(d.Vulnerabilities) != 1 {
		t.Fatalf("%d vulnerabilities:\n%s", len(d.Vulnerabilities), b)
	}
	v := d.Vulnerabilities[0]
	if v.Location.File != "go.mod" || v.Location.Dependency == nil || v.Location.Dependency.Package.Name != "golang.org/x/text" || v.Location.Dependency.Version != "v0.3.6" {
		t.Errorf("location %+v", v.Location)
	}
	if v.Severity != "High" || v.Solution != "upgrade golang.org/x/text v0.3.6 -> v0.3.7 fixes 1" {
		t.Errorf("severity %s solution %q", v.Severity, v.Solution)
	}
	if len(v.Identifiers) != 2 || v.Identifiers[0].Type != "go" || v.Identifiers[0].Value != "GO-2021-0113" ||
		v.Identifiers[0].URL != "https://pkg.go.dev/vuln/GO-2021-0113" || v.Identifiers[1].Type != "cve" || v.Identifiers[1].Value != "CVE-2021-38561" {
		t.Errorf("identifiers %+v", v.Identifiers)
	}
	if len(d.DependencyFiles) != 1 || d.DependencyFiles[0].Path != "go.mod" || d.DependencyFiles[0].PackageManager != "go" ||
		len(d.DependencyFiles[0].Dependencies) != 1 || d.DependencyFiles[0].Dependencies[0].Package.Name != "golang.org/x/text" {
		t.Errorf("dependency_files %+v", d.DependencyFiles)
	}
}

// The id is the finding's fingerprint in UUID form: the same in every
// pipeline, different for findings that share a fingerprint.
func TestGitLabIDsStableAndUnique(t *testing.T) {
	s := gitlabSample(t)
	twin := s.Results[0].Findings[0]
	twin.Location.StartLine = 40
	s.Results[0].Findings = append(s.Results[0].Findings, twin)
	first := decodeGitLab(t, renderTo(t, func(w *bytes.Buffer) error { return GitLabSAST(w, s, "") }))
	// Lines shift: the ids stay.
	for i := range s.Results[0].Findings {
		s.Results[0].Findings[i].Location.StartLine += 3
	}
	again := decodeGitLab(t, renderTo(t, func(w *bytes.Buffer) error { return GitLabSAST(w, s, "") }))
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for i, v := range first.Vulnerabilities {
		if !uuid.MatchString(v.ID) || seen[v.ID] {
			t.Errorf("id %q: not a UUID or not unique", v.ID)
		}
		seen[v.ID] = true
		if again.Vulnerabilities[i].ID != v.ID {
			t.Errorf("id of %s:%d changed with its line", v.Location.File, v.Location.StartLine)
		}
	}
	if len(seen) != 3 {
		t.Errorf("%d ids, want 3", len(seen))
	}
}

// Every scanner of a kind complete and nothing found: an empty, valid,
// successful report; a scanner of unknown kind that failed fails both.
func TestGitLabStatus(t *testing.T) {
	s := &model.Report{Version: "dev", Started: time.Now(), Results: []finding.Result{
		{Tool: "gosec", Kind: finding.KindCode, State: finding.Completed},
		{Tool: "osv-scanner", Kind: finding.KindDependencies, State: finding.Completed},
	}}
	for name, f := range map[string]func(*bytes.Buffer) error{
		"sast": func(w *bytes.Buffer) error { return GitLabSAST(w, s, "") },
		"ds":   func(w *bytes.Buffer) error { return GitLabDependencyScanning(w, s, "") },
	} {
		b := renderTo(t, f)
		validateGitLab(t, b)
		if d := decodeGitLab(t, b); d.Scan.Status != "success" || len(d.Vulnerabilities) != 0 {
			t.Errorf("%s: %+v", name, d)
		}
		if !bytes.Contains(b, []byte(`"vulnerabilities": []`)) {
			t.Errorf("%s: vulnerabilities is not an empty array:\n%s", name, b)
		}
	}
	s.Results = append(s.Results, finding.Result{Tool: "custom", State: finding.Incomplete})
	for _, f := range []func(*bytes.Buffer) error{
		func(w *bytes.Buffer) error { return GitLabSAST(w, s, "") },
		func(w *bytes.Buffer) error { return GitLabDependencyScanning(w, s, "") },
	} {
		if d := decodeGitLab(t, renderTo(t, f)); d.Scan.Status != "failure" {
			t.Errorf("an incomplete scanner of unknown kind left status %s", d.Scan.Status)
		}
	}
}

// Texts past the schemas' limits are cut, not rejected by GitLab.
func TestGitLabLimits(t *testing.T) {
	s := gitlabSample(t)
	s.Results[0].Rules[0].Short = strings.Repeat("é", 400)
	s.Results[1].Findings[0].Remediation = strings.Repeat("x", 8000)
	for _, f := range []func(*bytes.Buffer) error{
		func(w *bytes.Buffer) error { return GitLabSAST(w, s, "") },
		func(w *bytes.Buffer) error { return GitLabDependencyScanning(w, s, "") },
	} {
		validateGitLab(t, renderTo(t, f))
	}
}

// The schemas catch what GitLab would reject, so a pass means something.
func TestGitLabSchemasReject(t *testing.T) {
	good := renderTo(t, func(w *bytes.Buffer) error { return GitLabDependencyScanning(w, gitlabSample(t), "") })
	for name, bad := range map[string][2]string{
		"severity":   {`"severity": "High"`, `"severity": "high"`},
		"time":       {`"start_time": "2026-03-04T04:06:07"`, `"start_time": "2026-03-04T04:06:07Z"`},
		"status":     {`"status": "failure"`, `"status": "partial"`},
		"dependency": {`"dependency": {`, `"dependenc": {`},
	} {
		doc := bytes.Replace(good, []byte(bad[0]), []byte(bad[1]), 1)
		if bytes.Equal(doc, good) {
			t.Fatalf("%s: %q not in the report", name, bad[0])
		}
		for _, p := range gitlabSchemas(t, "../testdata/gitlab-schemas")["dependency_scanning"] {
			if validateJSONSchema(t, p, doc) == nil {
				t.Errorf("%s: %s accepts a report with %s", name, p, bad[1])
			}
		}
	}
}

// A scanned subdirectory: GitLab names files from the project's root, as
// SARIF does from the repository's.
func TestGitLabPathsFromTheRepositoryRoot(t *testing.T) {
	s := gitlabSample(t)
	sast := decodeGitLab(t, renderTo(t, func(w *bytes.Buffer) error { return GitLabSAST(w, s, "services/api/") }))
	var files []string
	for _, v := range sast.Vulnerabilities {
		files = append(files, v.Location.File)
	}
	if want := []string{"services/api/a/b.go", "services/api/main.go"}; !slices.Equal(files, want) {
		t.Errorf("SAST files %q, want %q", files, want)
	}
	b := renderTo(t, func(w *bytes.Buffer) error { return GitLabDependencyScanning(w, s, "services/api") })
	validateGitLab(t, b)
	ds := decodeGitLab(t, b)
	for _, v := range ds.Vulnerabilities {
		if !strings.HasPrefix(v.Location.File, "services/api/") {
			t.Errorf("dependency finding in %q, want it under services/api/", v.Location.File)
		}
	}
	if len(ds.DependencyFiles) == 0 {
		t.Fatal("no dependency_files")
	}
	for _, f := range ds.DependencyFiles {
		if !strings.HasPrefix(f.Path, "services/api/") {
			t.Errorf("dependency file %q, want it under services/api/", f.Path)
		}
	}
}
