// Package gosec embeds gosec (github.com/securego/gosec/v2) as a scanner: it
// loads every Go module under the root once with golang.org/x/tools/go/packages
// (export data, gosec.LoadMode, our environment: GOTOOLCHAIN=local and the
// module's go.work or GOWORK=off) and hands the packages to gosec's AST rules
// and SSA analyzers.
//
// Completeness: a package with load, parse or type errors is reported as an
// error notification at its first error's file:line (gosec's AST rules still
// run on what parsed; its SSA analyzers do not) and makes the result
// Incomplete, as gosec's own CLI fails on such errors. A module that cannot
// load at all (a go directive newer than the local toolchain, a broken
// go.mod) is an error notification at its go.mod; a scan that analyzed no
// package returns an error.
//
// The Go version gosec assumes is process-global and read once (see
// goversion.go). The adapter pins it, before the first rule runs, to the
// lowest go directive among the scanned modules that the local toolchain can
// load, or to Options.GoVersion; a $GOSECGOVERSION set by the user wins. With
// mixed versions: G601 findings in modules at go1.22 or later are dropped
// (gosec reports none there), and a module on the other side of a version
// boundary than the pinned version (G601 below go1.22, G402's TLS default
// below go1.18) gets a warning notification saying what was not checked. A
// later scan in the same process keeps the first pinned version.
package gosec

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/golang"
)

// Options configure the adapter. The zero value runs every rule and keeps
// every finding. Files marked "Code generated ... DO NOT EDIT." are scanned
// like any other, as gosec's own CLI scans them by default: the marker is a
// comment anyone can write, so it must not hide code from the gate.
type Options struct {
	// Include, when not empty, runs only these rules and analyzers ("G401").
	Include []string
	// Exclude never runs these rules and analyzers.
	Exclude []string
	// MinSeverity and MinConfidence drop findings below them (finding.Low,
	// Medium or High); the zero value, finding.Info, keeps everything.
	// finding.ParseSeverity reads "low|medium|high".
	MinSeverity   finding.Severity
	MinConfidence finding.Severity
	// IgnoreNoSec reports findings that #nosec, //gosec:disable or
	// //nolint:gosec would suppress as plain findings (gosec's -nosec).
	IgnoreNoSec bool
	// NoSecTag is an extra tag that works like #nosec ("#falsepositive"),
	// gosec's -nosec-tag.
	NoSecTag string
	// Audit turns on gosec's audit mode (more checks, more noise).
	Audit bool
	// NoSecRequireRules and NoSecRequireJustification make a #nosec or
	// //gosec:disable that names no rule, or gives no reason after "--",
	// suppress nothing; gosec reports it (a warning notification).
	NoSecRequireRules         bool
	NoSecRequireJustification bool
	// RuleConfig is gosec's per-rule configuration, as in its config file
	// ({"G101": {"pattern": "(?i)secret"}}), with the types gosec's rules
	// assert (Settings.RuleConfig builds it).
	RuleConfig map[string]any
	// GoVersion overrides the Go version gosec assumes ("go1.21"); by default
	// it is taken from the scanned modules' go directives. gosec fixes it
	// once per process: see the package notes in goversion.go.
	GoVersion string
	// Concurrency bounds gosec's analyzers run per package; 0 means GOMAXPROCS.
	Concurrency int
}

// Validate reports options gosec would silently ignore.
func (o Options) Validate() error {
	for _, list := range []struct {
		name string
		ids  []string
	}{{"include", o.Include}, {"exclude", o.Exclude}} {
		for _, id := range list.ids {
			if _, ok := catalogue[strings.TrimSpace(id)]; !ok {
				return fmt.Errorf("%s: unknown rule %q (gosec %s has %s)", list.name, id, gosecVersion(), strings.Join(RuleIDs(), ", "))
			}
		}
	}
	if len(o.Include) > 0 {
		excluded := map[string]bool{}
		for _, id := range o.Exclude {
			excluded[strings.TrimSpace(id)] = true
		}
		left := 0
		for _, id := range o.Include {
			if !excluded[strings.TrimSpace(id)] {
				left++
			}
		}
		if left == 0 {
			return fmt.Errorf("include %v and exclude %v leave no rule to run", o.Include, o.Exclude)
		}
	}
	for _, s := range []struct {
		name string
		v    finding.Severity
	}{{"minimum severity", o.MinSeverity}, {"minimum confidence", o.MinConfidence}} {
		if s.v < finding.Info || s.v > finding.High {
			return fmt.Errorf("%s %s: gosec levels are low, medium and high", s.name, s.v)
		}
	}
	if o.GoVersion != "" && !validGoVersion(o.GoVersion) {
		return fmt.Errorf("Go version %q: want a release such as go1.22", o.GoVersion)
	}
	if _, ok := o.RuleConfig["global"]; ok {
		return fmt.Errorf("rule configuration: set the global options with their own fields, not a \"global\" key")
	}
	// gosec compiles these with regexp.MustCompile: a bad one would panic.
	for _, id := range []string{"G101", "G111", "G117"} {
		if m, ok := o.RuleConfig[id].(map[string]any); ok {
			if p, ok := m["pattern"].(string); ok {
				if _, err := regexp.Compile(p); err != nil {
					return fmt.Errorf("%s pattern: %v", id, err)
				}
			}
		} else if o.RuleConfig[id] != nil {
			return fmt.Errorf("%s: want a mapping of settings, got %T", id, o.RuleConfig[id])
		}
	}
	if o.Concurrency < 0 {
		return fmt.Errorf("concurrency %d: must not be negative", o.Concurrency)
	}
	return nil
}

