// Package ghactions is the GitHub sink: it publishes a scan's report as
// annotations, step outputs, the step summary and the pull request comment
// (Sink), and speaks the runner's file and workflow command protocols for
// it, pausing command processing around untrusted text. Everything that
// comes from a scanned repository (paths, messages) is escaped by the
// runner's rules before it reaches a command line.
package ghactions

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Enabled reports whether we run inside GitHub Actions.
func Enabled(getenv func(string) string) bool {
	return getenv("GITHUB_ACTIONS") == "true"
}

// EscapeData escapes a command's message as the runner unescapes it
// (actions/toolkit escapeData): % first, then CR and LF, so that no
// message can end the command line and start another.
func EscapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// EscapeProperty escapes a command property value (actions/toolkit
// escapeProperty): as EscapeData, plus ':' and ',' which end a property.
func EscapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// Level of an annotation.
type Level string

const (
	Error   Level = "error"
	Warning Level = "warning"
	Notice  Level = "notice"
)

// Annotation is one ::error/::warning/::notice workflow command.
type Annotation struct {
	Level     Level
	File      string // relative to the repository root, "/" separated
	Line      int
	EndLine   int
	Col       int
	EndColumn int
	Title     string
	Message   string
}

// String renders the command line, without the trailing newline.
func (a Annotation) String() string {
	var props []string
	add := func(k, v string) {
		if v != "" {
			props = append(props, k+"="+EscapeProperty(v))
		}
	}
	num := func(n int) string {
		if n <= 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	add("file", a.File)
	if a.File != "" && a.Line > 0 {
		add("line", num(a.Line))
		if a.EndLine > a.Line {
			add("endLine", num(a.EndLine))
		} else if a.Col > 0 {
			// The runner accepts columns only on single-line annotations.
			add("col", num(a.Col))
			if a.EndColumn > a.Col {
				add("endColumn", num(a.EndColumn))
			}
		}
	}
	// The runner trims the property list, so edge spaces of the last value
	// would be lost anyway.
	add("title", strings.TrimSpace(a.Title))
	cmd := "::" + string(a.Level)
	if len(props) > 0 {
		cmd += " " + strings.Join(props, ",")
	}
	return cmd + "::" + EscapeData(a.Message)
}

// PerLevel is how many annotations of each level one step shows: GitHub
// displays at most 10 errors, 10 warnings and 10 notices per step (and 50
// per job), and drops the rest silently. Emitting more only hides the most
// severe ones behind the order of the log.
const PerLevel = 10

// Cap keeps the first PerLevel annotations of each level, in the order
// given (callers pass them most severe first), and counts what it dropped.
func Cap(anns []Annotation) (kept []Annotation, dropped map[Level]int) {
	seen := map[Level]int{}
	dropped = map[Level]int{}
	for _, a := range anns {
		if seen[a.Level] >= PerLevel {
			dropped[a.Level]++
			continue
		}
		seen[a.Level]++
		kept = append(kept, a)
	}
	return kept, dropped
}

// Token returns a random string for stop-commands and heredoc delimiters:
// text from a scanned repository cannot guess it.
func Token() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return "scangate_" + hex.EncodeToString(b)
}

// StopCommands makes the runner ignore workflow commands in everything
// written to w until the returned function is called, so that a file name
// or message in our human-readable output cannot be read as a command.
func StopCommands(w io.Writer) (resume func()) {
	tok := Token()
	fmt.Fprintf(w, "::stop-commands::%s\n", tok)
	done := false
	return func() {
		if !done {
			done = true
			fmt.Fprintf(w, "::%s::\n", tok)
		}
	}
}

// Output is one step output.
type Output struct{ Name, Value string }

// FormatOutputs renders outputs in the $GITHUB_OUTPUT file format. Values
// that could hold a line break use the heredoc form with a random
// delimiter; the delimiter is checked against the value.
func FormatOutputs(outs []Output) (string, error) {
	var b strings.Builder
	for _, o := range outs {
		if o.Name == "" || strings.ContainsAny(o.Name, "=<\r\n") {
			return "", fmt.Errorf("invalid output name %q", o.Name)
		}
		if !strings.ContainsAny(o.Value, "\r\n") {
			fmt.Fprintf(&b, "%s=%s\n", o.Name, o.Value)
			continue
		}
		delim := "ghadelimiter_" + Token()
		if strings.Contains(o.Value, delim) {
			return "", fmt.Errorf("output %s: value contains the delimiter", o.Name)
		}
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", o.Name, delim, o.Value, delim)
	}
	return b.String(), nil
}

// SetOutputs appends outputs to the file named by $GITHUB_OUTPUT.
func SetOutputs(path string, outs []Output) error {
	s, err := FormatOutputs(outs)
	if err != nil {
		return fmt.Errorf("GITHUB_OUTPUT: %w", err)
	}
	return appendFile("GITHUB_OUTPUT", path, []byte(s))
}

// SummaryLimit is the most a step may write to $GITHUB_STEP_SUMMARY
// (1 MiB); the runner refuses the whole summary above it.
const SummaryLimit = 1 << 20

// AppendSummary appends markdown to the file named by $GITHUB_STEP_SUMMARY.
// The runner concatenates what every step appended, so we only append;
// markdown beyond SummaryLimit is cut at a line break with a note.
func AppendSummary(path string, markdown []byte) error {
	const note = "\n_Summary truncated at GitHub's 1 MiB limit; the SARIF report has every finding._\n"
	if len(markdown) > SummaryLimit {
		cut := markdown[:SummaryLimit-len(note)]
		if i := strings.LastIndexByte(string(cut), '\n'); i > 0 {
			cut = cut[:i+1]
		}
		markdown = append(append([]byte(nil), cut...), note...)
	}
	if len(markdown) > 0 && markdown[len(markdown)-1] != '\n' {
		markdown = append(markdown, '\n')
	}
	return appendFile("GITHUB_STEP_SUMMARY", path, markdown)
}

func appendFile(env, path string, data []byte) error {
	if path == "" {
		return fmt.Errorf("%s is not set", env)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("%s: %w", env, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("%s: write %s: %w", env, path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: write %s: %w", env, path, err)
	}
	return nil
}
