package vulndb

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// CorruptError says which file of a database is damaged. File is relative
// to the database directory, so that no machine path leaks into reports.
type CorruptError struct {
	File string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("corrupt vulnerability database: %s: %v (re-run scangate db import or db update)", e.File, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

func corrupt(file string, format string, args ...any) error {
	return &CorruptError{File: file, Err: fmt.Errorf(format, args...)}
}

// OpenOptions tune Open.
type OpenOptions struct {
	// Logf receives notes such as an import done on the fly; nil writes
	// them to stderr.
	Logf func(format string, args ...any)
	// Verified says the caller has already opened and verified this
	// imported database in this process (a scan does it once for all its
	// scanners): only its metadata is read, not every file hashed again.
	Verified bool
}

// Open opens the database at p for a scan: an imported database (checked
// against its metadata: a missing or damaged file is a *CorruptError
// naming it), or a directory or zip of raw OSV advisories, which is
// imported into a temporary database that the caller removes with Close.
// A missing or empty p is a *NoDBError naming p (home as ~); other errors
// do not repeat p, which the caller knows.
func Open(p string) (*DB, error) { return OpenWith(p, OpenOptions{}) }

// OpenWith is Open with options.
func OpenWith(p string, opt OpenOptions) (*DB, error) {
	if opt.Logf == nil {
		opt.Logf = func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(abs)
	if errors.Is(err, os.ErrNotExist) {
		return nil, noDB(p, "does not exist")
	}
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		if _, err := os.Stat(filepath.Join(abs, MetaFile)); err == nil {
			check := verify
			if opt.Verified {
				check = readMeta
			}
			st, err := check(abs)
			if err != nil {
				return nil, err
			}
			return &DB{Dir: abs, Stats: st}, nil
		}
		for _, d := range []string{GovulncheckDir, OSVScannerDir} {
			if _, err := os.Stat(filepath.Join(abs, d)); err == nil {
				return nil, corrupt(MetaFile, "missing: the database is incomplete")
			}
		}
		s, err := openDirSource(abs)
		if err != nil {
			return nil, err
		}
		if len(s.files()) == 0 {
			return nil, noDB(p, "holds neither "+MetaFile+" nor OSV advisories")
		}
		return openRaw(s, p, opt)
	}
	if !strings.EqualFold(filepath.Ext(abs), ".zip") {
		return nil, fmt.Errorf("%s is neither a database directory nor a .zip of OSV advisories", filepath.Base(abs))
	}
	s, err := openZipSource(abs)
	if err != nil {
		return nil, err
	}
	return openRaw(s, p, opt)
}

// openRaw imports raw advisories into a temporary database.
func openRaw(s source, label string, opt OpenOptions) (*DB, error) {
	defer s.close()
	tmp, err := os.MkdirTemp("", "scangate-db-")
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(tmp, "db")
	// Strict: a scan must not lose an advisory to a typo without failing;
	// scangate db import reports and skips bad files of public sources.
	st, err := build([]*input{{source: s}}, dir, buildOptions{origin: OriginImport, label: label, sources: []string{label}})
	if err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("import advisories from %s: %w (scangate db import skips bad files and says which)", filepath.Base(label), err)
	}
	opt.Logf("vulndb: %s holds raw advisories: imported %d into a temporary database (scangate db import makes a lasting one)", label, st.Entries)
	return &DB{Dir: dir, Stats: st, Temporary: true}, nil
}

// Status reads a database's metadata and checks its files, for db status.
func Status(dir string) (*Stats, error) {
	if _, err := os.Stat(filepath.Join(dir, MetaFile)); errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			return nil, noDB(dir, "does not exist")
		}
		return nil, corrupt(MetaFile, "missing: not a scangate database")
	}
	return verify(dir)
}

