package scanner

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/shellout"
)

// Paths keeps the machine's paths out of everything a scan reports: the
// scanned root becomes relative, and the places a go command, a tool or the
// runner keep files become markers ($GOCACHE, $GOMODCACHE, $GOROOT, $DB,
// $TMPDIR, ~). It is the one place that knows these directories; Run builds
// one per scan and every adapter uses it through Request.Paths.
type Paths struct {
	root     string // the root as given (absolute)
	realRoot string // the root with symlinks resolved
	subs     []sub  // longest first

	mu     sync.Mutex // scanners run concurrently
	inside map[string]bool

	wordsOnce sync.Once
	words     []string // see outsideWords
}

type sub struct {
	old, new string
	// bare: osv-scalibr prints absolute paths without their leading "/";
	// such a match must not be the tail of a longer path.
	bare bool
}

// NewPaths returns the Paths of a scan of root reading the vulnerability
// database db ("" when none). It asks the go command (with
// GOTOOLCHAIN=local, outside the scanned tree) where its caches are.
func NewPaths(root, db string) *Paths {
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	p := &Paths{root: filepath.Clean(root), inside: map[string]bool{}}
	p.realRoot = p.root
	if r, err := filepath.EvalSymlinks(p.root); err == nil {
		p.realRoot = r
	}
	// bare: also without the leading "/", for the root and the database
	// only: "tmp" alone would match words.
	add := func(dir, marker string, bare bool) {
		if dir != "" && !filepath.IsAbs(dir) {
			dir, _ = filepath.Abs(dir)
		}
		if dir == "" || filepath.Dir(dir) == dir {
			return // "" or "/": replacing it would mangle every path
		}
		dir = filepath.Clean(dir)
		dirs := []string{dir}
		if real, err := filepath.EvalSymlinks(dir); err == nil && real != dir {
			dirs = append(dirs, real)
		}
		for _, d := range dirs {
			p.subs = append(p.subs, sub{old: d, new: marker})
			if bare {
				p.subs = append(p.subs, sub{old: d[1:], new: marker, bare: true})
			}
		}
	}
	// The root maps to "" so that "root/a/b.go" becomes "a/b.go"; Text
	// turns a bare root into ".".
	add(p.root, "", true)
	env := goEnvDirs(p.root)
	add(env["GOMODCACHE"], "$GOMODCACHE", false)
	add(env["GOCACHE"], "$GOCACHE", false)
	add(env["GOROOT"], "$GOROOT", false)
	if gp := filepath.SplitList(env["GOPATH"]); len(gp) > 0 {
		add(gp[0], "$GOPATH", false)
	}
	add(os.TempDir(), TempMarker(), false)
	if home, err := os.UserHomeDir(); err == nil {
		add(home, "~", false)
	}
	p.sortSubs()
	// The database is named as its path reads with the markers above
	// ("~/.cache/scangate/db", "$TMPDIR/db"), or as the user gave it: an
	// error about it must say which path was tried. Its bare form is
	// mapped too, for osv-scalibr.
	if db != "" {
		if abs, err := filepath.Abs(db); err == nil {
			add(abs, p.Text(abs), true)
			p.sortSubs()
		}
	}
	return p
}

// TempMarker names the temporary directory in outputs so that a shell
// reads the path back: "$TMPDIR", or with TMPDIR unset (os.TempDir is then
// /tmp) "${TMPDIR:-/tmp}", since "$TMPDIR/x" would read as "/x".
func TempMarker() string {
	if os.Getenv("TMPDIR") == "" {
		return "${TMPDIR:-/tmp}"
	}
	return "$TMPDIR"
}

// sortSubs puts the longest paths first (the root and the caches lie inside
// the temp or home directory) and drops repeats.
func (p *Paths) sortSubs() {
	slices.SortStableFunc(p.subs, func(a, b sub) int { return len(b.old) - len(a.old) })
	p.subs = slices.CompactFunc(p.subs, func(a, b sub) bool { return a.old == b.old })
}

