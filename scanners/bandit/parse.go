package bandit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/python"
)

// report is bandit's `-f json` document. bandit 1.6.2 writes errors,
// generated_at, metrics and results; bandit 1.7 to 1.9 add issue_cwe,
// col_offset and end_col_offset to each result, which are therefore optional.
type report struct {
	Errors  *[]reportError             `json:"errors"`
	Metrics map[string]json.RawMessage `json:"metrics"`
	Results *[]issue                   `json:"results"`
}

type reportError struct {
	Filename string `json:"filename"`
	Reason   string `json:"reason"`
}

type issue struct {
	Code            string `json:"code"`
	Filename        string `json:"filename"`
	IssueConfidence string `json:"issue_confidence"`
	IssueSeverity   string `json:"issue_severity"`
	IssueCWE        *cwe   `json:"issue_cwe"` // {} when the check has none
	IssueText       string `json:"issue_text"`
	LineNumber      int    `json:"line_number"`
	LineRange       []int  `json:"line_range"`
	ColOffset       *int   `json:"col_offset"`     // 0-based; -1 in bandit 1.9 when unknown
	EndColOffset    *int   `json:"end_col_offset"` // 0-based, exclusive, on the last line of LineRange
	MoreInfo        string `json:"more_info"`
	TestID          string `json:"test_id"`
	TestName        string `json:"test_name"`
}

type cwe struct {
	ID   int    `json:"id"`
	Link string `json:"link"`
}

// Severity maps bandit's severity and confidence to ours. Confidence says how
// sure bandit is that the pattern is a real problem, so a low (or undefined)
// confidence lowers the severity by one step; nothing bandit reports is
// critical, since it matches patterns without knowing whether input is
// attacker-controlled.
//
//	bandit severity | confidence HIGH | MEDIUM | LOW, UNDEFINED
//	----------------+-----------------+--------+---------------
//	HIGH            | high            | high   | medium
//	MEDIUM          | medium          | medium | low
//	LOW             | low             | low    | info
//	UNDEFINED       | info            | info   | info
func Severity(severity, confidence string) finding.Severity {
	var s finding.Severity
	switch strings.ToUpper(severity) {
	case "HIGH":
		s = finding.High
	case "MEDIUM":
		s = finding.Medium
	case "LOW":
		s = finding.Low
	default:
		return finding.Info
	}
	switch strings.ToUpper(confidence) {
	case "HIGH", "MEDIUM":
		return s
	}
	return s - 1
}

// parseReport turns bandit's JSON into findings, rules and notifications;
// the files bandit could not analyze are its error's gaps.
// root is the scanned root: result paths (relative to bandit's working
// directory, which is root) come out relative to it. Findings and errors in
// paths matching the exclude globs are dropped.
func parseReport(data []byte, root string, exclude []string, res *finding.Result) error {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return fmt.Errorf("bandit printed no report")
	}
	var rep report
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(&rep); err != nil {
		return fmt.Errorf("bandit's report is not valid JSON (%v); it starts with %q", err, python.Excerpt(trimmed))
	}
	// dec.More is false before a stray '}' or ']': look at the bytes left.
	if rest := bytes.TrimSpace(trimmed[dec.InputOffset():]); len(rest) > 0 {
		return fmt.Errorf("bandit's report has trailing data after the JSON document: %q", python.Excerpt(rest))
	}
	if rep.Results == nil {
		return fmt.Errorf("bandit's report has no \"results\" array; it starts with %q", python.Excerpt(trimmed))
	}

	// A file bandit could not read was not scanned: the run is incomplete,
	// unless the file is excluded, when its absence is what was asked for.
	failed := map[string]bool{}
	var gaps []scanner.Gap // files that were not excluded and could not be analyzed
	if rep.Errors != nil {
		for _, e := range *rep.Errors {
			p := relPath(root, e.Filename)
			failed[p] = true
			if scanner.Excluded(exclude, p) {
				continue
			}
			gaps = append(gaps, scanner.GapAt(p, "could not analyze %s: %s; it was not scanned (fix it, or --exclude it if it is not Python 3 source)", p, e.Reason))
		}
	}
	analyzed := 0
	for name := range rep.Metrics {
		// A file that failed to parse still gets a metrics entry.
		if name != "_totals" && !failed[relPath(root, name)] {
			analyzed++
		}
	}
	switch {
	case len(failed) > 0 && analyzed == 0 && len(gaps) > 0:
		gaps = append(gaps, scanner.GapAt("", "none of the %d Python files it found could be analyzed", len(failed)))
	case analyzed == 0 && len(*rep.Results) == 0:
		res.Warnf("analyzed no Python file: its exclusions cover them all")
	}

	for i, is := range *rep.Results {
		if is.TestID == "" || is.Filename == "" {
			return scanner.WithGaps(fmt.Errorf("bandit's report: result %d has no test_id or filename", i), gaps)
		}
		if scanner.Excluded(exclude, relPath(root, is.Filename)) {
			continue
		}
		f, rule := convert(is, root)
		res.Findings = append(res.Findings, f)
		if r := res.Rule(rule.ID); r != nil {
			r.Severity = max(r.Severity, rule.Severity)
		} else {
			res.AddRule(rule)
		}
	}
	slices.SortStableFunc(res.Rules, func(a, b finding.Rule) int { return strings.Compare(a.ID, b.ID) })
	return scanner.WithGaps(nil, gaps)
}

