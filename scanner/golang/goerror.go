package golang

import (
	"strings"
)

// ErrorLine picks the decisive line of the go command's error output, the
// one that says what to do ("go: updates to go.mod needed, disabled by
// -mod=readonly; to update it: go mod tidy"), rather than its first line,
// which is often progress ("go: downloading ..."). An indented line
// continues the line above it. Wrappers that go/packages and govulncheck
// put around the output ("... err: exit status 1: stderr: ") are dropped.
func ErrorLine(out string) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if len(lines) > 0 && (strings.HasPrefix(l, "\t") || strings.HasPrefix(l, " ")) {
			lines[len(lines)-1] += " " + strings.TrimSpace(l)
			continue
		}
		if _, after, ok := strings.Cut(l, "stderr: "); ok {
			l = after
		}
		l = strings.TrimSpace(l)
		if isGoProgress(l) {
			continue
		}
		lines = append(lines, l)
	}
	for _, l := range lines {
		if hasRemedy(l) {
			return l
		}
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "go: ") {
			return l
		}
	}
	// The first line that is not a heading ("There are errors with the
	// provided package patterns:").
	for _, l := range lines {
		if !strings.HasSuffix(l, ":") {
			return l
		}
	}
	if len(lines) > 0 {
		return lines[0]
	}
	return strings.TrimSpace(out)
}

func isGoProgress(l string) bool {
	for _, p := range []string{"go: downloading ", "go: finding ", "go: extracting ", "go: found ", "go: upgraded ", "go: added "} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// hasRemedy reports whether a go command error line says how to fix it.
func hasRemedy(l string) bool {
	for _, r := range []string{"to update it:", "to add it:", "to add:", "go mod tidy", "go get ", "go mod download", "go work sync", "go work use"} {
		if strings.Contains(l, r) {
			return true
		}
	}
	return false
}