// PathsFor returns req.Paths, or a new Paths for req when the adapter runs
// outside Run (in its own tests).
func PathsFor(req *Request) *Paths {
	if req.Paths != nil {
		return req.Paths
	}
	return NewPaths(req.Root, req.DB)
}

// goEnv is golang.Env for a module without a workspace (golang imports this
// package, not the reverse), without GOFLAGS.
func goEnv(root string) []string {
	return shellout.Env(root, "GOTOOLCHAIN=local", "CGO_ENABLED=0", "GOWORK=off", "GOPACKAGESDRIVER=off", "GOFLAGS=")
}

// goEnvDirs asks the go command for its directories. Without a go command
// the environment and the go command's own defaults stand in. The go
// command is never one from a PATH entry inside root.
func goEnvDirs(root string) map[string]string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Not in the scanned tree: its go.mod or go.work must not matter here.
	res, err := shellout.Run(ctx, shellout.Cmd{Program: "go", Args: []string{"env", "-json", "GOCACHE", "GOMODCACHE", "GOROOT", "GOPATH"},
		Dir: os.TempDir(), Root: root, Env: goEnv(root), MaxStdout: 64 << 10})
	out := map[string]string{}
	if err == nil && res.ExitCode == 0 {
		_ = json.Unmarshal(res.Stdout, &out)
	}
	if out["GOCACHE"] == "" {
		out["GOCACHE"] = os.Getenv("GOCACHE")
		if out["GOCACHE"] == "" {
			if d, err := os.UserCacheDir(); err == nil {
				out["GOCACHE"] = filepath.Join(d, "go-build")
			}
		}
	}
	if out["GOPATH"] == "" {
		out["GOPATH"] = os.Getenv("GOPATH")
		if home, err := os.UserHomeDir(); err == nil && out["GOPATH"] == "" {
			out["GOPATH"] = filepath.Join(home, "go")
		}
	}
	if out["GOMODCACHE"] == "" {
		out["GOMODCACHE"] = os.Getenv("GOMODCACHE")
		if gp := filepath.SplitList(out["GOPATH"]); out["GOMODCACHE"] == "" && len(gp) > 0 && gp[0] != "" {
			out["GOMODCACHE"] = filepath.Join(gp[0], "pkg", "mod")
		}
	}
	return out
}

// Text rewrites every known machine path in s: paths under the root become
// relative to it, the rest get their marker.
func (p *Paths) Text(s string) string {
	if p == nil || s == "" {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		m := p.match(s, i)
		if m == nil {
			b.WriteByte(s[i])
			i++
			continue
		}
		end := i + len(m.old)
		switch {
		case m.new != "":
			b.WriteString(m.new)
		case end < len(s) && s[end] == filepath.Separator:
			end++ // "root/a.go" -> "a.go"
		default:
			b.WriteByte('.') // the root itself
		}
		i = end
	}
	return b.String()
}

// match returns the longest known path starting at s[i] that ends at a
// path boundary, or nil.
func (p *Paths) match(s string, i int) *sub {
	for k := range p.subs {
		m := &p.subs[k]
		if !strings.HasPrefix(s[i:], m.old) {
			continue
		}
		if end := i + len(m.old); end < len(s) && nameByte(s[end]) {
			continue // "/home/u" is not a prefix of "/home/user"
		}
		if m.bare && i > 0 && (nameByte(s[i-1]) || s[i-1] == '/') {
			continue
		}
		return m
	}
	return nil
}

func nameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '-' || c == '+' || c == '@' || c == '~' || c >= 0x80
}

