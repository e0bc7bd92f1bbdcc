// Package resultcache stores scanners' results per unit of work (a Go
// package, a Go module, a set of lockfiles, a Python tree) under a key that
// hashes everything that can change the answer: the contents of the files the
// scanner reads, the toolchain, the database digest, the options, and the
// identity of the running scangate binary, so that nothing is trusted across
// builds.
//
// Entries hold our own serialized results only, are written atomically
// (temporary file, then rename), and are found by their key alone: a
// scanned repository cannot name an entry, so it cannot make another
// repository's scan read one. A corrupt or foreign entry is ignored with a
// warning and rewritten; a directory that cannot be written leaves the scan
// uncached with a warning. The directory is bounded: Close evicts the least
// recently used entries above the size limit.
//
// Keys and values do not depend on where the tree lies, so that a cache
// restored at another path, or a base revision exported elsewhere, is
// served: adapters key and store paths relative to the root, and Put
// refuses a value that names the root, which could not be served at
// another path.
package resultcache

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/scangate/scangate/internal/intree"
)

// EnvDir names the environment variable that chooses the cache directory.
const EnvDir = "SCANGATE_CACHE_DIR"

// DefaultMaxBytes bounds the cache directory when Options.MaxBytes is 0.
const DefaultMaxBytes = 512 << 20

// format marks our entries: anything else in the directory is foreign.
const format = "scangate-result-cache/1"

// Options configure Open.
type Options struct {
	// Dir is the cache directory; "" is $SCANGATE_CACHE_DIR, else the user
	// cache directory's scangate/results.
	Dir string
	// Root is the scanned tree: a cache directory inside it is refused,
	// and so is a value naming it (Put).
	Root string
	// MaxBytes bounds the directory; 0 means DefaultMaxBytes.
	MaxBytes int64
	// Build identifies the running program in every key; "" is the digest
	// of the running executable (its Go build ID when it has one).
	Build string
	// Warnf receives warnings (corrupt entries, unwritable directory).
	Warnf func(format string, args ...any)
	// Display shows the cache directory in warnings ("~/.cache/..."), so
	// that reports do not carry the machine's home directory; nil shows it
	// as is.
	Display func(dir string) string
}

// Cache is a result cache. A nil *Cache is a disabled cache: every method
// works and nothing is cached.
type Cache struct {
	dir      string
	show     string // dir as warnings name it
	build    string
	max      int64
	readOnly bool
	warnf    func(string, ...any)
	roots    [][]byte // the root as JSON spells it, as given and resolved

	mu    sync.Mutex
	stats map[string]*Count
	wrote bool
}

// Count is how many units of one scanner came from the cache.
type Count struct {
	Unit         string // "package", "module", ...
	Hits, Misses int
}

// DefaultDir is where results are cached without --cache-dir.
func DefaultDir() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		return filepath.Abs(d)
	}
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("result cache: no user cache directory (set %s or --cache-dir): %w", EnvDir, err)
	}
	return filepath.Join(c, "scangate", "results"), nil
}

// Open prepares the cache. It does not fail: a directory that cannot be
// used makes a disabled (nil) or read-only cache, with a warning.
func Open(opt Options) *Cache {
	warnf := opt.Warnf
	if warnf == nil {
		warnf = func(string, ...any) {}
	}
	dir := opt.Dir
	if dir == "" {
		d, err := DefaultDir()
		if err != nil {
			warnf("%v: scanning uncached", err)
			return nil
		}
		dir = d
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		warnf("result cache %s: %v: scanning uncached", opt.Dir, err)
		return nil
	}
	// The tree is hostile input: it must not be able to plant entries. A
	// directory not made yet is judged by its longest existing ancestor,
	// links resolved, for MkdirAll would follow them.
	if opt.Root != "" && intree.Named(opt.Root, dir) {
		shown := intree.Rel(opt.Root, dir)
		if strings.HasPrefix(shown, "../") || shown == ".." {
			shown = "."
		}
		warnf("result cache %s (from the root) is inside the scanned tree: scanning uncached (choose another --cache-dir)", shown)
		return nil
	}
	build := opt.Build
	if build == "" {
		if build, err = selfID(); err != nil {
			warnf("result cache: cannot identify the running scangate (%v): scanning uncached", err)
			return nil
		}
	}
	show := dir
	if opt.Display != nil {
		show = opt.Display(dir)
	}
	c := &Cache{dir: dir, show: show, build: build, max: opt.MaxBytes, warnf: warnf, stats: map[string]*Count{}, roots: jsonRoots(opt.Root)}
	if c.max <= 0 {
		c.max = DefaultMaxBytes
	}
	if err := probe(dir); err != nil {
		c.readOnly = true
		warnf("result cache %s is not writable (%v): results are not stored", show, shortErr(err))
	}
	return c
}

