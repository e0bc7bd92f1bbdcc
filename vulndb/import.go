package vulndb

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// maxListedErrors bounds how many bad advisories one error lists.
const maxListedErrors = 20

// Import builds the database at dst from src, a directory or a .zip of OSV
// JSON advisories (one per file, named <ID>.json). Every advisory is
// validated; any bad one fails the import with an error naming the file and
// the problem, and dst is left as it was. The new database replaces dst in
// one rename.
func Import(src, dst string) (*Stats, error) {
	s, err := openSource(src)
	if err != nil {
		return nil, fmt.Errorf("vulndb: import %s: %w", src, err)
	}
	defer s.close()
	st, err := build([]source{s}, dst, buildOptions{origin: OriginImport, label: src})
	if err != nil {
		return nil, fmt.Errorf("vulndb: import %s: %w", src, err)
	}
	return st, nil
}

type buildOptions struct {
	origin string
	label  string
	// lenient records bad advisories in Stats.Rejected and goes on, and
	// keeps the first of several advisories with one ID (db update, whose
	// sources overlap); otherwise both are errors.
	lenient bool
	// only limits the osv-scanner zips to these ecosystems (nil: all), so
	// that an advisory also naming an ecosystem that was not downloaded
	// does not make a partial zip look like a whole one.
	only []string
	// rejected are problems found before building, listed first.
	rejected []Rejected
	now      time.Time
}

func build(srcs []source, dst string, opt buildOptions) (*Stats, error) {
	if opt.now.IsZero() {
		opt.now = time.Now()
	}
	entries, rejected, err := collect(srcs, opt.lenient)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, errors.New("no advisories found (want *.json files in OSV format)")
	}
	if err := checkReplaceable(dst); err != nil {
		return nil, err
	}
	parent := filepath.Dir(dst)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, ".scangate-db-new-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp) // after a successful install it holds the old database
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, err
	}

	st := &Stats{
		Format:   FormatVersion,
		Imported: opt.now.UTC().Truncate(time.Second),
		Origin:   opt.origin,
		Source:   opt.label,
		Entries:  len(entries),
		Rejected: append(opt.rejected, rejected...),
	}
	if st.Govulncheck, err = writeGovulncheck(tmp, entries); err != nil {
		return nil, err
	}
	if st.Ecosystems, err = writeZips(tmp, entries, opt.only); err != nil {
		return nil, err
	}
	if err := writeJSON(filepath.Join(tmp, MetaFile), st); err != nil {
		return nil, err
	}
	if err := install(tmp, dst); err != nil {
		return nil, fmt.Errorf("install %s: %w", dst, err)
	}
	return st, nil
}

// collect validates every advisory of every source.
func collect(srcs []source, lenient bool) ([]*entry, []Rejected, error) {
	var (
		entries  []*entry
		byID     = map[string]*entry{}
		errs     []string
		rejected []Rejected
		nbad     int
	)
	bad := func(file string, err error) {
		nbad++
		if lenient {
			if len(rejected) < 100 {
				rejected = append(rejected, Rejected{File: file, Error: err.Error()})
			}
			return
		}
		if len(errs) < maxListedErrors {
			errs = append(errs, err.Error())
		}
	}
	for _, s := range srcs {
		for _, f := range s.files() {
			raw, err := s.read(f)
			if err != nil {
				bad(f, err)
				continue
			}
			e, err := parseAdvisory(f, raw)
			if err != nil {
				bad(f, err)
				continue
			}
			e.src = s
			if prev := byID[e.id]; prev != nil {
				if !lenient {
					bad(f, fmt.Errorf("%s: advisory %s is also in %s", f, e.id, prev.file))
				}
				continue
			}
			byID[e.id] = e
			entries = append(entries, e)
		}
	}
	if lenient && nbad > len(rejected) {
		rejected = append(rejected, Rejected{Error: fmt.Sprintf("... and %d more", nbad-len(rejected))})
	}
	if len(errs) > 0 {
		msg := strings.Join(errs, "\n  ")
		if nbad > len(errs) {
			msg += fmt.Sprintf("\n  ... and %d more", nbad-len(errs))
		}
		return nil, nil, fmt.Errorf("%d bad advisor%s:\n  %s", nbad, plural(nbad, "y", "ies"), msg)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].id < entries[j].id })
	return entries, rejected, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// checkReplaceable refuses to replace a directory that is not a database,
// so that a mistaken --db never deletes someone's files.
func checkReplaceable(dst string) error {
	fi, err := os.Stat(dst)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s exists and is not a directory", dst)
	}
	if _, err := os.Stat(filepath.Join(dst, MetaFile)); err == nil {
		return nil
	}
	names, err := os.ReadDir(dst)
	if err != nil {
		return err
	}
	if len(names) > 0 {
		return fmt.Errorf("%s exists and is not a scangate database (no %s): refusing to replace it", dst, MetaFile)
	}
	return nil
}

// govulncheck's v1 index types (golang.org/x/vuln/internal/client/schema.go).
type dbMeta struct {
	Modified time.Time `json:"modified"`
}

type moduleMeta struct {
	Path  string       `json:"path"`
	Vulns []moduleVuln `json:"vulns"`
}

type moduleVuln struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Fixed    string    `json:"fixed,omitempty"`
}

