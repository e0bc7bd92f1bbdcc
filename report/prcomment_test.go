package report

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/model"
)

const headSHA = "0123456789abcdef0123456789abcdef01234567"

var linkOpts = PRCommentOptions{ScanRoot: "services/api", Server: "https://github.com", Repo: "octo/app", HeadSHA: headSHA}

func commentReport() *model.Report {
	text := finding.Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.5", Fixed: []string{"v0.3.7"}, Manifest: "go.mod"}
	return &model.Report{
		Version: "1.2.3",
		Results: []finding.Result{
			{Tool: "gosec", State: finding.Completed,
				Rules: []finding.Rule{{ID: "G101", HelpURI: "https://cwe.mitre.org/data/definitions/798.html"}, {ID: "G401", HelpURI: "javascript:alert(1)"}},
				Findings: []finding.Finding{
					{Tool: "gosec", RuleID: "G101", Severity: finding.High, Fails: true, Message: "Potential hardcoded credentials",
						Location: finding.Location{Path: "main.go", StartLine: 5}},
					{Tool: "gosec", RuleID: "G401", Severity: finding.Medium, Message: "Use of weak cryptographic primitive",
						Location: finding.Location{Path: "internal/hash.go", StartLine: 9}},
					{Tool: "gosec", RuleID: "G204", Severity: finding.Medium, Message: "known before", Status: finding.StatusBaseline,
						Location: finding.Location{Path: "old.go", StartLine: 1}},
				}},
			{Tool: "osv-scanner", State: finding.Completed, Findings: []finding.Finding{
				{Tool: "osv-scanner", RuleID: "GO-2021-0113", Severity: finding.High, Fails: true, Reachable: finding.Called,
					Message: "Out-of-bounds read in golang.org/x/text/language", Package: &text, Location: finding.Location{Path: "go.mod", StartLine: 5}},
			}},
			{Tool: "govulncheck", State: finding.Incomplete, Notifications: []finding.Notification{
				{Level: finding.LevelError, Message: "govulncheck: load ./...: go: no Go toolchain\nsecond line"}}},
		},
		Verdict: finding.Verdict{Outcome: finding.GateFail, Threshold: "high", New: 3, Unchanged: 1, Fixed: 3, Failing: 2,
			IncompleteTools: []string{"govulncheck"}},
		Remediations: []finding.Remediation{{Package: text, To: "v0.3.7", Fixes: 1, Findings: 1}},
		Fixed: []model.Fixed{
			{Tool: "gosec", Rule: "G304", Path: "files.go", Line: 12, Message: "Potential file inclusion via variable", Count: 2},
			{Tool: "osv-scanner", Rule: "PYSEC-2019-217", Path: "requirements.txt", Package: "Jinja2@2.10", Count: 1},
		},
	}
}

func TestPRComment(t *testing.T) {
	got := PRComment(commentReport(), linkOpts)
	blob := "https://github.com/octo/app/blob/" + headSHA + "/services/api/"
	testkit.ContainsAll(t, "comment", got,
		"## scangate: ❌ Fail\n",
		"Threshold **high**: 2 new finding(s) fail the gate. 3 new, 1 unchanged, 3 fixed, 0 suppressed.\n",
		"### Incomplete scanners\n\n- **govulncheck**: govulncheck\\: load \\./\\.\\.\\.\\: go\\: no Go toolchain\n",
		"### New findings (3)\n\n| Severity | Finding | Location | Message |\n| --- | --- | --- | --- |\n",
		// Most severe first, linked to the line at the head commit from the
		// repository root, and to the rule's page or the advisory.
		"| **high, called** | [GO\\-2021\\-0113](https://osv.dev/vulnerability/GO-2021-0113) | [services/api/go\\.mod\\:5]("+blob+"go.mod#L5) | Out\\-of\\-bounds read in golang\\.org/x/text/language |\n"+
			"| **high** | [G101](https://cwe.mitre.org/data/definitions/798.html) | [services/api/main\\.go\\:5]("+blob+"main.go#L5) | Potential hardcoded credentials |\n"+
			// A help URI that is not https is no link.
			"| medium | G401 | [services/api/internal/hash\\.go\\:9]("+blob+"internal/hash.go#L9) | Use of weak cryptographic primitive |\n",
		"### Remediation\n\n- go\\.mod\\: upgrade golang\\.org/x/text v0\\.3\\.5 \\-&gt; v0\\.3\\.7 fixes 1\n",
		"### Fixed since the baseline (3)\n\n- G304 at files\\.go\\:12: Potential file inclusion via variable (gosec) ×2\n"+
			"- PYSEC\\-2019\\-217 in Jinja2@&#8203;2\\.10 (requirements\\.txt) (osv\\-scanner)\n",
		"scangate 1\\.2\\.3",
	)
	if strings.Contains(got, "old.go") || strings.Contains(got, "known before") {
		t.Errorf("a baseline finding is listed as new:\n%s", got)
	}
	// Compared with a revision, fixed is since its commit.
	rev := commentReport()
	rev.NewFrom = &model.Comparison{Ref: "origin/main", Commit: headSHA}
	if got := PRComment(rev, linkOpts); !strings.Contains(got, "### Fixed since "+headSHA[:7]+" (3)") {
		t.Errorf("--new-from-rev comment does not say fixed since the base commit:\n%s", got)
	}

	// Without the head commit (or with values that are not GitHub's),
	// locations are text, not links.
	for _, o := range []PRCommentOptions{{}, {Server: "https://github.com", Repo: "octo/app", HeadSHA: "main"},
		{Server: "javascript:x", Repo: "octo/app", HeadSHA: headSHA}, {Server: "https://github.com", Repo: "octo/app/x", HeadSHA: headSHA}} {
		if c := PRComment(commentReport(), o); strings.Contains(c, "/blob/") || !strings.Contains(c, "| main\\.go\\:5 |") {
			t.Errorf("options %+v: %s", o, c)
		}
	}
}

