// Package osv is the osv-scanner scanner: dependency vulnerabilities in
// every lockfile and manifest osv-scanner v2.5.0's source scan understands,
// found as osv-scanner finds them, with its own parts (osv-scalibr's
// extractors and vulnerability matchers) called directly instead of
// osvscanner.DoScan.
//
// The adapter finds the lockfiles itself and gives each to the extractor
// that claimed it, so one bad lockfile fails alone and its error is named.
// Offline, each ecosystem's database is checked first; ecosystems without
// one are reported as not scanned (incomplete), where osv-scanner v2.5.0
// stops matching for every package and returns no error. A repository's
// osv-scanner.toml ignores are not applied (scangate has its own
// suppressions): they are reported as warnings and noted on the findings
// they would have hidden. Go call analysis stays off (govulncheck does it,
// once); there is no transitive resolution (it would contact repositories
// the scanned pom.xml names, with the user's Maven credentials), and
// offline no network access at all.
package osv

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/osv-scalibr/enricher"
	"github.com/google/osv-scalibr/enricher/vulnmatch/osvdev"
	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/inventory"
	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"
	osvdevapi "osv.dev/bindings/go/osvdev"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/vulndb"
)

// Name is the scanner's name in results and --scanners.
const Name = "osv-scanner"

const (
	// version is the osv-scanner release whose source scan this reproduces
	// (its extractor preset, matching and grouping).
	version        = "2.5.0"
	informationURI = "https://github.com/google/osv-scanner"
)

// Options configure the scanner.
type Options struct {
	// SkipLockfiles are globs of lockfiles not to scan, in scangate's one
	// glob dialect (scanner.Excluded): "requirements-dev.txt" anywhere,
	// "tools/*/go.mod" from the root. Request.Exclude skips files as well.
	SkipLockfiles []string
	// MaxDBAge is the age above which an offline database draws a warning:
	// 0 means Request.DBMaxAge, else vulndb.DefaultMaxAge (7 days); a
	// negative value never warns.
	MaxDBAge time.Duration
	// Now is the clock for the age check; nil means time.Now.
	Now func() time.Time
}

// Scanner runs osv-scanner in-process.
type Scanner struct{ opt Options }

// New returns the scanner.
func New(opt Options) *Scanner { return &Scanner{opt: opt} }

// Name implements scanner.Scanner.
func (s *Scanner) Name() string { return Name }

// ReadsDB marks it a scanner.DBReader: offline, it matches against the
// local database.
func (s *Scanner) ReadsDB() {}

var _ scanner.DBReader = (*Scanner)(nil)

// Version is the osv-scanner release the scanner reproduces.
func (s *Scanner) Version() string { return version }

// Applies reports whether any lockfile osv-scanner understands is under the root.
func (s *Scanner) Applies(req *scanner.Request) bool {
	l, gaps, err := discover(req.Root, skipped(s.opt.SkipLockfiles, req.Exclude), true)
	return len(l) > 0 || len(gaps) > 0 || err != nil // an unreadable tree is Scan's to report
}

// Units are the lockfiles osv-scanner reads, for sharded scans.
func (s *Scanner) Units(req *scanner.Request) ([]scanner.Unit, error) {
	files, gaps, err := discover(req.Root, skipped(s.opt.SkipLockfiles, req.Exclude), false)
	if err != nil {
		return nil, err
	}
	out := make([]scanner.Unit, 0, len(files)+len(gaps))
	for _, g := range gaps {
		out = append(out, scanner.Unit{Kind: scanner.UnitLockfile, Path: g.Rel}) // some shard must report it
	}
	for _, f := range files {
		u := scanner.Unit{Kind: scanner.UnitLockfile, Path: f.Rel}
		if info, err := os.Stat(f.Abs); err == nil {
			u.Size = info.Size()
		}
		out = append(out, u)
	}
	return out, nil
}

