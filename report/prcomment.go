package report

import (
	"cmp"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/model"
)

// PRCommentLimit is the most bytes PRComment writes by default. GitHub
// refuses a comment over 65,536 characters, and a character takes at
// least one byte; the rest is left for the marker the poster adds.
const PRCommentLimit = 64000

// PRCommentOptions say where the findings' links point.
type PRCommentOptions struct {
	// ScanRoot is the scanned root relative to the repository root ("" when
	// the same): links name files from the repository root, as SARIF does.
	ScanRoot string
	// Server is the GitHub server ($GITHUB_SERVER_URL), Repo "owner/name"
	// and HeadSHA the pull request's head commit; without all three, or
	// when they do not look like what GitHub sets, locations are not linked.
	Server, Repo, HeadSHA string
	// Limit is the most bytes the comment may take (0: PRCommentLimit).
	Limit int
}

var (
	repoName   = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	commitSHA  = regexp.MustCompile(`^[0-9a-f]{40}([0-9a-f]{24})?$`)
	advisoryID = regexp.MustCompile(`^[A-Z][A-Z0-9]*-[A-Za-z0-9._-]+$`)
)

// PRComment renders the pull request comment: the verdict, the new
// findings linked to their line at the head commit and to their advisory,
// the incomplete scanners, the remediation and the findings fixed since
// the baseline. It stays under the limit by leaving out the least severe
// findings, and says how many. Everything from the scanned repository is
// escaped with MarkdownText, so the comment holds no markup, mention or
// comment end ("-->") of the repository's making.
func PRComment(s *model.Report, opt PRCommentOptions) string {
	limit := opt.Limit
	if limit <= 0 {
		limit = PRCommentLimit
	}
	// reserve keeps room, while rows are added, for everything written
	// after them without a check: the "… and N more" lines, the later
	// sections' headings and the last line.
	const reserve = 1024
	var b strings.Builder
	fits := func(s string) bool { return b.Len()+len(s)+reserve <= limit }
	v := s.Verdict

	icon := map[finding.Outcome]string{finding.GatePass: "✅ Pass", finding.GateFail: "❌ Fail", finding.GateIncomplete: "⚠️ Incomplete"}[v.Outcome]
	fmt.Fprintf(&b, "## scangate: %s\n\n", icon)
	fmt.Fprintf(&b, "Threshold **%s**: %d new finding(s) fail the gate", MarkdownText(v.Thresholds(), 200), v.Failing)
	if v.FailingCalled > 0 {
		fmt.Fprintf(&b, " (%s)", MarkdownText(failing(v), 400))
	}
	fmt.Fprintf(&b, ". %d new, %d unchanged, %d fixed, %d suppressed.\n", v.New, v.Unchanged, v.Fixed, v.Suppressed)

	if len(v.IncompleteTools) > 0 {
		b.WriteString("\n### Incomplete scanners\n\n")
		for _, r := range s.Results {
			if r.State != finding.Incomplete {
				continue
			}
			why := "analyzed nothing or only part of the tree"
			for _, n := range r.Notifications {
				if n.Level == finding.LevelError {
					why = oneLine(n.Message)
					break
				}
			}
			fmt.Fprintf(&b, "- **%s**: %s\n", MarkdownText(r.Tool, 100), MarkdownText(why, 300))
		}
		b.WriteString("\nWhat they did not analyze is not in this comment: the gate counts only what was scanned.\n")
	}

	ranked := s.Ranked()
	if len(ranked) > 0 {
		rules := rulesOf(s)
		const header = "| Severity | Finding | Location | Message |\n| --- | --- | --- | --- |\n"
		fmt.Fprintf(&b, "\n### New findings (%d)\n\n%s", len(ranked), header)
		for i, f := range ranked {
			if i == prCommentShown {
				// The rest folded: the comment stays short to read.
				fmt.Fprintf(&b, "\n<details><summary>%d more new finding(s)</summary>\n\n%s", len(ranked)-i, header)
			}
			row := findingRow(f, rules[ruleKey{f.Tool, f.RuleID}], opt)
			if !fits(row) {
				fmt.Fprintf(&b, "\n… and %d more findings (see the step summary / SARIF).\n", len(ranked)-i)
				break
			}
			b.WriteString(row)
		}
		if len(ranked) > prCommentShown {
			b.WriteString("\n</details>\n")
		}
	}

	if len(s.Remediations) > 0 {
		b.WriteString("\n### Remediation\n\n")
		for i, r := range s.Remediations {
			line := "- " + remediationMarkdown(r, func(s string) string { return MarkdownText(s, 500) }) + "\n"
			if !fits(line) {
				fmt.Fprintf(&b, "- … and %d more (see the step summary)\n", len(s.Remediations)-i)
				break
			}
			b.WriteString(line)
		}
	}

	if len(s.Fixed) > 0 {
		n := 0
		for _, e := range s.Fixed {
			n += max(e.Count, 1)
		}
		since := "the baseline"
		if s.NewFrom != nil {
			since = s.NewFrom.Short()
		}
		fmt.Fprintf(&b, "\n### Fixed since %s (%d)\n\n", since, n)
		folded := len(s.Fixed) > prCommentShown
		if folded {
			fmt.Fprintf(&b, "<details><summary>%d fixed</summary>\n\n", n)
		}
		for i, e := range s.Fixed {
			line := "- " + fixedLine(e) + "\n"
			if !fits(line) {
				fmt.Fprintf(&b, "- … and %d more\n", len(s.Fixed)-i)
				break
			}
			b.WriteString(line)
		}
		if folded {
			b.WriteString("\n</details>\n")
		}
	}

	b.WriteString("\n<sub>scangate " + MarkdownText(s.Version, 60) + ": the step summary and the SARIF report have every finding.</sub>\n")
	return b.String()
}