// Dir is the cache directory ("" when disabled).
func (c *Cache) Dir() string {
	if c == nil {
		return ""
	}
	return c.dir
}

func probe(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// Key accumulates what a result depends on. Add every input; a file that
// cannot be read makes the key unusable (Get misses, Put does nothing).
type Key struct {
	scanner, unit string
	h             hash.Hash
	err           error
}

// Key starts a key for one unit of a scanner ("gosec", "package").
func (c *Cache) Key(scanner, unit string) *Key {
	k := &Key{scanner: scanner, unit: unit, h: sha256.New()}
	build := ""
	if c != nil {
		build = c.build
	}
	k.Add(format, build, scanner, unit)
	return k
}

// Add adds strings, each delimited so that ("ab","c") and ("a","bc") differ.
func (k *Key) Add(parts ...string) {
	for _, p := range parts {
		fmt.Fprintf(k.h, "%d:%s;", len(p), p)
	}
}

// JSON adds a value by its JSON form (options structs).
func (k *Key) JSON(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		k.Fail(err)
		return
	}
	k.Add(string(b))
}

// File adds a file's name (as given by rel) and content.
func (k *Key) File(abs, rel string) {
	f, err := os.Open(abs)
	if err != nil {
		k.Fail(err)
		return
	}
	defer f.Close()
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		k.Fail(err)
		return
	}
	k.Add("file", rel, hex.EncodeToString(sum.Sum(nil)))
}

// Program adds the identity of an executable (its Go build ID, else its
// content), for child programs such as the govulncheck companion.
func (k *Key) Program(path string) {
	id, err := programID(path)
	if err != nil {
		k.Fail(err)
		return
	}
	k.Add("program", id)
}

// Fail makes k unusable: an input could not be read, so no answer is
// trusted or stored.
func (k *Key) Fail(err error) {
	if k.err == nil {
		k.err = err
	}
}

// Err is why the key cannot be used, nil when it can.
func (k *Key) Err() error { return k.err }

// Sum is the key's hex digest.
func (k *Key) Sum() string { return hex.EncodeToString(k.h.Sum(nil)) }

type entry struct {
	Format  string          `json:"format"`
	Key     string          `json:"key"`
	Scanner string          `json:"scanner"`
	Value   json.RawMessage `json:"value"`
}

func (c *Cache) path(sum string) string {
	return filepath.Join(c.dir, sum[:2], sum+".json")
}

// shown is an entry's path as warnings name it.
func (c *Cache) shown(sum string) string {
	return filepath.Join(c.show, sum[:2], sum+".json")
}

// Get fills v from the entry for k and reports whether it did. Hits and
// misses are counted for the summary.
func (c *Cache) Get(k *Key, v any) bool {
	ok := c.get(k, v)
	c.count(k, ok)
	return ok
}

// Peek is Get for an entry that only helps compute an answer (such as
// where a package's imports keep their export data): not counted.
func (c *Cache) Peek(k *Key, v any) bool { return c.get(k, v) }

func (c *Cache) get(k *Key, v any) bool {
	if c == nil || k.err != nil {
		return false
	}
	sum := k.Sum()
	p := c.path(sum)
	b, err := os.ReadFile(p)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			c.warnf("result cache: entry %s: %v: ignored", c.shown(sum), shortErr(err))
		}
		return false
	}
	var e entry
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&e); err != nil || e.Format != format || e.Key != sum || e.Scanner != k.scanner {
		c.warnf("result cache: entry %s is corrupt or not scangate's: ignored and rewritten", c.shown(sum))
		return false
	}
	if err := json.Unmarshal(e.Value, v); err != nil {
		c.warnf("result cache: entry %s does not decode: ignored and rewritten", c.shown(sum))
		return false
	}
	now := time.Now()
	_ = os.Chtimes(p, now, now) // least recently used goes first
	return true
}

func (c *Cache) count(k *Key, hit bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.stats[k.scanner]
	if n == nil {
		n = &Count{Unit: k.unit}
		c.stats[k.scanner] = n
	}
	if hit {
		n.Hits++
	} else {
		n.Misses++
	}
}

// Put stores v for k, atomically: a concurrent reader sees the old entry,
// the new one or none, never a part.
func (c *Cache) Put(k *Key, v any) {
	if c == nil || c.readOnly || k.err != nil {
		return
	}
	val, err := json.Marshal(v)
	if err != nil {
		c.warnf("result cache: %s: %v: not stored", k.scanner, err)
		return
	}
	if c.namesRoot(val) {
		return // it would not hold at another path
	}
	sum := k.Sum()
	b, err := json.Marshal(entry{Format: format, Key: sum, Scanner: k.scanner, Value: val})
	if err != nil {
		return
	}
	p := c.path(sum)
	if err := writeAtomic(p, b); err != nil {
		c.mu.Lock()
		first := !c.readOnly
		c.readOnly = true
		c.mu.Unlock()
		if first {
			c.warnf("result cache: cannot write %s (%v): results are not stored", c.shown(sum), shortErr(err))
		}
		return
	}
	c.mu.Lock()
	c.wrote = true
	c.mu.Unlock()
}

