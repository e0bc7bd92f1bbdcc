package vulndb

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// maxAdvisorySize bounds one advisory file; real ones are a few KB.
const maxAdvisorySize = 16 << 20

// source is a set of advisory files: a directory or a zip.
type source interface {
	files() []string // advisory files, "/" separated, sorted
	read(name string) ([]byte, error)
	// modTime is the file's modification time (zero when unknown).
	modTime(name string) time.Time
	close() error
}

// openSource opens a directory or a zip of OSV advisories.
func openSource(src string) (source, error) {
	fi, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return openDirSource(src)
	}
	return openZipSource(src)
}

// input is one source of an import with what the import needs to know of
// it beyond its files.
type input struct {
	source
	// scope limits the ecosystems this source speaks for (osv.dev's
	// <Ecosystem>/all.zip, an old database's zip kept by a partial update);
	// nil: every ecosystem its advisories name.
	scope []string
	// asOf is when the source was known current: a download's time. Zero
	// for an import: then it is the newest "modified" of its advisories.
	asOf time.Time
}

// readAdvisory reads one advisory as OSV JSON: YAML files (the format of
// pypa/advisory-database) are converted, as osv.dev does when it imports
// them.
func readAdvisory(s source, name string) ([]byte, error) {
	raw, err := s.read(name)
	if err != nil || !isYAML(name) {
		return raw, err
	}
	j, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: bad YAML: %w", name, err)
	}
	return j, nil
}

func isYAML(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

// skipFile leaves out what is not an advisory: other files and the index
// files of a govulncheck layout (vuln.go.dev's vulndb.zip has them).
func skipFile(name string) bool {
	if !strings.HasSuffix(name, ".json") && !isYAML(name) {
		return true
	}
	dir, base := path.Split(name)
	return path.Base(strings.TrimSuffix(dir, "/")) == "index" &&
		(base == "db.json" || base == "modules.json" || base == "vulns.json")
}

type dirSource struct {
	root string
	list []string
}

func openDirSource(root string) (*dirSource, error) {
	s := &dirSource{root: root}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".") || skipFile(rel) {
			return nil
		}
		s.list = append(s.list, rel)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(s.list)
	return s, nil
}

func (s *dirSource) files() []string { return s.list }
func (s *dirSource) close() error    { return nil }

func (s *dirSource) modTime(name string) time.Time {
	fi, err := os.Stat(filepath.Join(s.root, filepath.FromSlash(name)))
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime().UTC()
}

func (s *dirSource) read(name string) ([]byte, error) {
	f, err := os.Open(filepath.Join(s.root, filepath.FromSlash(name)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	return readLimited(name, f)
}

type zipSource struct {
	path   string
	r      *zip.ReadCloser
	byName map[string]*zip.File
	list   []string
}

func openZipSource(p string) (*zipSource, error) {
	r, err := zip.OpenReader(p)
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable zip file (truncated or not a zip?): %w", filepath.Base(p), err)
	}
	s := &zipSource{path: p, r: r, byName: map[string]*zip.File{}}
	for _, f := range r.File {
		if f.FileInfo().IsDir() || skipFile(f.Name) || strings.HasPrefix(path.Base(f.Name), ".") {
			continue
		}
		if _, dup := s.byName[f.Name]; dup {
			r.Close()
			return nil, fmt.Errorf("%s: entry %s appears twice", filepath.Base(p), f.Name)
		}
		s.byName[f.Name] = f
		s.list = append(s.list, f.Name)
	}
	sort.Strings(s.list)
	return s, nil
}

func (s *zipSource) files() []string { return s.list }
func (s *zipSource) close() error    { return s.r.Close() }

func (s *zipSource) modTime(name string) time.Time {
	if f := s.byName[name]; f != nil {
		return f.Modified.UTC()
	}
	return time.Time{}
}

func (s *zipSource) read(name string) ([]byte, error) {
	f := s.byName[name]
	if f == nil {
		return nil, fmt.Errorf("%s: not in %s", name, filepath.Base(s.path))
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer rc.Close()
	return readLimited(name, rc)
}

func readLimited(name string, r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxAdvisorySize+1))
	if err != nil {
		if errors.Is(err, zip.ErrChecksum) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%s: corrupt zip entry: %w", name, err)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > maxAdvisorySize {
		return nil, fmt.Errorf("%s: larger than %d MB: not an advisory", name, maxAdvisorySize>>20)
	}
	return b, nil
}
