package report

import (
	"cmp"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/model"
)

// suppressedBy says which marker suppressed a finding and why: "#nosec: reason".
func suppressedBy(f finding.Finding) string {
	var parts []string
	for _, sp := range f.Suppressions {
		by := sp.Marker
		if by == "" {
			by = sp.Kind
		}
		if sp.Justification != "" {
			by += ": " + oneLine(sp.Justification)
		}
		if !sp.Expires.IsZero() {
			by += " (until " + sp.Expires.Format(time.DateOnly) + ")"
		}
		parts = append(parts, by)
	}
	return strings.Join(parts, "; ")
}

// TextOptions tune the terminal summary.
type TextOptions struct {
	Color bool
	// Top is how many findings are listed (0 means 10; negative means all).
	Top int
	// Short is the hook mode: verdict, failing findings, and how to see more.
	Short bool
	// FullReportHint is the command that shows the full report (hook mode).
	FullReportHint string
}

const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiRed   = "\x1b[31m"
	ansiYel   = "\x1b[33m"
	ansiGreen = "\x1b[32m"
	ansiDim   = "\x1b[2m"
)

// Text writes the human summary (stderr in the CLI).
func Text(w io.Writer, s *model.Report, opt TextOptions) error {
	p := &printer{w: w, color: opt.Color, term: true}
	if s.Shard != nil {
		return p.shard(s)
	}
	if opt.Short {
		return p.short(s, opt)
	}
	top := opt.Top
	if top == 0 {
		top = 10
	}
	p.f("%s %s: scanned %s in %s\n", p.c(ansiBold, "scangate"), s.Version, s.Root, s.Duration.Round(time.Millisecond))
	if c := s.NewFrom; c != nil {
		p.f("Findings are %s; the base scan took %s", c, c.Duration.Round(time.Millisecond))
		if c.Cache != "" {
			p.f(" (%s)", c.Cache)
		}
		p.f("\n")
	}
	p.tools(s)
	v := s.Verdict
	p.f("Findings: %d new (%s)", v.New, countBySeverity(s.Ranked()))
	if v.Unfixed > 0 {
		p.f(", %d without a fixed version", v.Unfixed)
		if v.IgnoreUnfixed {
			p.f(" (not gated: --ignore-unfixed)")
		}
	}
	switch {
	case s.NewFrom != nil:
		p.f(", %d unchanged, %d fixed since %s", v.Unchanged, v.Fixed, s.NewFrom.Short())
	case s.Baseline != "" || v.Unchanged > 0 || v.Fixed > 0:
		p.f(", %d unchanged, %d fixed since the baseline", v.Unchanged, v.Fixed)
		if s.Baseline != "" {
			p.f(" (%s)", s.Baseline)
		}
	}
	if v.Suppressed > 0 {
		p.f(", %d suppressed", v.Suppressed)
	}
	p.f("\n")
	ranked := s.Ranked()
	if len(ranked) > 0 {
		n := len(ranked)
		if top > 0 && n > top {
			n = top
		}
		p.f("Top findings:\n")
		for _, f := range ranked[:n] {
			p.finding(f)
		}
		if n < len(ranked) {
			p.f("  … and %d more (see the SARIF, JSON or markdown report)\n", len(ranked)-n)
		}
	}
	if sup := s.Suppressed(); len(sup) > 0 {
		n := len(sup)
		if top > 0 && n > top {
			n = top
		}
		p.f("Suppressed:\n")
		for _, f := range sup[:n] {
			p.f("  %-20s %s  by %s\n", f.RuleID, f.Location.String(), suppressedBy(f))
		}
		if n < len(sup) {
			p.f("  … and %d more (see the SARIF or JSON report)\n", len(sup)-n)
		}
	}
	if len(s.Remediations) > 0 {
		p.f("Remediation:\n")
		for _, r := range s.Remediations {
			p.f("  %s\n", r)
		}
	}
	p.problems(s)
	p.verdict(v)
	return p.err
}