// jsonRoots are root's spellings inside a JSON string: as given and with
// links resolved. None for a filesystem root, which every path is under.
func jsonRoots(root string) [][]byte {
	if root == "" {
		return nil
	}
	abs, err := filepath.Abs(root)
	if err != nil || filepath.Dir(abs) == abs {
		return nil
	}
	var out [][]byte
	for _, r := range []string{abs, intree.Real(abs)} {
		if filepath.Dir(r) == r {
			continue
		}
		b, _ := json.Marshal(r)
		b = b[1 : len(b)-1]
		if !slices.ContainsFunc(out, func(o []byte) bool { return bytes.Equal(o, b) }) {
			out = append(out, b)
		}
	}
	return out
}

// namesRoot reports whether a JSON value holds the root as a path: followed
// by a separator, a quote or anything else that cannot continue a name.
func (c *Cache) namesRoot(val []byte) bool {
	for _, r := range c.roots {
		for rest := val; ; {
			i := bytes.Index(rest, r)
			if i < 0 {
				break
			}
			rest = rest[i+len(r):]
			if len(rest) == 0 || !nameByte(rest[0]) {
				return true
			}
		}
	}
	return false
}

func nameByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '-' || b == '_' || b >= 0x80
}

func writeAtomic(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), p); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// Stats returns the hits and misses per scanner.
func (c *Cache) Stats() map[string]Count {
	out := map[string]Count{}
	if c == nil {
		return out
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for s, n := range c.stats {
		out[s] = *n
	}
	return out
}

// Summary says what came from the cache, one clause per scanner in the
// order given ("gosec 40/42 packages, govulncheck 1/1 modules"); "" when
// nothing was looked up.
func (c *Cache) Summary(order []string) string {
	st := c.Stats()
	var parts []string
	for _, s := range order {
		n, ok := st[s]
		if !ok {
			continue
		}
		unit := n.Unit
		if n.Hits+n.Misses != 1 {
			unit += "s"
		}
		parts = append(parts, fmt.Sprintf("%s %d/%d %s", s, n.Hits, n.Hits+n.Misses, unit))
	}
	if len(parts) == 0 {
		return ""
	}
	return "from the result cache: " + strings.Join(parts, ", ")
}

// Close evicts the least recently used entries while the directory is over
// its size limit (down to 80% of it, so that every scan does not evict).
func (c *Cache) Close() error {
	if c == nil || c.readOnly {
		return nil
	}
	c.mu.Lock()
	wrote := c.wrote
	c.mu.Unlock()
	if !wrote {
		return nil
	}
	type file struct {
		path string
		size int64
		mod  time.Time
	}
	var files []file
	var total int64
	err := filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a concurrent scan's eviction removed it
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		stale := strings.HasPrefix(d.Name(), ".tmp-") && time.Since(info.ModTime()) > time.Hour
		if stale || strings.HasSuffix(d.Name(), ".json") {
			files = append(files, file{p, info.Size(), info.ModTime()})
			total += info.Size()
		}
		return nil
	})
	if err != nil || total <= c.max {
		return err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].mod.Before(files[j].mod) })
	for _, f := range files {
		if total <= c.max*8/10 {
			break
		}
		if os.Remove(f.path) == nil {
			total -= f.size
		}
	}
	return nil
}

func shortErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

var (
	selfOnce sync.Once
	selfVal  string
	selfErr  error
)

// selfID identifies the running executable: under go run or -buildvcs=false
// the module version is "(devel)" for every build, so it cannot be used.
func selfID() (string, error) {
	selfOnce.Do(func() {
		exe, err := os.Executable()
		if err != nil {
			selfErr = err
			return
		}
		selfVal, selfErr = programID(exe)
	})
	return selfVal, selfErr
}

var programs sync.Map // path + size + mtime -> id

// programID is the Go build ID of an ELF executable (a hash of every input
// of the build, read in microseconds), else the SHA-256 of its content.
func programID(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	memo := fmt.Sprintf("%s\x00%d\x00%d", path, fi.Size(), fi.ModTime().UnixNano())
	if v, ok := programs.Load(memo); ok {
		return v.(string), nil
	}
	id := ""
	if f, err := elf.Open(path); err == nil {
		if s := f.Section(".note.go.buildid"); s != nil {
			if b, err := s.Data(); err == nil && len(b) > 16 {
				sum := sha256.Sum256(b)
				id = "buildid:" + hex.EncodeToString(sum[:])
			}
		}
		f.Close()
	}
	if id == "" {
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return "", err
		}
		id = "sha256:" + hex.EncodeToString(h.Sum(nil))
	}
	programs.Store(memo, id)
	return id, nil
}
