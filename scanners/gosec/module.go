package gosec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	goscanner "go/scanner"
	"go/token"
	"go/version"
	"log"
	"maps"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	securego "github.com/securego/gosec/v2"
	"github.com/securego/gosec/v2/analyzers"
	"github.com/securego/gosec/v2/issue"
	"github.com/securego/gosec/v2/rules"
	"golang.org/x/tools/go/packages"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/shellout"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/golang"
)

// run is one Scan: the state shared by its modules.
type run struct {
	opt    Options
	req    *scanner.Request
	paths  *scanner.Paths
	filter *pathFilter
	res    *finding.Result
	want   string // Go version to pin for gosec, from the modules' go directives
	pinned string // Go version gosec assumes ("go1.21"), set before the first rule runs
	local  string // the local toolchain ("go1.26.8"), "" when unknown

	// importErr is the go command's own error for an import that could not
	// be loaded in the module being analyzed ("" when it has none).
	importErr func(path string) string

	rules      map[string]finding.Severity // rule ID -> highest severity reported
	ruleMsg    map[string]string
	analyzed   int  // packages gosec ran on, over all modules
	incomplete bool // something of the module being analyzed was not (fully) analyzed
	gaps       []scanner.Gap
}

// module loads one module's packages once and runs gosec on each.
func (r *run) module(ctx context.Context, m golang.Module) error {
	start := time.Now()
	gomod := joinRel(m.Rel, "go.mod")
	modGo := moduleGoVersion(m.GoVersion)
	if r.local != "" && version.Compare(modGo, r.local) > 0 {
		r.gap(scanner.GapAt(gomod,
			"module %s (%s) requires %s but the local Go toolchain is %s, and GOTOOLCHAIN=local forbids fetching another: nothing in it was scanned (install Go %s or later)",
			m.Path, gomod, modGo, r.local, strings.TrimPrefix(modGo, "go")))
		return nil
	}

	env := append(golang.Env(m), golang.CgoEnv(r.req)...)
	if r.req.Offline {
		// --offline promises no network: loading must not fetch modules.
		env = append(env, "GOPROXY=off")
	}
	cfg := &packages.Config{
		Context: ctx,
		// NeedEmbedFiles: the files a cache key holds, as listMode finds them.
		Mode:       securego.LoadMode | packages.NeedExportFile | packages.NeedEmbedFiles, // export files: see fastLoad
		Dir:        m.Dir,
		Env:        env,
		BuildFlags: buildFlags(r.req.Tags),
		Tests:      r.req.Tests,
	}
	// With a result cache, a cheap listing says which packages changed;
	// only those are loaded with types and analyzed.
	var pl *cachePlan
	var err error
	all := m.Patterns(r.req) // "./..." unless that would read an excluded or unreadable directory
	if len(all) == 0 {
		r.notify(finding.LevelNote, finding.Location{Path: gomod}, "module %s has no Go packages to scan outside excluded or unreadable directories", m.Path)
		return nil
	}
	patterns := all
	if r.req.Cache != nil {
		if pl, err = r.plan(cfg, m, modGo, all); err != nil {
			pl = nil // analyze everything; the full load reports what failed
		} else if !pl.cold {
			patterns = pl.patterns
		}
	}
	var pkgs, fast []*packages.Package
	if pl != nil && !pl.cold && len(pl.miss) > 0 {
		var rest []string
		fast, rest = r.fastLoad(pl, slices.Sorted(maps.Keys(pl.miss)))
		patterns = nil
		for _, id := range rest {
			if p := pl.listed[id]; p != nil && !slices.Contains(patterns, p.PkgPath) {
				patterns = append(patterns, p.PkgPath)
			}
		}
	}
	if len(patterns) > 0 {
		pkgs, err = packages.Load(cfg, patterns...)
	}
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("load %s: %w", m.Path, context.Cause(ctx))
		}
		r.loadFailed(m, gomod, err)
		return nil
	}
	if len(pkgs) == 0 && len(patterns) > 0 {
		// With export data go/packages hides a failing go list (an untidy
		// go.mod, a missing go.sum entry) behind an empty result: ask again
		// without it, which returns the go command's error.
		probe := *cfg
		probe.Mode = packages.NeedName
		if _, perr := packages.Load(&probe, all...); perr != nil && ctx.Err() == nil {
			r.loadFailed(m, gomod, perr)
			return nil
		}
	}
	pkgs = append(pkgs, fast...)
	if pl != nil && pl.cold {
		pl = r.lookup(pkgs, pl.base, m)
	}
	r.importErr = importErrors(cfg, r.paths)
	r.req.Log("%s: %d packages loaded in %s (%d type-checked from recorded export data)", m.Path, len(pkgs), time.Since(start).Round(time.Millisecond), len(fast))
	if cgo, err := golang.CgoSkipped(r.req, m); err != nil {
		r.gap(scanner.Gap{Err: err})
	} else if len(cgo) > 0 {
		r.gap(scanner.Gap{Rel: cgo[0], Err: errors.New(golang.CgoSkippedMessage(cgo)), Warn: true})
	}

	logs := &logCapture{}
	a, err := r.analyzer(logs)
	if err != nil {
		return err
	}
	if r.pinned == "" {
		// Pinned only now: a scan whose modules cannot load must not fix the
		// version for the rest of the process.
		r.pinned = pinGoVersion(r.want)
	}
	drop, warns := versionRules(r.pinned, modGo)
	for _, w := range warns {
		r.notify(finding.LevelWarning, finding.Location{Path: gomod}, "module %s: %s", m.Path, w)
	}

	var (
		directives = map[string]fileDirectives{}
		seenErr    = map[string]bool{}
		analyzed   = map[string]bool{} // package paths gosec ran on
		failed     = map[string]bool{} // package paths with load or type errors
		stopErr    error
	)
	// With tests, "p [p.test]" holds all of p's files too: analyzing p as
	// well would only repeat its findings, unless the test variant is broken.
	cleanTestVariant := map[string]bool{}
	for _, p := range pkgs {
		if strings.HasSuffix(p.ID, " ["+p.PkgPath+".test]") && len(p.Errors) == 0 {
			cleanTestVariant[p.PkgPath] = true
		}
	}
	for _, p := range pkgs {
		if p.ID == p.PkgPath && cleanTestVariant[p.PkgPath] {
			continue
		}
		if err := ctx.Err(); err != nil {
			stopErr = fmt.Errorf("stopped in module %s: %w", m.Path, context.Cause(ctx))
			break
		}
		if strings.HasSuffix(p.ID, ".test") || r.packageExcluded(p) {
			continue // the generated test main, or nothing of it is wanted
		}
		if pl != nil && !pl.miss[p.ID] {
			continue // loaded only as a variant of a package that changed
		}
		if len(p.Errors) > 0 {
			failed[p.PkgPath] = true
			r.packageErrors(m, p, seenErr)
		}
		if len(p.Syntax) == 0 {
			continue
		}
		if !r.opt.IgnoreNoSec {
			for _, f := range p.Syntax {
				if tf := p.Fset.File(f.Pos()); tf != nil {
					if _, ok := directives[tf.Name()]; !ok {
						directives[tf.Name()] = scanDirectives(p.Fset, f, r.noSecTag())
					}
				}
			}
		}
		logs.reset()
		before, _, _ := a.Report()
		a.CheckRules(p)
		a.CheckAnalyzers(p)
		ssaFailed := false
		if !p.IllTyped {
			if msg := logs.ssaFailure(); msg != "" {
				ssaFailed = true
				r.gap(scanner.Gap{Err: fmt.Errorf("%s: SSA analyzers did not run: %s", p.PkgPath, msg), Warn: true})
			}
		}
		if pl != nil && len(p.Errors) == 0 && !p.IllTyped && !ssaFailed {
			now, _, gerrs := a.Report()
			r.store(pl, p, now[len(before):], gerrs, directives)
			if !slices.Contains(fast, p) {
				r.recordImports(pl, cfg, p)
			}
		}
		analyzed[p.PkgPath] = true
	}

	issues, _, gerrs := a.Report()
	if pl != nil {
		if gerrs == nil {
			gerrs = map[string][]securego.Error{}
		}
		r.restore(pl.hits, &issues, gerrs, directives)
		for _, e := range pl.hits {
			analyzed[e.PkgPath] = true
		}
	}
	before := len(r.res.Findings)
	r.convert(m, issues, directives, drop)
	r.gosecErrors(gerrs)
	r.analyzed += len(analyzed)
	if pl != nil && stopErr == nil {
		r.req.Cache.Put(r.moduleMark(pl.base), true) // the next scan lists first
	}
	if len(failed) > 0 {
		r.incomplete = true
	}
	clean := 0
	for p := range analyzed {
		if !failed[p] {
			clean++
		}
	}
	switch {
	case stopErr != nil:
	case clean == 0 && len(failed) > 0:
		r.gap(scanner.GapAt(gomod,
			"module %s: none of its %d packages loaded without errors; at most gosec's AST rules ran on what parsed", m.Path, len(failed)))
	case len(analyzed) == 0:
		r.notify(finding.LevelNote, finding.Location{Path: gomod}, "module %s has no Go packages to scan", m.Path)
	}
	r.req.Log("%s: %d packages analyzed, %d with errors, %d findings in %s", m.Path, len(analyzed), len(failed),
		len(r.res.Findings)-before, time.Since(start).Round(time.Millisecond))
	return stopErr
}

