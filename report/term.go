package report

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text that reaches a terminal comes partly from the scanned repository
// (file names, messages quoting code, tool errors). A terminal acts on
// control characters: ESC sequences recolour, move the cursor, clear the
// screen, set the window title or write the clipboard (OSC 52); a carriage
// return overwrites the line; bidirectional overrides reorder what is read
// ("Trojan Source"). The functions below make each such character visible
// as an escape (\x1b, \r, \u202e) so the reader sees what the file holds.

// ourColors are the only escape sequences the summary may print, and only
// when colour is on.
var ourColors = []string{ansiReset, ansiBold, ansiRed, ansiYel, ansiGreen, ansiDim}

// TermLine makes s safe to print as part of one terminal line: every
// control character, newline included, and every byte of invalid UTF-8 is
// escaped.
func TermLine(s string) string { return termSafe(s, false, false) }

// TermText is TermLine for text of several lines: newlines stay.
func TermText(s string) string { return termSafe(s, true, false) }

func termSafe(s string, newlines, colors bool) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) && r != '\t' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if colors && s[i] == 0x1b {
			if c, ok := colorAt(s[i:]); ok {
				b.WriteString(c)
				i += len(c)
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t', r == '\n' && newlines:
			b.WriteRune(r)
		case r < 0x80 && unsafeRune(r):
			switch r {
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			default:
				fmt.Fprintf(&b, `\x%02x`, r)
			}
		case unsafeRune(r) && r != utf8.RuneError:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func colorAt(s string) (string, bool) {
	for _, c := range ourColors {
		if strings.HasPrefix(s, c) {
			return c, true
		}
	}
	return "", false
}

// unsafeRune reports the characters a terminal interprets rather than
// shows: C0 and C1 controls, DEL, the Unicode line and paragraph
// separators, and the bidirectional formatting characters. U+FFFD, which
// is how the loop above sees invalid UTF-8, is checked by the caller.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r == 0x2028, r == 0x2029,
		r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == utf8.RuneError:
		return true // may be invalid UTF-8; termSafe tells them apart
	}
	return false
}

// termArgs makes each argument of a summary line safe for the terminal,
// keeping our own colour sequences when colour is on: every string that
// the text summary prints passes here, whatever its source.
func termArgs(args []any, colors bool) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			out[i] = termSafe(v, false, colors)
		case fmt.Stringer:
			out[i] = termSafe(v.String(), false, colors)
		case error:
			out[i] = termSafe(v.Error(), false, colors)
		default:
			out[i] = a
		}
	}
	return out
}

// Truncate cuts s to at most n characters (as JSON Schema and terminals
// count them), the last one "…" when it cuts.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	return string([]rune(s)[:n-1]) + "…"
}
