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
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// maxListedErrors bounds how many bad advisories one error lists.
const maxListedErrors = 20

// maxListed bounds the problems and IDs kept in the metadata.
const maxListed = 100

// ImportOptions tune ImportSources.
type ImportOptions struct {
	// Strict fails the whole import on the first bad file, on a live
	// advisory that can match nothing and on an ID twice in one source:
	// the check for a curated database. Otherwise (public sources as
	// published) bad files are listed in Stats.Rejected and skipped, and
	// unmatchable advisories are counted.
	Strict bool
	now    time.Time
}

// Import builds the database at dst from src, a directory or a .zip of OSV
// advisories, strictly (see ImportOptions.Strict): any bad advisory fails
// the import with an error naming the file and the problem, and dst is
// left as it was. The new database replaces dst in one rename.
func Import(src, dst string) (*Stats, error) {
	return ImportSources([]string{src}, dst, ImportOptions{Strict: true})
}

// ImportSources builds the database at dst from every source in srcs
// (directories, searched recursively, or zips of OSV advisories in JSON,
// or YAML as pypa/advisory-database publishes them), merged: of several
// advisories with one ID the one modified last wins, the source listed
// first on a tie. Withdrawn advisories are counted and kept out of the
// layouts the scanners match against. The new database replaces dst in one
// rename; on error dst is left as it was.
func ImportSources(srcs []string, dst string, opt ImportOptions) (*Stats, error) {
	if len(srcs) == 0 {
		return nil, errors.New("vulndb: import: no source")
	}
	var ins []*input
	defer func() {
		for _, in := range ins {
			in.close()
		}
	}()
	for _, src := range srcs {
		s, err := openSource(src)
		if err != nil {
			return nil, fmt.Errorf("vulndb: import %s: %w", src, err)
		}
		ins = append(ins, &input{source: s})
	}
	label := strings.Join(srcs, ", ")
	st, err := build(ins, dst, buildOptions{origin: OriginImport, label: label, sources: srcs, lenient: !opt.Strict, now: opt.now})
	if err != nil {
		return nil, fmt.Errorf("vulndb: import %s: %w", label, err)
	}
	return st, nil
}

type buildOptions struct {
	origin  string
	label   string
	sources []string
	// lenient records bad advisories in Stats.Rejected and goes on, and
	// counts live advisories that can match nothing; otherwise both fail
	// the build, as does one ID twice in one source.
	lenient bool
	// only limits the osv-scanner zips to these ecosystems (nil: all), so
	// that an advisory also naming an ecosystem that was not downloaded
	// does not make a partial zip look like a whole one.
	only []string
	// rejected are problems found before building, listed first.
	rejected []Rejected
	now      time.Time
}

