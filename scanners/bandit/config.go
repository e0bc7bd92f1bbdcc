package bandit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/python"
)

// defaultExcludes are the directories python.Walk skips, as bandit
// -x globs, so that bandit reads what the walk saw. bandit matches each
// glob with fnmatch against the whole path as it walked it ("./src/x.py"
// or, for a target "src", "src/x.py"), and "*" crosses "/".
var defaultExcludes = func() []string {
	var out []string
	for _, d := range python.SkippedDirs() {
		out = append(out, "*/"+d+"/*")
	}
	return out
}()

// testExcludes drop test code unless the request asks for tests: the
// places pytest and unittest look by default.
var testExcludes = []string{"*/tests/*", "tests/*", "*/test/*", "test/*", "*/test_*.py", "test_*.py", "*_test.py", "*/conftest.py", "conftest.py"}

func isTestFile(rel string) bool {
	base := filepath.Base(rel)
	if strings.HasPrefix(base, "test_") || strings.HasSuffix(base, "_test.py") || base == "conftest.py" {
		return true
	}
	for _, part := range strings.Split(filepath.ToSlash(filepath.Dir(rel)), "/") {
		if part == "tests" || part == "test" {
			return true
		}
	}
	return false
}

// tree is what one walk of the root finds.
type tree struct {
	hasPy     bool     // a Python source that would be scanned
	venvs     []string // virtual environments with unusual names (a pyvenv.cfg inside), "/"-separated
	iniFiles  []string // .bandit files outside skipped directories
	pyproject bool     // root pyproject.toml has a [tool.bandit] table
	excluded  []string // the topmost excluded directories, and excluded Python sources elsewhere, sorted
	gaps      []scanner.Gap
}

// walk looks at root the way the scan will. With quick set it stops at the
// first Python source (for Applies). Directories matching the exclude globs
// are not read, and sources matching them do not count; both are recorded.
func walk(root string, tests, quick bool, exclude []string) (tree, error) {
	var t tree
	venv := func(rel string) { t.venvs = append(t.venvs, rel) }
	excluded := map[string]bool{}
	w := scanner.TreeWalk{Root: root, Exclude: exclude, Excluded: func(rel string) { excluded[rel] = true }}
	gaps, err := python.Walk(w, venv, func(rel string, d fs.DirEntry) error {
		switch {
		case d.Name() == ".bandit":
			t.iniFiles = append(t.iniFiles, rel)
		case strings.HasSuffix(d.Name(), ".py") && scanner.Excluded(exclude, rel):
			excluded[topExcluded(exclude, rel)] = true
		case strings.HasSuffix(d.Name(), ".py") && (tests || !isTestFile(rel)):
			t.hasPy = true
			if quick {
				return fs.SkipAll
			}
		}
		return nil
	})
	if err != nil {
		return t, err
	}
	t.gaps = gaps
	t.excluded = slices.Sorted(maps.Keys(excluded))
	if !quick && (len(gaps) == 0 || gaps[0].Rel != ".") { // the root unread: its gap says it
		t.pyproject, err = hasToolBandit(filepath.Join(root, "pyproject.toml"))
	}
	return t, err
}

// topExcluded is the shortest leading part of rel that the globs exclude.
func topExcluded(globs []string, rel string) string {
	parts := strings.Split(rel, "/")
	for i := 1; i < len(parts); i++ {
		if p := strings.Join(parts[:i], "/"); scanner.Excluded(globs, p) {
			return p
		}
	}
	return rel
}

// toolBandit matches a TOML table header for [tool.bandit] or one of its
// sub-tables ([tool.bandit.assert_used]), with the spacing and quoting TOML
// allows.
var toolBandit = regexp.MustCompile(`^\s*\[\s*tool\s*\.\s*("bandit"|'bandit'|bandit)\s*[\].]`)

// hasToolBandit reports whether a pyproject.toml configures bandit. A line
// scan is enough to decide whether to pass the file to bandit, which parses
// it itself.
func hasToolBandit(path string) (bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if toolBandit.MatchString(sc.Text()) {
			return true, nil
		}
	}
	return false, sc.Err()
}

// iniOptions are the [bandit] settings of a .bandit file that scangate has
// to merge itself: bandit takes a command-line option over the file's, and
// scangate always passes -x (and -s when configured with skips).
type iniOptions struct {
	exclude []string
	skips   []string
	tests   []string
	targets []string
	others  []string // the other keys of [bandit], sorted: never applied
}

// parseIni reads a .bandit file the way Python's configparser does for the
// keys bandit uses: "key = value" or "key: value" in a [bandit] section,
// case-insensitive keys, comment lines starting with # or ;, and indented
// continuation lines. It returns ok=false when there is no [bandit] section,
// which bandit ignores with a warning.
func parseIni(data []byte) (opts iniOptions, ok bool, err error) {
	section := ""
	values := map[string]string{}
	lastKey := ""
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimRight(raw, " \t\r")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";"):
			continue
		case (raw[0] == ' ' || raw[0] == '\t') && lastKey != "":
			if section == "bandit" {
				values[lastKey] += "\n" + trimmed
			}
			continue
		case strings.HasPrefix(trimmed, "["):
			if !strings.HasSuffix(trimmed, "]") {
				return opts, false, fmt.Errorf("line %d: malformed section header %q", i+1, trimmed)
			}
			section = strings.TrimSpace(trimmed[1 : len(trimmed)-1])
			if section == "bandit" {
				ok = true
			}
			lastKey = ""
			continue
		}
		k, v, found := cutAny(trimmed, "=:")
		if !found {
			return opts, false, fmt.Errorf("line %d: %q is neither a section, a key = value pair nor a comment", i+1, trimmed)
		}
		if section == "" {
			return opts, false, fmt.Errorf("line %d: key %q before any [section]", i+1, strings.TrimSpace(k))
		}
		lastKey = strings.ToLower(strings.TrimSpace(k))
		if section == "bandit" {
			values[lastKey] = strings.TrimSpace(v)
		}
	}
	for k := range values {
		switch k {
		case "exclude", "skips", "tests", "targets":
		default:
			opts.others = append(opts.others, k)
		}
	}
	slices.Sort(opts.others)
	opts.exclude = splitList(values["exclude"])
	opts.skips = splitList(values["skips"])
	opts.tests = splitList(values["tests"])
	opts.targets = splitList(values["targets"])
	return opts, ok, nil
}

func cutAny(s, seps string) (before, after string, found bool) {
	if i := strings.IndexAny(s, seps); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// splitList splits bandit's comma-separated values (continuation lines
// count as separators too).
func splitList(v string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '\n' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