// buildFlags are the go command's flags for gosec's loads: the tags, and
// -trimpath, so that the build cache keys the module's export data without
// its directory and a tree at another path (a pull request's clone, the
// --new-from-rev base) reuses it.
func buildFlags(tags []string) []string {
	return append(securego.CLIBuildTags(tags), "-trimpath")
}

// loadFailed records a module whose packages could not be loaded: nothing
// in it was scanned. The first line is the go command's decisive one; the
// whole output follows for the SARIF notification.
func (r *run) loadFailed(m golang.Module, gomod string, err error) {
	// The go command's output: through the filter before a line is picked.
	full, dropped := r.paths.Diagnostics(err.Error(), m.Dir, r.req.Cgo)
	r.gap(scanner.GapAt(gomod, "module %s (%s) could not be loaded, nothing in it was scanned: %s\n%s",
		m.Rel, m.Path, golang.ErrorLine(full), full+scanner.DroppedLines(dropped)))
}

// analyzer builds one gosec Analyzer per module: CheckRules and
// CheckAnalyzers append to it without locking and CheckAnalyzers reads the
// #nosec map CheckRules collected.
func (r *run) analyzer(logs *logCapture) (*securego.Analyzer, error) {
	conf := securego.NewConfig()
	if r.opt.IgnoreNoSec {
		conf.SetGlobal(securego.Nosec, "true")
	}
	if r.opt.NoSecTag != "" {
		conf.SetGlobal(securego.NoSecAlternative, r.opt.NoSecTag)
	}
	if r.opt.Audit {
		conf.SetGlobal(securego.Audit, "true")
	}
	if r.opt.NoSecRequireRules {
		conf.SetGlobal(securego.NoSecRequireRules, "true")
	}
	if r.opt.NoSecRequireJustification {
		conf.SetGlobal(securego.NoSecRequireJustification, "true")
	}
	for k, v := range r.opt.RuleConfig {
		conf.Set(k, v)
	}
	conc := r.opt.Concurrency
	if conc == 0 {
		conc = runtime.GOMAXPROCS(0)
	}
	var rf []rules.RuleFilter
	var af []analyzers.AnalyzerFilter
	if len(r.opt.Include) > 0 {
		rf = append(rf, rules.NewRuleFilter(false, trimAll(r.opt.Include)...))
		af = append(af, analyzers.NewAnalyzerFilter(false, trimAll(r.opt.Include)...))
	}
	if len(r.opt.Exclude) > 0 {
		rf = append(rf, rules.NewRuleFilter(true, trimAll(r.opt.Exclude)...))
		af = append(af, analyzers.NewAnalyzerFilter(true, trimAll(r.opt.Exclude)...))
	}
	// Filtered rules are not loaded at all (track=false): scangate has its own
	// suppressions and an excluded rule should cost nothing.
	rl := rules.Generate(false, rf...)
	al := analyzers.Generate(false, af...)
	if len(rl.Rules) == 0 && len(al.Analyzers) == 0 {
		return nil, fmt.Errorf("include %v and exclude %v leave no rule to run", r.opt.Include, r.opt.Exclude)
	}
	// excludeGenerated=false: generated files are scanned (see Options).
	// trackSuppressions=true: suppressed issues come back with their
	// justification instead of vanishing.
	a := securego.NewAnalyzer(conf, r.req.Tests, false, true, conc, log.New(logs, "", 0))
	a.LoadRules(rl.RulesInfo())
	a.LoadAnalyzers(al.AnalyzersInfo())
	return a, nil
}