// unescaped returns the characters of s that markdown would act on: those
// not preceded by a backslash and not part of an entity we wrote.
func unescaped(s string, set string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++ // the escaped character
		case strings.IndexByte(set, s[i]) >= 0:
			out = append(out, fmt.Sprintf("%q at %d", s[i], i))
		}
	}
	return out
}

const hostilePath = "docs/<img src=x onerror=alert(1)>/[a](javascript:alert(1))/@admin --> `x`|y #12 &lt; \u202e.go"
const hostileMessage = "`rm -rf /` <script>alert(1)</script> @octocat please review #12 --> **bold** | pipe ![i](https://t.example/p.png) :+1: $x^2$\nsecond line"

func TestPRCommentEscapesTheRepository(t *testing.T) {
	rep := &model.Report{
		Results: []finding.Result{{Tool: "gosec", State: finding.Completed, Findings: []finding.Finding{
			{Tool: "gosec", RuleID: "G101", Severity: finding.High, Message: hostileMessage, Location: finding.Location{Path: hostilePath, StartLine: 3}},
		}}},
		Verdict: finding.Verdict{Outcome: finding.GateFail, Threshold: "high", New: 1, Failing: 1},
		Remediations: []finding.Remediation{{Package: finding.Package{Name: "@evil/<b>pkg</b>", Version: "1.0", Manifest: "x/@admin/package.json"},
			To: "2.0 @here -->", Fixes: 1, Apply: "go get @evil/x@`2.0` -->"}},
		Fixed: []model.Fixed{{Tool: "gosec", Rule: "G101", Path: hostilePath, Line: 4, Message: hostileMessage, Count: 1}},
	}
	got := PRComment(rep, linkOpts)
	t.Logf("comment:\n%s", got)
	testkit.ContainsNone(t, "comment", got, "<script", "<img", "<b>", "-->", "<!--", "\u202e", "](javascript", "![i]", "**bold**", "second line")
	// No mention and no issue reference: a zero-width space follows every @ and #.
	if m := regexp.MustCompile(`@[^&]|(^|[^&])#\d`).FindAllString(got, -1); len(m) > 0 {
		t.Errorf("mentions or references: %q", m)
	}
	// Outside the markup we wrote (links, the table, bold verdict), no
	// markdown character is left unescaped: look at the text of each row.
	for _, line := range strings.Split(got, "\n") {
		if !strings.Contains(line, "rm") {
			continue
		}
		text := line
		if strings.HasPrefix(line, "| ") { // the table row: 4 cells, links removed
			cells := strings.Split(strings.Trim(unescapedPipes(line), "| "), "\x00")
			if len(cells) != 4 {
				t.Errorf("row has %d cells, want 4: %s", len(cells), line)
				continue
			}
			link := regexp.MustCompile(`^\[(.*)\]\((https://github\.com/octo/app/blob/` + headSHA + `/[^ ()<>]*#L3)\)$`).FindStringSubmatch(strings.TrimSpace(cells[2]))
			if link == nil {
				t.Errorf("location cell is not one link to the blob: %q", cells[2])
				continue
			}
			if !strings.HasPrefix(link[2], "https://github.com/octo/app/blob/"+headSHA+"/services/api/docs/%3Cimg%20src=x%20onerror=alert%28") {
				t.Errorf("link %q", link[2])
			}
			text = link[1] + cells[3]
		} else {
			text = strings.TrimSuffix(strings.TrimPrefix(line, "- "), " (gosec)")
		}
		if u := unescaped(text, "`*_[]()<>|!~"); len(u) > 0 {
			t.Errorf("unescaped markdown %v in %q", u, text)
		}
	}
}

