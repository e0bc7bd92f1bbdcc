// Package govulncheck runs golang.org/x/vuln's govulncheck v1.9.0 on every
// Go module under the scanned root and turns its JSON stream into findings
// with reachability (called, imported, required), call stacks and go.mod
// locations.
//
// govulncheck runs in a child process, the small Companion binary or else
// our own binary re-executed, with the hidden Subcommand: v1.9.0 crashes its
// host process when its context is cancelled mid-scan, and a symbol scan of
// a large module peaks at several GB. A timeout kills the child's process
// group; the parent survives.
package govulncheck

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/internal/shellout"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/golang"
)

// Name is the scanner's name in results and on the command line.
const Name = "govulncheck"

// ErrNoDB is returned offline when there is no database to read. A scan
// opens the database first; the runner reports its error (Request.DBErr,
// which names the path tried and what to do) instead.
var ErrNoDB = errors.New("no vulnerability database")

// DefaultMaxOutput caps one module's JSON stream: the stream repeats every
// advisory of every required module, so it is large on big modules but far
// below this.
const DefaultMaxOutput = 256 << 20

// Options configure the scanner. The zero value is ready to use in the
// scangate binary.
type Options struct {
	// Executable is the program run as the child, with Subcommand as its
	// first argument. "" means the Companion beside the scangate binary when
	// it runs the same govulncheck and speaks our protocol (childProgram),
	// else os.Executable(): scangate itself, whose main registers
	// Subcommand. Tests pass their own test binary.
	Executable string
	// ScanLevel is govulncheck's -scan: "symbol" (default: call stacks),
	// "package" (imports only, much cheaper) or "module".
	ScanLevel string
	// Env is appended to the child's environment (tests use it to make a
	// test binary act as the child).
	Env []string
	// MaxOutput caps one module's stdout; 0 means DefaultMaxOutput.
	MaxOutput int64
}

// Scanner is the govulncheck adapter.
type Scanner struct {
	golang.PerModule // applies where a go.mod is; a unit per module
	opt              Options
}

// New returns a govulncheck scanner.
func New(opt Options) *Scanner {
	if opt.ScanLevel == "" {
		opt.ScanLevel = "symbol"
	}
	if opt.MaxOutput <= 0 {
		opt.MaxOutput = DefaultMaxOutput
	}
	return &Scanner{opt: opt}
}

func (s *Scanner) Name() string { return Name }

// vulnVersion is the golang.org/x/vuln version go.mod pins, for binaries
// whose build information lists no dependencies (test binaries).
const vulnVersion = "v1.9.0"

// ReadsDB marks it a scanner.DBReader: offline, it reads the local
// database's govulncheck part.
func (s *Scanner) ReadsDB() {}

var _ scanner.DBReader = (*Scanner)(nil)

// Version is the embedded golang.org/x/vuln version.
func (s *Scanner) Version() string {
	if v, ok := scanner.LinkedVersion("golang.org/x/vuln"); ok {
		return v
	}
	return vulnVersion
}