// packageExcluded reports whether every file of p is excluded.
func (r *run) packageExcluded(p *packages.Package) bool {
	files := p.GoFiles
	if len(files) == 0 {
		files = p.CompiledGoFiles
	}
	if len(files) == 0 {
		return false
	}
	for _, f := range files {
		if rel, ok := r.rel(f); !ok || !r.filter.excluded(rel) {
			return false
		}
	}
	return true
}

// packageErrors records p's load, parse and type errors: one notification
// per file (its first error, with file:line:col, and how many follow), so
// that a cascade of parse errors stays readable.
func (r *run) packageErrors(m golang.Module, p *packages.Package, seen map[string]bool) {
	type fileErrs struct {
		first finding.Location
		msg   string
		more  int
	}
	outside := 0 // errors about files outside the root: not ours to show
	byFile := map[string]*fileErrs{}
	var order []string
	positioned := false
	for _, e := range p.Errors {
		if e.Pos != "" && e.Pos != "-" {
			positioned = true
		}
	}
	for _, e := range p.Errors {
		msg := strings.TrimSpace(e.Msg)
		if e.Kind == packages.ListError && strings.HasPrefix(msg, "# ") && positioned {
			continue // the compiler's report of errors the parser or type checker gave us with positions
		}
		if e.Kind == packages.TypeError {
			// "could not import X (invalid package name: \"\")" hides why:
			// the go command's error for X says what to do.
			if path, ok := strings.CutPrefix(msg, "could not import "); ok && r.importErr != nil {
				path, _, _ = strings.Cut(path, " ")
				if why := r.importErr(path); why != "" {
					msg = "could not import " + path + ": " + why
				}
			}
		}
		loc := parsePos(e.Pos)
		if loc.Path != "" {
			rel, ok := r.rel(loc.Path)
			if !ok || !r.paths.Inside(rel) {
				outside++
				continue
			}
			loc.Path = rel
			msg = r.paths.Message(msg, rel, loc.StartLine, r.req.Cgo)
		} else {
			// The go command's report: compiler output with positions of its own.
			var dropped int
			msg, dropped = r.paths.Diagnostics(msg, m.Dir, r.req.Cgo)
			msg += scanner.DroppedLines(dropped)
		}
		key := p.PkgPath + "\x00" + loc.Path
		if loc.Path == "" {
			key += "\x00" + msg
		}
		fe := byFile[key]
		if fe == nil {
			byFile[key] = &fileErrs{first: loc, msg: msg}
			order = append(order, key)
			continue
		}
		fe.more++
	}
	for _, key := range order {
		if seen[key] {
			continue // test variants repeat their package's errors
		}
		seen[key] = true
		fe := byFile[key]
		where := pkgName(p)
		if fe.first.Path != "" {
			where = fe.first.String()
		}
		msg := fmt.Sprintf("%s: %s", where, fe.msg)
		if fe.more > 0 {
			msg += fmt.Sprintf(" (and %d more errors in this file)", fe.more)
		}
		r.gap(scanner.Gap{Rel: fe.first.Path, Line: fe.first.StartLine, Column: fe.first.StartColumn,
			Err: fmt.Errorf("%s; package %s was not fully analyzed", msg, pkgName(p))})
	}
	if outside > 0 && !seen[p.PkgPath+"\x00outside"] {
		seen[p.PkgPath+"\x00outside"] = true
		r.gap(scanner.GapAt("", "package %s: %d errors about files outside the scanned root left out; package %s was not fully analyzed", pkgName(p), outside, pkgName(p)))
	}
}