// Scan implements scanner.Scanner.
func (s *Scanner) Scan(ctx context.Context, req *scanner.Request) (_ *finding.Result, err error) {
	res := &finding.Result{Tool: Name, Version: s.Version(), InformationURI: informationURI, Findings: []finding.Finding{}}
	logf := req.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	files, gaps, err := discover(req.Root, skipped(s.opt.SkipLockfiles, req.Exclude), false)
	if err != nil {
		return res, fmt.Errorf("find lockfiles: %w", err)
	}
	// What could not be read may hold lockfiles: never complete. The
	// lockfiles read in part follow, then what was left out unread.
	gaps = slices.DeleteFunc(gaps, func(g scanner.Gap) bool { return !req.Keeps(scanner.UnitLockfile, g.Rel) })
	var partly []scanner.Gap // why some lockfiles were not (fully) scanned
	defer func() { err = scanner.WithGaps(err, append(gaps, partly...)) }()
	// The database's age is judged for the whole tree's ecosystems, so
	// that every shard of a sharded scan gives the unsharded scan's warning.
	treeEcos := map[string]bool{}
	for _, f := range files {
		treeEcos[f.Ecosystem] = true
	}
	files = slices.DeleteFunc(files, func(f lockfile) bool { return !req.Keeps(scanner.UnitLockfile, f.Rel) })
	if len(files) == 0 {
		return res, nil
	}
	// A lockfile counts as complete once it was read whole and matched, so
	// that one that fails alone keeps its code-scanning alerts.
	unitAt := map[string]int{}
	for _, f := range files {
		unitAt[f.Rel] = len(res.Units)
		res.Units = append(res.Units, finding.Unit{Kind: scanner.UnitLockfile, Path: f.Rel, State: finding.Incomplete})
	}
	ignores, problems := loadRepoIgnores(req.Root, files)
	for _, dir := range sortedKeys(ignores) {
		res.Warnf("%s", ignores[dir].warning())
	}
	for _, p := range problems {
		res.Warnf("%s", p)
	}

	groups := map[string][]lockfile{} // by the ecosystem whose database they need
	for _, f := range files {
		groups[f.Ecosystem] = append(groups[f.Ecosystem], f)
	}
	scanned := map[string]bool{}
	var localDB string
	if req.Offline {
		if req.DB == "" {
			return res, vulndb.ErrNoDB
		}
		db, err := vulndb.OpenWith(req.DB, vulndb.OpenOptions{Logf: logf, Verified: req.DBVerified})
		if err != nil {
			return res, fmt.Errorf("vulnerability database (--db): %w", err)
		}
		defer db.Close()
		if w := db.Stats.StaleWarningFor(sortedKeys(treeEcos), cmp.Or(s.opt.MaxDBAge, req.DBMaxAge), s.now()); w != "" {
			res.Warnf("%s", w)
		}
		localDB = db.OSVScannerDir()
		for _, eco := range sortedKeys(groups) {
			if db.HasEcosystem(eco) && fileExists(vulndb.EcosystemZip(localDB, eco)) {
				scanned[eco] = true
				continue
			}
			partly = append(partly, scanner.GapAt("", "no %s advisories in the vulnerability database: %s not scanned (import %s advisories with scangate db import, or run scangate db update)",
				eco, relList(groups[eco]), eco))
		}
	} else {
		for eco := range groups {
			scanned[eco] = true
		}
	}

	// Offline, the answer depends only on the files and the database: a
	// result cache may give it.
	key := s.cacheKey(req, files)
	mark := len(res.Notifications)
	if key != nil {
		var e cacheEntry
		if req.Cache.Get(key, &e) {
			res.Findings, res.Rules, res.Packages = e.Findings, e.Rules, e.Packages
			res.Notifications = append(res.Notifications, e.Notifications...)
			return res, nil
		}
	}

	t, closeTree, err := openTree(req.Root)
	if err != nil {
		return res, err
	}
	defer closeTree.Close()
	byName := map[string]filesystem.Extractor{}
	for _, k := range extractors() {
		byName[k.ex.Name()] = k.ex
	}

	// Extract every lockfile; one that fails keeps the packages it yielded
	// (osv-scanner's walk keeps them too) and its error, located on it.
	failed := map[string]bool{}
	var read, listed []extracted // listed: lockfiles without advisories, for the SBOM only
	for _, f := range files {
		if !scanned[f.Ecosystem] {
			if pkgs, err := t.extract(ctx, byName[f.Extractor], f.Rel); err == nil {
				listed = append(listed, extracted{f, scannable(pkgs)})
			}
			continue
		}
		if err := ctx.Err(); err != nil {
			return res, context.Cause(ctx)
		}
		ex := byName[f.Extractor]
		pkgs, xerr := t.extract(ctx, ex, f.Rel)
		if xerr != nil && ctx.Err() != nil {
			return res, context.Cause(ctx)
		}
		lost, refused := t.losses(ex, f.Rel)
		for _, w := range refused {
			res.Warnf("%s", w)
		}
		if xerr != nil {
			lost = append([]string{fmt.Sprintf("%s: %v", f.Rel, xerr)}, lost...)
		}
		for _, m := range lost {
			m = strings.TrimSpace(m)
			logf("%s", m)
			gaps = append(gaps, scanner.Gap{Rel: f.Rel, Err: errors.New(m)})
			failed[f.Rel] = true
		}
		read = append(read, extracted{f, scannable(pkgs)})
	}

	res.Packages = packagesOf(append(listed, read...))
	vulns, mfailed, err := s.match(ctx, req, localDB, read, logf)
	if err != nil {
		return res, errors.New(strings.TrimSpace(err.Error())) // its text only: osv-scalibr's chain is no contract
	}
	for eco, merr := range mfailed {
		partly = append(partly, scanner.GapAt("", "%s not scanned: %s", relList(groups[eco]), strings.TrimSpace(merr.Error())))
	}
	conv := &converter{root: req.Root, res: res, files: manifests{}, ignores: ignores, now: s.now()}
	for _, x := range read {
		if mfailed[x.lf.Ecosystem] != nil {
			continue
		}
		if !failed[x.lf.Rel] {
			res.Units[unitAt[x.lf.Rel]].State = finding.Completed
		}
		var pvs []pkgVulns
		for _, p := range x.pkgs {
			if vs := vulns[p]; len(vs) > 0 {
				pvs = append(pvs, pkgVulns{Pkg: p, Name: reportName(p), Version: p.Version,
					Ecosystem: p.Ecosystem().String(), Vulns: vs, Groups: groupVulns(vs)})
			}
		}
		conv.add(x.lf.Rel, pvs)
	}
	sortFindings(res.Findings)
	if len(partly) > 0 || len(failed) > 0 {
		return res, nil // partial: the gaps are attached on the way out
	}
	if key != nil && ctx.Err() == nil {
		// Only a complete answer is kept: a partial one returned above.
		req.Cache.Put(key, cacheEntry{Findings: res.Findings, Rules: res.Rules, Notifications: res.Notifications[mark:], Packages: res.Packages})
	}
	return res, nil
}