// Scan runs govulncheck once per module, one module after another: two
// symbol scans side by side on two cores were slower than in sequence and
// doubled the peak memory (bench/vuln.sh).
func (s *Scanner) Scan(ctx context.Context, req *scanner.Request) (*finding.Result, error) {
	res := &finding.Result{
		Tool:           Name,
		Version:        s.Version(),
		InformationURI: "https://pkg.go.dev/golang.org/x/vuln/cmd/govulncheck",
		Findings:       []finding.Finding{},
	}
	switch s.opt.ScanLevel {
	case "symbol", "package", "module":
	default:
		return res, fmt.Errorf("unknown scan level %q (want symbol, package or module)", s.opt.ScanLevel)
	}
	exe := s.opt.Executable
	if exe == "" {
		self, err := os.Executable()
		if err != nil {
			return res, fmt.Errorf("find our own executable for the child process: %w", err)
		}
		var warning string
		if exe, warning = childProgram(ctx, self); warning != "" {
			res.Warnf("%s", warning)
		}
		req.Log("child process: %s", filepath.Base(exe))
	}
	// Online, govulncheck reads its default source (vuln.go.dev) even when
	// a local database exists (the database contract shared with osv-scanner).
	var dbDir, dbURL string
	if req.Offline {
		dbDir = filepath.Join(req.DB, "govulncheck")
		if req.DB == "" || !usableDB(dbDir) {
			return res, ErrNoDB
		}
		if noGoAdvisories(dbDir) {
			return res, errors.New("the vulnerability database holds no Go advisories: import golang/vulndb's data/osv or osv.dev's Go all.zip with scangate db import, or run scangate db update")
		}
		abs, err := filepath.Abs(dbDir)
		if err != nil {
			return res, fmt.Errorf("database %s: %w", dbDir, err)
		}
		dbDir = abs
		dbURL = (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
	}
	tree, gaps, err := golang.Scan(req)
	if err != nil {
		return res, err
	}
	mods := tree.Modules
	all := mods
	mods = slices.DeleteFunc(mods, func(m golang.Module) bool { return !req.Keeps(scanner.UnitGoModule, m.Rel) })
	sc := &scan{s: s, req: req, paths: scanner.PathsFor(req), exe: exe, dbDir: dbDir, dbURL: dbURL, mods: all, res: res,
		severity: map[string]advisorySeverity{}}
	var scanned int
	goVersions := map[string]bool{}
	// A module counts as complete once scanned whole, so that one that
	// fails, or is never reached, keeps its code-scanning alerts.
	for _, m := range mods {
		res.Units = append(res.Units, finding.Unit{Kind: scanner.UnitGoModule, Path: m.Rel, State: finding.Incomplete})
	}
	for i, m := range mods {
		req.Log("module %d/%d: %s (%s)", i+1, len(mods), m.Path, m.Rel)
		st, err := sc.module(ctx, m)
		if ctx.Err() != nil {
			return res, scanner.WithGaps(fmt.Errorf("module %s (%s): %w", m.Rel, m.Path, err), gaps)
		}
		if err != nil {
			// The decisive line first (the summary shows the first line),
			// then the whole output for the SARIF notification. Unlocated:
			// the module's go.mod is not where it failed.
			msg := err.Error()
			var me *moduleError
			if errors.As(err, &me) {
				msg = me.line + "\n" + me.full
			} else if d := golang.ErrorLine(msg); d != msg {
				msg = d + "\n" + msg
			}
			gaps = append(gaps, scanner.GapAt("", "module %s (%s): nothing in it was scanned: %s", m.Rel, m.Path, msg))
			continue
		}
		scanned++
		if cgo, err := golang.CgoSkipped(req, m); err != nil {
			gaps = append(gaps, scanner.Gap{Err: err})
		} else if len(cgo) > 0 {
			// Their imports and calls were not seen: a vulnerable symbol
			// called only there would be missed.
			gaps = append(gaps, scanner.Gap{Rel: cgo[0], Err: errors.New(golang.CgoSkippedMessage(cgo)), Warn: true})
		} else {
			res.Units[i].State = finding.Completed
		}
		if st != nil && st.config.GoVersion != "" {
			goVersions[st.config.GoVersion] = true
		}
	}
	for _, v := range slices.Sorted(maps.Keys(goVersions)) {
		res.Notifications = append(res.Notifications, finding.Notification{Level: finding.LevelNote,
			Message: fmt.Sprintf("standard library checked as %s, the Go toolchain that ran the scan (GOTOOLCHAIN=local)", v)})
	}
	if scanned == 0 && len(mods) > 0 {
		return res, scanner.Partial(gaps...) // modules without packages: no gap, and nothing scanned
	}
	return res, scanner.WithGaps(nil, gaps)
}

// noGoAdvisories reports whether dir's index lists no module: a database
// imported from other ecosystems' advisories only, which would pass every
// scan.
func noGoAdvisories(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "index", "modules.json"))
	return err == nil && strings.TrimSpace(string(b)) == "[]"
}

