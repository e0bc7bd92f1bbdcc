package golang

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/scangate/scangate/scanner"

	"golang.org/x/mod/modfile"

	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/internal/shellout"
)

// goInput reports whether a file can change what the go command builds:
// sources the compiler or cgo reads, module and workspace files.
func goInput(name string) bool {
	switch name {
	case "go.mod", "go.sum", "go.work", "go.work.sum", "modules.txt":
		return true
	}
	switch filepath.Ext(name) {
	case ".go", ".s", ".c", ".h", ".cc", ".cpp", ".cxx", ".hh", ".hpp", ".hxx", ".m", ".f", ".f90", ".swig", ".swigcxx", ".syso":
		return true
	}
	return false
}

// KeyFiles adds to k every file under dir that can change a Go build
// (sources, go.mod, go.sum, vendor), by path relative to root and content,
// through symlinked files and directories as the go command reads them.
// skipNested leaves out nested modules (directories with their own go.mod).
// What cannot be keyed (see KeyTree) makes k unusable.
func KeyFiles(k *resultcache.Key, root, dir string, skipNested bool) {
	scanner.KeyTree(k, goTree(root, func(abs, name string) bool {
		if skipNested {
			if _, err := os.Lstat(filepath.Join(abs, "go.mod")); err == nil {
				return true
			}
		}
		return false
	}), dir)
}

// goTree is what a Go build may read under root: Go inputs, through
// symlinked directories, outside .git and node_modules and what skip says.
func goTree(root string, skip func(abs, name string) bool) scanner.TreeKey {
	return scanner.TreeKey{Root: root, Want: goInput, FollowDirs: true, Skip: func(abs, name string) bool {
		return name == ".git" || name == "node_modules" || skip(abs, name)
	}}
}

// KeyModule adds what a module's build depends on inside the tree: its own
// files without nested modules, or, when its go.mod replaces a module with a
// local directory or a go.work lists it, every Go file under the root (the
// other modules' sources are then part of its build).
func KeyModule(k *resultcache.Key, m Module) {
	k.Add("module", m.Rel, m.Path, m.workRel())
	if wideBuild(k, m) {
		KeyFiles(k, m.Root, m.Root, false)
		return
	}
	KeyFiles(k, m.Root, m.Dir, true)
}

// wideBuild reports whether the module's build reads other modules of the
// tree: a go.work lists it, or its go.mod replaces a module with a local
// directory (one outside the tree makes k unusable).
func wideBuild(k *resultcache.Key, m Module) bool {
	wide := m.Work != ""
	gomod := path.Join(m.Rel, "go.mod")
	if data, err := os.ReadFile(filepath.Join(m.Dir, "go.mod")); err == nil {
		// Parse, not ParseLax, which drops replace directives.
		f, err := modfile.Parse(gomod, data, nil)
		if err != nil {
			k.Fail(fmt.Errorf("%s: its replace directives cannot be read: %w", gomod, err))
			return wide
		}
		for _, r := range f.Replace {
			if r.New.Version == "" {
				wide = true
				keyInside(k, m, m.Dir, r.New.Path, gomod+" replaces "+r.Old.Path+" with")
			}
		}
	}
	if m.Work == "" {
		return wide
	}
	// The workspace's modules and replacements are part of the build too.
	work := scanner.RelPath(m.Root, m.Work)
	data, err := os.ReadFile(m.Work)
	if err != nil {
		k.Fail(fmt.Errorf("%s: %w", work, scanner.Bare(err)))
		return wide
	}
	f, err := modfile.ParseWork(work, data, nil)
	if err != nil {
		k.Fail(err)
		return wide
	}
	for _, u := range f.Use {
		keyInside(k, m, filepath.Dir(m.Work), u.Path, work+" uses")
	}
	for _, r := range f.Replace {
		if r.New.Version == "" {
			keyInside(k, m, filepath.Dir(m.Work), r.New.Path, work+" replaces "+r.Old.Path+" with")
		}
	}
	return wide
}

// keyInside makes k unusable when the directory a go.mod or go.work names
// (relative to dir) lies outside the tree: its files are not hashed, and
// what it holds changes with where the tree lies, so no answer can be
// trusted. One inside is hashed with the tree's Go files.
func keyInside(k *resultcache.Key, m Module, dir, target, what string) {
	if !filepath.IsAbs(target) {
		target = filepath.Join(dir, target)
	}
	if rel, err := filepath.Rel(m.Root, target); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		k.Fail(fmt.Errorf("%s a directory outside the tree", what))
	}
}

// workRel is the module's go.work relative to the root, "" when none.
func (m Module) workRel() string {
	if m.Work == "" {
		return ""
	}
	return scanner.RelPath(m.Root, m.Work)
}

// KeyEnv adds the environment of a go command run on m that can change
// its answer (shellout.KeyEnv): the go.work's path as relative to the
// root, where Env gives it in full.
func KeyEnv(k *resultcache.Key, m Module, env []string) {
	for _, e := range shellout.KeyEnv(env) {
		if m.Work != "" && e == "GOWORK="+m.Work {
			e = "GOWORK=" + m.workRel()
		}
		k.Add(e)
	}
}

var goVersions sync.Map // PATH -> go version

// Version is the version of the go command the module's scanners run
// ("go1.26.8"): part of every cache key of a Go scanner. It is asked once
// per PATH and process.
func Version(ctx context.Context, m Module) (string, error) {
	env := Env(m)
	path := ""
	for _, e := range env {
		if strings.HasPrefix(e, "PATH=") {
			path = e
		}
	}
	if v, ok := goVersions.Load(path); ok {
		return v.(string), nil
	}
	if err := shellout.CheckFirst("go", m.Root); err != nil {
		return "", err
	}
	out, err := shellout.Run(ctx, shellout.Cmd{Program: "go", Args: []string{"env", "GOVERSION"}, Dir: m.Dir, Root: m.Root, Env: env, MaxStdout: 1 << 10})
	if err != nil {
		return "", err
	}
	v := strings.TrimSpace(string(out.Stdout))
	if out.ExitCode != 0 || v == "" {
		return "", fmt.Errorf("go env GOVERSION: %s", out.Status())
	}
	goVersions.Store(path, v)
	return v, nil
}

// KeyModuleFiles adds what all of a module's packages depend on beyond their
// own sources: go.mod, go.sum, the go.work, the vendor directory and, for a
// module whose build reaches other modules of the tree (a local replace, a
// workspace), every Go file of the tree outside the module itself. Callers
// add each package's own files.
func KeyModuleFiles(k *resultcache.Key, m Module) {
	k.Add("module files", m.Rel, m.Path, m.workRel())
	for _, name := range []string{"go.mod", "go.sum"} {
		scanner.KeyFile(k, m.Root, filepath.Join(m.Dir, name))
	}
	if m.Work != "" {
		scanner.KeyFile(k, m.Root, m.Work)
		scanner.KeyFile(k, m.Root, m.Work+".sum")
	}
	if fi, err := os.Stat(filepath.Join(m.Dir, "vendor")); err == nil && fi.IsDir() {
		KeyFiles(k, m.Root, filepath.Join(m.Dir, "vendor"), false)
	}
	if !wideBuild(k, m) {
		return
	}
	// The module's own files are keyed per package.
	scanner.KeyTree(k, goTree(m.Root, func(abs, _ string) bool { return abs == m.Dir }), m.Root)
}