// Inside reports whether rel, a "/"-separated path relative to the root as
// reports carry it, names a place inside the root once symlinks are
// resolved: a symlinked file or directory that leads out of the tree is
// outside, and so is a path that climbs out with "..".
func (p *Paths) Inside(rel string) bool {
	if rel == "" || rel == "." {
		return true
	}
	if filepath.IsAbs(rel) || !filepath.IsLocal(filepath.FromSlash(rel)) {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if ok, seen := p.inside[rel]; seen {
		return ok
	}
	ok := p.resolvesInside(filepath.Join(p.root, filepath.FromSlash(rel)))
	p.inside[rel] = ok
	return ok
}

// resolvesInside resolves the longest existing prefix of abs and checks it
// lies under the real root; what does not exist yet cannot lead anywhere.
func (p *Paths) resolvesInside(abs string) bool {
	for dir := abs; ; dir = filepath.Dir(dir) {
		real, err := filepath.EvalSymlinks(dir)
		if err == nil {
			return within(p.realRoot, real)
		}
		if !errors.Is(err, os.ErrNotExist) || dir == p.root || filepath.Dir(dir) == dir {
			return false
		}
	}
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && filepath.IsLocal(rel)
}

// position is a compiler diagnostic's "file:line[:col]: message".
var position = regexp.MustCompile(`^\s*([^\s:][^:]*):(\d+)(?::(\d+))?: ?(.*)$`)

// A position inside the root does not make the text a compiler quotes
// there the root's own: go/types prints the value of a constant declared
// in a package outside the tree ("constant \"…\" of type string"), and a C
// compiler quotes identifiers and tokens ('…', ‘…’) from macros and
// headers included from anywhere. goQuoted matches Go's string constants;
// cQuoted adds the C compiler's quotes.
var (
	goQuoted = regexp.MustCompile("\"(?:[^\"\\\\\n]|\\\\.)*\"|`[^`\n]*`")
	cQuoted  = regexp.MustCompile("\"(?:[^\"\\\\\n]|\\\\.)*\"|`[^`\n]*`|'[^'\n]*'|‘[^’\n]*’")
)

// Message cleans the message of a diagnostic at line of rel, a file inside
// the root: machine paths are replaced, and quoted text that does not
// appear on that line is cut to "…" (strict: cgo ran, so the C compiler's
// quotes too). What the line itself holds is the repository's own text.
func (p *Paths) Message(msg, rel string, line int, strict bool) string {
	q := goQuoted
	if strict {
		q = cQuoted
	}
	src := p.sourceLine(rel, line)
	return q.ReplaceAllStringFunc(p.Text(msg), func(m string) string {
		_, open := utf8.DecodeRuneInString(m)
		_, end := utf8.DecodeLastRuneInString(m)
		if src != "" && strings.Contains(src, m[open:len(m)-end]) {
			return m
		}
		return "…"
	})
}

// sourceLine is line n of the file rel under the root, "" when it is not
// a readable file inside the root.
func (p *Paths) sourceLine(rel string, n int) string {
	if n <= 0 || rel == "" || !p.Inside(rel) {
		return ""
	}
	f, err := os.Open(filepath.Join(p.root, filepath.FromSlash(rel)))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for i := 1; sc.Scan(); i++ {
		if i == n {
			return sc.Text()
		}
	}
	return ""
}

// Diagnostics is the one filter for what a child process printed (the go
// command and the compilers it runs, govulncheck's child, bandit, safety)
// before any of it goes into a message: dir is the directory it ran in
// (relative positions are relative to it). A line with a position outside
// the root is dropped, positions inside it are made relative to the root,
// and their message goes through Message. A line that holds a word of a
// file outside the root that a symbolic link of the tree leads to (go.mod,
// requirements.txt, ... linked to a file elsewhere, which a tool quotes
// when it cannot parse it) is dropped, wherever it comes from
// (outsideWords). With cgo, the C compiler also echoes the source lines it
// complains about, from any file the repository includes, without a
// position: strict then keeps only positioned lines and the go command's
// own (goCommandLine). dropped counts the lines left out.
func (p *Paths) Diagnostics(text, dir string, strict bool) (out string, dropped int) {
	var keep []string
	for _, line := range strings.Split(text, "\n") {
		if p.quotesOutside(line) {
			dropped++
			continue
		}
		m := position.FindStringSubmatch(line)
		if m == nil {
			t := strings.TrimSpace(line)
			if t == "" && (len(keep) == 0 || keep[len(keep)-1] == "") {
				continue
			}
			if strict && t != "" && !goCommandLine(t) {
				dropped++
				continue
			}
			keep = append(keep, p.Text(line))
			continue
		}
		file := filepath.FromSlash(m[1])
		if !filepath.IsAbs(file) {
			file = filepath.Join(dir, file)
		}
		rel, ok := p.relFile(file)
		if !ok {
			dropped++
			continue
		}
		pos := rel + ":" + m[2]
		if m[3] != "" {
			pos += ":" + m[3]
		}
		n, _ := strconv.Atoi(m[2])
		keep = append(keep, pos+": "+p.Message(m[4], rel, n, strict))
	}
	return strings.TrimRight(strings.Join(keep, "\n"), "\n "), dropped
}

// Stderr is the end of a child's stderr for a message: at most lines
// lines of what Diagnostics keeps of it, with the count of lines left out.
// dir is the directory the child ran in.
func (p *Paths) Stderr(o *shellout.Output, dir string, lines int, strict bool) (out string) {
	if o == nil {
		return ""
	}
	text, dropped := p.Diagnostics(string(o.Stderr), dir, strict)
	var keep []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimRight(l, " \t\r"); l != "" {
			keep = append(keep, l)
		}
	}
	if len(keep) > lines {
		keep = keep[len(keep)-lines:]
	}
	out = strings.Join(keep, "\n")
	if dropped > 0 {
		out += " (" + strconv.Itoa(dropped) + " more lines about files outside the scanned root, or quoting source, left out)"
	}
	return out
}

