// Package osv is the embedded osv-scanner (github.com/google/osv-scanner/v2
// v2.5.0): dependency vulnerabilities in every lockfile and manifest it
// understands.
//
// The adapter finds the lockfiles itself and scans them per ecosystem,
// because osv-scanner v2.5.0 loses findings silently in offline mode: one
// missing ecosystem database stops matching for all packages while DoScan
// returns no error. Offline, each ecosystem's database is checked first;
// ecosystems without one are reported as not scanned (incomplete), and
// every ERROR record osv-scanner logs makes the run incomplete too. A
// repository's osv-scanner.toml ignores are not applied (scangate has its
// own suppressions): they are reported as warnings and noted on the
// findings they would have hidden. Go call analysis stays off (govulncheck
// does it, once); there is no transitive resolution (it would contact
// repositories the scanned pom.xml names, with the user's Maven
// credentials), and offline no network access at all.
package osv

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/osv-scanner/v2/pkg/models"
	"github.com/google/osv-scanner/v2/pkg/osvscanner"
	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanners"
	"github.com/scangate/scangate/vulndb"
)

// Name is the scanner's name in results and --scanners.
const Name = "osv-scanner"

const (
	modulePath     = "github.com/google/osv-scanner/v2"
	defaultVersion = "2.5.0"
	informationURI = "https://github.com/google/osv-scanner"
)

// Options configure the scanner.
type Options struct {
	// SkipLockfiles are globs of lockfiles not to scan, in scangate's one
	// glob dialect (scanners.Excluded): "requirements-dev.txt" anywhere,
	// "tools/*/go.mod" from the root. Request.Exclude skips files as well.
	SkipLockfiles []string
	// MaxDBAge is the age above which an offline database draws a warning:
	// 0 means vulndb.DefaultMaxAge (7 days), a negative value never warns.
	MaxDBAge time.Duration
	// Now is the clock for the age check; nil means time.Now.
	Now func() time.Time
}

// Scanner runs osv-scanner in-process.
type Scanner struct{ opt Options }

// New returns the scanner.
func New(opt Options) *Scanner { return &Scanner{opt: opt} }

// Name implements scanners.Scanner.
func (s *Scanner) Name() string { return Name }

// Version is the embedded osv-scanner's module version.
func (s *Scanner) Version() string {
	if v, ok := scanners.LinkedVersion(modulePath); ok {
		return strings.TrimPrefix(v, "v")
	}
	return defaultVersion
}

// Applies reports whether any lockfile osv-scanner understands is under the root.
func (s *Scanner) Applies(req *scanners.Request) bool {
	l, gaps, err := discover(req.Root, skipped(s.opt.SkipLockfiles, req.Exclude), true)
	return len(l) > 0 || len(gaps) > 0 || err != nil // an unreadable tree is Scan's to report
}

// Units are the lockfiles osv-scanner reads, for sharded scans.
func (s *Scanner) Units(req *scanners.Request) ([]scanners.Unit, error) {
	files, gaps, err := discover(req.Root, skipped(s.opt.SkipLockfiles, req.Exclude), false)
	if err != nil {
		return nil, err
	}
	out := make([]scanners.Unit, 0, len(files)+len(gaps))
	for _, g := range gaps {
		out = append(out, scanners.Unit{Kind: scanners.UnitLockfile, Path: g.Rel}) // some shard must report it
	}
	for _, f := range files {
		u := scanners.Unit{Kind: scanners.UnitLockfile, Path: f.Rel}
		if info, err := os.Stat(f.Abs); err == nil {
			u.Size = info.Size()
		}
		out = append(out, u)
	}
	return out, nil
}