func build(ins []*input, dst string, opt buildOptions) (*Stats, error) {
	if opt.now.IsZero() {
		opt.now = time.Now()
	}
	c, err := collect(ins, opt.lenient)
	if err != nil {
		return nil, err
	}
	if len(c.entries) == 0 && c.withdrawn == 0 && c.unmatchable == 0 {
		if c.skipped > 0 {
			return nil, fmt.Errorf("no valid advisory: all %d files were skipped, first: %s", c.skipped, c.rejected[0].Error)
		}
		return nil, errors.New("no advisories found (want *.json files in OSV format, or *.yaml as pypa/advisory-database writes them)")
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
		Format:         FormatVersion,
		Imported:       opt.now.UTC().Truncate(time.Second),
		Origin:         opt.origin,
		Source:         opt.label,
		Sources:        opt.sources,
		Entries:        len(c.entries),
		Withdrawn:      c.withdrawn,
		Unmatchable:    c.unmatchable,
		UnmatchableIDs: c.unmatchableIDs,
		Skipped:        c.skipped,
		Duplicates:     c.duplicates,
		Rejected:       append(opt.rejected, c.rejected...),
	}
	if st.Govulncheck, err = writeGovulncheck(tmp, c.entries); err != nil {
		return nil, err
	}
	if st.Govulncheck.Entries > 0 {
		st.Govulncheck.AsOf = c.goAsOf
	}
	if st.Ecosystems, err = writeZips(tmp, c, opt.only); err != nil {
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

// collected is what collect keeps: the advisories to write, and counts.
type collected struct {
	entries        []*entry // live, matchable, one per ID, sorted by ID
	withdrawn      int
	unmatchable    int
	unmatchableIDs []string
	skipped        int
	rejected       []Rejected
	duplicates     int
	// sourceAsOf is, per ecosystem, the newest asOf of the sources that
	// hold advisories for it.
	sourceAsOf map[string]time.Time
	// scoped are the ecosystems some source speaks for, even if it holds
	// no live advisory for them.
	scoped []string
	// goAsOf is the newest asOf of the sources holding GO- advisories
	// (govulncheck's data).
	goAsOf time.Time
}

func (c *collected) asOf(eco string) time.Time { return c.sourceAsOf[eco] }

// collect validates every advisory of every source and keeps, per ID, the
// advisory modified last.
func collect(ins []*input, lenient bool) (*collected, error) {
	c := &collected{sourceAsOf: map[string]time.Time{}}
	var (
		byID = map[string]*entry{}
		// scopes: per ID, the union of the scopes of the sources holding it
		// (nil: unscoped).
		scopes = map[string][]string{}
		open   = map[string]bool{} // IDs seen in an unscoped source
		errs   []string
	)
	bad := func(file string, err error) {
		c.skipped++
		if lenient {
			if len(c.rejected) < maxListed {
				c.rejected = append(c.rejected, Rejected{File: file, Error: err.Error()})
			}
			return
		}
		if len(errs) < maxListedErrors {
			errs = append(errs, err.Error())
		}
	}
	for _, in := range ins {
		var newest time.Time              // of this source's advisories
		hasGo := false                    // it holds GO- advisories
		srcEcos := slices.Clone(in.scope) // the ecosystems it speaks for
		seen := map[string]string{}       // ID -> file, within this source
		for _, f := range in.files() {
			raw, err := readAdvisory(in, f)
			if err != nil {
				bad(f, err)
				continue
			}
			e, err := parseAdvisory(f, raw)
			if err != nil {
				bad(f, err)
				continue
			}
			if !lenient && e.unmatchable != "" && !e.withdrawn {
				bad(f, fmt.Errorf("%s: %s: it would match nothing", f, e.unmatchable))
				continue
			}
			e.in = in
			if prev, ok := seen[e.id]; ok && !lenient {
				bad(f, fmt.Errorf("%s: advisory %s is also in %s", f, e.id, prev))
				continue
			}
			seen[e.id] = f
			stamp := e.stamp
			if e.modified.IsZero() {
				// golang/vulndb's data/osv leaves modified (and since 2022
				// published) at the zero placeholder: the file's time (the
				// commit's in a git archive) is the best there is.
				stamp = later(stamp, in.modTime(f))
			}
			newest = later(newest, stamp)
			hasGo = hasGo || len(e.goModules) > 0
			for _, eco := range inScope(e.ecos, in.scope) {
				if !slices.Contains(srcEcos, eco) {
					srcEcos = append(srcEcos, eco)
				}
			}
			if in.scope == nil {
				open[e.id] = true
			} else {
				for _, eco := range in.scope {
					if !slices.Contains(scopes[e.id], eco) {
						scopes[e.id] = append(scopes[e.id], eco)
					}
				}
			}
			if prev := byID[e.id]; prev != nil {
				c.duplicates++
				if !e.modified.After(prev.modified) {
					continue
				}
			}
			byID[e.id] = e
		}
		// A download is as new as its time; an import of an export as new
		// as the newest record in it (modified or published).
		asOf := in.asOf
		if asOf.IsZero() {
			asOf = newest
		}
		for _, eco := range srcEcos {
			c.sourceAsOf[eco] = later(c.sourceAsOf[eco], asOf)
		}
		if hasGo {
			c.goAsOf = later(c.goAsOf, asOf)
		}
		for _, eco := range in.scope {
			if !slices.Contains(c.scoped, eco) {
				c.scoped = append(c.scoped, eco)
			}
		}
	}
	if len(errs) > 0 {
		msg := strings.Join(errs, "\n  ")
		if c.skipped > len(errs) {
			msg += fmt.Sprintf("\n  ... and %d more", c.skipped-len(errs))
		}
		return nil, fmt.Errorf("%d bad advisor%s:\n  %s", c.skipped, plural(c.skipped, "y", "ies"), msg)
	}
	if c.skipped > len(c.rejected) {
		c.rejected = append(c.rejected, Rejected{Error: fmt.Sprintf("... and %d more", c.skipped-len(c.rejected))})
	}
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		e := byID[id]
		switch {
		case e.withdrawn:
			c.withdrawn++
			continue
		case e.unmatchable != "":
			c.unmatchable++
			if len(c.unmatchableIDs) < maxListed {
				c.unmatchableIDs = append(c.unmatchableIDs, id)
			}
			continue
		}
		if !open[id] {
			// Only scoped sources hold it: it speaks for their ecosystems.
			e.ecos = inScope(e.ecos, scopes[id])
		}
		c.entries = append(c.entries, e)
	}
	slices.Sort(c.scoped)
	return c, nil
}

// inScope is ecos limited to scope (nil: no limit).
func inScope(ecos, scope []string) []string {
	if scope == nil {
		return ecos
	}
	var out []string
	for _, e := range ecos {
		if slices.Contains(scope, e) {
			out = append(out, e)
		}
	}
	return out
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
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
		raw, err := readAdvisory(e.in, e.file)
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

// writeZips writes one osv-scanner zip per ecosystem with every live
// advisory affecting it (GO- and GHSA- alike), entries named <ID>.json as
// in the osv.dev exports. An ecosystem a source speaks for gets its zip
// even when it holds no live advisory: its data is there, and empty.
func writeZips(root string, c *collected, only []string) ([]Ecosystem, error) {
	byEco := map[string][]*entry{}
	for _, eco := range c.scoped {
		if only == nil || slices.Contains(only, eco) {
			byEco[eco] = nil
		}
	}
	for _, e := range c.entries {
		for _, eco := range e.ecos {
			if only != nil && !slices.Contains(only, eco) {
				continue
			}
			byEco[eco] = append(byEco[eco], e)
		}
	}
	var out []Ecosystem
	for _, name := range slices.Sorted(maps.Keys(byEco)) {
		rel := filepath.ToSlash(filepath.Join(OSVScannerDir, "osv-scalibr", name, "all.zip"))
		eco, err := writeZip(filepath.Join(root, filepath.FromSlash(rel)), byEco[name])
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", rel, err)
		}
		eco.Name, eco.Zip, eco.AsOf = name, rel, c.asOf(name)
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
		raw, err := readAdvisory(e.in, e.file)
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
