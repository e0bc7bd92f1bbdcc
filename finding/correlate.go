package finding

import (
	"path"
	"regexp"
	"slices"
	"strings"
)

// Correlate merges findings of the same vulnerability in the same package,
// reported by several tools or under several IDs (GO-, GHSA-, CVE-, PYSEC-
// joined through aliases), into one finding kept in the run of the tool with
// the strongest evidence among those that completed the finding's unit (so
// that it reaches every report a completed unit reaches). The merged finding
// carries every ID, every reporting tool and the strongest reachability.
// order ranks the tools' evidence, strongest first (the scanner registry's
// order: govulncheck knows whether the vulnerable code is called,
// osv-scanner knows the manifest line, safety knows neither); a tool it does
// not list ranks last. Results are changed in place and returned.
func Correlate(results []Result, order []string) []Result {
	rank := func(tool string) int {
		if i := slices.Index(order, tool); i >= 0 {
			return i
		}
		return len(order)
	}
	type ref struct{ r, f int }
	var refs []ref
	for r := range results {
		for f := range results[r].Findings {
			fd := &results[r].Findings[f]
			if len(fd.Tools) == 0 {
				fd.Tools = []string{fd.Tool}
			}
			if fd.Package != nil {
				refs = append(refs, ref{r, f})
			}
		}
	}
	get := func(x ref) *Finding { return &results[x.r].Findings[x.f] }

	// Union-find over dependency findings with the same package key and at
	// least one shared ID.
	parent := make([]int, len(refs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	byKey := map[string][]int{}
	for i, x := range refs {
		k := packageKey(get(x))
		byKey[k] = append(byKey[k], i)
	}
	for _, members := range byKey {
		owner := map[string]int{}
		for _, i := range members {
			for _, id := range ids(get(refs[i])) {
				if j, ok := owner[id]; ok {
					parent[find(i)] = find(j)
				} else {
					owner[id] = i
				}
			}
		}
	}
	groups := map[int][]int{}
	for i := range refs {
		groups[find(i)] = append(groups[find(i)], i)
	}

	drop := map[ref]bool{}
	for _, members := range groups {
		if len(members) < 2 {
			continue
		}
		slices.SortStableFunc(members, func(a, b int) int {
			fa, fb := get(refs[a]), get(refs[b])
			// A finding kept in a unit its tool did not complete would be
			// left out of code scanning with that unit's run.
			ca, cb := results[refs[a].r].UnitComplete(fa), results[refs[b].r].UnitComplete(fb)
			if ca != cb {
				if ca {
					return -1
				}
				return 1
			}
			if d := rank(fa.Tool) - rank(fb.Tool); d != 0 {
				return d
			}
			return int(fb.Reachable) - int(fa.Reachable)
		})
		primary := get(refs[members[0]])
		for _, i := range members[1:] {
			merge(primary, get(refs[i]))
			drop[refs[i]] = true
		}
	}
	if len(drop) == 0 {
		return results
	}
	for r := range results {
		kept := results[r].Findings[:0]
		for f, fd := range results[r].Findings {
			if !drop[ref{r, f}] {
				kept = append(kept, fd)
			}
		}
		results[r].Findings = kept
	}
	return results
}

func merge(dst, src *Finding) {
	dst.Tools = union(dst.Tools, src.Tools)
	slices.Sort(dst.Tools)
	all := union(dst.Aliases, append([]string{src.RuleID}, src.Aliases...))
	dst.Aliases = slices.DeleteFunc(all, func(s string) bool { return strings.EqualFold(s, dst.RuleID) })
	slices.Sort(dst.Aliases)
	if src.Reachable > dst.Reachable {
		dst.Reachable = src.Reachable
		if len(dst.Trace) == 0 {
			dst.Trace = src.Trace
		}
	}
	// A rated source rates the merged finding: a scored one beats a label,
	// and either beats an unknown severity.
	if dst.Score == 0 && src.Score > 0 || dst.SeverityUnknown && !src.SeverityUnknown {
		dst.Score, dst.Severity, dst.SeverityUnknown, dst.SeverityFrom = src.Score, src.Severity, src.SeverityUnknown, src.SeverityFrom
		if dst.SeverityFrom == "" && !src.SeverityUnknown {
			// osv-scanner rates a group of aliases under the same ID:
			// then the tool is the honest source.
			dst.SeverityFrom = src.RuleID
			if strings.EqualFold(src.RuleID, dst.RuleID) {
				dst.SeverityFrom = src.Tool
			}
		}
	}
	if dst.Package != nil && src.Package != nil {
		// One spelling per ecosystem (Spell), each version once, lowest first.
		eco, name := dst.Package.Ecosystem, dst.Package.Name
		for _, v := range src.Package.Fixed {
			if v != "" && !slices.ContainsFunc(dst.Package.Fixed, func(w string) bool { return NormalizeVersion(eco, w) == NormalizeVersion(eco, v) }) {
				dst.Package.Fixed = append(dst.Package.Fixed, Spell(eco, name, v))
			}
		}
		slices.SortStableFunc(dst.Package.Fixed, func(a, b string) int { return compare(eco, a, b) })
	}
	dst.Suppressions = append(dst.Suppressions, src.Suppressions...)
	for k, v := range src.Properties {
		if _, ok := dst.Properties[k]; !ok {
			if dst.Properties == nil {
				dst.Properties = map[string]string{}
			}
			dst.Properties[k] = v
		}
	}
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func ids(f *Finding) []string {
	out := []string{strings.ToUpper(f.RuleID)}
	for _, a := range f.Aliases {
		out = append(out, strings.ToUpper(a))
	}
	return out
}

func packageKey(f *Finding) string {
	p := f.Package
	manifest := p.Manifest
	if manifest == "" {
		manifest = f.Location.Path
	}
	// The manifest itself, not its folder: the same pin in requirements.txt
	// and requirements-dev.txt is two lines to change, two findings.
	return strings.Join([]string{p.Ecosystem, NormalizeName(p.Ecosystem, p.Name), NormalizeVersion(p.Ecosystem, p.Version), path.Clean(manifest)}, "\x00")
}

var pep503 = regexp.MustCompile(`[-_.]+`)

// NormalizeName makes package names of one ecosystem comparable (PEP 503 for PyPI).
func NormalizeName(ecosystem, name string) string {
	if ecosystem == "PyPI" {
		return pep503.ReplaceAllString(strings.ToLower(name), "-")
	}
	return name
}

// NormalizeVersion drops the "v" Go tools put before module versions and
// the "go" before Go releases (go1.22.5, as Spell writes them), which OSV omits.
func NormalizeVersion(ecosystem, v string) string {
	if ecosystem == "Go" {
		if r, ok := strings.CutPrefix(v, "go"); ok && r != "" && r[0] >= '0' && r[0] <= '9' {
			return r
		}
		return strings.TrimPrefix(v, "v")
	}
	return v
}
