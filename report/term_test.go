package report

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/policy"
)

func TestTermLine(t *testing.T) {
	for in, want := range map[string]string{
		"app/main.go":                    "app/main.go",
		"tab\there é ✓ \ufffd":           "tab\there é ✓ \ufffd",
		"\x1b[2J\x1b]0;title\x07x":       `\x1b[2J\x1b]0;title\x07x`,
		"a\nb\rc":                        `a\nb\rc`,
		"bad\xff\xfeutf8":                `bad\xff\xfeutf8`,
		"c1 \u009b31m csi":               `c1 \u009b31m csi`,
		"del\x7f":                        `del\x7f`,
		"trojan\u202esource\u2066\u2069": `trojan\u202esource\u2066\u2069`,
		"\u2028line sep":                 `\u2028line sep`,
	} {
		if got := TermLine(in); got != want {
			t.Errorf("TermLine(%q) = %q, want %q", in, got, want)
		}
	}
	if got := TermText("one\ntwo\x1b[1m"); got != "one\ntwo\\x1b[1m" {
		t.Errorf("TermText = %q", got)
	}
}

// textSummary renders a scan whose finding, notification and root carry
// terminal controls, the way a hostile repository's file names would.
func textSummary(t *testing.T, color bool) string {
	t.Helper()
	evil := "x.py\x1b]52;c;cHduZWQ=\x07\x1b[2J\r\nFAKE LINE\u202e"
	s := &model.Report{
		Root:    "repo\x1b[31m",
		Version: "v1",
		Results: []finding.Result{{
			Tool: "bandit", State: finding.Completed,
			Findings: []finding.Finding{{Tool: "bandit", RuleID: "B602\x1b[8m", Severity: finding.High, Status: finding.StatusNew,
				Message: "msg \x1b[1;1H\x9b2J", Location: finding.Location{Path: evil, StartLine: 3}}},
			Notifications: []finding.Notification{{Level: finding.LevelWarning, Message: "bandit could not analyze " + evil}},
		}},
		Verdict: policy.Verdict{Outcome: policy.Fail, Threshold: "high", New: 1, Failing: 1, BySeverity: map[finding.Severity]int{finding.High: 1}},
	}
	var b bytes.Buffer
	if err := Text(&b, s, TextOptions{Color: color}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The summary prints no control character of the repository: only its own
// colour codes, and only with colour on; every file name stays on its line.
func TestTextNoRepositoryControls(t *testing.T) {
	for _, color := range []bool{false, true} {
		out := textSummary(t, color)
		if !utf8.ValidString(out) {
			t.Errorf("color=%v: invalid UTF-8 in %q", color, out)
		}
		rest := out
		for _, c := range ourColors {
			rest = strings.ReplaceAll(rest, c, "")
		}
		if i := strings.IndexFunc(rest, func(r rune) bool { return r != '\n' && unsafeRune(r) && r != utf8.RuneError }); i >= 0 {
			t.Errorf("color=%v: control character %q at %d in\n%q", color, rest[i], i, out)
		}
		if !color && strings.Contains(out, "\x1b") {
			t.Errorf("ESC without colour: %q", out)
		}
		if color && !strings.Contains(out, ansiRed+ansiBold+"Verdict: FAIL:") {
			t.Errorf("our colours are gone: %q", out)
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "FAKE LINE") {
				t.Errorf("a file name started a line of its own: %q", out)
			}
		}
		if !strings.Contains(out, `x.py\x1b]52;c;cHduZWQ=\x07\x1b[2J\r\nFAKE LINE\u202e:3`) || !strings.Contains(out, `B602\x1b[8m`) {
			t.Errorf("color=%v: the escaped name is not shown as it is:\n%s", color, out)
		}
	}
}

// Text from the scanned repository in the step summary's prose (messages,
// notes, problems) cannot become a link, an image or emphasis, nor break
// the table it sits in.
func TestMarkdownProseFromTheRepository(t *testing.T) {
	for in, want := range map[string]string{
		"see [docs](https://evil.example)": `see \[docs\](https://evil.example)`,
		"![x](https://evil.example/t.png)": `\!\[x\](https://evil.example/t.png)`,
		`**bold** _it_ a\[b`:               `\*\*bold\*\* \_it\_ a\\\[b`,
		"a | b <img src=x> `code`":         "a \\| b &lt;img src=x&gt; 'code'",
		"line\nbreak":                      "line break",
	} {
		if got := mdProse(in); got != want {
			t.Errorf("mdProse(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"short", 5, "short"},
		{"longer", 5, "long…"},
		{"ééééé€", 3, "éé…"}, // characters, not bytes
		{"any", 1, "…"},
		{"any", 0, ""}, // a one-column terminal: nothing, no panic
		{"", 0, ""},
	} {
		if got := Truncate(c.s, c.n); got != c.want || utf8.RuneCountInString(got) > max(c.n, 0) {
			t.Errorf("Truncate(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}
