package safety

import (
	"bufio"
	"bytes"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// Normalize is a Python package name as PEP 503 compares them: lower case,
// with every run of "-", "_" and "." made one "-" ("Zope.Interface" and
// "zope_interface" are both "zope-interface"). OSV's PyPI records and
// osv-scanner use the same form, so findings from both tools join on it.
func Normalize(name string) string {
	return strings.Trim(nameSeps.ReplaceAllString(strings.ToLower(strings.TrimSpace(name)), "-"), "-")
}

var nameSeps = regexp.MustCompile(`[-_.]+`)

// pin is one requirement in a dependency file.
type pin struct {
	line    int    // 1-based line where the requirement starts
	text    string // that line as written
	name    string // normalized
	version string // the pinned version ("==2.11.2"), "" when not pinned
}

// depFile is a parsed dependency file with the files it includes (-r, -c).
type depFile struct {
	pins     []pin
	includes []string // root-relative, "/"-separated
}

// locator finds the line that pins a package, reading each file once.
type locator struct {
	root  string
	files map[string]*depFile
}

func newLocator(root string) *locator {
	return &locator{root: root, files: map[string]*depFile{}}
}

// find returns where rel (or a file it includes, depth first, in order)
// pins name at version; a version of "" matches any requirement of name.
// When no requirement pins that version, a requirement of the name with
// another specifier is taken. ok is false when the name appears nowhere.
func (l *locator) find(rel, name, version string) (file string, p pin, ok bool) {
	name = Normalize(name)
	var loose *pin
	var looseFile string
	seen := map[string]bool{}
	var walk func(rel string) bool
	walk = func(rel string) bool {
		if seen[rel] {
			return false
		}
		seen[rel] = true
		f := l.load(rel)
		for _, q := range f.pins {
			if q.name != name {
				continue
			}
			if version == "" || q.version == version {
				file, p = rel, q
				return true
			}
			if loose == nil {
				q := q
				loose, looseFile = &q, rel
			}
		}
		for _, inc := range f.includes {
			if walk(inc) {
				return true
			}
		}
		return false
	}
	if walk(rel) {
		return file, p, true
	}
	if loose != nil {
		return looseFile, *loose, true
	}
	return "", pin{}, false
}

func (l *locator) load(rel string) *depFile {
	if f, ok := l.files[rel]; ok {
		return f
	}
	f := &depFile{}
	l.files[rel] = f
	data, err := os.ReadFile(filepath.Join(l.root, filepath.FromSlash(rel)))
	if err != nil {
		return f
	}
	base := path.Base(rel)
	switch {
	case base == "Pipfile.lock":
		f.pins = pipfileLockPins(data)
	case base == "poetry.lock":
		f.pins = poetryLockPins(data)
	case strings.HasSuffix(base, ".txt") || strings.HasSuffix(base, ".in"):
		f.pins, f.includes = requirementsPins(rel, data)
	default:
		f.pins = mentionPins(data)
	}
	return f
}

var (
	// A requirement starts with a project name, then optional extras,
	// then specifiers, a URL or markers.
	reqName    = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$`)
	pinnedSpec = regexp.MustCompile(`^===?\s*([^\s,;]+)\s*(?:;.*)?$`)
	includeOpt = regexp.MustCompile(`^(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+|)(\S+)`)
)

// requirementsPins reads a pip requirements file: comments (" #"),
// continuation lines ending in "\", options such as --hash and
// --index-url, includes (-r, -c), extras and environment markers.
func requirementsPins(rel string, data []byte) (pins []pin, includes []string) {
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		start := i
		first := strings.TrimRight(lines[i], "\r")
		logical := first
		for strings.HasSuffix(strings.TrimRight(logical, " \t"), `\`) && i+1 < len(lines) {
			logical = strings.TrimSuffix(strings.TrimRight(logical, " \t"), `\`) + " " + strings.TrimRight(lines[i+1], "\r")
			i++
		}
		logical = stripComment(logical)
		s := strings.TrimSpace(logical)
		if s == "" {
			continue
		}
		if m := includeOpt.FindStringSubmatch(s); m != nil {
			inc := path.Clean(path.Join(path.Dir(rel), filepath.ToSlash(m[1])))
			if !strings.HasPrefix(inc, "../") && inc != ".." && !path.IsAbs(inc) {
				includes = append(includes, inc)
			}
			continue
		}
		if strings.HasPrefix(s, "-") {
			continue // -e, --index-url, --hash on its own line, ...
		}
		m := reqName.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		p := pin{line: start + 1, text: first, name: Normalize(m[1])}
		rest := m[3]
		if j := strings.Index(rest, " --"); j >= 0 {
			rest = rest[:j] // per-requirement options such as --hash
		}
		if v := pinnedSpec.FindStringSubmatch(strings.TrimSpace(rest)); v != nil {
			p.version = v[1]
		}
		pins = append(pins, p)
	}
	return pins, includes
}

// stripComment drops a "#" comment, which pip recognizes at the start of a
// line or after whitespace (a "#" inside a URL fragment stays).
func stripComment(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t') {
			return s[:i]
		}
	}
	return s
}

var (
	jsonKey      = regexp.MustCompile(`^\s*"([^"]+)"\s*:\s*\{`)
	jsonVersion  = regexp.MustCompile(`^\s*"version"\s*:\s*"===?([^"]+)"`)
	tomlName     = regexp.MustCompile(`^\s*name\s*=\s*"([^"]+)"`)
	tomlVersion  = regexp.MustCompile(`^\s*version\s*=\s*"([^"]+)"`)
	tomlPackage  = regexp.MustCompile(`^\s*\[\[\s*package\s*\]\]`)
	pipfileGroup = regexp.MustCompile(`^\s*"(default|develop)"\s*:\s*\{`)
)

