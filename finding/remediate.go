package finding

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/google/osv-scalibr/semantic"
)

// Remediation is the smallest upgrade of one vulnerable package that fixes
// every advisory found against it.
type Remediation struct {
	Package  Package // the vulnerable package as found
	To       string  // the version to upgrade to; "" when no advisory has a fix
	Fixes    int     // advisories fixed by upgrading to To
	Unfixed  int     // advisories with no fixed version above the one found
	Findings int     // findings this package accounts for
}

func (r Remediation) String() string {
	p := r.Package
	switch {
	case r.To == "":
		return fmt.Sprintf("%s %s: no fixed version known for %d advisories", p.Name, p.Version, r.Unfixed)
	case r.Unfixed > 0:
		return fmt.Sprintf("upgrade %s %s -> %s fixes %d (%d without a fix)", p.Name, p.Version, r.To, r.Fixes, r.Unfixed)
	}
	return fmt.Sprintf("upgrade %s %s -> %s fixes %d", p.Name, p.Version, r.To, r.Fixes)
}

// Remediate computes one Remediation per vulnerable package (per manifest
// directory), stores its text in each finding's Properties["remediation"],
// and returns them sorted by package name.
func Remediate(results []Result) []Remediation {
	type group struct {
		rem   Remediation
		finds []*Finding
	}
	groups := map[string]*group{}
	var order []string
	for r := range results {
		for i := range results[r].Findings {
			f := &results[r].Findings[i]
			if f.Package == nil {
				continue
			}
			k := packageKey(f)
			g := groups[k]
			if g == nil {
				g = &group{rem: Remediation{Package: *f.Package}}
				g.rem.Package.Fixed = nil
				groups[k] = g
				order = append(order, k)
			}
			g.finds = append(g.finds, f)
			g.rem.Findings++
			fix := lowestFixAbove(f.Package)
			if fix == "" {
				g.rem.Unfixed++
				continue
			}
			g.rem.Fixes++
			if g.rem.To == "" || compare(f.Package.Ecosystem, fix, g.rem.To) > 0 {
				g.rem.To = fix
			}
		}
	}
	out := make([]Remediation, 0, len(order))
	for _, k := range order {
		g := groups[k]
		if g.rem.To != "" && g.rem.Package.Ecosystem == "Go" && strings.HasPrefix(g.rem.Package.Version, "v") && !strings.HasPrefix(g.rem.To, "v") {
			g.rem.To = "v" + g.rem.To
		}
		text := g.rem.String()
		for _, f := range g.finds {
			if f.Properties == nil {
				f.Properties = map[string]string{}
			}
			f.Properties["remediation"] = text
		}
		out = append(out, g.rem)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Package, out[j].Package
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return path.Dir(a.Manifest) < path.Dir(b.Manifest)
	})
	return out
}

// lowestFixAbove picks the smallest fixed version greater than the found one.
func lowestFixAbove(p *Package) string {
	best := ""
	for _, fx := range p.Fixed {
		if fx == "" || compare(p.Ecosystem, fx, p.Version) <= 0 {
			continue
		}
		if best == "" || compare(p.Ecosystem, fx, best) < 0 {
			best = fx
		}
	}
	return best
}

// compare orders versions by the ecosystem's own rules, falling back to a
// plain string comparison for ecosystems the semantic package lacks.
func compare(eco, a, b string) int {
	a, b = NormalizeVersion(eco, a), NormalizeVersion(eco, b)
	if v, err := semantic.Parse(a, eco); err == nil {
		if c, err := v.CompareStr(b); err == nil {
			return c
		}
	}
	return strings.Compare(a, b)
}