// Scan implements scanners.Scanner.
func (s *Scanner) Scan(ctx context.Context, req *scanners.Request) (_ *finding.Result, err error) {
	res := &finding.Result{Tool: Name, Version: s.Version(), InformationURI: informationURI, Findings: []finding.Finding{}}
	logf := req.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	files, gaps, err := discover(req.Root, skipped(s.opt.SkipLockfiles, req.Exclude), false)
	if err != nil {
		return res, fmt.Errorf("osv-scanner: find lockfiles: %w", err)
	}
	gaps = slices.DeleteFunc(gaps, func(g scanners.Gap) bool { return !req.Keeps(scanners.UnitLockfile, g.Rel) })
	if scanners.NoteGaps(res, Name, gaps) {
		// What could not be read may hold lockfiles: never complete.
		defer func() {
			if err == nil {
				err = scanners.Partial()
			}
		}()
	}
	// The database's age is judged for the whole tree's ecosystems, so
	// that every shard of a sharded scan gives the unsharded scan's warning.
	treeEcos := map[string]bool{}
	for _, f := range files {
		treeEcos[f.Ecosystem] = true
	}
	files = slices.DeleteFunc(files, func(f lockfile) bool { return !req.Keeps(scanners.UnitLockfile, f.Rel) })
	if len(files) == 0 {
		return res, nil
	}
	// A lockfile counts as complete once a call that held it succeeded,
	// so that one that fails keeps its code-scanning alerts.
	unitAt := map[string]int{}
	for _, f := range files {
		unitAt[f.Rel] = len(res.Units)
		res.Units = append(res.Units, finding.Unit{Kind: scanners.UnitLockfile, Path: f.Rel, State: finding.Incomplete})
	}
	ignores, problems := loadRepoIgnores(req.Root, files)
	for _, dir := range sortedKeys(ignores) {
		res.Warnf("osv-scanner: %s", ignores[dir].warning())
	}
	for _, p := range problems {
		res.Warnf("osv-scanner: %s", p)
	}

	// Lockfiles by the ecosystem whose database they need.
	var partly []string // why some lockfiles were not (fully) scanned
	// A failed scan still reports why lockfiles were left out before it failed.
	fail := func(err error) (*finding.Result, error) {
		for _, why := range partly {
			res.Errorf("%s", why)
		}
		return res, err
	}
	groups := map[string][]lockfile{}
	for _, f := range files {
		var ok bool
		if f.Arg, ok = lockfileArg(f); !ok {
			partly = append(partly, fmt.Sprintf("osv-scanner: %s not scanned: osv-scanner reads a ':' in a path as a parser name, and has no parser name for this kind of file", f.Rel))
			continue
		}
		groups[f.Ecosystem] = append(groups[f.Ecosystem], f)
	}
	ecos := sortedKeys(groups)

	base := osvscanner.ScannerActions{
		NoIgnore: true, // we chose the files; a .gitignore must not veto one
	}
	// Transitive resolution fetches from the repositories a pom.xml of the
	// scanned tree names, sending the credentials the user's Maven settings
	// hold for a server of the same id: never, online either.
	base.TransitiveScanning.Disabled = true
	var localDB string
	if req.Offline {
		if req.DBErr != nil {
			return fail(fmt.Errorf("osv-scanner: %w", req.DBErr))
		}
		if req.DB == "" {
			return fail(fmt.Errorf("osv-scanner: %w", vulndb.ErrNoDB))
		}
		db, err := vulndb.OpenWith(req.DB, vulndb.OpenOptions{Logf: logf, Verified: req.DBVerified})
		if err != nil {
			return fail(fmt.Errorf("osv-scanner: vulnerability database (--db): %w", err))
		}
		defer db.Close()
		if w := db.Stats.StaleWarningFor(sortedKeys(treeEcos), s.opt.MaxDBAge, s.now()); w != "" {
			res.Warnf("osv-scanner: %s", w)
		}
		localDB = db.OSVScannerDir()
		base.CompareOffline = true
		base.LocalDBPath = localDB
		base.PluginNetworkDisabled = true
		base.TransitiveScanning.Disabled = true
		base.HTTPClient = &http.Client{Transport: noNetwork{}}
		var scan []string
		for _, eco := range ecos {
			// Both the metadata and the file: osv-scanner reads the file.
			if db.HasEcosystem(eco) && fileExists(vulndb.EcosystemZip(localDB, eco)) {
				scan = append(scan, eco)
				continue
			}
			partly = append(partly, fmt.Sprintf("osv-scanner: no %s advisories in the vulnerability database: %s not scanned (import %s advisories with scangate db import, or run scangate db update)",
				eco, relList(groups[eco]), eco))
		}
		ecos = scan
	}

	// Offline, the answer depends only on the files and the database: a
	// result cache may give it.
	key := s.cacheKey(req, files)
	mark := len(res.Notifications)
	if key != nil {
		var e cacheEntry
		if req.Cache.Get(key, &e) {
			res.Findings, res.Rules = e.Findings, e.Rules
			res.Notifications = append(res.Notifications, e.Notifications...)
			return res, nil
		}
	}

	// An empty override config keeps every osv-scanner.toml out.
	tmp, err := os.MkdirTemp("", "scangate-osv-")
	if err != nil {
		return fail(fmt.Errorf("osv-scanner: %w", err))
	}
	defer os.RemoveAll(tmp)
	base.ConfigOverridePath = filepath.Join(tmp, "osv-scanner.toml")
	if err := os.WriteFile(base.ConfigOverridePath, nil, 0o600); err != nil {
		return fail(fmt.Errorf("osv-scanner: %w", err))
	}

	conv := &converter{root: req.Root, res: res, files: manifests{}, ignores: ignores}
	paths := scanners.PathsFor(req)
	clean := func(s string) string {
		// The override config is ours: name it, not the temp directory.
		s = strings.ReplaceAll(s, base.ConfigOverridePath, "<config>")
		return strings.TrimSpace(paths.Text(s))
	}
	// osv-scanner's own log lines name paths of the machine too.
	cleanLogf := func(format string, args ...any) { logf("%s", clean(fmt.Sprintf(format, args...))) }
	// Offline, one call per ecosystem (see the package comment). Online one
	// call for all: the online matcher has no per-ecosystem database, and
	// its retries on a dead network would otherwise add up.
	var units []unit
	if req.Offline {
		for _, eco := range ecos {
			units = append(units, unit{eco, groups[eco]})
		}
	} else {
		units = append(units, unit{"all ecosystems", files})
	}
	var errs []error
	partRead := 0 // located error notifications of lockfiles read in part
	for i, u := range units {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		logf("%s: %d lockfile(s) (%d/%d)", u.label, len(u.files), i+1, len(units))
		batches := [][]lockfile{u.files}
		for len(batches) > 0 {
			batch := batches[0]
			batches = batches[1:]
			actions := base
			for _, f := range batch {
				actions.LockfilePaths = append(actions.LockfilePaths, f.Arg)
			}
			vr, logged, err := doScan(ctx, actions, cleanLogf)
			failed := err != nil && !errors.Is(err, osvscanner.ErrVulnerabilitiesFound) && !errors.Is(err, osvscanner.ErrNoPackagesFound)
			if (failed || len(logged) > 0) && len(batch) > 1 && ctx.Err() == nil {
				// One bad lockfile fails the whole call, or is only logged
				// without its name ("Invalid spec line: ..."): scan them one
				// by one, so that the others still report and the error
				// names its file.
				for _, f := range batch {
					batches = append(batches, []lockfile{f})
				}
				continue
			}
			walked := len(batch) == 1 && err != nil && err.Error() == specifiedFailed && ctx.Err() == nil
			if walked {
				// A lockfile named by path fails whole on any extraction
				// error, while osv-scanner's own walk (`osv-scanner -r`)
				// keeps the packages the extractor did yield and logs the
				// error. Give the file as a walk would see it: the error
				// is still logged, named and makes the run incomplete.
				actions.LockfilePaths = nil
				actions.DirectoryPaths = []string{batch[0].Abs}
				vr, logged, err = doScan(ctx, actions, cleanLogf)
			}
			for _, m := range logged {
				m = clean(m)
				if len(batch) == 1 && !strings.Contains(m, batch[0].Rel) {
					m = batch[0].Rel + ": " + m
				}
				if walked {
					// The file's packages are reported: the gap is located on it.
					res.Notifications = append(res.Notifications, finding.Notification{Level: finding.LevelError,
						Message: "osv-scanner: " + m, Location: finding.Location{Path: batch[0].Rel}})
					partRead++
					continue
				}
				partly = append(partly, "osv-scanner: "+m)
			}
			switch {
			case err == nil, errors.Is(err, osvscanner.ErrVulnerabilitiesFound), errors.Is(err, osvscanner.ErrNoPackagesFound):
				if len(logged) == 0 {
					for _, f := range batch {
						res.Units[unitAt[f.Rel]].State = finding.Completed
					}
				}
			default:
				errs = append(errs, fmt.Errorf("%s: %s", relList(batch), clean(err.Error())))
				continue
			}
			if errors.Is(err, osvscanner.ErrNoPackagesFound) {
				continue // lockfiles without dependencies
			}
			conv.add(vr)
		}
	}
	sortFindings(res.Findings)
	if len(errs) > 0 {
		return fail(fmt.Errorf("osv-scanner: %w", errors.Join(errs...)))
	}
	if len(partly) > 0 || partRead > 0 {
		return res, scanners.Partial(partly...)
	}
	if key != nil && ctx.Err() == nil {
		// Only a complete answer is kept: a partial one returned above.
		req.Cache.Put(key, cacheEntry{Findings: res.Findings, Rules: res.Rules, Notifications: res.Notifications[mark:]})
	}
	return res, nil
}

