package osv

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/language/golang/gomod"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/requirements"
	"github.com/google/osv-scalibr/extractor/filesystem/language/ruby/gemfilelock"
	scalibrfs "github.com/google/osv-scalibr/fs"
	"github.com/ossf/osv-schema/bindings/go/osvconstants"

	"github.com/scangate/scangate/internal/intree"
)

// The extracting half of osv-scanner v2.5.0's source scan: each lockfile
// is given to the osv-scalibr extractor that claimed it, as osv-scanner's
// walk gives it, then the packages osv-scanner would not match are dropped.

// srcTree is the scanned root opened once: every read goes through it, so
// nothing an extractor opens (a -r include, a go.sum, a parent pom) can
// leave the root, by "../" or by a symlink.
type srcTree struct {
	abs string
	fs  scalibrfs.FS
}

func openTree(root string) (*srcTree, *os.Root, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, nil, err
	}
	fsys, ok := r.FS().(scalibrfs.FS)
	if !ok { // os.Root's FS has ReadDir and Stat since Go 1.25
		r.Close()
		return nil, nil, fmt.Errorf("%s: file system without ReadDir or Stat", root)
	}
	return &srcTree{abs: root, fs: fsys}, r, nil
}

// extract runs ex on the lockfile. As osv-scanner's walk does, the
// packages an extractor yields before an error are kept, and the error is
// returned beside them.
func (t *srcTree) extract(ctx context.Context, ex filesystem.Extractor, rel string) ([]*extractor.Package, error) {
	f, err := t.fs.Open(rel)
	if err != nil {
		return nil, fmt.Errorf("cannot be opened: %w", pathError(err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot be read: %w", pathError(err))
	}
	inv, err := ex.Extract(ctx, &filesystem.ScanInput{FS: t.fs, Path: rel, Root: t.abs, Info: info, Reader: f})
	for _, p := range inv.Packages {
		p.Plugins = append(p.Plugins, ex.Name())
	}
	return inv.Packages, err
}

// scannable drops what osv-scanner drops before matching: packages without
// an ecosystem, name or version (its filter annotator), the Go version of
// a go.mod's go directive (it is a minimum, not the toolchain), and
// duplicates of a package at the same file (its inventory dedup).
func scannable(pkgs []*extractor.Package) []*extractor.Package {
	type key struct{ loc, name, version, src, purl string }
	seen := map[key]bool{}
	var out []*extractor.Package
	for _, p := range pkgs {
		eco := p.Ecosystem()
		if eco.IsEmpty() || p.Name == "" || p.Version == "" || eco.GetValidity() != nil ||
			eco.Ecosystem == osvconstants.EcosystemMaven && p.Name == "unknown" {
			continue // osv-scanner would match a bare commit; offline there is no GIT database
		}
		if eco.Ecosystem == osvconstants.EcosystemGo && (p.Name == "go" || p.Name == "stdlib") && slices.Contains(p.Plugins, gomod.Name) {
			continue
		}
		k := key{loc: p.Location.PathOrEmpty(), name: p.Name, version: p.Version, src: fmt.Sprintf("%v", p.SourceCode)}
		if u := p.PURL(); u != nil {
			k.purl = u.String()
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out
}

// reportName is the package's name as osv-scanner reports it
// (imodels.Name): PyPI names normalized.
func reportName(p *extractor.Package) string {
	if p.Ecosystem().Ecosystem == osvconstants.EcosystemPyPI {
		return strings.ToLower(pypiSeparators.ReplaceAllLiteralString(p.Name, "-"))
	}
	return p.Name
}

var pypiSeparators = regexp.MustCompile(`[-_.]+`)

// losses are what an extractor drops with only a log line (osv-scalibr's
// process-global logger, which we leave alone): the adapter looks for them
// itself. errs make the lockfile incomplete; warns are refusals by design.
func (t *srcTree) losses(ex filesystem.Extractor, rel string) (errs, warns []string) {
	switch ex.Name() {
	case requirements.Name:
		return t.includeLosses(rel)
	case gemfilelock.Name:
		return t.gemSpecLosses(rel), nil
	}
	return nil, nil
}

// includeLosses follows the -r includes of a requirements file as
// osv-scalibr does (relative to the including file, recursively, once
// each) and names those it cannot read.
func (t *srcTree) includeLosses(rel string) (errs, warns []string) {
	found := map[string]bool{rel: true}
	queue := []string{rel}
	for len(queue) > 0 {
		file := queue[0]
		queue = queue[1:]
		for _, inc := range readIncludes(t.fs, file) {
			target := filepath.ToSlash(filepath.Join(path.Dir(file), inc.path))
			if found[target] {
				continue
			}
			at := fmt.Sprintf("%s:%d", file, inc.line)
			if target == ".." || strings.HasPrefix(target, "../") || !intree.Contains(t.abs, filepath.Join(t.abs, filepath.FromSlash(target))) {
				warns = append(warns, at+" includes a file outside the scanned root: not read, its packages not reported")
				continue
			}
			f, err := t.fs.Open(target)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s: include %q cannot be read (%v): its packages are missing", at, inc.path, pathError(err)))
				continue
			}
			f.Close()
			found[target] = true
			queue = append(queue, target)
		}
	}
	return errs, warns
}

type include struct {
	line int
	path string
}

// readIncludes lists the "-r" lines of a requirements file, the only
// include osv-scalibr follows (-c constraints are not read).
func readIncludes(fsys fs.FS, rel string) []include {
	f, err := fsys.Open(rel)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []include
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if i := strings.Index(l, " #"); i >= 0 {
			l = l[:i]
		}
		l = strings.TrimSpace(l)
		if after, ok := strings.CutPrefix(l, "-r"); ok && !strings.HasPrefix(l, "#") {
			if p := strings.TrimSpace(after); p != "" {
				out = append(out, include{n, p})
			}
		}
	}
	return out
}

// gemSpecLosses names the spec lines of a Gemfile.lock's source sections
// that osv-scalibr's extractor cannot read (it logs "Invalid spec line"
// and skips the gem).
func (t *srcTree) gemSpecLosses(rel string) []string {
	f, err := t.fs.Open(rel)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	source := false
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if l == "" {
			continue
		}
		indent := len(l) - len(strings.TrimLeft(l, " "))
		switch {
		case indent == 0:
			source = slices.Contains([]string{"GIT", "GEM", "PATH", "PLUGIN SOURCE"}, l)
		case indent == 4 && source:
			m := gemSpec.FindStringSubmatch(l[4:])
			if len(m) < 3 || m[1] == "" || m[2] == "" {
				out = append(out, fmt.Sprintf("%s:%d: invalid spec line %q: the gem is not scanned", rel, n, l[4:]))
			}
		}
	}
	return out
}

// gemSpec is osv-scalibr's nameVersionRegexp (gemfilelock).
var gemSpec = regexp.MustCompile(`^(.*?)(?: \(([^-]*)(?:-(.*))?\))?(!)?$`)

// pathError drops the path an fs error repeats: the message names it.
func pathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