func convert(is issue, root string) (finding.Finding, finding.Rule) {
	path := relPath(root, is.Filename)
	lines := codeLines(is.Code)
	loc := finding.Location{Path: path, StartLine: is.LineNumber, Snippet: snippet(lines, is.LineNumber, is.LineRange)}
	first, last := is.LineNumber, is.LineNumber
	if len(is.LineRange) > 0 {
		first, last = slices.Min(is.LineRange), slices.Max(is.LineRange)
	}
	if last > is.LineNumber {
		loc.EndLine = last
	}
	// bandit >= 1.7 gives the AST node's columns: col_offset on the node's
	// first line, end_col_offset on its last. The first line is not always
	// the reported one (B602 reports the shell=True line of a multi-line
	// call), and then the start column would point into another line.
	if is.ColOffset != nil && *is.ColOffset >= 0 && first == is.LineNumber {
		loc.StartColumn = *is.ColOffset + 1
	}
	if is.EndColOffset != nil && *is.EndColOffset > 0 && (last > is.LineNumber || loc.StartColumn > 0 && *is.EndColOffset+1 > loc.StartColumn) {
		loc.EndLine = last
		loc.EndColumn = *is.EndColOffset + 1
	}
	// The fingerprint takes the reported line only: the excerpt's context
	// lines, and how many lines of a multi-line node it shows, vary with
	// bandit's version and with the code around the issue.
	key := finding.NormalizeCode(lines[is.LineNumber])
	if key == "" {
		key = finding.NormalizeCode(is.IssueText)
	}
	sev := Severity(is.IssueSeverity, is.IssueConfidence)
	f := finding.Finding{
		Tool:        Name,
		RuleID:      is.TestID,
		Severity:    sev,
		Confidence:  strings.ToLower(is.IssueConfidence),
		Message:     is.IssueText,
		Location:    loc,
		Fingerprint: finding.Fingerprint("bandit", is.TestID, path, key),
		// Confidence is the tool's own, lower-cased; its severity may differ from ours.
		Properties: map[string]string{"banditSeverity": is.IssueSeverity},
	}

	name := checkNames[is.TestID]
	if name == "" {
		name = is.TestName
	}
	id := 0
	if is.IssueCWE != nil && is.IssueCWE.ID > 0 {
		id = is.IssueCWE.ID
	} else {
		id = checkCWE[is.TestID]
	}
	rule := finding.Rule{
		ID:       is.TestID,
		Name:     name,
		Short:    fmt.Sprintf("bandit %s: %s", is.TestID, strings.ReplaceAll(name, "_", " ")),
		HelpURI:  is.MoreInfo,
		Tags:     []string{"security"},
		Severity: sev,
	}
	// The first message serves as the rule's description, except where
	// bandit quotes the secret it found.
	rule.Full = is.IssueText
	switch is.TestID {
	case "B105", "B106", "B107":
		rule.Full = "Possible hardcoded password."
	}
	rule.Help = fmt.Sprintf("bandit check %s (%s).", is.TestID, name)
	rule.HelpMarkdown = fmt.Sprintf("bandit check **%s** `%s`.", is.TestID, name)
	if is.MoreInfo != "" {
		rule.Help += " Documentation: " + is.MoreInfo
		rule.HelpMarkdown += fmt.Sprintf(" See [bandit's documentation](%s).", is.MoreInfo)
	}
	if id > 0 {
		rule.Tags = append(rule.Tags, "external/cwe/cwe-"+strconv.Itoa(id))
		f.Properties["cwe"] = "CWE-" + strconv.Itoa(id)
	}
	return f, rule
}

// codeLine is one line of bandit's `code` excerpt: its line number, a space
// (or a tab with --format custom), then the source line.
var codeLine = regexp.MustCompile(`^(\d+)[ \t](.*)$`)

// codeLines splits bandit's code excerpt into source lines by number.
func codeLines(code string) map[int]string {
	out := map[int]string{}
	for _, l := range strings.Split(code, "\n") {
		if m := codeLine.FindStringSubmatch(strings.TrimRight(l, "\r")); m != nil {
			n, _ := strconv.Atoi(m[1])
			out[n] = m[2]
		}
	}
	return out
}

// snippet is the flagged lines of the excerpt, without the context lines
// bandit adds around them.
func snippet(lines map[int]string, line int, lineRange []int) string {
	want := append([]int{line}, lineRange...)
	slices.Sort(want)
	want = slices.Compact(want)
	var out []string
	for _, n := range want {
		if l, ok := lines[n]; ok {
			out = append(out, l)
		}
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n \t")
}

// relPath makes a path from bandit's report relative to root: bandit prints
// paths as it walked them from its working directory ("./app/x.py").
func relPath(root, p string) string {
	if filepath.IsAbs(p) {
		return scanner.RelPath(root, p)
	}
	return filepath.ToSlash(filepath.Clean(p))
}
