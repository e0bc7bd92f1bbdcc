package pipeline

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/scanner"
)

var commitRE = regexp.MustCompile(`^[0-9a-f]{40}([0-9a-f]{24})?$`)

// CICommit is the commit the CI checked out (GitHub Actions, GitLab CI),
// "" elsewhere: a shard records it and Merge compares it. scangate reads
// nothing under .git (the tree is hostile), so the shards' trees are
// compared by their units too.
func CICommit(getenv func(string) string) string {
	for _, k := range []string{"GITHUB_SHA", "CI_COMMIT_SHA"} {
		if v := getenv(k); commitRE.MatchString(v) {
			return v
		}
	}
	return ""
}

// ShardSpec asks for part Index of Count of a sharded scan (scan --shard).
type ShardSpec struct {
	Index, Count int
	// Commit is the commit the tree was checked out at, "" when unknown;
	// merge refuses shards of different commits.
	Commit string
}

// SettingsOf is the part of a configuration that shapes a scan's results
// and gate: the output files, the database's location (its content has a
// digest of its own), the baseline and ignore files (merge reads them),
// the programs and the time limits are left out (zero).
func SettingsOf(c *config.Config) *config.Config {
	cp := c.Clone()
	setLocal(cp, &config.Config{})
	return cp
}

// setLocal sets dst's job-local settings, those SettingsOf leaves out, to src's.
func setLocal(dst, src *config.Config) {
	dst.Outputs, dst.DB.Dir, dst.Baseline, dst.Suppressions.File = src.Outputs, src.DB.Dir, src.Baseline, src.Suppressions.File
	dst.Timeout, dst.File, dst.InTree = src.Timeout, src.File, src.InTree
	dst.SetJobLocal(src)
}

// settingsOfShard reads a shard's settings as merge would a trusted
// .scangate.yml, with every check the loader makes.
func settingsOfShard(s Shard, root string) (*config.Config, error) {
	c, err := config.Parse("settings", []byte(s.Report.Shard.Settings), root)
	if err == nil {
		err = c.Resolve()
	}
	if err != nil {
		return nil, fmt.Errorf("%s: its settings are not a valid configuration: %v", s.Name, err)
	}
	return SettingsOf(c), nil
}

// settingDiffs names each setting a and b give different values, as
// "key: <an> A, <bn> B".
func settingDiffs(a, b *config.Config, an, bn string, only func(key string) bool) []string {
	bv := map[string]string{}
	for _, kv := range b.Settings() {
		bv[kv.Key] = kv.Value
	}
	av := map[string]bool{}
	var out []string
	for _, kv := range a.Settings() {
		av[kv.Key] = true
		if (only == nil || only(kv.Key)) && bv[kv.Key] != kv.Value {
			out = append(out, fmt.Sprintf("%s: %s %s, %s %s", kv.Key, an, kv.Value, bn, cmp.Or(bv[kv.Key], "(none)")))
		}
	}
	for _, kv := range b.Settings() {
		if !av[kv.Key] && (only == nil || only(kv.Key)) {
			out = append(out, fmt.Sprintf("%s: %s (none), %s %s", kv.Key, an, bn, kv.Value))
		}
	}
	return out
}

func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// unitsOf lists each scanner's units (an empty list is the whole tree). A
// scanner that cannot list them (an unreadable go.mod) is one unit: its
// shard scans the whole tree and reports the error as an unsharded scan
// would.
func unitsOf(req *scanner.Request, list []scanner.Scanner) map[string][]scanner.Unit {
	per := map[string][]scanner.Unit{}
	for _, s := range list {
		var units []scanner.Unit
		if ul, ok := s.(scanner.UnitLister); ok {
			if u, err := ul.Units(req); err == nil {
				units = u
			}
		}
		per[s.Name()] = units
	}
	return per
}