func (s *Scanner) now() time.Time {
	if s.opt.Now != nil {
		return s.opt.Now()
	}
	return time.Now()
}

// doScan runs one DoScan with its log records captured. DoScan takes no
// context: on cancellation we stop waiting and let it finish alone (it
// holds scanMu until then, so the next scan's log stays its own).
func doScan(ctx context.Context, actions osvscanner.ScannerActions, logf func(string, ...any)) (models.VulnerabilityResults, []string, error) {
	type out struct {
		vr     models.VulnerabilityResults
		logged []string
		err    error
	}
	done := make(chan out, 1)
	go func() {
		scanMu.Lock()
		defer scanMu.Unlock()
		s := &logSink{logf: logf}
		restore := capture(s)
		var o out
		func() {
			defer func() {
				if p := recover(); p != nil {
					o.err = fmt.Errorf("panic in osv-scanner: %v", p)
				}
			}()
			o.vr, o.err = osvscanner.DoScan(actions)
		}()
		restore()
		o.logged = s.errors()
		done <- o
	}()
	select {
	case o := <-done:
		return o.vr, o.logged, o.err
	case <-ctx.Done():
		return models.VulnerabilityResults{}, nil, context.Cause(ctx)
	}
}

// specifiedFailed is DoScan's error (not exported) for a lockfile given in
// LockfilePaths that its extractor returned an error for.
const specifiedFailed = "extraction failed on specified lockfile"

// unit is one group of lockfiles scanned by one DoScan call.
type unit struct {
	label string
	files []lockfile
}

// noNetwork is the HTTP transport of an offline scan: any request is a bug
// we want to see, not a silent download.
type noNetwork struct{}

func (noNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("offline: network access to %s refused", r.URL.Host)
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

func relList(files []lockfile) string {
	var l []string
	for _, f := range files {
		l = append(l, f.Rel)
	}
	return strings.Join(l, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortFindings(fs []finding.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Location.Path != b.Location.Path {
			return a.Location.Path < b.Location.Path
		}
		if a.Location.StartLine != b.Location.StartLine {
			return a.Location.StartLine < b.Location.StartLine
		}
		return a.RuleID < b.RuleID
	})
}
