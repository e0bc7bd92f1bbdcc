// Package pipeline is the scan: a Plan in, a model.Report out. Its stages
// run in one order (run, exclude, correlate, remediate, suppress, evaluate),
// each a small named function below. Its entry points are Run (which also
// writes and scans the --new-from-rev base, base.go) and Merge (which runs
// the stages after run over the results of a sharded scan's shards,
// shard.go). The CLI builds the Plan and hands the Report to the writers
// and sinks; it holds no step of its own.
package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/policy"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanners/registry"
	"github.com/scangate/scangate/vulndb"
)

// Plan is everything one scan needs, already validated: the effective
// configuration, and the files it names (baseline, ignore file) loaded by
// the caller so that a mistake in them is a usage error before a long scan.
type Plan struct {
	// Root is the scanned root as the user named it.
	Root string
	// Config is the effective configuration (defaults, file, flags): the
	// request, the runner's options and the gate come from it.
	Config *config.Config
	// Scanners replaces the registry's enabled scanners built from Config (tests
	// that need a scanner that panics or hangs); nil in production.
	Scanners []scanner.Scanner
	// Baseline, when set, marks the findings it holds as unchanged;
	// BaselineName is how reports name its file.
	Baseline     *policy.Baseline
	BaselineName string
	// Base, when set, is the tree the change is compared against
	// (--new-from-rev): it is scanned first, with the same configuration,
	// and its findings are the Baseline. Not with Baseline.
	Base *Base
	// NewFrom, when set, is --new-from-rev: Run prepares Base from it.
	NewFrom *NewFrom
	// Ignore holds the ignore file's suppressions, nil when there is none.
	Ignore *policy.Ignore
	// Narrowed says the user picked some scanners for this run, so an
	// ignore entry that matched nothing may belong to one that did not run.
	Narrowed bool
	// Logf reports the database's messages (import, staleness); nil is quiet.
	Logf func(format string, args ...any)
	// Cache is the result cache the run stage answers from.
	Cache CacheOptions
	// OnEvent receives the runner's progress events; nil is quiet.
	OnEvent func(scanner.Event)
	// Tune adjusts the runner's options (tests: a short timeout for a
	// scanner that hangs); nil in production.
	Tune    func(*scanner.Options)
	Version string // scangate's version, for the report
	// Now is the time suppressions' expiry is judged against; zero is now.
	Now time.Time
	// Shard, when set, scans one part of the tree (scan --shard) and keeps
	// what merge needs in the Report's Shard.
	Shard *ShardSpec
	// Commit is the commit the tree is at, "" when unknown (Merge checks it).
	Commit string
	// Hosts are the hosts each online scanner contacts, checked before an
	// online scan (network.go); nil is OnlineHosts.
	Hosts map[string][]string
}

// Base names the tree a change is compared against: a directory holding
// the base commit's files, at the same subdirectory as the scanned root.
type Base struct {
	Root   string // the directory to scan: the scanned subdirectory in the base's tree
	Ref    string // the revision as the user named it
	Commit string // the merge-base of Ref and HEAD
}

