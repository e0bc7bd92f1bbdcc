package gosec

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	securego "github.com/securego/gosec/v2"
	"github.com/securego/gosec/v2/issue"
	"golang.org/x/tools/go/packages"

	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/golang"
)

// Results are cached per package. gosec's rules and SSA analyzers see one
// package's syntax and the types of its imports (export data); gosec v2.30
// passes no analysis facts between packages (its Pass has nil fact
// functions). So a package's answer depends on its own files and on the
// exported API of what it imports: the key holds the package's files and,
// conservatively, those of every package of the tree it imports directly or
// not. A change in a leaf package re-analyzes that package alone; a change
// in a package others import re-analyzes its importers as well.

// listMode is the cheap load that names each package's files and imports.
const listMode = packages.NeedName | packages.NeedFiles | packages.NeedEmbedFiles | packages.NeedImports

// pkgEntry is one package's cached analysis, paths relative to the root.
type pkgEntry struct {
	PkgPath    string                      `json:"pkgPath"`
	Issues     []cachedIssue               `json:"issues"`
	Errors     map[string][]securego.Error `json:"errors,omitempty"`
	Directives map[string]cachedDirectives `json:"directives,omitempty"`
}

type cachedIssue struct {
	RuleID       string            `json:"rule"`
	File         string            `json:"file"`
	Line         string            `json:"line"`
	Col          string            `json:"col"`
	Severity     int               `json:"severity"`
	Confidence   int               `json:"confidence"`
	What         string            `json:"what"`
	Code         string            `json:"code"`
	Suppressions []suppressionInfo `json:"suppressions,omitempty"`
}

type cachedDirective struct {
	Start, End    int
	Marker        string
	Justification string
	Alone         bool
}

type cachedDirectives struct {
	Gosec, Nolint []cachedDirective
}

func toCached(ds []directive) []cachedDirective {
	out := make([]cachedDirective, len(ds))
	for i, d := range ds {
		out[i] = cachedDirective{d.start, d.end, d.marker, d.justification, d.alone}
	}
	return out
}

func fromCached(ds []cachedDirective) []directive {
	var out []directive
	for _, d := range ds {
		out = append(out, directive{start: d.Start, end: d.End, marker: d.Marker, justification: d.Justification, alone: d.Alone})
	}
	return out
}

// cachePlan is what the list load found: each package's key, the answers
// the cache had, and the packages left to analyze.
type cachePlan struct {
	keys     map[string]*resultcache.Key // package ID -> key
	hits     []pkgEntry
	miss     map[string]bool // package IDs to analyze
	patterns []string        // their import paths, for the full load

	listed  map[string]*packages.Package // the list load's packages by ID
	imports map[string]*resultcache.Key  // package ID -> key of its imports' export data

	cold bool   // nothing listed or looked up yet: the full load will say
	base string // the module's part of every key
}

// plan lists the module's packages without type-checking them and looks
// each one up. A failing list load returns an error: the caller then loads
// and analyzes everything, which reports the failure as usual. For a module
// the cache has not seen with this configuration the listing would be
// wasted: the plan is then cold, and lookup runs on the full load.
func (r *run) plan(cfg *packages.Config, m golang.Module, modGo string, patterns []string) (*cachePlan, error) {
	if r.pinned == "" {
		r.pinned = pinGoVersion(r.want)
	}
	base := r.req.Cache.Key("gosec", "package")
	opt := r.opt
	opt.Concurrency = 0 // changes the speed, not the answer
	base.JSON(opt)
	base.Add("go", r.pinned, r.local, modGo, strings.Join(cfg.BuildFlags, "\x00"))
	golang.KeyEnv(base, m, cfg.Env)
	if r.local == "" {
		// An unversioned toolchain: which go runs is known by PATH alone.
		for _, e := range cfg.Env {
			if strings.HasPrefix(e, "PATH=") {
				base.Add(e)
			}
		}
	}
	// Not the root: every path below is relative to it, and Put refuses an
	// entry that names it.
	base.JSON([]any{r.req.Tests, r.req.Cgo, r.req.Offline, r.req.Exclude})
	golang.KeyModuleFiles(base, m)
	if err := base.Err(); err != nil {
		return nil, err
	}
	baseSum := base.Sum()
	var seen bool
	if !r.req.Cache.Peek(r.moduleMark(baseSum), &seen) || !seen {
		return &cachePlan{cold: true, base: baseSum}, nil
	}
	lc := *cfg
	lc.Mode = listMode
	pkgs, err := packages.Load(&lc, patterns...)
	if err != nil || len(pkgs) == 0 {
		return nil, fmt.Errorf("list packages: %v", err)
	}
	return r.lookup(pkgs, baseSum, m), nil
}