// treeDigest identifies the tree by its units: two checkouts of different
// commits almost always differ in some unit's size.
func treeDigest(per map[string][]scanner.Unit) string {
	var b strings.Builder
	for _, u := range scanner.AllUnits(per) {
		fmt.Fprintf(&b, "%s\x00%s\x00%d\n", u.Kind, u.Path, u.Size)
	}
	return digest([]byte(b.String()))
}

// cloneResults deep-copies results through their JSON form, the form a
// shard's report carries them in.
func cloneResults(results []finding.Result) []finding.Result {
	data, err := json.Marshal(results)
	if err != nil {
		panic(err)
	}
	var out []finding.Result
	if err := json.Unmarshal(data, &out); err != nil {
		panic(err)
	}
	return out
}

// ratingsOf asks the database about every advisory ID of the dependency
// findings, as the remediate stage may after correlation joins them.
func ratingsOf(results []finding.Result, lookup finding.SeverityLookup) []model.Rating {
	if lookup == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []model.Rating
	for _, r := range results {
		for _, f := range r.Findings {
			if f.Package == nil {
				continue
			}
			for _, id := range append([]string{f.RuleID}, f.Aliases...) {
				k := f.Package.Ecosystem + "\x00" + strings.ToUpper(id)
				if seen[k] {
					continue
				}
				seen[k] = true
				if vectors, label, ok := lookup(f.Package.Ecosystem, id); ok {
					out = append(out, model.Rating{Ecosystem: f.Package.Ecosystem, ID: strings.ToUpper(id), Vectors: vectors, Label: label})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b model.Rating) int {
		return cmp.Or(cmp.Compare(a.Ecosystem, b.Ecosystem), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// lookupOf answers the severity lookup from recorded ratings.
func lookupOf(ratings []model.Rating) finding.SeverityLookup {
	m := map[string]model.Rating{}
	for _, r := range ratings {
		m[r.Ecosystem+"\x00"+strings.ToUpper(r.ID)] = r
	}
	return func(eco, id string) ([]string, string, bool) {
		r, ok := m[eco+"\x00"+strings.ToUpper(id)]
		return r.Vectors, r.Label, ok
	}
}

// Shard is one shard's report as merge reads it (model.ReadJSONWithin).
type Shard struct {
	Name   string // the file, for errors
	Report *model.Report
}

// MergeFiles reads the shards' JSON reports and merges them (Merge). The
// files may come from a pull request's jobs: they share one read budget,
// and there are no more of them than a scan has shards.
func MergeFiles(p Plan, files []string) (*model.Report, error) {
	if len(files) > scanner.MaxShards {
		return nil, fmt.Errorf("merge: %d files, but a scan has at most %d shards", len(files), scanner.MaxShards)
	}
	budget := model.NewBudget()
	shards := make([]Shard, 0, len(files))
	for _, f := range files {
		r, err := model.ReadJSONWithin(f, budget)
		if err != nil {
			return nil, err
		}
		shards = append(shards, Shard{Name: f, Report: r})
	}
	r, err := Merge(p, shards)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	return r, nil
}

// Merge combines the reports of every shard of a sharded scan into the
// report one unsharded scan of the tree would give: it checks that they
// are the N parts of one scan (same commit, tree, configuration, database
// and scangate), joins each scanner's results, and runs the stages after
// run (correlate, remediate, suppress, evaluate) once over all of them.
// p is the plan an unsharded scan would have had; its root is where merge
// checks the tree. A missing, duplicated or mismatched shard is an error.
func Merge(p Plan, shards []Shard) (*model.Report, error) {
	if len(shards) == 0 {
		return nil, fmt.Errorf("no shard reports given")
	}
	if len(shards) > scanner.MaxShards {
		return nil, fmt.Errorf("%d shard reports, but a scan has at most %d shards", len(shards), scanner.MaxShards)
	}
	c := p.config()
	root, err := filepath.Abs(p.Root)
	if err != nil {
		return nil, fmt.Errorf("scan path %s: %v", p.Root, err)
	}
	inside := scanner.NewPaths(root, "")
	settings := make([]*config.Config, len(shards))
	for i, s := range shards {
		if err := checkShard(s, p.Version, inside); err != nil {
			return nil, err
		}
		if settings[i], err = settingsOfShard(s, p.Root); err != nil {
			return nil, err
		}
	}
	first := shards[0]
	n := first.Report.Shard.Count
	byIndex := make([]*Shard, n+1)
	for i := range shards {
		s := &shards[i]
		si, fi := s.Report.Shard, first.Report.Shard
		switch {
		case si.Count != n:
			return nil, fmt.Errorf("%s is shard %d/%d, but %s is one of %d: shards of different runs", s.Name, si.Index, si.Count, first.Name, n)
		case byIndex[si.Index] != nil:
			return nil, fmt.Errorf("%s and %s are both shard %d/%d", byIndex[si.Index].Name, s.Name, si.Index, n)
		case si.Commit != fi.Commit:
			return nil, fmt.Errorf("%s was scanned at commit %s, %s at %s: shards of different commits", s.Name, orUnknown(si.Commit), first.Name, orUnknown(fi.Commit))
		case si.Tree != fi.Tree:
			return nil, fmt.Errorf("%s and %s scanned different trees (their Go modules, lockfiles or Python files differ): shards of different checkouts", s.Name, first.Name)
		case !slices.Equal(settings[i].Settings(), settings[0].Settings()):
			d := settingDiffs(settings[0], settings[i], fmt.Sprintf("shard %d", fi.Index), fmt.Sprintf("shard %d", si.Index), nil)
			return nil, fmt.Errorf("%s and %s were scanned with different settings (flags or .scangate.yml): %s", first.Name, s.Name, strings.Join(d, "; "))
		case si.Database != fi.Database:
			return nil, fmt.Errorf("%s and %s were scanned against different vulnerability databases", s.Name, first.Name)
		case !slices.Equal(toolNames(s.Report.Results), toolNames(first.Report.Results)):
			return nil, fmt.Errorf("%s ran scanners %s, %s ran %s", s.Name, strings.Join(toolNames(s.Report.Results), ","), first.Name, strings.Join(toolNames(first.Report.Results), ","))
		}
		byIndex[si.Index] = s
	}
	var missing []string
	for k := 1; k <= n; k++ {
		if byIndex[k] == nil {
			missing = append(missing, fmt.Sprintf("%d/%d", k, n))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing shard %s: merge needs all %d shard reports", strings.Join(missing, ", "), n)
	}
	// The shards' settings are the scan's; a flag given to merge may only
	// repeat one. merge's own are its outputs and the files it reads.
	byFlag := func(key string) bool { return c.Source(key).Flag != "" }
	if d := settingDiffs(settings[0], SettingsOf(c), "the shards", "merge", byFlag); len(d) > 0 {
		return nil, fmt.Errorf("merge takes the settings from the shards, but its flags say otherwise: %s: leave these flags out of merge (its flags choose outputs)", strings.Join(d, "; "))
	}
	eff := settings[0].Clone()
	setLocal(eff, c)
	c, p.Config, p.Narrowed = eff, eff, first.Report.Shard.Narrowed
	pol, err := PolicyOf(c)
	if err != nil {
		return nil, err
	}
	req := requestOf(root, c)
	list := p.list(c)
	if treeDigest(unitsOf(&req, list)) != first.Report.Shard.Tree {
		return nil, fmt.Errorf("the shards scanned another tree than %s (its Go modules, lockfiles or Python files differ): merge in a checkout of the commit the shards scanned", p.Root)
	}
	if p.Commit != "" && first.Report.Shard.Commit != "" && p.Commit != first.Report.Shard.Commit {
		return nil, fmt.Errorf("the shards scanned commit %s, but %s is at %s", first.Report.Shard.Commit, p.Root, p.Commit)
	}

	ordered := byIndex[1:]
	results, err := joinShards(ordered)
	if err != nil {
		return nil, err
	}
	var ratings []model.Rating
	for _, s := range ordered {
		ratings = append(ratings, s.Report.Shard.Ratings...)
	}
	r := stages(p, pol, req.Exclude, results, lookupOf(ratings))
	// The scan's time is its slowest shard's; each scanner's, its slowest.
	r.Started, r.Duration = ordered[0].Report.Started, 0
	for _, s := range ordered {
		if st := s.Report.Started; !st.IsZero() && (r.Started.IsZero() || st.Before(r.Started)) {
			r.Started = st
		}
		r.Duration = max(r.Duration, s.Report.Duration)
	}
	return r, nil
}

func checkShard(s Shard, version string, root *scanner.Paths) error {
	si := s.Report.Shard
	switch {
	case si == nil:
		return fmt.Errorf("%s is not a shard's report: write one with scan --shard K/N --json FILE", s.Name)
	case si.Count < 1 || si.Index < 1 || si.Index > si.Count || si.Count > scanner.MaxShards:
		return fmt.Errorf("%s: shard %d/%d is not a valid K/N (1 <= K <= N <= %d)", s.Name, si.Index, si.Count, scanner.MaxShards)
	case s.Report.Version != version:
		return fmt.Errorf("%s was written by scangate %s, this is scangate %s: merge with the version that scanned", s.Name, s.Report.Version, version)
	}
	// A report scangate wrote names files inside the scanned root only (the
	// runner drops the others); one that names others was not written by a
	// shard.
	for _, r := range si.Results {
		for _, f := range r.Findings {
			for _, p := range []string{f.Location.Path, manifestOf(f)} {
				if !root.Inside(p) {
					return fmt.Errorf("%s: a %s finding names %q, outside the scanned root: not a report scangate wrote", s.Name, r.Tool, p)
				}
			}
		}
	}
	return nil
}

func manifestOf(f finding.Finding) string {
	if f.Package == nil {
		return ""
	}
	return f.Package.Manifest
}

func orUnknown(s string) string { return cmp.Or(s, "(unknown)") }

func toolNames(results []finding.Result) []string {
	out := make([]string, len(results))
	for i, r := range results {
		out[i] = r.Tool
	}
	return out
}

// joinShards joins each scanner's results from the shards that ran it.
// Its findings are put in the order of their units, which is the order an
// unsharded scan analyzes them in.
func joinShards(shards []*Shard) ([]finding.Result, error) {
	tools := toolNames(shards[0].Report.Shard.Results)
	var units []scanner.Unit
	for _, s := range shards {
		units = append(units, s.Report.Shard.Units...)
	}
	slices.SortFunc(units, scanner.CompareUnits)
	out := make([]finding.Result, len(tools))
	for i, name := range tools {
		var parts []finding.Result
		var from []string
		var dur time.Duration
		for _, s := range shards {
			si := s.Report.Shard
			if i >= len(si.Results) || si.Results[i].Tool != name {
				return nil, fmt.Errorf("%s: its scanners' results do not list %s where its report does", s.Name, name)
			}
			if slices.Contains(si.Ran, name) {
				parts = append(parts, si.Results[i])
				from = append(from, fmt.Sprintf("%d/%d", si.Index, si.Count))
				if i < len(s.Report.Results) {
					dur = max(dur, s.Report.Results[i].Duration)
				}
			}
		}
		if len(parts) == 0 {
			// No shard had a unit of it: every shard skipped it alike.
			out[i] = shards[0].Report.Shard.Results[i]
			continue
		}
		res, err := joinResults(parts, from)
		if err != nil {
			return nil, err
		}
		sortByUnit(res.Findings, units)
		res.Duration = dur
		out[i] = res
	}
	return out, nil
}

// joinResults joins one scanner's results from several shards. The joined
// run is complete only if every part is; a scanner skipped in one shard and
// run in another analyzed part of the tree, which is incomplete.
func joinResults(parts []finding.Result, from []string) (finding.Result, error) {
	res := parts[0]
	res.Findings = slices.Clone(res.Findings)
	res.Units = slices.Clone(res.Units)
	res.Packages = slices.Clone(res.Packages)
	res.Rules = slices.Clone(res.Rules)
	res.Notifications = slices.Clone(res.Notifications)
	for k, p := range parts[1:] {
		if p.Version != res.Version && p.Version != "" && res.Version != "" {
			return res, fmt.Errorf("%s: shard %s ran version %s, shard %s version %s: run every shard in the same image", res.Tool, from[0], res.Version, from[k+1], p.Version)
		}
		res.Version = cmp.Or(res.Version, p.Version)
		res.Findings = append(res.Findings, p.Findings...)
		res.Units = append(res.Units, p.Units...)
		res.Packages = append(res.Packages, p.Packages...)
		for _, rule := range p.Rules {
			if res.Rule(rule.ID) == nil {
				res.Rules = append(res.Rules, rule)
			}
		}
		for _, n := range p.Notifications {
			if !slices.ContainsFunc(res.Notifications, func(m finding.Notification) bool { return m.Level == n.Level && m.Message == n.Message }) {
				res.Notifications = append(res.Notifications, n)
			}
		}
	}
	states := map[finding.State][]string{}
	for k, p := range parts {
		states[p.State] = append(states[p.State], from[k])
	}
	switch {
	case len(states[finding.Incomplete]) > 0:
		res.State = finding.Incomplete
	case len(states) > 1:
		res.State = finding.Incomplete
		res.Errorf("%s: skipped in shard %s but run in shard %s: part of the tree was not analyzed", res.Tool,
			strings.Join(states[finding.Skipped], ", "), strings.Join(states[finding.Completed], ", "))
	}
	res.SettleUnits()
	res.Packages = finding.SortPackages(res.Packages)
	slices.SortStableFunc(res.Rules, func(a, b finding.Rule) int { return cmp.Compare(a.ID, b.ID) })
	return res, nil
}

// sortByUnit orders findings by the unit holding them (the deepest unit
// whose path is the finding's file, its manifest, or one of their
// directories), keeping each unit's own order.
func sortByUnit(fs []finding.Finding, units []scanner.Unit) {
	type ranked struct {
		unit int
		f    finding.Finding
	}
	rs := make([]ranked, len(fs))
	for k, f := range fs {
		best := finding.UnitOfPath(units, f.UnitPath(), func(u scanner.Unit) string { return u.Path })
		if best < 0 {
			best = len(units)
		}
		rs[k] = ranked{best, f}
	}
	slices.SortStableFunc(rs, func(a, b ranked) int { return cmp.Compare(a.unit, b.unit) })
	for k := range rs {
		fs[k] = rs[k].f
	}
}

// shardOf partitions the tree's units and sets the runner to this shard's.
func shardOf(req *scanner.Request, list []scanner.Scanner, c *config.Config, spec ShardSpec, narrowed bool, opt *scanner.Options) (*model.ShardInfo, error) {
	per := unitsOf(req, list)
	sh, err := scanner.NewShard(spec.Index, spec.Count, per)
	if err != nil {
		return nil, err
	}
	opt.Shard = sh
	info := &model.ShardInfo{Index: spec.Index, Count: spec.Count, Commit: spec.Commit, Tree: treeDigest(per),
		Settings: SettingsOf(c).YAML(), Narrowed: narrowed, Database: req.DBDigest, Units: sh.Units(), Ran: []string{}}
	if info.Units == nil {
		info.Units = []scanner.Unit{}
	}
	for _, s := range list {
		if sh.Runs(s.Name()) {
			info.Ran = append(info.Ran, s.Name())
		}
	}
	return info, nil
}
