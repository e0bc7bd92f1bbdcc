package govulncheck

import (
	"cmp"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/golang"
)

const stdlib = "stdlib" // govulncheck's module path for the standard library

// choice is the finding kept for one advisory in one module, with every
// vulnerable symbol found called (govulncheck emits one finding per symbol).
type choice struct {
	v       *vuln
	symbols []string
}

// better orders findings of one advisory: more precise first, then a
// stable order among call stacks (symbol, shorter stack, call site).
func better(a, b *vuln) bool {
	if la, lb := a.level(), b.level(); la != lb {
		return la > lb
	}
	if c := cmp.Compare(a.Trace[0].symbol(), b.Trace[0].symbol()); c != 0 {
		return c < 0
	}
	if c := cmp.Compare(a.Trace[0].Package, b.Trace[0].Package); c != 0 {
		return c < 0
	}
	if len(a.Trace) != len(b.Trace) {
		return len(a.Trace) < len(b.Trace)
	}
	return posKey(a.Trace[exitPoint(a.Trace)]) < posKey(b.Trace[exitPoint(b.Trace)])
}

func posKey(f *frame) string {
	if f.Position == nil {
		return ""
	}
	return fmt.Sprintf("%s:%09d:%09d", f.Position.Filename, f.Position.Line, f.Position.Column)
}

// exitPoint is the index of the frame where the scanned module calls out
// of itself, govulncheck's own choice for its one-line traces
// (internal/traces.Compact): the call site the user can change. With a
// direct call it is the last frame.
func exitPoint(trace []*frame) int {
	top := len(trace) - 1
	for i, f := range trace {
		if f.Module == trace[top].Module {
			if i == 0 {
				return top // the vulnerable symbol is in the scanned module itself
			}
			return i
		}
	}
	return top
}

// convert adds one module's findings and rules to the result.
func (sc *scan) convert(m golang.Module, st *stream) error {
	sc.inventory(m, st)
	chosen := map[string]*choice{}
	for _, v := range st.findings {
		c := chosen[v.OSV]
		if c == nil {
			c = &choice{v: v}
			chosen[v.OSV] = c
		} else if better(v, c.v) {
			c.v = v
		}
		if v.level() == finding.Called {
			if s := qualified(v.Trace[0]); !slices.Contains(c.symbols, s) {
				c.symbols = append(c.symbols, s)
			}
		}
	}
	if len(chosen) == 0 {
		return nil
	}
	gm, err := readGoMod(sc.req.Root, m)
	if err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(chosen)) {
		c := chosen[id]
		e := st.entries[id]
		if e == nil {
			e = &entry{ID: id}
		}
		sev := sc.advisorySeverity(e)
		f := sc.finding(m, st, gm, e, c, sev)
		if scanner.Excluded(sc.req.Exclude, f.Location.Path) {
			continue // a call site in an excluded path
		}
		sc.res.AddRule(rule(e, sev))
		sc.res.Findings = append(sc.res.Findings, f)
	}
	return nil
}

// inventory adds the module's build list (govulncheck's SBOM message: the
// main module, its dependencies and the standard library) to the result.
func (sc *scan) inventory(m golang.Module, st *stream) {
	manifest := path.Join(m.Rel, "go.mod")
	for _, mod := range st.sbom.Modules {
		if mod.Path == "" {
			continue
		}
		c := finding.Component{Ecosystem: "Go", Name: mod.Path, Version: finding.Spell("Go", mod.Path, mod.Version),
			PURL: golang.PURL(mod.Path, mod.Version), Manifest: manifest, Main: slices.Contains(st.sbom.Roots, mod.Path)}
		sc.res.Packages = append(sc.res.Packages, c)
	}
}

// qualified names a symbol with its package's last element, as govulncheck
// prints it: "language.Parse".
func qualified(f *frame) string {
	if f.Package == "" {
		return f.symbol()
	}
	return pkgName(f.Package) + "." + f.symbol()
}

func pkgName(importPath string) string {
	return importPath[strings.LastIndex(importPath, "/")+1:]
}

func summary(e *entry) string {
	if e.Summary != "" {
		return e.Summary
	}
	if d, _, _ := strings.Cut(strings.TrimSpace(e.Details), "\n"); d != "" {
		return d
	}
	return e.ID
}

func helpURI(id string) string { return "https://pkg.go.dev/vuln/" + id }

