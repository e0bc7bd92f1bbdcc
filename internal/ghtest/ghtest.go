// Package ghtest holds test helpers for GitHub: the Actions runner's files
// (ReadOutputs) and a fake REST API for issue comments (API).
package ghtest

import (
	"os"
	"strings"
	"testing"
)

// ReadOutputs parses a $GITHUB_OUTPUT file as the runner does (name=value,
// or name<<DELIM ... DELIM) and fails the test on a line the runner would
// reject.
func ReadOutputs(t testing.TB, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if name, delim, ok := strings.Cut(l, "<<"); ok && !strings.Contains(name, "=") {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			if i == len(lines) {
				t.Fatalf("%s: unterminated heredoc for %s", path, name)
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(l, "=")
		if !ok {
			t.Fatalf("%s: bad line %q", path, l)
		}
		out[name] = val
	}
	return out
}
