package osv

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// repoConfig is what matters to us of an osv-scanner.toml: the ignores
// osv-scanner would apply to the lockfiles of its directory
// (internal/config/config.go in osv-scanner v2.5.0). scangate applies none
// of them (it has its own suppressions); each file found is reported, and
// the findings it would hide carry its reason. The matching is
// osv-scanner's: IDs against every alias of a group; package overrides by
// name (literal, or an anchored regexp with nameIsRegex; no name matches
// every package), version, ecosystem and dependency group, the first
// matching entry deciding; entries past ignoreUntil or effectiveUntil
// hide nothing.
type repoConfig struct {
	IgnoredVulns     []ignoredVuln     `toml:"IgnoredVulns"`
	PackageOverrides []packageOverride `toml:"PackageOverrides"`
}

type ignoredVuln struct {
	ID          string    `toml:"id"`
	IgnoreUntil time.Time `toml:"ignoreUntil"`
	Reason      string    `toml:"reason"`
}

type packageOverride struct {
	Name          string `toml:"name"`
	Version       string `toml:"version"`
	Ecosystem     string `toml:"ecosystem"`
	Group         string `toml:"group"`
	NameIsRegex   bool   `toml:"nameIsRegex"`
	Ignore        bool   `toml:"ignore"`
	Vulnerability struct {
		Ignore bool `toml:"ignore"`
	} `toml:"vulnerability"`
	EffectiveUntil time.Time `toml:"effectiveUntil"`
	Reason         string    `toml:"reason"`
}

// repoIgnores are the ignores found in one osv-scanner.toml.
type repoIgnores struct {
	file string // relative to the root
	repoConfig
}

// loadRepoIgnores reads osv-scanner.toml next to each scanned lockfile. A
// file that does not parse is reported too: osv-scanner would have logged
// an error and used no config.
func loadRepoIgnores(root string, files []lockfile) (map[string]*repoIgnores, []string) {
	out := map[string]*repoIgnores{}
	var problems []string
	seen := map[string]bool{}
	for _, lf := range files {
		dir := path.Dir(lf.Rel)
		if seen[dir] {
			continue
		}
		seen[dir] = true
		rel := path.Join(dir, "osv-scanner.toml")
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			continue
		}
		ri := &repoIgnores{file: rel}
		if err := toml.Unmarshal(data, &ri.repoConfig); err != nil {
			problems = append(problems, fmt.Sprintf("%s: does not parse (%v); osv-scanner would have used no config", rel, err))
			continue
		}
		ri.IgnoredVulns = slices.DeleteFunc(ri.IgnoredVulns, func(v ignoredVuln) bool { return v.ID == "" })
		if len(ri.IgnoredVulns) > 0 || slices.ContainsFunc(ri.PackageOverrides, packageOverride.ignores) {
			out[dir] = ri
		}
	}
	return out, problems
}

func (p packageOverride) ignores() bool { return p.Ignore || p.Vulnerability.Ignore }

// String names the packages the entry covers.
func (p packageOverride) String() string {
	what := p.Name
	switch {
	case p.Name == "":
		what = "every package"
	case p.NameIsRegex:
		what = "/^" + p.Name + "$/"
	}
	if p.Version != "" {
		what += "@" + p.Version
	}
	if p.Ecosystem != "" {
		what += " (" + p.Ecosystem + ")"
	}
	if p.Group != "" {
		what += " in group " + p.Group
	}
	return what
}

// warning is the summary line for one file.
func (ri *repoIgnores) warning() string {
	var parts []string
	if len(ri.IgnoredVulns) > 0 {
		var ids []string
		for _, v := range ri.IgnoredVulns {
			ids = append(ids, v.ID)
		}
		parts = append(parts, "[[IgnoredVulns]] "+strings.Join(ids, ", "))
	}
	var pkgs []string
	for _, p := range ri.PackageOverrides {
		if p.ignores() {
			pkgs = append(pkgs, p.String())
		}
	}
	if len(pkgs) > 0 {
		sort.Strings(pkgs)
		parts = append(parts, "[[PackageOverrides]] ignoring "+strings.Join(pkgs, ", "))
	}
	return fmt.Sprintf("%s: %s: not applied; use .scangate-ignore.yml", ri.file, strings.Join(parts, "; "))
}

// match returns the reason a finding would have been hidden at now, if any.
func (ri *repoIgnores) match(aliases []string, pv pkgVulns, now time.Time) (string, bool) {
	if e, ok := ri.packageEntry(pv, func(e packageOverride) bool { return e.Ignore }); ok {
		if live(e.EffectiveUntil, now) {
			return fmt.Sprintf("%s ignores package %s: %s", ri.file, e, orNone(e.Reason)), true
		}
	}
	if e, ok := ri.packageEntry(pv, func(e packageOverride) bool { return e.Vulnerability.Ignore }); ok {
		if live(e.EffectiveUntil, now) {
			return fmt.Sprintf("%s ignores the vulnerabilities of %s: %s", ri.file, e, orNone(e.Reason)), true
		}
	}
	for _, id := range aliases {
		// The first entry for an ID is the one osv-scanner uses.
		i := slices.IndexFunc(ri.IgnoredVulns, func(v ignoredVuln) bool { return v.ID == id })
		if i >= 0 && live(ri.IgnoredVulns[i].IgnoreUntil, now) {
			v := ri.IgnoredVulns[i]
			reason := orNone(v.Reason)
			if !v.IgnoreUntil.IsZero() {
				reason += " (until " + v.IgnoreUntil.Format("2006-01-02") + ")"
			}
			return fmt.Sprintf("%s ignores %s: %s", ri.file, id, reason), true
		}
	}
	return "", false
}

// packageEntry is the first entry that matches the package and cond, as
// osv-scanner's filterPackageVersionEntries finds it.
func (ri *repoIgnores) packageEntry(pv pkgVulns, cond func(packageOverride) bool) (packageOverride, bool) {
	for _, e := range ri.PackageOverrides {
		if cond(e) && e.matches(pv) {
			return e, true
		}
	}
	return packageOverride{}, false
}

func (e packageOverride) matches(pv pkgVulns) bool {
	if e.Name != "" {
		if e.NameIsRegex {
			re, err := regexp.Compile("^" + e.Name + "$")
			if err != nil || !re.MatchString(pv.Name) {
				return false
			}
		} else if e.Name != pv.Name {
			return false
		}
	}
	if e.Version != "" && e.Version != pv.Version {
		return false
	}
	if e.Ecosystem != "" {
		base, _, _ := strings.Cut(pv.Ecosystem, ":")
		if e.Ecosystem != pv.Ecosystem && e.Ecosystem != base {
			return false
		}
	}
	if e.Group != "" {
		if pv.Pkg == nil {
			return false
		}
		dg, ok := pv.Pkg.Metadata.(interface{ DepGroups() []string })
		if !ok || !slices.Contains(dg.DepGroups(), e.Group) {
			return false
		}
	}
	return true
}

// live is osv-scanner's shouldIgnoreTimestamp: no date, or a date to come.
func live(until, now time.Time) bool { return until.IsZero() || until.After(now) }

func orNone(s string) string {
	if s == "" {
		return "no reason given"
	}
	return s
}
