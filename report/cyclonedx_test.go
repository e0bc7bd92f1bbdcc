package report

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/cdxtest"
	"github.com/scangate/scangate/model"
)

func cdxSample() *model.Report {
	high := finding.High
	gv := finding.Result{Tool: "govulncheck", Version: "v1.9.0", Kind: finding.KindDependencies, State: finding.Completed,
		Packages: []finding.Component{
			{Ecosystem: "Go", Name: "example.com/app", PURL: "pkg:golang/example.com/app", Manifest: "go.mod", Main: true},
			{Ecosystem: "Go", Name: "example.com/app/tools", PURL: "pkg:golang/example.com/app/tools", Manifest: "tools/go.mod", Main: true},
			{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.6", PURL: "pkg:golang/golang.org/x/text@v0.3.6", Manifest: "go.mod"},
			{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.6", PURL: "pkg:golang/golang.org/x/text@v0.3.6", Manifest: "tools/go.mod"},
			{Ecosystem: "Go", Name: "stdlib", Version: "go1.26.8", PURL: "pkg:golang/stdlib@v1.26.8", Manifest: "go.mod"},
		},
		Findings: []finding.Finding{
			{Tool: "govulncheck", RuleID: "GO-2021-0113", Severity: finding.High, Score: 7.5, Reachable: finding.Called, Tools: []string{"govulncheck", "osv-scanner"},
				Aliases: []string{"CVE-2021-38561", "GHSA-ppp9-7jff-5vj2"},
				Package: &finding.Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.6", Fixed: []string{"v0.3.7"}, Manifest: "go.mod"},
				Trace: []finding.Frame{{Function: "main", Package: "example.com/app", Location: finding.Location{Path: "main.go", StartLine: 12, StartColumn: 3}},
					{Function: "Parse", Package: "golang.org/x/text/language", External: true, Location: finding.Location{Path: "language/parse.go", StartLine: 33}}},
				Properties: map[string]string{"scanLevel": "symbol"}},
			{Tool: "govulncheck", RuleID: "GO-2022-1059", Severity: finding.Medium, AdvisorySeverity: &high, Score: 7.5, Reachable: finding.Imported,
				Package:    &finding.Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.6", Manifest: "tools/go.mod"},
				Properties: map[string]string{"scanLevel": "symbol"}},
			{Tool: "govulncheck", RuleID: "GO-2023-2402", SeverityUnknown: true, Reachable: finding.Required,
				Package: &finding.Package{Ecosystem: "Go", Name: "golang.org/x/crypto", Version: "v0.0.0-2022", Manifest: "go.mod"}},
			// -scan package: an imported package is what govulncheck calls affected.
			{Tool: "govulncheck", RuleID: "GO-2099-0001", Severity: finding.Low, Reachable: finding.Imported,
				Package:    &finding.Package{Ecosystem: "Go", Name: "stdlib", Version: "go1.26.8", Manifest: "go.mod"},
				Properties: map[string]string{"scanLevel": "package"}},
		},
		Rules: []finding.Rule{{ID: "GO-2021-0113", Short: "Out-of-bounds read in golang.org/x/text/language"}},
	}
	// Names from a hostile lockfile: data, whatever they hold.
	hostile := "evil\"name</script>\n\x1b[31m"
	osv := finding.Result{Tool: "osv-scanner", Version: "2.5.0", Kind: finding.KindDependencies, State: finding.Incomplete,
		Packages: []finding.Component{
			{Ecosystem: "PyPI", Name: "jinja2", Version: "2.11.2", PURL: "pkg:pypi/jinja2@2.11.2", Manifest: "requirements.txt"},
			{Ecosystem: "PyPI", Name: "pytest", Version: "7.0.0", PURL: "pkg:pypi/pytest@7.0.0", Manifest: "Pipfile.lock", Dev: true},
			{Ecosystem: "npm", Name: hostile, Version: "../../../etc/passwd", PURL: "pkg:npm/" + hostile + "@x", Manifest: "web/package-lock.json"},
			{Ecosystem: "crates.io", Name: "root", Version: "", Manifest: "Cargo.lock"},
		},
		Findings: []finding.Finding{
			{Tool: "osv-scanner", RuleID: "PYSEC-2021-66", Severity: finding.Medium, Score: 5.3, Tools: []string{"osv-scanner"},
				Package: &finding.Package{Ecosystem: "PyPI", Name: "jinja2", Version: "2.11.2", Fixed: []string{"2.11.3"}, Manifest: "requirements.txt"}},
		},
	}
	// safety lists no packages: its finding's package becomes a component.
	safety := finding.Result{Tool: "safety", Version: "3.0", Kind: finding.KindDependencies, State: finding.Completed,
		Findings: []finding.Finding{{Tool: "safety", RuleID: "PYSEC-2023-74", Severity: finding.Medium,
			Package: &finding.Package{Ecosystem: "PyPI", Name: "Requests", Version: "2.25.0", Manifest: "requirements.txt"}}}}
	gosec := finding.Result{Tool: "gosec", Version: "2.30.0", Kind: finding.KindCode, State: finding.Completed,
		Findings: []finding.Finding{{Tool: "gosec", RuleID: "G401", Severity: finding.Medium, Location: finding.Location{Path: "main.go", StartLine: 3}}}}
	skipped := finding.Result{Tool: "bandit", State: finding.Skipped}
	return &model.Report{Root: "repo", Version: "v1.2.3", Results: []finding.Result{gv, osv, safety, gosec, skipped},
		Started: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
}

func TestCycloneDX(t *testing.T) {
	var buf bytes.Buffer
	if err := CycloneDX(&buf, cdxSample(), CycloneDXOptions{Name: "repo", ScanRoot: "svc"}); err != nil {
		t.Fatal(err)
	}
	b, err := cdxtest.Validate(buf.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.Bytes())
	}
	if b.Metadata.Component.Name != "example.com/app" || b.Metadata.Component.PURL != "pkg:golang/example.com/app" {
		t.Errorf("root component %+v, want the root's Go module", b.Metadata.Component)
	}
	comps := map[string]cdxtest.Component{}
	for _, c := range b.Components {
		comps[c.Name+"@"+c.Version] = c
	}
	text := comps["golang.org/x/text@v0.3.6"]
	if text.PURL != "pkg:golang/golang.org/x/text@v0.3.6" || len(text.Evidence.Occurrences) != 2 ||
		text.Evidence.Occurrences[0].Location != "svc/go.mod" || text.Evidence.Occurrences[1].Location != "svc/tools/go.mod" {
		t.Errorf("x/text from two go.mod files is not one component found in both (from the repository root): %+v", text)
	}
	if c := comps["stdlib@go1.26.8"]; c.PURL != "pkg:golang/stdlib@v1.26.8" {
		t.Errorf("standard library component %+v", c)
	}
	if c := comps["example.com/app/tools@"]; c.Type != "application" {
		t.Errorf("the tree's other module is %+v, want an application", c)
	}
	if c := comps["pytest@7.0.0"]; c.Scope != "optional" {
		t.Errorf("a development dependency has scope %q, want optional", c.Scope)
	}
	if c := comps["jinja2@2.11.2"]; c.Scope != "required" {
		t.Errorf("jinja2 has scope %q, want required", c.Scope)
	}
	if c, ok := comps["Requests@2.25.0"]; !ok || c.PURL != "" || c.BOMRef != "PyPI/Requests@2.25.0" {
		t.Errorf("safety's package is not a component of its own: %+v", c)
	}
	if c := comps["root@"]; c.BOMRef == "root" {
		t.Errorf("a package named root took the reserved bom-ref: %+v", c)
	}
	if _, ok := comps["example.com/app@"]; ok {
		t.Error("the root module is listed as a component as well as the BOM's subject")
	}
	// The hostile name is in the document as data: escaped, not as markup or a path.
	if !strings.Contains(buf.String(), `evil\"name\u003c/script\u003e\n\u001b[31m`) {
		t.Errorf("the hostile name is not JSON-escaped:\n%s", buf.Bytes())
	}

	type want struct{ state, justification, detail string }
	wants := map[string]want{
		"GO-2021-0113":  {"exploitable", "", "example.com/app.main (main.go:12:3) -> golang.org/x/text/language.Parse"},
		"GO-2022-1059":  {"not_affected", "code_not_reachable", "no vulnerable symbol is called"},
		"GO-2023-2402":  {"not_affected", "code_not_present", "no vulnerable package is imported"},
		"GO-2099-0001":  {"exploitable", "", "imported"},
		"PYSEC-2021-66": {"in_triage", "", "osv-scanner matched the version only"},
		"PYSEC-2023-74": {"in_triage", "", "safety matched"},
	}
	if len(b.Vulnerabilities) != len(wants) {
		t.Errorf("%d vulnerabilities, want %d (no code finding among them)", len(b.Vulnerabilities), len(wants))
	}
	for _, v := range b.Vulnerabilities {
		w, ok := wants[v.ID]
		a := v.Analysis
		if !ok || a.State != w.state || a.Justification != w.justification || !strings.Contains(a.Detail, w.detail) {
			t.Errorf("%s: analysis %+v, want %+v", v.ID, a, w)
		}
	}
	var raw struct {
		Vulnerabilities []struct {
			ID      string
			Ratings []struct{ Severity string }
		}
		Compositions []struct{ Aggregate string }
		SerialNumber string
	}
	json.Unmarshal(buf.Bytes(), &raw)
	for _, v := range raw.Vulnerabilities {
		if v.ID == "GO-2022-1059" && v.Ratings[0].Severity != "high" {
			t.Errorf("GO-2022-1059 rated %s: the advisory's severity, not the one reachability lowered, is the rating", v.Ratings[0].Severity)
		}
	}
	if len(raw.Compositions) != 1 || raw.Compositions[0].Aggregate != "incomplete" {
		t.Errorf("an incomplete osv-scanner run does not make the BOM incomplete: %+v", raw.Compositions)
	}
	if !regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(raw.SerialNumber) {
		t.Errorf("serialNumber %q", raw.SerialNumber)
	}

	// The same scan gives the same document, but for the serial number.
	var again bytes.Buffer
	CycloneDX(&again, cdxSample(), CycloneDXOptions{Name: "repo", ScanRoot: "svc"})
	serial := regexp.MustCompile(`"serialNumber": "[^"]*"`)
	if x, y := serial.ReplaceAllString(buf.String(), ""), serial.ReplaceAllString(again.String(), ""); x != y {
		t.Errorf("two writes of one scan differ")
	}
	if serial.FindString(buf.String()) == serial.FindString(again.String()) {
		t.Error("two runs share a serial number")
	}
}

// A tree without a Go module at its root is named by its directory, and an
// empty scan is still a valid BOM.
func TestCycloneDXEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := CycloneDX(&buf, &model.Report{Version: "dev"}, CycloneDXOptions{Name: "checkout"}); err != nil {
		t.Fatal(err)
	}
	b, err := cdxtest.Validate(buf.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.Bytes())
	}
	if b.Metadata.Component.Name != "checkout" || len(b.Components) != 0 || len(b.Vulnerabilities) != 0 {
		t.Errorf("empty scan: %+v", b)
	}
}