// parsePos reads go/packages' "file:line:col", "file:line" or "file".
func parsePos(pos string) finding.Location {
	if pos == "" || pos == "-" {
		return finding.Location{}
	}
	var loc finding.Location
	rest := pos
	nums := []*int{&loc.StartColumn, &loc.StartLine}
	var parsed []int
	for len(parsed) < 2 {
		i := strings.LastIndexByte(rest, ':')
		if i < 0 {
			break
		}
		n, err := strconv.Atoi(rest[i+1:])
		if err != nil {
			break
		}
		parsed = append(parsed, n)
		rest = rest[:i]
	}
	switch len(parsed) {
	case 2:
		*nums[0], *nums[1] = parsed[0], parsed[1]
	case 1:
		loc.StartLine = parsed[0]
	}
	loc.Path = rest
	return loc
}

// gosecErrors records the errors gosec itself found (malformed #nosec
// directives when they are required to name rules or reasons).
func (r *run) gosecErrors(errs map[string][]securego.Error) {
	files := make([]string, 0, len(errs))
	for f := range errs {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, file := range files {
		rel, ok := r.rel(file)
		if !ok {
			rel = ""
		}
		for _, e := range errs[file] {
			loc := finding.Location{Path: rel, StartLine: e.Line, StartColumn: e.Column}
			r.notify(finding.LevelWarning, loc, "%s: %s", loc.String(), e.Err)
		}
	}
}

var codeLine = regexp.MustCompile(`^(\d+): ?(.*)$`)

// convert maps gosec issues to findings.
func (r *run) convert(m golang.Module, issues []*issue.Issue, dirs map[string]fileDirectives, drop map[string]bool) {
	seen := map[string]bool{}
	var out []finding.Finding
	for _, is := range issues {
		if is == nil || is.RuleID == "" || is.File == "" || drop[is.RuleID] {
			continue // taint sinks without a position yield empty issues
		}
		rel, ok := r.rel(is.File)
		if !ok || r.filter.excluded(rel) {
			continue
		}
		start, end := parseLines(is.Line)
		col, _ := strconv.Atoi(is.Col)
		key := fmt.Sprintf("%s\x00%s\x00%d\x00%d", is.RuleID, rel, start, col)
		if seen[key] {
			continue // reported again for a test variant of the package
		}
		seen[key] = true
		sev := score(is.Severity)
		conf := score(is.Confidence)
		if sev < r.opt.MinSeverity || conf < r.opt.MinConfidence {
			continue
		}
		code := flaggedCode(is.Code, start, end)
		f := finding.Finding{
			Tool:       Name,
			RuleID:     is.RuleID,
			Severity:   sev,
			Confidence: conf.String(),
			Message:    is.What,
			Module:     m.Path,
			Location: finding.Location{
				Path:        rel,
				StartLine:   start,
				StartColumn: col,
				EndLine:     end,
				Snippet:     code,
			},
		}
		norm := normalizeCode(code)
		if norm == "" {
			norm = is.What
		}
		f.Fingerprint = finding.Fingerprint("gosec", is.RuleID, rel, norm)
		gs := make([]suppressionInfo, len(is.Suppressions))
		for i, s := range is.Suppressions {
			gs[i] = suppressionInfo{Kind: s.Kind, Justification: s.Justification}
		}
		// dirs is empty with IgnoreNoSec: //nolint:gosec is ignored as well.
		f.Suppressions = dirs[is.File].suppressions(gs, start, end)
		if is.RuleID == "G601" || is.RuleID == "G402" {
			f.Properties = map[string]string{"goVersion": r.pinned}
		}
		if cur, ok := r.rules[is.RuleID]; !ok || sev > cur {
			r.rules[is.RuleID] = sev
		}
		if _, ok := r.ruleMsg[is.RuleID]; !ok {
			r.ruleMsg[is.RuleID] = is.What
		}
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Location, out[j].Location
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.StartLine != b.StartLine {
			return a.StartLine < b.StartLine
		}
		if a.StartColumn != b.StartColumn {
			return a.StartColumn < b.StartColumn
		}
		return out[i].RuleID < out[j].RuleID
	})
	// The same flagged code twice in one file would share a fingerprint:
	// number the repeats in file order, which line shifts do not change.
	count := map[string]int{}
	for i := range out {
		fp := out[i].Fingerprint
		count[fp]++
		if n := count[fp]; n > 1 {
			out[i].Fingerprint = finding.Fingerprint(fp, strconv.Itoa(n))
		}
	}
	r.res.Findings = append(r.res.Findings, out...)
}