// Bounds on what outsideWords reads: a link to a huge or endless file
// (/dev/zero) must not stall an error message.
const (
	maxOutsideFiles = 256
	maxOutsideFile  = 1 << 20
	minOutsideWord  = 8 // shorter words (import, package) are too common to tell anything
)

// outsideWords are the words of the files outside the root that symbolic
// links of the tree lead to, lower-cased: what a tool reading such a link
// could quote. The tree is walked once per scan, on the first message
// that needs it (.git is skipped: no tool reads it).
func (p *Paths) outsideWords() []string {
	p.wordsOnce.Do(func() {
		seen := map[string]bool{}
		files := 0
		_ = filepath.WalkDir(p.root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && d.Name() == ".git" && path != p.root {
				return filepath.SkipDir
			}
			if d.Type()&os.ModeSymlink == 0 || files >= maxOutsideFiles {
				return nil
			}
			real, err := filepath.EvalSymlinks(path)
			if err != nil || within(p.realRoot, real) {
				return nil
			}
			fi, err := os.Stat(real)
			if err != nil || !fi.Mode().IsRegular() {
				return nil
			}
			files++
			f, err := os.Open(real)
			if err != nil {
				return nil
			}
			defer f.Close()
			sc := bufio.NewScanner(io.LimitReader(f, maxOutsideFile))
			sc.Buffer(make([]byte, 64<<10), maxOutsideFile)
			for sc.Scan() {
				for _, w := range outsideTokens(sc.Text()) {
					if !seen[w] {
						seen[w] = true
						p.words = append(p.words, w)
					}
				}
			}
			return nil
		})
	})
	return p.words
}

// outsideTokens are a line's whitespace-separated fields and the runs of
// letters and digits in them, lower-cased, of at least minOutsideWord
// bytes: a tool may quote a field whole or only a part of it, and may
// change its case (git lower-cases configuration keys).
func outsideTokens(line string) []string {
	var out []string
	for _, f := range strings.Fields(line) {
		f = asciiLower(f)
		if len(f) >= minOutsideWord {
			out = append(out, f)
		}
		for _, w := range strings.FieldsFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if len(w) >= minOutsideWord && w != f {
				out = append(out, w)
			}
		}
	}
	return out
}

// quotesOutside reports whether line holds a word of outsideWords.
func (p *Paths) quotesOutside(line string) bool {
	_, n := p.cutOutside(line)
	return n > 0
}