// writeGovulncheck writes the GO- entries, verbatim, with the index
// govulncheck requires (it recognises the layout by index/modules.json).
func writeGovulncheck(root string, entries []*entry) (Govulncheck, error) {
	var g Govulncheck
	dir := filepath.Join(root, GovulncheckDir)
	for _, d := range []string{"index", "ID"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return g, err
		}
	}
	modules := map[string]*moduleMeta{}
	var db dbMeta
	sum := sha256.New()
	for _, e := range entries { // sorted by ID
		if len(e.goModules) == 0 {
			continue
		}
		raw, err := e.src.read(e.file)
		if err != nil {
			return g, err
		}
		if err := os.WriteFile(filepath.Join(dir, "ID", e.id+".json"), raw, 0o644); err != nil {
			return g, err
		}
		hashEntry(sum, e.id, raw)
		g.Entries++
		if e.modified.After(db.Modified) {
			db.Modified = e.modified
		}
		for _, m := range e.goModules {
			mm := modules[m.path]
			if mm == nil {
				mm = &moduleMeta{Path: m.path, Vulns: []moduleVuln{}}
				modules[m.path] = mm
			}
			mm.Vulns = append(mm.Vulns, moduleVuln{ID: e.id, Modified: e.modified, Fixed: m.fixed})
		}
	}
	list := make([]*moduleMeta, 0, len(modules))
	for _, m := range modules {
		sort.SliceStable(m.Vulns, func(i, j int) bool { return m.Vulns[i].ID < m.Vulns[j].ID })
		list = append(list, m)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Path < list[j].Path })
	g.Modules = len(list)
	g.NewestModified = db.Modified
	b, err := json.Marshal(list)
	if err != nil {
		return g, err
	}
	if err := os.WriteFile(filepath.Join(dir, "index", "modules.json"), b, 0o644); err != nil {
		return g, err
	}
	ms := sha256.Sum256(b)
	g.ModulesSHA256 = hex.EncodeToString(ms[:])
	g.EntriesSHA256 = hex.EncodeToString(sum.Sum(nil))
	if err := writeJSON(filepath.Join(dir, "index", "db.json"), db); err != nil {
		return g, err
	}
	return g, nil
}

// hashEntry adds one govulncheck entry to the checksum of all of them.
func hashEntry(h hash.Hash, id string, raw []byte) {
	h.Write([]byte(id))
	h.Write([]byte{0})
	h.Write(raw)
	h.Write([]byte{0})
}

// writeZips writes one osv-scanner zip per ecosystem with every advisory
// affecting it (GO- and GHSA- alike), entries named <ID>.json as in the
// osv.dev exports.
func writeZips(root string, entries []*entry, only []string) ([]Ecosystem, error) {
	byEco := map[string][]*entry{}
	for _, e := range entries {
		for _, eco := range e.ecos {
			if only != nil && !slices.Contains(only, eco) {
				continue
			}
			byEco[eco] = append(byEco[eco], e)
		}
	}
	names := make([]string, 0, len(byEco))
	for n := range byEco {
		names = append(names, n)
	}
	slices.Sort(names)
	var out []Ecosystem
	for _, name := range names {
		rel := filepath.ToSlash(filepath.Join(OSVScannerDir, "osv-scalibr", name, "all.zip"))
		eco, err := writeZip(filepath.Join(root, filepath.FromSlash(rel)), byEco[name])
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", rel, err)
		}
		eco.Name, eco.Zip = name, rel
		out = append(out, eco)
	}
	return out, nil
}

func writeZip(p string, entries []*entry) (Ecosystem, error) {
	var eco Ecosystem
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return eco, err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return eco, err
	}
	defer f.Close()
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(f, h)}
	zw := zip.NewWriter(cw)
	for _, e := range entries {
		raw, err := e.src.read(e.file)
		if err != nil {
			return eco, err
		}
		// A fixed timestamp keeps the zip, and so its checksum, reproducible.
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.id + ".json", Method: zip.Deflate, Modified: e.modified})
		if err != nil {
			return eco, err
		}
		if _, err := w.Write(raw); err != nil {
			return eco, err
		}
		eco.Entries++
		if e.modified.After(eco.NewestModified) {
			eco.NewestModified = e.modified
		}
	}
	if err := zw.Close(); err != nil {
		return eco, err
	}
	if err := f.Close(); err != nil {
		return eco, err
	}
	eco.Size = cw.n
	eco.SHA256 = hex.EncodeToString(h.Sum(nil))
	return eco, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func writeJSON(p string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(p, append(b, '\n'), 0o644)
}

// install puts the finished database tmp at dst. When dst exists the two
// are exchanged in one step where the system allows it, so that a scan
// running meanwhile sees the old or the new database, never none; tmp then
// holds the old one and the caller removes it.
func install(tmp, dst string) error {
	if _, err := os.Lstat(dst); errors.Is(err, os.ErrNotExist) {
		return os.Rename(tmp, dst)
	}
	if err := exchange(tmp, dst); err == nil {
		return nil
	}
	old := tmp + ".old"
	if err := os.Rename(dst, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		_ = os.Rename(old, dst)
		return err
	}
	return os.Rename(old, tmp) // so that the caller's cleanup removes it
}