// Run scans and applies the policy. It fails only when the plan cannot
// start; scanners' errors are in the Report's results.
func Run(ctx context.Context, p Plan) (*model.Report, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	c := p.config()
	root, err := filepath.Abs(p.Root)
	if err != nil {
		return nil, fmt.Errorf("scan path %s: %v", p.Root, err)
	}
	pol, err := PolicyOf(c)
	if err != nil {
		return nil, err
	}
	opt := RunOptionsOf(c)
	opt.OnEvent = p.OnEvent
	if p.Tune != nil {
		p.Tune(&opt)
	}
	list := p.list(c)
	req := requestOf(root, c)
	var shard *model.ShardInfo
	var cn cacheNotes
	start := time.Now()
	var cmp *model.Comparison
	var baseNotes []string
	if p.NewFrom != nil {
		// Before the database opens, so that a base that cannot be had
		// fails before anything long.
		base, release, err := prepareBase(ctx, p)
		defer release()
		if err != nil {
			return nil, err
		}
		p.Base = base
	}
	rate, done := openDB(&req, p.Logf)
	defer done()
	openCache(&req, p.Cache, &cn)
	defer req.Cache.Close()
	online := preflight(ctx, &req, list, p.Hosts)
	if p.Base != nil {
		if p.Baseline != nil || p.Shard != nil {
			return nil, fmt.Errorf("a base revision cannot be compared against with a baseline file or in a shard")
		}
		if p.Baseline, cmp, baseNotes, err = scanBase(ctx, p, req, online, opt); err != nil {
			return nil, err
		}
	}
	if p.Shard != nil {
		p.Ignore, p.Baseline = nil, nil // merge applies them, to every shard's findings at once
		if shard, err = shardOf(&req, list, c, *p.Shard, p.Narrowed, &opt); err != nil {
			return nil, err
		}
	}
	results := run(ctx, req, online, opt)
	if shard != nil {
		shard.Results = cloneResults(results)
		shard.Ratings = ratingsOf(results, rate)
	}
	r := stages(p, pol, req.Exclude, results, rate)
	r.Notes = append(append(r.Notes, baseNotes...), cn.list()...)
	r.Started, r.Duration = start, time.Since(start)
	r.Shard, r.NewFrom = shard, cmp
	r.Cache = req.Cache.Summary(names(list))
	return r, nil
}

// stages runs the stages after run over the scanners' results: a scan's,
// or the joined results of a sharded scan's shards (Merge).
func stages(p Plan, pol policy.Policy, globs []string, results []finding.Result, rate finding.SeverityLookup) *model.Report {
	if p.Now.IsZero() {
		p.Now = time.Now()
	}
	classify(results)
	results = exclude(results, globs)
	correlate(results)
	rems := remediate(results, rate)
	fixed, notes := suppress(results, p)
	verdict := evaluate(results, pol, fixed)
	r := &model.Report{Root: displayRoot(p.Root), Version: p.Version, Results: results, Verdict: verdict,
		Remediations: rems, Fixed: fixed, Notes: notes}
	if p.Baseline != nil && p.Base == nil {
		r.Baseline = p.BaselineName
	}
	return r
}

// config is the plan's configuration, the defaults when it has none.
func (p *Plan) config() *config.Config {
	if p.Config == nil {
		return config.Default(p.Root)
	}
	return p.Config
}

// list is the plan's scanners: the registry's enabled ones unless the
// plan names its own.
func (p *Plan) list(c *config.Config) []scanner.Scanner {
	if p.Scanners == nil {
		return c.Build(c.Enabled())
	}
	return p.Scanners
}

// displayRoot is the scanned root as reports name it: as the user wrote
// it, but an absolute path (a runner's workspace, a temp checkout) by its
// last element only, since reports leave the machine.
func displayRoot(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Base(p)
	}
	return p
}

// scanBase scans the base tree as the head will be scanned (the same
// scanners, configuration, database) and returns its findings as the
// baseline, with the notes the report adds (tools that could not complete
// there). The ignore file is not applied: a finding the base had is not
// new, suppressed or not. It has a result cache of its own, so that the
// report's cache line speaks of the head alone.
func scanBase(ctx context.Context, p Plan, head scanner.Request, list []scanner.Scanner, opt scanner.Options) (*policy.Baseline, *model.Comparison, []string, error) {
	root, err := filepath.Abs(p.Base.Root)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("base tree %s: %v", p.Base.Root, err)
	}
	req := head
	req.Root = root
	var cn cacheNotes
	req.Cache = nil
	if head.Cache != nil {
		openCache(&req, p.Cache, &cn)
		defer req.Cache.Close()
	}
	opt.OnEvent = nil // the progress display is the head scan's
	start := time.Now()
	results := run(ctx, req, list, opt)
	if err := context.Cause(ctx); err != nil {
		return nil, nil, nil, fmt.Errorf("base scan: %w", err)
	}
	classify(results)
	results = exclude(results, req.Exclude)
	correlate(results)
	c := &model.Comparison{Ref: p.Base.Ref, Commit: p.Base.Commit, Duration: time.Since(start), Cache: req.Cache.Summary(names(list))}
	var notes []string
	for _, r := range results {
		if r.State == finding.Incomplete {
			c.Incomplete = append(c.Incomplete, r.Tool)
			notes = append(notes, fmt.Sprintf("%s could not complete on the base %s: what it finds counts as new", r.Tool, c.Short()))
		}
	}
	for _, n := range cn.list() {
		notes = append(notes, "base scan: "+n)
	}
	return policy.RevisionBaseline(results), c, notes, nil
}