// Scanner is the embedded gosec adapter.
type Scanner struct {
	golang.PerModule // applies where a go.mod is; a unit per module
	opt              Options
}

// New returns a gosec scanner. Invalid options make Scan fail; call
// Options.Validate first to report them at configuration time.
func New(opt Options) *Scanner { return &Scanner{opt: opt} }

// Name is the name users pass to --scanners.
func (s *Scanner) Name() string { return Name }

// Version is the embedded gosec's version, without the "v".
func (s *Scanner) Version() string { return strings.TrimPrefix(gosecVersion(), "v") }

// Scan runs gosec over every module under req.Root. Package load and type
// errors become notifications naming file:line and mark the result
// incomplete; the packages that load are still scanned.
func (s *Scanner) Scan(ctx context.Context, req *scanner.Request) (*finding.Result, error) {
	res := &finding.Result{
		Tool:           s.Name(),
		Version:        s.Version(),
		InformationURI: infoURI,
		Findings:       []finding.Finding{},
	}
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("not started: %w", context.Cause(ctx))
	}
	if err := s.opt.Validate(); err != nil {
		return res, err
	}
	freshEntropyCache(s.opt.RuleConfig)
	filter, err := newPathFilter(req.Exclude)
	if err != nil {
		return res, err
	}
	logf := req.Log
	tree, gaps, err := golang.Scan(req)
	if err != nil {
		return res, err
	}
	mods := tree.Modules
	local, err := localGoVersion(ctx, mods[0])
	if err != nil {
		return res, scanner.WithGaps(err, gaps)
	}

	want := s.opt.GoVersion
	if want == "" {
		dirs := make([]string, len(mods))
		for i, m := range mods {
			dirs[i] = m.GoVersion
		}
		want = chooseGoVersion(dirs, local)
	}

	// A shard analyzes its modules only, at the Go version the whole tree
	// chose above, so that its findings are those of an unsharded scan.
	mods = slices.DeleteFunc(mods, func(m golang.Module) bool { return !req.Keeps(scanner.UnitGoModule, m.Rel) })
	run := &run{opt: s.opt, req: req, paths: scanner.PathsFor(req), filter: filter, res: res, want: want, local: local, rules: map[string]finding.Severity{}, ruleMsg: map[string]string{}}
	var scanErr error
	// A module counts as complete once analyzed whole (see gaps): one that
	// fails, or is never reached, keeps its code-scanning alerts.
	for _, m := range mods {
		res.Units = append(res.Units, finding.Unit{Kind: scanner.UnitGoModule, Path: m.Rel, State: finding.Incomplete})
	}
	incomplete := false
	for i, m := range mods {
		if err := ctx.Err(); err != nil {
			scanErr = fmt.Errorf("stopped before module %s: %w", m.Path, context.Cause(ctx))
			break
		}
		logf("module %d/%d: %s (%s)", i+1, len(mods), m.Path, m.Rel)
		run.incomplete = false
		err := run.module(ctx, m)
		if err == nil && !run.incomplete {
			res.Units[i].State = finding.Completed
		}
		incomplete = incomplete || run.incomplete
		if err != nil {
			scanErr = err
			break
		}
	}
	run.finish()
	if run.analyzed == 0 && scanErr == nil && len(gaps) == 0 {
		scanErr = fmt.Errorf("no Go package could be analyzed in %d module(s); nothing was scanned", len(mods))
	}
	// The unreadable parts first, then each module's, at its go.mod or package.
	gaps = append(gaps, run.gaps...)
	if scanErr == nil && (run.incomplete || incomplete) {
		return res, scanner.Partial(gaps...)
	}
	return res, scanner.WithGaps(scanErr, gaps)
}

// gosecVersion is the embedded gosec's version, or the one go.mod pins
// when the build information does not say (test binaries).
func gosecVersion() string {
	if v, ok := scanner.LinkedVersion("github.com/securego/gosec/v2"); ok && v != "(devel)" {
		return v
	}
	return "v2.30.0"
}