// tools writes a line per scanner: its state, findings and time, or why it was skipped.
func (p *printer) tools(s *model.Report) {
	for _, r := range s.Results {
		state := r.State.String()
		switch r.State {
		case finding.Incomplete:
			state = p.c(ansiRed, state)
		case finding.Skipped:
			state = p.c(ansiDim, state)
		}
		line := fmt.Sprintf("  %-12s %-10s", r.Tool, state)
		if r.State != finding.Skipped {
			line += fmt.Sprintf(" %3d findings  %s", len(r.Findings), r.Duration.Round(time.Millisecond))
		} else if msg := skipReason(r); msg != "" {
			line += " " + p.c(ansiDim, msg)
		}
		p.f("%s\n", strings.TrimRight(line, " "))
	}
}

// problems writes the scanners' errors and warnings, the scan's notes and the run notes.
func (p *printer) problems(s *model.Report) {
	var problems []string
	for _, r := range s.Results {
		for _, n := range r.Notifications {
			if n.Level == finding.LevelError || n.Level == finding.LevelWarning {
				problems = append(problems, fmt.Sprintf("%s: %s", n.Level, oneLine(n.Message)))
			}
		}
	}
	problems = append(problems, s.Notes...)
	if len(problems) > 0 {
		p.f("Problems:\n")
		for _, pr := range problems {
			p.f("  %s\n", pr)
		}
	}
	if notes := runNotes(s); len(notes) > 0 {
		p.f("Notes:\n")
		for _, n := range notes {
			p.f("  %s\n", n)
		}
	}
}

// shard is a shard's summary: what it scanned and whether each scanner
// completed. Severities, statuses and the verdict are merge's (after
// correlation, reachability and the baseline, over every shard), so a
// shard shows none of them.
func (p *printer) shard(s *model.Report) error {
	sh := s.Shard
	p.f("%s %s: scanned shard %d/%d of %s in %s\n", p.c(ansiBold, "scangate"), s.Version, sh.Index, sh.Count, s.Root, s.Duration.Round(time.Millisecond))
	p.tools(s)
	units := make([]string, len(sh.Units))
	for i, u := range sh.Units {
		units[i] = u.Kind + " " + u.Path
	}
	if len(units) > 10 {
		units = append(units[:10], fmt.Sprintf("… and %d more", len(units)-10))
	}
	p.f("Units (%d): %s\n", len(sh.Units), cmp.Or(strings.Join(units, ", "), "none"))
	p.problems(s)
	p.f("No verdict: merge gates (severities, suppressions and the gate apply to all %d shards at once)\n", sh.Count)
	return p.err
}

func (p *printer) short(s *model.Report, opt TextOptions) error {
	p.verdict(s.Verdict)
	for _, f := range s.Ranked() {
		if f.Fails {
			p.finding(f)
		}
	}
	for _, t := range s.Verdict.IncompleteTools {
		p.f("  %s could not complete%s\n", t, firstError(s, t))
	}
	if opt.FullReportHint != "" && s.Verdict.Outcome != finding.GatePass {
		p.f("Full report: %s\n", opt.FullReportHint)
	}
	return p.err
}

// firstError is ": " and the tool's first error, for a one-line reason.
func firstError(s *model.Report, tool string) string {
	for _, r := range s.Results {
		for _, n := range r.Notifications {
			if r.Tool == tool && n.Level == finding.LevelError {
				return ": " + Truncate(oneLine(strings.TrimPrefix(n.Message, tool+": ")), 160)
			}
		}
	}
	return ""
}

func skipReason(r finding.Result) string {
	for _, n := range r.Notifications {
		if n.Level == finding.LevelNote {
			return "(" + strings.TrimPrefix(strings.TrimPrefix(n.Message, r.Tool+": "), "skipped: ") + ")"
		}
	}
	return ""
}