// cutOutside replaces each whole-word occurrence of a word of
// outsideWords in line with "…" and counts them.
func (p *Paths) cutOutside(line string) (string, int) {
	if p == nil || len(strings.TrimSpace(line)) < minOutsideWord {
		return line, 0
	}
	l := asciiLower(line) // byte offsets stay those of line
	cut := make([]bool, len(line))
	n := 0
	for _, w := range p.outsideWords() {
		for i := 0; ; {
			j := strings.Index(l[i:], w)
			if j < 0 {
				break
			}
			start, end := i+j, i+j+len(w)
			// A whole word: "requirement" is not in "requirements.txt".
			if !wordByte(l, start-1) && !wordByte(l, end) {
				n++
				for k := start; k < end; k++ {
					cut[k] = true
				}
			}
			i = start + 1
		}
	}
	if n == 0 {
		return line, 0
	}
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		if !cut[i] {
			b.WriteByte(line[i])
		} else if i == 0 || !cut[i-1] {
			b.WriteString("…")
		}
	}
	return b.String(), n
}

// asciiLower lower-cases ASCII letters only, keeping every byte offset.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// wordByte reports whether s[i] exists and is a letter or digit.
func wordByte(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	c := s[i]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// goCommandLine reports whether an unpositioned line is the go command's
// (or govulncheck's) own words, which quote no source.
func goCommandLine(t string) bool {
	for _, prefix := range []string{"go: ", "# ", "-: # ", "govulncheck: ", "There are errors with the provided package patterns"} {
		if strings.HasPrefix(t, prefix) {
			return true
		}
	}
	return false
}

// relFile makes an absolute file path relative to the root when it is an
// existing file inside it (symlinks resolved).
func (p *Paths) relFile(abs string) (string, bool) {
	abs = filepath.Clean(abs)
	for _, r := range []string{p.root, p.realRoot} {
		rel, err := filepath.Rel(r, abs)
		if err != nil || !filepath.IsLocal(rel) {
			continue
		}
		rel = filepath.ToSlash(rel)
		if _, err := os.Lstat(abs); err != nil || !p.Inside(rel) {
			return "", false
		}
		return rel, true
	}
	return "", false
}

// DroppedLines says how many lines Diagnostics left out, for the end of a
// message; "" when none.
func DroppedLines(n int) string {
	if n == 0 {
		return ""
	}
	return " (" + strconv.Itoa(n) + " more lines of compiler output about files outside the scanned root, or quoting source, left out)"
}

// rootless keeps machine paths out of an error's message while keeping the
// error itself for errors.Is and errors.As.
type rootless struct {
	err   error
	paths *Paths
}

func (e rootless) Error() string { return e.paths.Clean(e.err.Error()) }
func (e rootless) Unwrap() error { return e.err }

// Clean is Text for a message that may hold a child's words or values
// read through a link out of the tree: each word of a file outside the
// root (outsideWords) is cut to "…", and the cuts are counted. Every
// notification, error and log line of a scanner passes here (Apply, Run),
// whichever adapter built it.
func (p *Paths) Clean(s string) string {
	if p == nil || s == "" {
		return s
	}
	lines := strings.Split(s, "\n")
	cuts := 0
	for i, l := range lines {
		var n int
		lines[i], n = p.cutOutside(l)
		cuts += n
	}
	out := p.Text(strings.Join(lines, "\n"))
	if cuts > 0 {
		out += " (" + strconv.Itoa(cuts) + " word(s) of a file outside the scanned root cut)"
	}
	return out
}

// Apply rewrites machine paths in a scanner's notifications, finding
// messages and error, and passes notifications and the error through
// Clean. Finding messages are the tool's rule texts about a file inside
// the root (confine drops the others): only their paths are rewritten.
// The runner applies it to what every Scan returns (Run, Settle); a gap's
// reason is cleaned as it becomes a notification.
func (p *Paths) Apply(res *finding.Result, err error) (*finding.Result, error) {
	if res != nil {
		for i := range res.Notifications {
			res.Notifications[i].Message = p.Clean(res.Notifications[i].Message)
		}
		for i := range res.Findings {
			res.Findings[i].Message = p.Text(res.Findings[i].Message)
		}
	}
	if err != nil {
		var skip *SkipError
		if !errors.As(err, &skip) {
			err = rootless{err, p}
		}
	}
	return res, err
}