// extracted is one lockfile's packages that osv-scanner would match.
type extracted struct {
	lf   lockfile
	pkgs []*extractor.Package
}

// match finds the advisories of every package: offline with osv-scalibr's
// local matcher over each ecosystem's zip (an ecosystem whose zip cannot be
// read fails alone, in failed), online with its osv.dev matcher.
func (s *Scanner) match(ctx context.Context, req *scanner.Request, localDB string, read []extracted, logf func(string, ...any)) (map[*extractor.Package][]*osvpb.Vulnerability, map[string]error, error) {
	out := map[*extractor.Package][]*osvpb.Vulnerability{}
	failed := map[string]error{}
	byEco := map[string][]*extractor.Package{}
	files := map[string]int{}
	for _, x := range read {
		files[x.lf.Ecosystem]++
		byEco[x.lf.Ecosystem] = append(byEco[x.lf.Ecosystem], x.pkgs...)
	}
	if !req.Offline {
		var all []*extractor.Package
		for _, eco := range sortedKeys(byEco) {
			all = append(all, byEco[eco]...)
		}
		logf("osv.dev: %d package(s) of %d lockfile(s)", len(all), len(read))
		inv := &inventory.Inventory{Packages: all}
		if err := s.online().Enrich(ctx, nil, inv); err != nil {
			return nil, nil, err
		}
		for _, pv := range inv.PackageVulns {
			out[pv.Package] = append(out[pv.Package], pv.Vulnerability)
		}
		return out, failed, nil
	}
	for i, eco := range sortedKeys(byEco) {
		pkgs := byEco[eco]
		logf("%s: %d lockfile(s), %d package(s) (%d/%d)", eco, files[eco], len(pkgs), i+1, len(byEco))
		// A package's own ecosystem names its zip, as for osvlocal.
		names := map[string]map[string]bool{}
		for _, p := range pkgs {
			z := string(p.Ecosystem().Ecosystem)
			if names[z] == nil {
				names[z] = map[string]bool{}
			}
			names[z][looseName(p.Name)] = true
		}
		loaded := map[string][]*osvpb.Vulnerability{}
		for _, z := range sortedKeys(names) {
			adv, err := advisories(ctx, localDB, z, names[z])
			if err != nil {
				if ctx.Err() != nil {
					return nil, nil, context.Cause(ctx)
				}
				failed[eco] = err
				break
			}
			loaded[z] = adv
		}
		if failed[eco] != nil {
			continue
		}
		for _, p := range pkgs {
			if vs := affecting(loaded[string(p.Ecosystem().Ecosystem)], p); len(vs) > 0 {
				out[p] = vs
			}
		}
	}
	return out, failed, ctx.Err()
}

// online is osv-scalibr's osv.dev matcher, with osv-scanner's initial
// query timeout.
func (s *Scanner) online() enricher.Enricher {
	c := osvdevapi.DefaultClient()
	c.Config.UserAgent = "scangate (osv-scanner " + s.Version() + ")"
	return osvdev.NewWithClient(c, 5*time.Minute)
}

func (s *Scanner) now() time.Time {
	if s.opt.Now != nil {
		return s.opt.Now()
	}
	return time.Now()
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