func rule(e *entry, sev advisorySeverity) finding.Rule {
	help := strings.TrimSpace(e.Details)
	var refs []string
	for _, r := range e.References {
		refs = append(refs, "- "+r.URL)
	}
	md := help
	if len(refs) > 0 {
		md += "\n\nReferences:\n" + strings.Join(refs, "\n")
	}
	return finding.Rule{
		ID:           e.ID,
		Name:         e.ID,
		Short:        summary(e),
		Full:         help,
		Help:         help,
		HelpMarkdown: md,
		HelpURI:      helpURI(e.ID),
		Tags:         slices.Clone(e.Aliases),
		Severity:     sev.severity,
		Score:        sev.score,
		// Unknown until an alias in the database rates it (finding.RateFromAliases).
		SeverityUnknown: sev.source == "default",
	}
}

func (sc *scan) finding(m golang.Module, st *stream, gm *goMod, e *entry, c *choice, sev advisorySeverity) finding.Finding {
	v := c.v
	vf := v.Trace[0]
	reach := v.level()
	f := finding.Finding{
		Tool:     Name,
		RuleID:   e.ID,
		Severity: sev.severity,
		Score:    sev.score,
		// Unknown until an alias in the database rates it (finding.RateFromAliases).
		SeverityUnknown: sev.source == "default",
		Module:          m.Path,
		Package: &finding.Package{
			Ecosystem: "Go",
			Name:      vf.Module,
			// Spelled as Go does (go1.22.4 for the standard library), as osv-scanner findings are.
			Version:  finding.Spell("Go", vf.Module, vf.Version),
			Manifest: gm.rel,
		},
		Aliases:    slices.Clone(e.Aliases),
		Reachable:  reach,
		Properties: map[string]string{"scanLevel": st.config.ScanLevel},
	}
	if v.FixedVersion != "" {
		f.Package.Fixed = []string{finding.Spell("Go", vf.Module, v.FixedVersion)}
	}
	f.Fingerprint = finding.Fingerprint(Name, e.ID, vf.Module+"@"+vf.Version, gm.rel)

	isStd := vf.Module == stdlib
	version, fixed := vf.Version, v.FixedVersion
	if isStd {
		version, fixed = goTag(version), goTag(fixed)
		f.Properties["goVersion"] = st.config.GoVersion
		f.Properties["goVersionSource"] = "the Go toolchain that ran the scan (GOTOOLCHAIN=local)"
		if gm.file.Go != nil {
			f.Properties["goDirective"] = gm.file.Go.Version
		}
		if gm.file.Toolchain != nil {
			f.Properties["toolchainDirective"] = gm.file.Toolchain.Name
		}
	}
	what := fmt.Sprintf("%s %s", vf.Module, version)
	if isStd {
		what = fmt.Sprintf("Go standard library %s (the Go version assumed: the toolchain that ran the scan; go.mod: %s)", version, gm.directives())
	}
	fix := "no fixed version"
	if fixed != "" {
		fix = "fixed in " + fixed
	}

	var how string
	switch reach {
	case finding.Called:
		ix := exitPoint(v.Trace)
		f.Trace = sc.trace(m, v.Trace)
		exit := v.Trace[ix]
		if exit.Position != nil && exit.Position.Filename != "" {
			f.Location = finding.Location{
				Path:        sc.framePath(m, exit),
				StartLine:   exit.Position.Line,
				StartColumn: exit.Position.Column,
			}
		} else {
			f.Location = gm.locate(vf.Module, isStd)
		}
		how = fmt.Sprintf("%s called from %s in %s", qualified(vf), f.Location, exit.symbol())
		if len(c.symbols) > 1 {
			slices.Sort(c.symbols)
			f.Properties["calledSymbols"] = strings.Join(c.symbols, ", ")
			how += fmt.Sprintf(" (%d vulnerable symbols called: %s)", len(c.symbols), strings.Join(c.symbols, ", "))
		}
	case finding.Imported:
		f.Location = gm.locate(vf.Module, isStd)
		how = fmt.Sprintf("package %s imported, no vulnerable symbol called", vf.Package)
	default:
		f.Location = gm.locate(vf.Module, isStd)
		how = "module required, no vulnerable package imported"
	}
	f.Message = fmt.Sprintf("%s: %s (%s, %s): %s", e.ID, summary(e), what, fix, how)
	return f
}