// moduleMark is the key of the entry that says a module was analyzed with
// the configuration baseSum stands for.
func (r *run) moduleMark(baseSum string) *resultcache.Key {
	k := r.req.Cache.Key("gosec", "module")
	k.Add(baseSum)
	return k
}

// lookup keys each package of the load and looks it up.
func (r *run) lookup(pkgs []*packages.Package, baseSum string, m golang.Module) *cachePlan {
	byID := map[string]*packages.Package{}
	for _, p := range pkgs {
		byID[p.ID] = p
	}

	// Each package's own files, hashed once.
	own := map[string]*resultcache.Key{}
	ownKey := func(p *packages.Package) *resultcache.Key {
		k, ok := own[p.ID]
		if !ok {
			k = r.req.Cache.Key("gosec", "files")
			k.Add(p.ID, p.PkgPath)
			for _, list := range [][]string{p.GoFiles, p.OtherFiles, p.EmbedFiles} {
				for _, f := range list {
					rel, in := r.rel(f)
					if !in {
						k.Fail(fmt.Errorf("%s: a file outside the scanned root", p.PkgPath))
						continue
					}
					// By the name the go command gave, behind its symlinks.
					scanner.KeyFile(k, r.req.Root, filepath.Join(r.req.Root, filepath.FromSlash(rel)))
				}
			}
			own[p.ID] = k
		}
		return k
	}
	// addOwn adds p's files to the keys, or makes them unusable.
	addOwn := func(p *packages.Package, prefix string, keys ...*resultcache.Key) {
		ok := ownKey(p)
		for _, k := range keys {
			if err := ok.Err(); err != nil {
				k.Fail(err)
			} else {
				k.Add(prefix + ok.Sum())
			}
		}
	}
	lookup := func(id string) *packages.Package {
		if p := byID[id]; p != nil {
			return p
		}
		// "q [p.test]": q recompiled for p's tests has q's files.
		if i := strings.Index(id, " ["); i > 0 {
			return byID[id[:i]]
		}
		return nil
	}

	cleanTestVariant := map[string]bool{}
	for _, p := range pkgs {
		if strings.HasSuffix(p.ID, " ["+p.PkgPath+".test]") && len(p.Errors) == 0 {
			cleanTestVariant[p.PkgPath] = true
		}
	}
	var whole *resultcache.Key
	moduleTree := func() *resultcache.Key {
		if whole == nil {
			whole = r.req.Cache.Key("gosec", "module tree")
			golang.KeyFiles(whole, m.Root, m.Dir, true)
		}
		return whole
	}
	pl := &cachePlan{keys: map[string]*resultcache.Key{}, miss: map[string]bool{},
		listed: byID, imports: map[string]*resultcache.Key{}, base: baseSum}
	for _, p := range pkgs {
		if p.ID == p.PkgPath && cleanTestVariant[p.PkgPath] {
			continue
		}
		if strings.HasSuffix(p.ID, ".test") || r.packageExcluded(p) {
			continue
		}
		k := r.req.Cache.Key("gosec", "package")
		k.Add(baseSum, p.ID)
		addOwn(p, "", k)
		// Its imports' export data depends on everything but its own files.
		ik := r.req.Cache.Key("gosec", "imports")
		ik.Add(baseSum, p.ID)
		// Every package of the module it depends on, in a stable order.
		seen := map[string]bool{p.ID: true}
		var deps []*packages.Package
		unlisted := false
		queue := []*packages.Package{p}
		for len(queue) > 0 {
			q := queue[0]
			queue = queue[1:]
			for _, imp := range q.Imports {
				if seen[imp.ID] {
					continue
				}
				seen[imp.ID] = true
				if d := lookup(imp.ID); d != nil {
					deps = append(deps, d)
					queue = append(queue, d)
				} else if ownPackage(imp.ID, m) {
					unlisted = true
				}
			}
		}
		if unlisted {
			// It imports a package of the module that ./... does not list
			// (through a symlinked directory, or under a "_" directory),
			// whose own imports the listing does not say: every Go file of
			// the module, behind its symlinks, stands for them.
			tree := moduleTree()
			for _, key := range []*resultcache.Key{k, ik} {
				if err := tree.Err(); err != nil {
					key.Fail(err)
				} else {
					key.Add("module tree", tree.Sum())
				}
			}
		}
		slices.SortFunc(deps, func(a, b *packages.Package) int { return strings.Compare(a.ID, b.ID) })
		for _, d := range deps {
			addOwn(d, d.ID+"=", k, ik)
		}
		pl.keys[p.ID] = k
		pl.imports[p.ID] = ik
		var e pkgEntry
		if len(p.Errors) == 0 && r.req.Cache.Get(k, &e) && e.PkgPath == p.PkgPath {
			pl.hits = append(pl.hits, e)
			continue
		}
		pl.miss[p.ID] = true
		if !slices.Contains(pl.patterns, p.PkgPath) {
			pl.patterns = append(pl.patterns, p.PkgPath)
		}
	}
	return pl
}

