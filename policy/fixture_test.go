package policy_test

import (
	"github.com/scangate/scangate/finding"
)

// scan is a scan of a small Go service with a Python helper, as the adapters
// report it: gosec's findings are those gosec v2.30.0 gives on the code in
// the comments (see /work/shared/notes/embedding.md §2), and the dependency
// findings are GO-2021-0113 in golang.org/x/text v0.3.5 (govulncheck and
// osv-scanner) and PYSEC-2019-217 in Jinja2 2.10 (osv-scanner). Each call
// returns a fresh copy because the policy stages change results in place.
func scan() []finding.Result {
	sast := func(rule, path string, line, col int, sev finding.Severity, conf, msg, code string) finding.Finding {
		return finding.Finding{
			Tool: "gosec", Tools: []string{"gosec"}, RuleID: rule, Severity: sev, Confidence: conf, Message: msg,
			Location:    finding.Location{Path: path, StartLine: line, StartColumn: col, EndLine: line, Snippet: code},
			Fingerprint: finding.Fingerprint("gosec", rule, path, finding.NormalizeCode(code)),
		}
	}
	cacheKey := sast("G401", "main.go", 23, 7, finding.Medium, "high", "Use of weak cryptographic primitive", "md5.Sum([]byte(key)) // #nosec G401 -- used only as a cache key")
	cacheKey.Suppressions = []finding.Suppression{{Kind: "inSource", Justification: "used only as a cache key, not for security", Marker: "#nosec"}}
	text := func(tool, rule string, aliases []string) finding.Finding {
		return finding.Finding{
			Tool: tool, Tools: []string{tool}, RuleID: rule, Aliases: aliases, Severity: finding.High, Score: 7.5,
			Message:     "golang.org/x/text/language: panic in ParseAcceptLanguage",
			Location:    finding.Location{Path: "go.mod", StartLine: 5},
			Module:      "example.com/shop",
			Package:     &finding.Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.5", Fixed: []string{"0.3.7"}, Manifest: "go.mod"},
			Reachable:   finding.Called,
			Fingerprint: finding.Fingerprint(tool, rule, "go.mod", "golang.org/x/text@v0.3.5"),
		}
	}
	jinja := finding.Finding{
		Tool: "osv-scanner", Tools: []string{"osv-scanner"}, RuleID: "PYSEC-2019-217", Aliases: []string{"CVE-2019-10906", "GHSA-462w-v97r-4m45"},
		Severity: finding.High, Score: 8.6, Message: "Jinja2 sandbox escape via str.format_map",
		Location:    finding.Location{Path: "tools/report/requirements.txt", StartLine: 2},
		Package:     &finding.Package{Ecosystem: "PyPI", Name: "Jinja2", Version: "2.10", Fixed: []string{"2.10.1"}, Manifest: "tools/report/requirements.txt"},
		Fingerprint: finding.Fingerprint("osv-scanner", "PYSEC-2019-217", "tools/report/requirements.txt", "Jinja2@2.10"),
	}
	return []finding.Result{
		{Tool: "gosec", State: finding.Completed, Findings: []finding.Finding{
			// const adminPassword = "f62e5bcda4fae4f82370da0c6f20697b8f8447ef"
			sast("G101", "main.go", 12, 7, finding.High, "low", "Potential hardcoded credentials", `adminPassword = "f62e5bcda4fae4f82370da0c6f20697b8f8447ef"`),
			sast("G401", "main.go", 15, 9, finding.Medium, "high", "Use of weak cryptographic primitive", "md5.Sum(data)"),
			sast("G204", "main.go", 19, 14, finding.Medium, "high", "Subprocess launched with variable", `exec.Command(os.Getenv("TOOL"))`),
			sast("G306", "internal/util/util.go", 10, 6, finding.Medium, "high", "Expect WriteFile permissions to be 0600 or less", `os.WriteFile(name, data, 0o644)`),
			cacheKey,
		}},
		{Tool: "govulncheck", State: finding.Completed, Findings: []finding.Finding{
			text("govulncheck", "GO-2021-0113", []string{"CVE-2021-38561", "GHSA-ppp9-7jff-5vj2"}),
		}},
		{Tool: "osv-scanner", State: finding.Completed, Findings: []finding.Finding{
			text("osv-scanner", "GHSA-ppp9-7jff-5vj2", []string{"CVE-2021-38561", "GO-2021-0113"}),
			jinja,
		}},
	}
}

// find returns the finding of the tool with the rule at the line.
func find(results []finding.Result, tool, rule string, line int) *finding.Finding {
	for r := range results {
		for i := range results[r].Findings {
			f := &results[r].Findings[i]
			if f.Tool == tool && f.RuleID == rule && (line == 0 || f.Location.StartLine == line) {
				return f
			}
		}
	}
	return nil
}

func add(results []finding.Result, tool string, f finding.Finding) []finding.Result {
	for i := range results {
		if results[i].Tool == tool {
			results[i].Findings = append(results[i].Findings, f)
		}
	}
	return results
}