// usableDB reports whether dir holds a govulncheck file database: the v1
// index, or at least one advisory in the flat layout. An empty directory
// would make every scan pass.
func usableDB(dir string) bool {
	if fi, err := os.Stat(filepath.Join(dir, "index", "modules.json")); err == nil && fi.Mode().IsRegular() {
		return true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			return true
		}
	}
	return false
}

// scan is the state of one Scan call.
type scan struct {
	s        *Scanner
	req      *scanner.Request
	paths    *scanner.Paths
	exe      string
	dbDir    string // absolute govulncheck database directory; "" online
	dbURL    string
	mods     []golang.Module
	res      *finding.Result
	severity map[string]advisorySeverity
}

// module scans one module and adds its findings; a nil stream with a nil
// error means the module has no packages.
func (sc *scan) module(ctx context.Context, m golang.Module) (*stream, error) {
	args := []string{Subcommand, "-C", m.Dir, "-format", "json", "-scan", sc.s.opt.ScanLevel}
	if len(sc.req.Tags) > 0 && sc.s.opt.ScanLevel != "module" {
		args = append(args, "-tags", strings.Join(sc.req.Tags, ","))
	}
	if sc.req.Tests && sc.s.opt.ScanLevel != "module" {
		args = append(args, "-test")
	}
	if sc.dbURL != "" {
		args = append(args, "-db", sc.dbURL)
	}
	if sc.s.opt.ScanLevel != "module" {
		// "./..." unless that would read an excluded or unreadable directory.
		pats := m.Patterns(sc.req)
		if len(pats) == 0 {
			sc.res.Notifications = append(sc.res.Notifications, finding.Notification{Level: finding.LevelNote,
				Message: fmt.Sprintf("module %s (%s) has no Go packages to scan outside excluded or unreadable directories", m.Rel, m.Path)})
			return nil, nil
		}
		args = append(args, pats...)
	}
	env := append(childEnv(sc.req, m), sc.s.opt.Env...)
	key := sc.key(ctx, m, args, env)
	var cached []byte
	if key != nil && sc.req.Cache.Get(key, &cached) {
		st, err := decodeBytes(cached)
		if err == nil {
			err = sc.convert(m, st)
		}
		return st, err
	}
	out, err := shellout.Run(ctx, shellout.Cmd{
		Program:   sc.exe,
		Args:      args,
		Dir:       m.Dir,
		Env:       env,
		MaxStdout: sc.s.opt.MaxOutput,
	})
	if err != nil {
		if out != nil && len(out.Stderr) > 0 {
			return nil, fmt.Errorf("%w: %s", err, sc.paths.Stderr(out, m.Dir, 20, sc.req.Cgo))
		}
		return nil, err
	}
	if out.ExitCode != 0 {
		msg, dropped := sc.paths.Diagnostics(childError(string(out.Stderr)), m.Dir, sc.req.Cgo)
		msg += scanner.DroppedLines(dropped)
		if strings.Contains(msg, "no packages matched the provided patterns") {
			sc.res.Notifications = append(sc.res.Notifications, finding.Notification{Level: finding.LevelNote,
				Message: fmt.Sprintf("module %s (%s) has no Go packages to scan", m.Rel, m.Path)})
			return nil, nil
		}
		// The summary names the tool already: "govulncheck: fetching …" would double it.
		me := &moduleError{line: strings.TrimPrefix(golang.ErrorLine(msg), "govulncheck: "), full: msg}
		if sc.req.Offline && strings.Contains(msg, "GOPROXY=off") {
			hint := fmt.Sprintf("(offline: the module cache lacks a dependency; run `go mod download` in %s with network access first)", m.Rel)
			me.line += " " + hint
			me.full += "\n" + hint
		}
		return nil, me
	}
	st, err := decodeBytes(out.Stdout)
	if err != nil {
		return nil, err
	}
	if err := sc.convert(m, st); err != nil {
		return st, err
	}
	if key != nil {
		sc.req.Cache.Put(key, out.Stdout)
	}
	return st, nil
}