// store caches a package analyzed without trouble: no load or type error,
// no SSA failure, no gosec error outside the root.
func (r *run) store(pl *cachePlan, p *packages.Package, issues []*issue.Issue, gerrs map[string][]securego.Error, dirs map[string]fileDirectives) {
	k := pl.keys[p.ID]
	if k == nil {
		return
	}
	e := pkgEntry{PkgPath: p.PkgPath, Issues: []cachedIssue{}}
	files := map[string]bool{}
	for _, f := range p.CompiledGoFiles {
		files[f] = true
	}
	for _, f := range p.GoFiles {
		files[f] = true
	}
	for _, is := range issues {
		if is == nil || is.RuleID == "" || is.File == "" {
			continue
		}
		rel, ok := r.rel(is.File)
		if !ok {
			continue // convert drops it too
		}
		ci := cachedIssue{RuleID: is.RuleID, File: rel, Line: is.Line, Col: is.Col, Severity: int(is.Severity),
			Confidence: int(is.Confidence), What: is.What, Code: is.Code}
		for _, s := range is.Suppressions {
			ci.Suppressions = append(ci.Suppressions, suppressionInfo{Kind: s.Kind, Justification: s.Justification})
		}
		e.Issues = append(e.Issues, ci)
	}
	for f, errs := range gerrs {
		if !files[f] {
			continue
		}
		rel, ok := r.rel(f)
		if !ok {
			return
		}
		if e.Errors == nil {
			e.Errors = map[string][]securego.Error{}
		}
		e.Errors[rel] = errs
	}
	for f := range files {
		d, ok := dirs[f]
		rel, in := r.rel(f)
		if !ok || !in {
			continue
		}
		if e.Directives == nil {
			e.Directives = map[string]cachedDirectives{}
		}
		e.Directives[rel] = cachedDirectives{Gosec: toCached(d.gosec), Nolint: toCached(d.nolint)}
	}
	r.req.Cache.Put(k, e)
}

// restore turns cached entries back into what convert and gosecErrors read.
func (r *run) restore(hits []pkgEntry, issues *[]*issue.Issue, gerrs map[string][]securego.Error, dirs map[string]fileDirectives) {
	abs := func(rel string) string { return filepath.Join(r.req.Root, filepath.FromSlash(rel)) }
	for _, e := range hits {
		for _, ci := range e.Issues {
			is := &issue.Issue{RuleID: ci.RuleID, File: abs(ci.File), Line: ci.Line, Col: ci.Col,
				Severity: issue.Score(ci.Severity), Confidence: issue.Score(ci.Confidence), What: ci.What, Code: ci.Code}
			for _, s := range ci.Suppressions {
				is.Suppressions = append(is.Suppressions, issue.SuppressionInfo{Kind: s.Kind, Justification: s.Justification})
			}
			*issues = append(*issues, is)
		}
		for rel, errs := range e.Errors {
			gerrs[abs(rel)] = append(gerrs[abs(rel)], errs...)
		}
		for rel, d := range e.Directives {
			if _, ok := dirs[abs(rel)]; !ok {
				dirs[abs(rel)] = fileDirectives{gosec: fromCached(d.Gosec), nolint: fromCached(d.Nolint)}
			}
		}
	}
}

// ownPackage reports whether the package id (or its test variant) is one
// of the module m's own, in its tree outside nested modules.
func ownPackage(id string, m golang.Module) bool {
	if i := strings.Index(id, " ["); i > 0 {
		id = id[:i]
	}
	rel, ok := strings.CutPrefix(id, m.Path)
	if !ok || rel != "" && rel[0] != '/' {
		return false
	}
	for d := filepath.Join(m.Dir, filepath.FromSlash(rel)); d != m.Dir && len(d) > len(m.Dir); d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, "go.mod")); err == nil {
			return false // a nested module's: keyed by go.sum, or by the tree for a replace
		}
	}
	return true
}
