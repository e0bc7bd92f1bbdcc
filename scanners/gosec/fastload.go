package gosec

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"runtime"
	"strings"

	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"
)

// A package that changed while nothing of the module it imports did is
// type-checked here, from the export data an earlier load found for its
// imports, instead of by go/packages: its `go list -deps -export` hashes the
// sources of every transitive dependency, most of a one-file rescan's time
// on a large module. Anything unusual (cgo, a test variant, an import not
// seen before, a missing export file, a type error) falls back to the full
// load, which reports problems as usual.

// importsEntry is where a package's imports keep their export data.
type importsEntry struct {
	Arch    string               `json:"arch"`
	GoVer   string               `json:"goVersion"`
	Imports map[string]exportRef `json:"imports"` // import path as written -> package
}

type exportRef struct {
	ID   string `json:"id"`
	Path string `json:"pkgPath"`
	File string `json:"exportFile"`
}

// goArch is the architecture the go command builds for, as go/packages
// sizes types for it.
func goArch(env []string) string {
	arch := runtime.GOARCH
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GOARCH="); ok && v != "" {
			arch = v
		}
	}
	return arch
}

// recordImports keeps, for a package the full load type-checked cleanly,
// where its imports' export data is.
func (r *run) recordImports(pl *cachePlan, cfg *packages.Config, p *packages.Package) {
	k := pl.imports[p.ID]
	if k == nil || p.ID != p.PkgPath || p.Module == nil || p.TypesSizes == nil {
		return
	}
	arch := goArch(cfg.Env)
	if s := types.SizesFor("gc", arch); s == nil || s.Sizeof(types.Typ[types.Uintptr]) != p.TypesSizes.Sizeof(types.Typ[types.Uintptr]) {
		return
	}
	e := importsEntry{Arch: arch, GoVer: p.Module.GoVersion, Imports: map[string]exportRef{}}
	for path, imp := range p.Imports {
		if path == "C" {
			return
		}
		if path == "unsafe" {
			continue
		}
		if imp.ExportFile == "" {
			return
		}
		e.Imports[path] = exportRef{ID: imp.ID, Path: imp.PkgPath, File: imp.ExportFile}
	}
	r.req.Cache.Put(k, e)
}

// fastLoad type-checks the listed packages ids from recorded export data.
// It returns those it could and the IDs left for the full load.
func (r *run) fastLoad(pl *cachePlan, ids []string) (done []*packages.Package, rest []string) {
	fset := token.NewFileSet()
	for _, id := range ids {
		if p := r.fastLoadOne(pl, fset, id); p != nil {
			done = append(done, p)
		} else {
			rest = append(rest, id)
		}
	}
	return done, rest
}

func (r *run) fastLoadOne(pl *cachePlan, fset *token.FileSet, id string) *packages.Package {
	lp := pl.listed[id]
	k := pl.imports[id]
	if lp == nil || k == nil || lp.ID != lp.PkgPath || len(lp.Errors) > 0 || len(lp.GoFiles) == 0 {
		return nil
	}
	var e importsEntry
	if !r.req.Cache.Peek(k, &e) {
		return nil
	}
	sizes := types.SizesFor("gc", e.Arch)
	if sizes == nil {
		return nil
	}
	for path, imp := range lp.Imports {
		if path == "unsafe" {
			continue
		}
		ref, ok := e.Imports[path]
		if !ok || ref.ID != imp.ID {
			return nil // a new import, or cgo
		}
		if _, err := os.Stat(ref.File); err != nil {
			return nil // the build cache was trimmed
		}
	}
	var files []*ast.File
	for _, f := range lp.GoFiles {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil
		}
		af, err := parser.ParseFile(fset, f, src, parser.AllErrors|parser.ParseComments)
		if err != nil {
			return nil
		}
		files = append(files, af)
	}
	loaded := map[string]*types.Package{}
	var typeErr error
	tc := &types.Config{
		Importer: importerFunc(func(path string) (*types.Package, error) {
			if path == "unsafe" {
				return types.Unsafe, nil
			}
			ref, ok := e.Imports[path]
			if !ok {
				return nil, fmt.Errorf("no export data for %s", path)
			}
			if p := loaded[ref.Path]; p != nil && p.Complete() {
				return p, nil
			}
			f, err := os.Open(ref.File)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			rd, err := gcexportdata.NewReader(bufio.NewReader(f))
			if err != nil {
				return nil, err
			}
			return gcexportdata.Read(rd, fset, loaded, ref.Path)
		}),
		Error: func(err error) {
			if typeErr == nil {
				typeErr = err
			}
		},
		Sizes: sizes,
	}
	if e.GoVer != "" {
		tc.GoVersion = "go" + e.GoVer
	}
	info := &types.Info{
		Types:        map[ast.Expr]types.TypeAndValue{},
		Defs:         map[*ast.Ident]types.Object{},
		Uses:         map[*ast.Ident]types.Object{},
		Implicits:    map[ast.Node]types.Object{},
		Instances:    map[*ast.Ident]types.Instance{},
		Scopes:       map[ast.Node]*types.Scope{},
		Selections:   map[*ast.SelectorExpr]*types.Selection{},
		FileVersions: map[*ast.File]string{},
	}
	tp := types.NewPackage(lp.PkgPath, lp.Name)
	if err := types.NewChecker(tc, fset, tp, info).Files(files); err != nil || typeErr != nil {
		return nil
	}
	p := *lp
	p.CompiledGoFiles = lp.GoFiles
	p.Fset = fset
	p.Syntax = files
	p.Types = tp
	p.TypesInfo = info
	p.TypesSizes = sizes
	return &p
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