func bySeverity(m map[finding.Severity]int, unknown int) string {
	var parts []string
	for s := finding.Critical; s >= finding.Info; s-- {
		if m[s] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", s, m[s]))
		}
	}
	if unknown > 0 {
		parts = append(parts, fmt.Sprintf("unknown %d", unknown))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func oneLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

type printer struct {
	w     io.Writer
	color bool
	term  bool // a terminal reads the output: see termArgs
	err   error
}

func (p *printer) f(format string, args ...any) {
	if p.term {
		args = termArgs(args, p.color)
	}
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) c(code, s string) string {
	if !p.color {
		return s
	}
	return code + s + ansiReset
}

func (p *printer) sev(f finding.Finding) string {
	s := f.Severity
	label := fmt.Sprintf("%-8s", strings.ToUpper(f.SeverityLabel()))
	if f.SeverityUnknown {
		return label
	}
	switch {
	case s >= finding.High:
		return p.c(ansiRed, label)
	case s == finding.Medium:
		return p.c(ansiYel, label)
	}
	return label
}

func (p *printer) finding(f finding.Finding) {
	where := f.Location.String()
	if where == "" {
		where = "(no location)"
	}
	extra := ""
	if f.Reachable != finding.ReachUnknown {
		extra = ", " + f.Reachable.String()
	}
	tools := f.Tool
	if len(f.Tools) > 1 {
		tools = strings.Join(f.Tools, "+")
	}
	p.f("  %s %-20s %s  %s [%s%s]\n", p.sev(f), f.RuleID, where, oneLine(Message(f)), tools, extra)
}

func (p *printer) verdict(v finding.Verdict) {
	switch v.Outcome {
	case finding.GateFail:
		p.f("%s %s\n", p.c(ansiRed+ansiBold, "Verdict: FAIL:"), failing(v))
	case finding.GateIncomplete:
		p.f("%s %s could not complete; no new finding at or above %s in what was scanned\n",
			p.c(ansiYel+ansiBold, "Verdict: INCOMPLETE:"), strings.Join(v.IncompleteTools, ", "), v.Thresholds())
	default:
		msg := fmt.Sprintf("no new finding at or above %s", v.Thresholds())
		if len(v.IncompleteTools) > 0 {
			msg += fmt.Sprintf(" (%s incomplete, allowed by --allow-incomplete)", strings.Join(v.IncompleteTools, ", "))
		}
		p.f("%s %s\n", p.c(ansiGreen+ansiBold, "Verdict: PASS:"), msg)
	}
}

// failing says why the gate failed: findings over the threshold and
// vulnerabilities failing because their code is called.
func failing(v finding.Verdict) string {
	over := v.Failing - v.FailingCalled
	switch {
	case v.FailingCalled == 0:
		return fmt.Sprintf("%d new finding(s) at or above %s", v.Failing, v.Thresholds())
	case over == 0:
		return fmt.Sprintf("%d new vulnerabilit%s below %s whose vulnerable code is called (fail-on-called)", v.FailingCalled, plural(v.FailingCalled, "y", "ies"), v.Thresholds())
	}
	return fmt.Sprintf("%d new finding(s) at or above %s and %d vulnerabilit%s below it whose vulnerable code is called (fail-on-called)", over, v.Thresholds(), v.FailingCalled, plural(v.FailingCalled, "y", "ies"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Markdown writes the summary for pull requests and $GITHUB_STEP_SUMMARY.
func Markdown(w io.Writer, s *model.Report) error {
	p := &printer{w: w}
	v := s.Verdict
	icon := map[finding.Outcome]string{finding.GatePass: "✅ Pass", finding.GateFail: "❌ Fail", finding.GateIncomplete: "⚠️ Incomplete"}[v.Outcome]
	p.f("## scangate: %s\n\n", icon)
	p.f("Threshold **%s**: %d new finding(s) fail the gate", v.Thresholds(), v.Failing)
	if v.FailingCalled > 0 {
		p.f(" (%s)", failing(v))
	}
	p.f(". %d new, %d unchanged, %d fixed, %d suppressed.", v.New, v.Unchanged, v.Fixed, v.Suppressed)
	if c := s.NewFrom; c != nil {
		p.f(" New relative to `%s` (merge-base of %s).", c.Short(), mdProse(c.Ref))
	}
	if v.SeverityUnknown > 0 {
		p.f(" %d of unknown severity.", v.SeverityUnknown)
	}
	if v.Unfixed > 0 {
		p.f(" %d without a fixed version", v.Unfixed)
		if v.IgnoreUnfixed {
			p.f(" (not gated: --ignore-unfixed)")
		}
		p.f(".")
	}
	p.f("\n\n")
	p.f("| Scanner | State | Findings | Time |\n| --- | --- | ---: | ---: |\n")
	for _, r := range s.Results {
		state := r.State.String()
		if r.State == finding.Skipped {
			state = strings.TrimSpace(state + " " + mdProse(oneLine(skipReason(r)))) // why, as the console says
		}
		p.f("| %s | %s | %d | %s |\n", mdEscape(r.Tool), state, len(r.Findings), r.Duration.Round(time.Millisecond))
	}
	ranked := s.Ranked()
	if len(ranked) > 0 {
		p.f("\n### New findings\n\n| Severity | Rule | Location | Message | Tool |\n| --- | --- | --- | --- | --- |\n")
		for i, f := range ranked {
			if i == 50 {
				p.f("\n… and %d more; see the SARIF report.\n", len(ranked)-50)
				break
			}
			tools := strings.Join(f.Tools, ", ")
			if tools == "" {
				tools = f.Tool
			}
			sev := f.SeverityLabel()
			p.f("| %s | %s | `%s` | %s | %s |\n", sev, mdEscape(f.RuleID), mdEscape(f.Location.String()), mdProse(rowMessage(f)), mdProse(tools))
		}
	}
	if sup := s.Suppressed(); len(sup) > 0 {
		p.f("\n<details><summary>%d suppressed finding(s)</summary>\n\n| Rule | Location | Suppressed by |\n| --- | --- | --- |\n", len(sup))
		for i, f := range sup {
			if i == 50 {
				p.f("\n… and %d more; see the SARIF report.\n", len(sup)-50)
				break
			}
			p.f("| %s | `%s` | %s |\n", mdEscape(f.RuleID), mdEscape(f.Location.String()), mdProse(suppressedBy(f)))
		}
		p.f("\n</details>\n")
	}
	if len(s.Remediations) > 0 {
		p.f("\n### Remediation\n\n")
		for _, r := range s.Remediations {
			p.f("- %s\n", remediationMarkdown(r, mdProse))
		}
	}
	var problems []string
	for _, r := range s.Results {
		for _, n := range r.Notifications {
			if n.Level != finding.LevelNote {
				problems = append(problems, oneLine(n.Message))
			}
		}
	}
	problems = append(problems, s.Notes...)
	if len(problems) > 0 {
		p.f("\n### Problems\n\n")
		for _, pr := range problems {
			p.f("- %s\n", mdProse(pr))
		}
	}
	if notes := runNotes(s); len(notes) > 0 {
		p.f("\n### Notes\n\n")
		for _, n := range notes {
			p.f("- %s\n", mdProse(n))
		}
	}
	return p.err
}

// runNotes are the informational notifications of the tools that ran, such
// as the Go version govulncheck checked the standard library as.
func runNotes(s *model.Report) []string {
	var out []string
	for _, r := range s.Results {
		if r.State == finding.Skipped {
			continue
		}
		for _, n := range r.Notifications {
			if n.Level == finding.LevelNote {
				out = append(out, oneLine(n.Message))
			}
		}
	}
	if s.Cache != "" {
		out = append(out, s.Cache)
	}
	return out
}

func mdEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "`", "'", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}

// mdProse escapes text outside code spans: a file name or message from the
// scanned repository must not become a link, an image or emphasis in the
// step summary. (Inside code spans backslashes would show, so locations
// keep mdEscape.)
func mdProse(s string) string {
	return mdEscape(proseEscaper.Replace(s))
}

var proseEscaper = strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, "*", `\*`, "_", `\_`, "!", `\!`)
