package finding

import "strings"

// SeverityLookup returns the CVSS vectors and severity label of the
// advisory id in ecosystem's database; ok is false when the database does
// not hold it.
type SeverityLookup func(ecosystem, id string) (vectors []string, label string, ok bool)

// RateFromAliases gives each dependency finding whose advisory has no
// severity (SeverityUnknown) the severity of an alias the database holds:
// Go advisories (GO-) carry no CVSS, their GHSA aliases usually do. When
// several aliases are rated, the highest wins. The rule of the advisory is
// rated the same way. It returns how many findings it rated.
func RateFromAliases(results []Result, lookup SeverityLookup) int {
	if lookup == nil {
		return 0
	}
	type rating struct {
		sev   Severity
		score float64
		from  string
	}
	cache := map[string]*rating{} // ecosystem + ID -> rating, nil when none
	rate := func(eco, id string) *rating {
		k := eco + "\x00" + strings.ToUpper(id)
		if r, ok := cache[k]; ok {
			return r
		}
		var r *rating
		if vectors, label, ok := lookup(eco, id); ok {
			_, okScore := ScoreFromVectors(vectors)
			_, okLabel := SeverityFromLabel(label)
			if okScore || okLabel {
				sev, score := AdvisorySeverity(vectors, label)
				r = &rating{sev, score, id}
			}
		}
		cache[k] = r
		return r
	}
	n := 0
	for ri := range results {
		res := &results[ri]
		for i := range res.Findings {
			f := &res.Findings[i]
			if !f.SeverityUnknown || f.Package == nil {
				continue
			}
			var best *rating
			for _, id := range f.Aliases {
				r := rate(f.Package.Ecosystem, id)
				if r != nil && (best == nil || r.sev > best.sev || r.sev == best.sev && r.score > best.score) {
					best = r
				}
			}
			if best == nil {
				continue
			}
			f.Severity, f.Score, f.SeverityUnknown, f.SeverityFrom = best.sev, best.score, false, best.from
			n++
			if rule := res.Rule(f.RuleID); rule != nil && rule.SeverityUnknown {
				rule.Severity, rule.Score, rule.SeverityUnknown = best.sev, best.score, false
			}
		}
	}
	return n
}