func (g *goMod) directives() string {
	var d []string
	if g.file.Go != nil {
		d = append(d, "go "+g.file.Go.Version)
	}
	if g.file.Toolchain != nil {
		d = append(d, "toolchain "+g.file.Toolchain.Name)
	}
	if len(d) == 0 {
		return "no go directive"
	}
	return strings.Join(d, ", ")
}

// goTag turns govulncheck's semver for the standard library (v1.22.4) into
// a Go release name (go1.22.4), as govulncheck prints it.
func goTag(v string) string {
	if !semver.IsValid(v) {
		return v
	}
	c := semver.Canonical(v)
	pre := semver.Prerelease(c)
	base := strings.TrimSuffix(strings.TrimSuffix(c, pre), ".0")
	return "go" + base[1:] + strings.ReplaceAll(strings.TrimPrefix(pre, "-"), ".", "")
}

// trace converts govulncheck's stack (vulnerable symbol first) into
// finding frames in call order: the entry point in the scanned module
// first, the vulnerable symbol last.
func (sc *scan) trace(m golang.Module, t []*frame) []finding.Frame {
	out := make([]finding.Frame, 0, len(t))
	for i := len(t) - 1; i >= 0; i-- {
		f := t[i]
		fr := finding.Frame{Function: f.symbol(), Package: f.Package}
		if f.Package == "" {
			fr.Package = f.Module
		}
		rel, inTree := sc.modRel(m, f.Module)
		fr.External = !inTree
		if f.Position != nil && f.Position.Filename != "" {
			fr.Location = finding.Location{StartLine: f.Position.Line, StartColumn: f.Position.Column}
			if inTree {
				fr.Location.Path = relTo(rel, f.Position.Filename)
			} else {
				// Relative to the dependency's module root (or GOROOT for
				// the standard library): no machine path.
				fr.Location.Path = filepath.ToSlash(f.Position.Filename)
			}
		}
		out = append(out, fr)
	}
	return out
}

// modRel finds a module of the scanned tree by path: the one being
// scanned (cur) first, since two modules of a tree may share a path.
func (sc *scan) modRel(cur golang.Module, modPath string) (string, bool) {
	if cur.Path == modPath {
		return cur.Rel, true
	}
	for _, m := range sc.mods {
		if m.Path == modPath {
			return m.Rel, true
		}
	}
	return "", false
}

func (sc *scan) framePath(cur golang.Module, f *frame) string {
	if rel, ok := sc.modRel(cur, f.Module); ok {
		return relTo(rel, f.Position.Filename)
	}
	return filepath.ToSlash(f.Position.Filename)
}

// goMod is a module's go.mod, parsed for the positions of its lines.
type goMod struct {
	rel  string // relative to the root
	file *modfile.File
}

func readGoMod(root string, m golang.Module) (*goMod, error) {
	p := filepath.Join(m.Dir, "go.mod")
	rel := scanner.RelPath(root, p)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	// Strict parsing keeps toolchain and replace lines, which ParseLax
	// drops; a directive newer than our x/mod falls back to ParseLax.
	f, err := modfile.Parse(rel, data, nil)
	if err != nil {
		if f, err = modfile.ParseLax(rel, data, nil); err != nil {
			return nil, fmt.Errorf("parse %s: %w", rel, err)
		}
	}
	return &goMod{rel: rel, file: f}, nil
}

// locate is the go.mod line that brings modPath in: its require line, else
// the replace line that substitutes it, else the module line. For the
// standard library it is the toolchain line, else the go line.
func (g *goMod) locate(modPath string, std bool) finding.Location {
	at := func(l *modfile.Line) finding.Location {
		if l == nil {
			return finding.Location{Path: g.rel, StartLine: 1}
		}
		return finding.Location{Path: g.rel, StartLine: l.Start.Line, StartColumn: l.Start.LineRune,
			EndLine: l.End.Line, EndColumn: l.End.LineRune}
	}
	f := g.file
	if std {
		if f.Toolchain != nil {
			return at(f.Toolchain.Syntax)
		}
		if f.Go != nil {
			return at(f.Go.Syntax)
		}
	}
	for _, r := range f.Require {
		if r.Mod.Path == modPath {
			return at(r.Syntax)
		}
	}
	for _, r := range f.Replace {
		if r.New.Path == modPath {
			return at(r.Syntax)
		}
	}
	if f.Module != nil {
		return at(f.Module.Syntax)
	}
	return at(nil)
}
