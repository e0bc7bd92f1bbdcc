// Package secrets finds committed credentials in the scanned tree with
// osv-scalibr's Veles detectors, and never repeats them: a finding carries
// the detector (its rule), the location, a redacted hint (the first
// characters and the length) and a keyed digest of the secret, from which
// the secret cannot be recovered. Nothing else of the matched text leaves
// this package: not in messages, properties, snippets or cache entries.
//
// Every regular file under the root is read once (binary files, files over
// Options.MaxFileSize, the directories every walker skips and --exclude
// left out); symlinks are never followed, a file reached through one is
// scanned at its own path when it lies in the tree. File names are scanned
// too: a path holding a secret is reported with the secret cut out of it.
package secrets

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/google/osv-scalibr/veles"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
)

// Name is the scanner's name.
const Name = "secrets"

const (
	module         = "github.com/google/osv-scalibr"
	pinnedVersion  = "v0.4.6-0.20260727075515-eb1ca153f805" // go.mod's, for test binaries
	informationURI = "https://github.com/google/osv-scalibr/tree/main/veles"
)

// DefaultMaxFileSize is the largest file read when Options.MaxFileSize is 0:
// larger files are named in a warning and not scanned.
const DefaultMaxFileSize = scanner.MaxFileSize

// binaryProbe is how much of a file is checked for a NUL byte, git's rule
// for a binary file.
const binaryProbe = 8000

// Options configure the adapter; the zero value scans with every detector.
type Options struct {
	MaxFileSize int64
	// Validate asks each provider whether a found secret is live, where
	// Veles has a validator for it (--validate-secrets); never offline.
	Validate bool
	// HTTPClient replaces the validators' own clients (tests point it at a
	// local server); nil keeps theirs.
	HTTPClient *http.Client
}

// Scanner is the secrets adapter.
type Scanner struct {
	opt  Options
	dets []builtDetector
}

type builtDetector struct {
	detector
	d veles.Detector
}

// New returns a secrets adapter.
func New(opt Options) *Scanner {
	if opt.MaxFileSize <= 0 {
		opt.MaxFileSize = DefaultMaxFileSize
	}
	s := &Scanner{opt: opt}
	for _, d := range catalogue {
		s.dets = append(s.dets, builtDetector{d, d.new()})
	}
	return s
}

// Name implements scanner.Scanner.
func (s *Scanner) Name() string { return Name }

// Version is the linked osv-scalibr's.
func (s *Scanner) Version() string {
	if v, ok := scanner.LinkedVersion(module); ok {
		return v
	}
	return pinnedVersion
}

// Applies always: every tree can hold a credential.
func (s *Scanner) Applies(*scanner.Request) bool { return true }

// file is one file to read.
type file struct {
	rel  string // as reports name it: redacted when the path holds a secret
	abs  string
	size int64
}

// outcome is what one file gave.
type outcome struct {
	hits    []hit
	secrets []veles.Secret // hits' secrets, in memory only, for validation
	big     bool
	problem string
}