// finish adds the metadata of every rule that fired.
func (r *run) finish() {
	ids := make([]string, 0, len(r.rules))
	for id := range r.rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r.res.AddRule(describe(id, r.ruleMsg[id], r.rules[id]))
	}
}

// gap records a part of the module that was not (fully) analyzed.
func (r *run) gap(g scanner.Gap) {
	r.incomplete = true
	r.gaps = append(r.gaps, g)
}

func (r *run) notify(level finding.Level, loc finding.Location, format string, args ...any) {
	r.res.Notifications = append(r.res.Notifications, finding.Notification{Level: level, Message: fmt.Sprintf(format, args...), Location: loc})
}

func (r *run) noSecTag() string {
	if r.opt.NoSecTag == "" {
		return ""
	}
	return securego.NoSecTag(r.opt.NoSecTag)
}

// rel makes an absolute file path relative to the scanned root; ok is false
// for files outside it (the test main go/packages generates in the cache).
func (r *run) rel(file string) (string, bool) {
	if file == "" || !filepath.IsAbs(file) {
		return filepath.ToSlash(file), file != ""
	}
	for _, root := range r.roots() {
		rel, err := filepath.Rel(root, file)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel), true
		}
	}
	return filepath.Base(file), false
}

// roots is the root as given and with symlinks resolved: the go command
// may report either.
func (r *run) roots() []string {
	roots := []string{r.req.Root}
	if real, err := filepath.EvalSymlinks(r.req.Root); err == nil && real != r.req.Root {
		roots = append(roots, real)
	}
	return roots
}