// pipfileLockPins reads Pipfile.lock's "default" and "develop" sections;
// the located line is the package's key.
func pipfileLockPins(data []byte) []pin {
	lines := splitLines(data)
	var pins []pin
	depth, groupDepth := 0, -1
	for i, l := range lines {
		if groupDepth < 0 && pipfileGroup.MatchString(l) {
			groupDepth = depth + 1
		} else if m := jsonKey.FindStringSubmatch(l); m != nil && groupDepth >= 0 && depth == groupDepth {
			p := pin{line: i + 1, text: l, name: Normalize(m[1])}
			for _, next := range lines[i+1:] {
				if v := jsonVersion.FindStringSubmatch(next); v != nil {
					p.version = v[1]
					break
				}
				if strings.HasPrefix(strings.TrimSpace(next), "}") {
					break
				}
			}
			pins = append(pins, p)
		}
		depth += strings.Count(l, "{") - strings.Count(l, "}")
		if groupDepth >= 0 && depth < groupDepth {
			groupDepth = -1
		}
	}
	return pins
}

// poetryLockPins reads the [[package]] tables of poetry.lock; the located
// line is the package's name.
func poetryLockPins(data []byte) []pin {
	lines := splitLines(data)
	var pins []pin
	in := false
	for i, l := range lines {
		if tomlPackage.MatchString(l) {
			in = true
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(l), "[") {
			in = false
			continue
		}
		if m := tomlName.FindStringSubmatch(l); m != nil && in {
			p := pin{line: i + 1, text: l, name: Normalize(m[1])}
			for _, next := range lines[i+1:] {
				if tomlPackage.MatchString(next) || strings.HasPrefix(strings.TrimSpace(next), "[") {
					break
				}
				if v := tomlVersion.FindStringSubmatch(next); v != nil {
					p.version = v[1]
					break
				}
			}
			pins = append(pins, p)
		}
	}
	return pins
}

var word = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9._-]*`)

// mentionPins serves other manifests (pyproject.toml, Pipfile, setup.cfg):
// the first line naming each package, version unknown.
func mentionPins(data []byte) []pin {
	var pins []pin
	seen := map[string]bool{}
	for i, l := range splitLines(data) {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "[") {
			continue
		}
		for _, w := range word.FindAllString(l, -1) {
			n := Normalize(w)
			if !seen[n] {
				seen[n] = true
				pins = append(pins, pin{line: i + 1, text: l, name: n})
			}
		}
	}
	return pins
}

func splitLines(data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		out = append(out, strings.TrimRight(sc.Text(), "\r"))
	}
	return out
}
