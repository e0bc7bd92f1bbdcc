package osv

import (
	"bufio"
	"bytes"
	"os"
	"path"
	"strings"
)

// manifests caches manifest lines for locating packages.
type manifests map[string][]string

func (m manifests) lines(abs string) []string {
	if l, ok := m[abs]; ok {
		return l
	}
	var out []string
	if data, err := os.ReadFile(abs); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
		for sc.Scan() {
			out = append(out, sc.Text())
		}
	}
	m[abs] = out
	return out
}

// span is a 1-based line and a column range of a package in its manifest;
// endCol is exclusive, as SARIF's endColumn.
type span struct{ line, col, endCol int }

// locate finds the package in its manifest. osv-scalibr gives the line for
// most formats (go.mod, requirements.txt, package-lock.json, Gemfile.lock,
// yarn.lock, poetry.lock, ...); the column is ours: where the package name
// starts on that line. Without a line from osv-scalibr (Cargo.lock,
// composer.lock, ...) the first line naming the package followed closely by
// its version is used.
func (m manifests) locate(abs string, line int, name, version string) span {
	lines := m.lines(abs)
	if line <= 0 || line > len(lines) {
		line = searchLine(lines, name, version)
		if line == 0 {
			return span{}
		}
	}
	text := lines[line-1]
	col, end := nameColumn(path.Base(abs), text, name)
	return span{line: line, col: col, endCol: end}
}

// nameColumn returns the 1-based column span of name on the line, or the
// first non-blank character when the name is written differently there.
func nameColumn(base, text, name string) (int, int) {
	lower, lname := strings.ToLower(text), strings.ToLower(name)
	i := -1
	switch base {
	case "package-lock.json", "npm-shrinkwrap.json":
		// "node_modules/a/node_modules/lodash": the last path element.
		i = strings.LastIndex(lower, "/"+lname+"\"")
		if i >= 0 {
			i++
		}
	}
	if i < 0 {
		i = strings.Index(lower, lname)
	}
	if i < 0 && (strings.Contains(lname, "-") || strings.Contains(lname, "_") || strings.Contains(lname, ".")) {
		// PyPI names are normalized: Foo_Bar in the file is foo-bar here.
		r := strings.NewReplacer("-", "_", ".", "_")
		i = strings.Index(r.Replace(lower), r.Replace(lname))
	}
	if i < 0 {
		trimmed := strings.TrimLeft(text, " \t")
		start := len(text) - len(trimmed)
		return start + 1, len(strings.TrimRight(text, " \t")) + 1
	}
	return i + 1, i + 1 + len(name)
}

func searchLine(lines []string, name, version string) int {
	lname := strings.ToLower(name)
	for i, l := range lines {
		if !containsWord(strings.ToLower(l), lname) {
			continue
		}
		for j := i; j < len(lines) && j <= i+3; j++ {
			if strings.Contains(lines[j], version) {
				return i + 1
			}
		}
	}
	return 0
}

// containsWord reports whether name occurs in s not as part of a longer name.
func containsWord(s, name string) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], name)
		if i < 0 {
			return false
		}
		i += off
		before := i == 0 || !isNameChar(s[i-1])
		after := i+len(name) == len(s) || !isNameChar(s[i+len(name)])
		if before && after {
			return true
		}
		off = i + 1
	}
}

func isNameChar(c byte) bool {
	return c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