// openDB opens the database once for every vulnerability scanner: a
// directory or zip of raw advisories is imported into a temporary database
// here. When it cannot be opened each vulnerability scanner reports why (the
// path tried and what to do), and the other scanners' results still count.
// It returns the lookup that rates unscored advisories by an alias.
func openDB(req *scanner.Request, logf func(string, ...any)) (finding.SeverityLookup, func()) {
	if !req.Offline {
		return nil, func() {}
	}
	if req.DB == "" {
		if d, err := vulndb.DefaultDir(); err == nil {
			req.DB = d
		}
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	db, err := vulndb.OpenWith(req.DB, vulndb.OpenOptions{Logf: logf})
	if err != nil {
		req.DBErr = err
		return nil, func() {}
	}
	req.DB, req.DBVerified = db.Dir, true
	req.DBDigest = db.Stats.Digest()
	sl := db.SeverityLookup()
	return sl.Severity, func() { sl.Close(); db.Close() }
}

// run runs the scanners; scanner.Run decides each one's state.
func run(ctx context.Context, req scanner.Request, list []scanner.Scanner, opt scanner.Options) []finding.Result {
	return scanner.Run(ctx, req, list, opt)
}

// classify gives each result its scanner's kind from the registry.
func classify(results []finding.Result) {
	for i := range results {
		results[i].Kind = registry.KindOf(results[i].Tool)
	}
}

// exclude removes findings under the exclude globs. Adapters skip such
// paths themselves (modules, lockfiles, Python files, requirements files);
// this is the guarantee for all of them.
func exclude(results []finding.Result, globs []string) []finding.Result {
	if len(globs) == 0 {
		return results
	}
	for i := range results {
		kept := results[i].Findings[:0]
		for _, f := range results[i].Findings {
			if !scanner.Excluded(globs, f.Location.Path) {
				kept = append(kept, f)
			}
		}
		results[i].Findings = kept
	}
	return results
}

// correlate merges the same vulnerability reported by several tools; the
// registry's order ranks their evidence.
func correlate(results []finding.Result) { finding.Correlate(results, registry.Names()) }

// remediate rates unscored advisories by an alias the database holds, then
// computes the smallest fixing version per manifest and package.
func remediate(results []finding.Result, rate finding.SeverityLookup) []finding.Remediation {
	finding.RateFromAliases(results, rate)
	return finding.Remediate(results)
}

// suppress applies inline markers, the ignore file and the baseline, in
// that order: each finding ends with its status. It returns the baseline's
// entries no longer found (fixed) and the ignore file's notes.
func suppress(results []finding.Result, p Plan) (fixed []model.Fixed, notes []string) {
	if p.Ignore != nil {
		partial := p.Narrowed || slices.ContainsFunc(results, func(r finding.Result) bool { return r.State == finding.Incomplete })
		notes = p.Ignore.Apply(results, p.Now).Notes(partial)
	}
	if p.Baseline != nil {
		for _, e := range p.Baseline.MarkFixed(results) {
			fixed = append(fixed, model.Fixed{Tool: e.Tool, Rule: e.Rule, Path: e.Path, Line: e.Line,
				Package: e.Package, Message: e.Message, Count: e.Count})
		}
	}
	policy.MarkSuppressed(results)
	return fixed, notes
}

// evaluate gives each finding its final severity and the scan its verdict.
func evaluate(results []finding.Result, pol policy.Policy, fixed []model.Fixed) finding.Verdict {
	v := policy.Evaluate(results, pol)
	for _, f := range fixed {
		v.Fixed += f.Count
	}
	return v
}

// names are the scanners' names, in order.
func names(list []scanner.Scanner) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.Name()
	}
	return out
}