// key is the result cache key of one module's scan: the child program, its
// arguments and environment, the toolchain, the database's digest and the
// module's files. Online scans are not cached: the answer changes with
// vuln.go.dev, which has no digest to key on.
func (sc *scan) key(ctx context.Context, m golang.Module, args, env []string) *resultcache.Key {
	if sc.req.Cache == nil || !sc.req.Offline || sc.req.DBDigest == "" {
		return nil
	}
	gov, err := golang.Version(ctx, m)
	if err != nil {
		return nil
	}
	k := sc.req.Cache.Key(Name, "module")
	k.Program(sc.exe)
	k.Add(gov, sc.req.DBDigest)
	for _, a := range args {
		switch a {
		case sc.dbURL:
			a = "db" // a temporary import's path changes, its digest does not
		case m.Dir:
			a = "module" // -C: KeyModule adds it relative to the root
		}
		k.Add(a)
	}
	golang.KeyEnv(k, m, env)
	golang.KeyModule(k, m)
	if k.Err() != nil {
		return nil
	}
	return k
}

// moduleError is a module govulncheck could not scan: line is the decisive
// line of its output, full all of it.
type moduleError struct{ line, full string }

func (e *moduleError) Error() string { return e.full }

// childEnv is the child's environment: the user's toolchain only, the
// module's workspace, cgo only when trusted, never a write to go.mod, and
// no download offline.
func childEnv(req *scanner.Request, m golang.Module) []string {
	env := append(golang.Env(m), golang.CgoEnv(req)...)
	env = append(env, "GOFLAGS="+goFlags(os.Getenv("GOFLAGS"), m.Dir))
	if req.Offline {
		env = append(env, "GOPROXY=off")
	}
	return env
}

// goFlags drops any -mod from the user's GOFLAGS (-mod=mod would let the go
// command rewrite the scanned go.mod) and asks for -mod=readonly unless the
// module vendors its dependencies, where the go command's default (vendor)
// is what the user builds with.
func goFlags(user, dir string) string {
	var keep []string
	for _, f := range strings.Fields(user) {
		if strings.HasPrefix(f, "-mod=") || strings.HasPrefix(f, "--mod=") {
			continue
		}
		keep = append(keep, f)
	}
	if _, err := os.Stat(filepath.Join(dir, "vendor", "modules.txt")); err != nil {
		keep = append(keep, "-mod=readonly")
	}
	return strings.Join(keep, " ")
}

// childError keeps the useful part of the child's error output: for a
// crash, the panic and its first frames; otherwise govulncheck's message.
func childError(stderr string) string {
	lines := strings.Split(stderr, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			end := min(len(lines), i+8)
			return "govulncheck crashed in the child process: " + strings.TrimSpace(strings.Join(lines[i:end], "\n"))
		}
	}
	var keep []string
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if strings.HasPrefix(l, "For details on package patterns") {
			continue
		}
		if l == "" && (len(keep) == 0 || keep[len(keep)-1] == "") {
			continue
		}
		keep = append(keep, l)
	}
	if len(keep) > 30 {
		keep = append(keep[:30], fmt.Sprintf("... (%d more lines)", len(keep)-30))
	}
	msg := strings.TrimSpace(strings.Join(keep, "\n"))
	if msg == "" {
		return "govulncheck failed without a message"
	}
	return msg
}

// relTo joins a path relative to a module directory (as govulncheck
// prints it) to that module's path relative to the root.
func relTo(modRel, file string) string {
	if modRel == "." || modRel == "" {
		return path.Clean(file)
	}
	return path.Join(modRel, file)
}