// Scan implements scanner.Scanner.
func (s *Scanner) Scan(ctx context.Context, req *scanner.Request) (*finding.Result, error) {
	res := &finding.Result{Tool: Name, Version: s.Version(), InformationURI: informationURI, Findings: []finding.Finding{}}
	files, nameHits, problems, err := s.walk(req)
	if err != nil {
		return res, err
	}
	outs := make([]outcome, len(files))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				outs[i] = s.scanFile(req, files[i])
			}
		}()
	}
	cancelled := false
	for i := range files {
		if ctx.Err() != nil {
			cancelled = true
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	validate := s.opt.Validate
	if validate && req.Offline {
		res.Warnf("secrets were not validated: validation asks each provider over the network, and this scan is offline")
		validate = false
	}
	var val *validator
	if validate {
		val = newValidator(s.opt.HTTPClient)
	}
	used := map[string]bool{}
	add := func(rel string, h hit, secret veles.Secret) {
		f := h.finding(rel)
		if val != nil && secret != nil {
			f.Properties["validation"] = val.check(ctx, secret)
		}
		res.Findings = append(res.Findings, f)
		used[h.Rule] = true
	}
	for _, nh := range nameHits {
		add(nh.rel, nh.hit, nh.secret)
	}
	var big []string
	for i, o := range outs {
		for k, h := range o.hits {
			var sec veles.Secret
			if k < len(o.secrets) {
				sec = o.secrets[k]
			}
			add(files[i].rel, h, sec)
		}
		if o.big {
			big = append(big, files[i].rel)
		}
		if o.problem != "" {
			problems = append(problems, o.problem)
		}
	}
	slices.SortFunc(res.Findings, func(a, b finding.Finding) int {
		return cmp.Or(cmp.Compare(a.Location.Path, b.Location.Path), cmp.Compare(a.Location.StartLine, b.Location.StartLine),
			cmp.Compare(a.Location.StartColumn, b.Location.StartColumn), cmp.Compare(a.RuleID, b.RuleID))
	})
	for _, d := range catalogue {
		if used[d.id] {
			res.AddRule(d.rule())
		}
	}
	if len(big) > 0 {
		res.Warnf("%d %s larger than %s not scanned: %s", len(big), plural(len(big), "file", "files"),
			sizeText(s.opt.MaxFileSize), list(big, 5))
	}
	if cancelled {
		return res, context.Cause(ctx)
	}
	slices.Sort(problems)
	gaps := make([]scanner.Gap, len(problems))
	for i, p := range problems {
		// Not located: the path in it is redacted, and may name no file.
		gaps[i] = scanner.Gap{Err: errors.New(p)}
	}
	return res, scanner.WithGaps(nil, gaps)
}

// walk lists the files to read and scans their paths. An unreadable root
// is an error; an unreadable directory or file below it is a problem.
func (s *Scanner) walk(req *scanner.Request) (files []file, names []nameHit, problems []string, err error) {
	root := req.Root
	var rels []string
	var entries []file
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		rel := scanner.RelPath(root, p)
		if err != nil {
			if p == root {
				return err
			}
			entries = append(entries, file{rel: rel, size: -1})
			rels = append(rels, rel)
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != root && (scanner.SkippedDir(d.Name()) || scanner.Excluded(req.Exclude, rel)) {
				return filepath.SkipDir
			}
			return nil
		}
		// Symlinks, devices, pipes and sockets are never opened.
		if !d.Type().IsRegular() || scanner.Excluded(req.Exclude, rel) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			entries = append(entries, file{rel: rel, size: -1})
			rels = append(rels, rel)
			return nil
		}
		entries = append(entries, file{rel: rel, abs: p, size: info.Size()})
		rels = append(rels, rel)
		return nil
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("cannot read the tree: %w", err)
	}
	redacted, names := s.scanNames(rels)
	for i, e := range entries {
		e.rel = redacted[i]
		if e.size < 0 {
			problems = append(problems, fmt.Sprintf("%s: cannot be read", e.rel))
			continue
		}
		files = append(files, e)
	}
	return files, names, problems, nil
}

// scanFile reads one file and runs every detector over it, from the result
// cache when the same content was scanned before.
func (s *Scanner) scanFile(req *scanner.Request, f file) (o outcome) {
	if f.size > s.opt.MaxFileSize {
		return outcome{big: true}
	}
	data, err := scanner.ReadFile(f.abs, s.opt.MaxFileSize)
	switch {
	case errors.Is(err, scanner.ErrTooBig):
		return outcome{big: true}
	case errors.Is(err, scanner.ErrNotRegular):
		return outcome{}
	case err != nil:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // its path is the machine's, and may be the unredacted one
		}
		return outcome{problem: fmt.Sprintf("%s: cannot be read: %v", f.rel, err)}
	}
	if bytes.IndexByte(data[:min(len(data), binaryProbe)], 0) >= 0 {
		return outcome{}
	}
	key := s.cacheKey(req, data)
	if !s.opt.Validate && req.Cache.Get(key, &o.hits) {
		return o
	}
	defer func() {
		// A detector that panics on one file costs that file, not the scan.
		if p := recover(); p != nil {
			o = outcome{problem: fmt.Sprintf("%s: a detector failed on this file: %v", f.rel, p)}
		}
	}()
	o.hits, o.secrets = s.detect(data)
	if o.hits == nil {
		o.hits = []hit{}
	}
	req.Cache.Put(key, o.hits)
	return o
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// list names the first n items and counts the rest.
func list(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}

func sizeText(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