// prCommentShown is how many rows of a list show before the rest folds
// into <details>.
const prCommentShown = 10

// remediationMarkdown is a remediation line whose command is a code span,
// so that it can be copied as it is; prose escapes the rest.
func remediationMarkdown(r finding.Remediation, prose func(string) string) string {
	apply := r.Apply
	r.Apply = ""
	line := prose(r.String())
	if apply == "" {
		return line
	}
	// "pin 'x==1.2' in requirements.txt" is an instruction around the
	// line to write: only that line is code.
	if rest, ok := strings.CutPrefix(apply, "pin "); ok {
		if pin, file, ok := strings.Cut(rest, " in "); ok {
			return line + ": pin " + codeSpan(pin, prose) + " in " + codeSpan(file, prose)
		}
	}
	return line + ": " + codeSpan(apply, prose)
}

// codeSpan shows s, a command built from names in the scanned repository,
// as a code span when it holds only characters a shell command of ours
// uses: no backtick to end the span, no < or > to open HTML or close a
// comment ("-->"). Otherwise it is prose, escaped.
func codeSpan(s string, prose func(string) string) string {
	if s == "" || len(s) > 300 || strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(" ._/@=:+~()&,'%-", r))
	}) {
		return prose(s)
	}
	return "`" + s + "`"
}

// rowMessage is a finding's message for a table row that shows its rule
// and a remediation section that shows its fix: neither is repeated.
func rowMessage(f finding.Finding) string {
	f.Remediation = ""
	msg := oneLine(Message(f))
	return cmp.Or(strings.TrimPrefix(msg, f.RuleID+": "), msg)
}

type ruleKey struct{ tool, id string }

// rulesOf indexes each result's rules by tool and ID; a correlated finding
// keeps its first tool, whose result holds its rule.
func rulesOf(s *model.Report) map[ruleKey]*finding.Rule {
	out := map[ruleKey]*finding.Rule{}
	for i := range s.Results {
		r := &s.Results[i]
		for j := range r.Rules {
			out[ruleKey{r.Tool, r.Rules[j].ID}] = &r.Rules[j]
		}
	}
	return out
}