// verify checks an imported database against its metadata: every file
// exists, parses, and the zips have the checksums recorded at import (which
// validated each advisory), so a scan cannot lose advisories silently.
func verify(dir string) (*Stats, error) {
	st, err := readMeta(dir)
	if err != nil {
		return nil, err
	}
	if err := verifyGovulncheck(dir, st); err != nil {
		return nil, err
	}
	for _, e := range st.Ecosystems {
		if err := verifyZip(dir, e); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// readMeta reads the database's metadata file alone.
func readMeta(dir string) (*Stats, error) {
	b, err := os.ReadFile(filepath.Join(dir, MetaFile))
	if err != nil {
		return nil, corrupt(MetaFile, "%v", err)
	}
	var st Stats
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, corrupt(MetaFile, "bad JSON: %v", err)
	}
	if st.Format != FormatVersion {
		return nil, corrupt(MetaFile, "format %d, this scangate reads format %d", st.Format, FormatVersion)
	}
	return &st, nil
}

func verifyGovulncheck(dir string, st *Stats) error {
	rel := func(parts ...string) string { return strings.Join(append([]string{GovulncheckDir}, parts...), "/") }
	modulesFile := rel("index", "modules.json")
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(modulesFile)))
	if err != nil {
		return corrupt(modulesFile, "%v", unwrapPath(err))
	}
	var mods []moduleMeta
	if err := json.Unmarshal(b, &mods); err != nil {
		return corrupt(modulesFile, "bad JSON: %v", err)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != st.Govulncheck.ModulesSHA256 {
		return corrupt(modulesFile, "checksum differs from %s: modified after import", MetaFile)
	}
	dbFile := rel("index", "db.json")
	b, err = os.ReadFile(filepath.Join(dir, filepath.FromSlash(dbFile)))
	if err != nil {
		return corrupt(dbFile, "%v", unwrapPath(err))
	}
	var meta dbMeta
	if err := json.Unmarshal(b, &meta); err != nil {
		return corrupt(dbFile, "bad JSON: %v", err)
	}
	var ids []string
	seen := map[string]bool{}
	for _, m := range mods {
		for _, v := range m.Vulns {
			if !seen[v.ID] {
				seen[v.ID] = true
				ids = append(ids, v.ID)
			}
		}
	}
	if len(ids) != st.Govulncheck.Entries {
		return corrupt(modulesFile, "lists %d advisories, %s says %d", len(ids), MetaFile, st.Govulncheck.Entries)
	}
	sort.Strings(ids)
	// Hashing is much cheaper than parsing; entries are parsed only to say
	// which one is damaged.
	sum := sha256.New()
	for _, id := range ids {
		f := rel("ID", id+".json")
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			return corrupt(f, "%v", unwrapPath(err))
		}
		hashEntry(sum, id, b)
	}
	if hex.EncodeToString(sum.Sum(nil)) == st.Govulncheck.EntriesSHA256 {
		return nil
	}
	for _, id := range ids {
		f := rel("ID", id+".json")
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			return corrupt(f, "%v", unwrapPath(err))
		}
		if err := jsonSyntax(b); err != nil {
			return corrupt(f, "bad JSON: %v", err)
		}
		var v struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &v); err != nil || v.ID != id {
			return corrupt(f, "does not hold advisory %s", id)
		}
	}
	return corrupt(rel("ID"), "checksum differs from %s: an entry was modified after import", MetaFile)
}

func verifyZip(dir string, e Ecosystem) error {
	p := filepath.Join(dir, filepath.FromSlash(e.Zip))
	if want := filepath.ToSlash(filepath.Join(OSVScannerDir, "osv-scalibr", e.Name, "all.zip")); e.Zip != want {
		return corrupt(MetaFile, "ecosystem %s: zip path %q, want %q", e.Name, e.Zip, want)
	}
	f, err := os.Open(p)
	if err != nil {
		return corrupt(e.Zip, "%v", unwrapPath(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return corrupt(e.Zip, "%v", unwrapPath(err))
	}
	if fi.Size() != e.Size {
		return corrupt(e.Zip, "%d bytes, %d at import (truncated?)", fi.Size(), e.Size)
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil {
		return corrupt(e.Zip, "not a readable zip file (truncated?): %v", err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, fi.Size())); err != nil {
		return corrupt(e.Zip, "%v", unwrapPath(err))
	}
	if hex.EncodeToString(h.Sum(nil)) == e.SHA256 {
		if len(zr.File) != e.Entries {
			return corrupt(e.Zip, "%d entries, %d at import", len(zr.File), e.Entries)
		}
		return nil
	}
	// Say which entry is damaged when one is.
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return corrupt(e.Zip, "entry %s: %v", f.Name, err)
		}
		raw, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return corrupt(e.Zip, "entry %s: %v", f.Name, err)
		}
		if _, err := parseAdvisory(f.Name, raw); err != nil {
			return corrupt(e.Zip, "entry %v", err)
		}
	}
	return corrupt(e.Zip, "checksum differs from %s: modified after import", MetaFile)
}

// unwrapPath drops the absolute path an *os.PathError carries.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, os.ErrNotExist) {
			return errors.New("missing")
		}
		return pe.Err
	}
	return err
}