// scrub keeps machine paths out of a message.
func pkgName(p *packages.Package) string {
	if p.PkgPath != "" {
		return p.PkgPath
	}
	return p.ID
}

// parseLines reads gosec's "12" or "12-14".
func parseLines(s string) (start, end int) {
	a, b, found := strings.Cut(s, "-")
	start, _ = strconv.Atoi(strings.TrimSpace(a))
	end = start
	if found {
		if e, err := strconv.Atoi(strings.TrimSpace(b)); err == nil && e >= start {
			end = e
		}
	}
	return start, end
}

// flaggedCode keeps the flagged lines of gosec's snippet ("11: text\n" with
// one line of context either side), without the line-number prefixes that
// would change a fingerprint when lines shift.
func flaggedCode(code string, start, end int) string {
	var out []string
	for _, l := range strings.Split(code, "\n") {
		mm := codeLine.FindStringSubmatch(l)
		if mm == nil {
			continue
		}
		n, _ := strconv.Atoi(mm[1])
		if n >= start && n <= end {
			out = append(out, mm[2])
		}
	}
	return strings.Join(out, "\n")
}

// normalizeCode reduces flagged code to its Go tokens, so that neither
// re-indenting nor adding a comment (a #nosec, say) changes a fingerprint.
func normalizeCode(code string) string {
	fset := token.NewFileSet()
	src := []byte(code)
	var s goscanner.Scanner
	s.Init(fset.AddFile("", -1, len(src)), src, func(token.Position, string) {}, 0)
	var toks []string
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		switch {
		case tok == token.SEMICOLON && lit == "\n":
			continue // inserted at line ends: layout, not code
		case lit != "":
			toks = append(toks, lit)
		default:
			toks = append(toks, tok.String())
		}
	}
	if len(toks) == 0 {
		return finding.NormalizeCode(code)
	}
	return strings.Join(toks, " ")
}

