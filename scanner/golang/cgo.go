package golang

import (
	"errors"
	"fmt"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/scangate/scangate/scanner"
)

// CgoEnv is appended to Env's environment: Env turns cgo off, and only
// a trusted --cgo turns it back on.
func CgoEnv(req *scanner.Request) []string {
	if req.Cgo {
		return []string{"CGO_ENABLED=1"}
	}
	return nil
}

// CgoSkipped lists the Go files of module m (relative to the root, sorted)
// that the go command leaves out because cgo is off: files that import "C"
// and files whose build constraints need cgo, when they would otherwise be
// built for this platform and these tags. Standalone gosec and govulncheck,
// where a C compiler is installed, would analyze them; the scan did not.
// It returns nothing when req.Cgo is set.
func CgoSkipped(req *scanner.Request, m Module) ([]string, error) {
	if req.Cgo {
		return nil, nil
	}
	on, off := build.Default, build.Default
	on.CgoEnabled, off.CgoEnabled = true, false
	on.BuildTags, off.BuildTags = req.Tags, req.Tags
	var out []string
	gaps, err := scanner.TreeWalk{Root: req.Root, Dir: m.Dir, Exclude: req.Exclude}.Walk(func(p, rel string, d fs.DirEntry) error {
		if d.IsDir() {
			if skipDir(d.Name()) {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir // another module: scanned on its own
			}
			return nil
		}
		name := d.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
			strings.HasSuffix(name, "_test.go") && !req.Tests {
			return nil
		}
		if scanner.Excluded(req.Exclude, rel) {
			return nil
		}
		dir := filepath.Dir(p)
		if ok, err := on.MatchFile(dir, name); err != nil || !ok {
			return nil // not built here anyway (or unreadable: the load says so)
		}
		if ok, _ := off.MatchFile(dir, name); !ok || importsC(p) {
			out = append(out, rel)
		}
		return nil
	})
	// Gaps below the module are Modules' to report; the module's own
	// directory unreadable leaves this list unknown.
	if len(gaps) > 0 && gaps[0].Rel == m.Rel {
		err = errors.Unwrap(gaps[0].Err) // why, without the sentence around it
	}
	if err != nil {
		return nil, fmt.Errorf("list cgo files in %s: %w", m.Rel, err)
	}
	slices.Sort(out)
	return out, nil
}

// importsC reports whether the Go file imports "C"; a file that does not
// parse is left to the load to report.
func importsC(path string) bool {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
	if err != nil {
		return false
	}
	for _, imp := range f.Imports {
		if imp.Path.Value == `"C"` {
			return true
		}
	}
	return false
}

// CgoSkippedMessage is the gap's reason for files CgoSkipped listed: which
// files, why, and the two ways out.
func CgoSkippedMessage(files []string) string {
	const show = 10
	list := strings.Join(files[:min(len(files), show)], ", ")
	if len(files) > show {
		list += fmt.Sprintf(" and %d more", len(files)-show)
	}
	noun, were := "files use", "were"
	if len(files) == 1 {
		noun, were = "file uses", "was"
	}
	return fmt.Sprintf("%d Go %s cgo and %s not analyzed, because cgo is off for the scanned tree (a C compiler would read every file its #include lines name, from anywhere on this machine): %s; "+
		"scan with --cgo if you trust the repository, or accept the gap with --allow-incomplete", len(files), noun, were, list)
}