// unescapedPipes turns the cell separators of a table row into NUL.
func unescapedPipes(line string) string {
	b := []byte(line)
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '|':
			b[i] = 0
		}
	}
	return strings.Trim(string(b), "\x00 ")
}

// Thousands of findings: the comment stays under the limit and says how
// many it leaves out, the most severe kept.
func TestPRCommentStaysUnderTheLimit(t *testing.T) {
	var fs []finding.Finding
	for i := range 3000 {
		sev := finding.Medium
		if i%1000 == 7 {
			sev = finding.Critical
		}
		fs = append(fs, finding.Finding{Tool: "gosec", RuleID: "G101", Severity: sev, Message: strings.Repeat("é@<", 200),
			Location: finding.Location{Path: fmt.Sprintf("pkg/%04d/file.go", i), StartLine: i + 1}})
	}
	var fixed []model.Fixed
	for i := range 500 {
		fixed = append(fixed, model.Fixed{Tool: "gosec", Rule: "G104", Path: fmt.Sprintf("gone/%d.go", i), Count: 1})
	}
	rep := &model.Report{Results: []finding.Result{{Tool: "gosec", Findings: fs}}, Fixed: fixed,
		Verdict: finding.Verdict{Outcome: finding.GateFail, Threshold: "high", New: 3000, Failing: 3, Fixed: 500}}
	for _, limit := range []int{0, 20000} {
		got := PRComment(rep, PRCommentOptions{Limit: limit})
		max := limit
		if max == 0 {
			max = PRCommentLimit
		}
		rows := strings.Count(got, "\n| critical |") + strings.Count(got, "\n| medium |")
		m := regexp.MustCompile(`\n… and (\d+) more findings \(see the step summary / SARIF\)\.\n`).FindStringSubmatch(got)
		if len(got) > max || m == nil || m[1] != fmt.Sprint(3000-rows) || rows < 10 {
			t.Errorf("limit %d: %d bytes, %d rows, more %v", limit, len(got), rows, m)
		}
		if utf8.RuneCountInString(got) > 65536-100 {
			t.Errorf("limit %d: %d characters", limit, utf8.RuneCountInString(got))
		}
		if !strings.Contains(got, "| critical |") || strings.Index(got, "| critical |") > strings.Index(got, "| medium |") {
			t.Errorf("limit %d: the critical findings are not first", limit)
		}
		if !strings.Contains(got, "### Fixed since the baseline (500)") || !regexp.MustCompile(`- … and \d+ more\n`).MatchString(got) {
			t.Errorf("limit %d: the fixed list is not cut with a count:\n%s", limit, got[len(got)-500:])
		}
	}
}

// A command is a code span only when nothing in it can end the span or
// open HTML; else it is escaped prose, as the rest of the line.
func TestRemediationCommandCodeSpan(t *testing.T) {
	prose := func(s string) string { return MarkdownText(s, 500) }
	p := finding.Package{Name: "golang.org/x/text", Version: "v0.3.6", Manifest: "svc/go.mod"}
	for apply, want := range map[string]string{
		"(cd svc && go get golang.org/x/text@v0.3.8)": ": `(cd svc && go get golang.org/x/text@v0.3.8)`",
		"pin 'jinja2==2.11.3' in requirements.txt":    ": pin `'jinja2==2.11.3'` in `requirements.txt`",
		"go get x@`v1` --> <b>":                       ": go get x@&#8203;\\`v1\\` \\-\\-&gt; &lt;b&gt;",
	} {
		got := remediationMarkdown(finding.Remediation{Package: p, To: "v0.3.8", Fixes: 1, Apply: apply}, prose)
		if !strings.HasSuffix(got, want) {
			t.Errorf("%q:\n got %s\nwant suffix %s", apply, got, want)
		}
	}
}