func findingRow(f finding.Finding, rule *finding.Rule, opt PRCommentOptions) string {
	sev := f.SeverityLabel()
	if f.Reachable == finding.Called {
		sev += ", called"
	}
	if f.Fails {
		sev = "**" + sev + "**"
	}
	id := MarkdownText(f.RuleID, 100)
	if u := advisoryURL(f, rule); u != "" {
		id = "[" + id + "](" + u + ")"
	}
	where := "(no location)"
	if f.Location.Path != "" {
		p := RepoPath(opt.ScanRoot, f.Location.Path)
		text := p
		if f.Location.StartLine > 0 {
			text = fmt.Sprintf("%s:%d", p, f.Location.StartLine)
		}
		where = MarkdownText(text, 200)
		if u := blobURL(p, f.Location.StartLine, opt); u != "" {
			where = "[" + where + "](" + u + ")"
		}
	}
	return fmt.Sprintf("| %s | %s | %s | %s |\n", sev, id, where, MarkdownText(rowMessage(f), 300))
}

// advisoryURL is the rule's help page when it is a plain https link, else
// OSV's page of an advisory ID (GO-…, GHSA-…, CVE-…, PYSEC-…).
func advisoryURL(f finding.Finding, rule *finding.Rule) string {
	if rule != nil {
		if u := safeURL(rule.HelpURI); u != "" {
			return u
		}
	}
	if f.Package != nil && advisoryID.MatchString(f.RuleID) {
		return "https://osv.dev/vulnerability/" + url.PathEscape(f.RuleID)
	}
	return ""
}

// safeURL returns u when it is an https URL that cannot end a markdown
// link early, with parentheses percent-encoded; "" otherwise.
func safeURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "https" || p.Host == "" || p.User != nil ||
		strings.ContainsFunc(u, func(r rune) bool { return r <= ' ' || r == 0x7f || strings.ContainsRune("<>\"`\\", r) }) {
		return ""
	}
	return strings.NewReplacer("(", "%28", ")", "%29").Replace(u)
}

// blobURL links path (from the repository root) at the head commit.
func blobURL(path string, line int, opt PRCommentOptions) string {
	server := strings.TrimSuffix(opt.Server, "/")
	if safeURL(server) == "" || !repoName.MatchString(opt.Repo) || !commitSHA.MatchString(opt.HeadSHA) ||
		path == "" || strings.HasPrefix(path, "/") {
		return ""
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if s == "" || s == "." || s == ".." {
			return "" // not a path in the repository
		}
		// PathEscape keeps & and ;, which markdown would read as an
		// entity, and @, which nobody needs to see in a link.
		segs[i] = strings.NewReplacer("&", "%26", ";", "%3B", "@", "%40").Replace(url.PathEscape(s))
	}
	u := server + "/" + opt.Repo + "/blob/" + opt.HeadSHA + "/" + strings.Join(segs, "/")
	if line > 0 {
		u += fmt.Sprintf("#L%d", line)
	}
	return u
}

func fixedLine(e model.Fixed) string {
	var b strings.Builder
	b.WriteString(MarkdownText(e.Rule, 100))
	where := e.Path
	if where != "" && e.Line > 0 {
		where = fmt.Sprintf("%s:%d", where, e.Line)
	}
	if e.Package != "" {
		b.WriteString(" in " + MarkdownText(e.Package, 200))
		if where != "" {
			b.WriteString(" (" + MarkdownText(where, 200) + ")")
		}
	} else if where != "" {
		b.WriteString(" at " + MarkdownText(where, 200))
	}
	if e.Message != "" {
		b.WriteString(": " + MarkdownText(oneLine(e.Message), 200))
	}
	b.WriteString(" (" + MarkdownText(e.Tool, 50) + ")")
	if e.Count > 1 {
		fmt.Fprintf(&b, " ×%d", e.Count)
	}
	return b.String()
}

// MarkdownText makes s, which may come from a scanned repository, plain
// text on one line of GitHub markdown, cut to max characters (0: no cut):
// control characters are shown escaped (TermLine); &, < and > become
// entities, so no HTML and no "-->" can appear; markdown punctuation is
// backslash-escaped; and a zero-width space after @ and # keeps GitHub from
// reading a mention (which notifies the user) or an issue reference.
func MarkdownText(s string, max int) string {
	if max > 0 {
		s = Truncate(s, max)
	}
	s = TermLine(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '@' || r == '#':
			b.WriteRune(r)
			b.WriteString("&#8203;")
		case strings.ContainsRune("\\`*_{}[]()+-.!|~:$", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