func score(s issue.Score) finding.Severity {
	switch s {
	case issue.High:
		return finding.High
	case issue.Medium:
		return finding.Medium
	}
	return finding.Low
}

func trimAll(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

func joinRel(dir, name string) string {
	if dir == "." || dir == "" {
		return name
	}
	return dir + "/" + name
}

func validGoVersion(v string) bool {
	return version.IsValid(v) && strings.HasPrefix(v, "go1.")
}

// localGoVersion asks the go command that go/packages will run for its
// version, so that a module needing a newer Go is reported clearly.
func localGoVersion(ctx context.Context, m golang.Module) (string, error) {
	// go/packages starts the first go on PATH: it must not be the tree's.
	if err := shellout.CheckFirst("go", m.Root); err != nil {
		return "", err
	}
	out, err := shellout.Run(ctx, shellout.Cmd{Program: "go", Args: []string{"env", "GOVERSION"}, Dir: m.Dir, Root: m.Root, Env: golang.Env(m), MaxStdout: 1 << 10})
	if err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("stopped: %w", context.Cause(ctx))
		}
		return "", fmt.Errorf("the go command is needed to load packages: %w", err)
	}
	v := strings.TrimSpace(string(out.Stdout))
	if out.ExitCode != 0 || !version.IsValid(v) {
		// A development toolchain or an odd go.work: let the load report it.
		return "", nil
	}
	return v, nil
}

// logCapture keeps gosec's log lines that mean part of a package was not
// analyzed; the rest of its chatter is dropped.
type logCapture struct {
	mu    sync.Mutex
	lines []string
}

func (l *logCapture) Write(p []byte) (int, error) {
	line := string(bytes.TrimSpace(p))
	if strings.HasPrefix(line, "Panic when running SSA analyzer") ||
		strings.HasPrefix(line, "Error building the SSA representation") ||
		strings.HasPrefix(line, "Error running analyzer") {
		first, _, _ := strings.Cut(line, "\n")
		l.mu.Lock()
		l.lines = append(l.lines, first)
		l.mu.Unlock()
	}
	return len(p), nil
}

func (l *logCapture) reset() {
	l.mu.Lock()
	l.lines = nil
	l.mu.Unlock()
}

func (l *logCapture) ssaFailure() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "; ")
}

// importErrors returns a function that asks the go command, once per
// import path, why that package could not be loaded, and returns its
// decisive line ("missing go.sum entry …; to add: go get …").
func importErrors(cfg *packages.Config, paths *scanner.Paths) func(string) string {
	seen := map[string]string{}
	return func(path string) string {
		if why, ok := seen[path]; ok {
			return why
		}
		probe := *cfg
		probe.Mode = packages.NeedName
		probe.Tests = false
		why := ""
		if pkgs, err := packages.Load(&probe, path); err == nil {
			for _, p := range pkgs {
				for _, e := range p.Errors {
					if why == "" && e.Kind == packages.ListError {
						msg, _ := paths.Diagnostics(e.Msg, cfg.Dir, false)
						why = golang.ErrorLine(msg)
					}
				}
			}
		}
		seen[path] = why
		return why
	}
}
