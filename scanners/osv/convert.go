package osv

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/semantic"
	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"
	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/intree"
)

// DefaultSeverity is the severity of an advisory with neither a CVSS vector
// nor a GHSA severity label (PYSEC and GO- entries often have neither).
const DefaultSeverity = finding.Medium

// converter turns osv-scanner results into scangate findings.
type converter struct {
	root    string
	res     *finding.Result
	files   manifests
	ignores map[string]*repoIgnores // by lockfile directory
	now     time.Time               // for the ignores' expiry dates
	seen    map[string]bool         // findings already added, by fingerprint and line
}

// add reports the advisories of the packages of one lockfile, src (relative
// to the root, or absolute).
func (c *converter) add(src string, pvs []pkgVulns) {
	abs := src
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(c.root, filepath.FromSlash(abs))
	}
	// Only files under the root are read (their lines reach the report).
	if !intree.Within(c.root, abs) {
		c.res.Warnf("results for a file outside the scanned root dropped (%s)", filepath.Base(abs))
		return
	}
	rel := lexicalRel(c.root, abs)
	for _, pv := range pvs {
		pabs, prel, line, ok := c.pinnedAt(abs, rel, pv.Pkg)
		if !ok {
			continue
		}
		for _, g := range pv.Groups {
			c.addGroup(pabs, prel, line, pv, g)
		}
	}
}

// pinnedAt is the file and line that pin the package. osv-scalibr reports a
// package of a requirements file included with -r at the including line,
// with the included file's own line as the first related location: the pin
// is there, and that is the file to edit, so the finding goes there (and is
// the same finding as the one of that file scanned on its own). The
// extractors read through the root (os.Root), so an include cannot leave
// it; a location outside it all the same is not reported.
func (c *converter) pinnedAt(abs, rel string, inv *extractor.Package) (string, string, int, bool) {
	if inv == nil || inv.Location.Descriptor == nil || inv.Location.Descriptor.File == nil {
		return abs, rel, 0, true
	}
	desc := inv.Location.Descriptor.File
	if len(inv.Location.Related) == 0 || inv.Location.Related[0].File == nil {
		return abs, rel, desc.LineNumber, true
	}
	inc := inv.Location.Related[0].File
	incAbs := filepath.Join(c.root, filepath.FromSlash(inc.Path))
	if filepath.IsAbs(inc.Path) || !intree.Within(c.root, incAbs) {
		return "", "", 0, false
	}
	return incAbs, lexicalRel(c.root, incAbs), inc.LineNumber, true
}

// lexicalRel names p, known to be under root, relative to it as spelled.
func lexicalRel(root, p string) string {
	r, _ := filepath.Rel(root, p)
	return filepath.ToSlash(r)
}

func (c *converter) addGroup(abs, rel string, line int, pv pkgVulns, g group) {
	if len(g.IDs) == 0 {
		return
	}
	id := g.IDs[0] // osv-scanner's representative: CVE, then others (GO-, PYSEC-), then GHSA
	var vulns []*osvpb.Vulnerability
	for _, gid := range g.IDs {
		for _, v := range pv.Vulns {
			if v.GetId() == gid {
				vulns = append(vulns, v)
			}
		}
	}
	if len(vulns) == 0 {
		return
	}
	pkg := pv
	var aliases []string
	for _, a := range g.Aliases {
		if a != id {
			aliases = append(aliases, a)
		}
	}
	sort.Strings(aliases)

	sev, score, source := severityOf(g.MaxSeverity, vulns)
	// Versions as the ecosystem's tools spell them (Go's v0.3.6), as
	// govulncheck does; the fingerprint keeps osv-scanner's spelling so
	// that baselines recorded before stay valid.
	version := finding.Spell(pkg.Ecosystem, pkg.Name, pkg.Version)
	fixed := fixedVersions(vulns, pkg.Ecosystem, pkg.Name, pkg.Version)
	for i := range fixed {
		fixed[i] = finding.Spell(pkg.Ecosystem, pkg.Name, fixed[i])
	}

	sp := c.files.locate(abs, line, pkg.Name, pkg.Version)
	module := path.Dir(rel)

	f := finding.Finding{
		Tool:     Name,
		RuleID:   id,
		Severity: sev,
		Score:    score,
		// Unknown until an alias in the database rates it (finding.RateFromAliases).
		SeverityUnknown: source == "default",
		Message:         message(id, aliases, summaryOf(vulns), pkg.Name, version, fixed),
		Location:        finding.Location{Path: rel, StartLine: sp.line, StartColumn: sp.col, EndLine: sp.line, EndColumn: sp.endCol},
		Module:          module,
		Package: &finding.Package{
			Ecosystem: pkg.Ecosystem,
			Name:      pkg.Name,
			Version:   version,
			Fixed:     fixed,
		},
		Aliases:     aliases,
		Fingerprint: finding.Fingerprint(Name, id, rel, pkg.Name+"@"+pkg.Version),
	}
	if sp.line == 0 {
		f.Location.EndLine = 0
	}
	if len(g.IDs) > 1 {
		f.Properties = map[string]string{"osvIds": strings.Join(g.IDs, ",")}
	}
	if ri := c.ignores[path.Dir(rel)]; ri != nil {
		if why, ok := ri.match(g.Aliases, pv, c.now); ok {
			if f.Properties == nil {
				f.Properties = map[string]string{}
			}
			f.Properties["osvScannerIgnore"] = why + " (not applied)"
		}
	}
	// A pin scanned on its own and again through a -r include is one finding.
	key := fmt.Sprintf("%s:%d", f.Fingerprint, sp.line)
	if c.seen[key] {
		return
	}
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	c.seen[key] = true
	c.res.Findings = append(c.res.Findings, f)
	r := rule(id, vulns, sev, score)
	r.SeverityUnknown = f.SeverityUnknown
	c.res.AddRule(r)
}

// severityOf picks the group's CVSS base score (osv-scanner's MaxSeverity,
// computed from every member's vectors), else the worst GHSA severity label
// (database_specific.severity) of the members, else DefaultSeverity.
func severityOf(maxSeverity string, vulns []*osvpb.Vulnerability) (finding.Severity, float64, string) {
	if s, err := strconv.ParseFloat(maxSeverity, 64); err == nil && maxSeverity != "" {
		return finding.SeverityFromScore(s), s, "cvss"
	}
	best, found := finding.Info, false
	for _, v := range vulns {
		if sev, ok := ghsaSeverity(v); ok && (!found || sev > best) {
			best, found = sev, true
		}
	}
	if found {
		return best, 0, "ghsa"
	}
	return DefaultSeverity, 0, "default"
}

func ghsaSeverity(v *osvpb.Vulnerability) (finding.Severity, bool) {
	ds := v.GetDatabaseSpecific().GetFields()["severity"]
	switch strings.ToUpper(ds.GetStringValue()) {
	case "LOW":
		return finding.Low, true
	case "MODERATE", "MEDIUM":
		return finding.Medium, true
	case "HIGH":
		return finding.High, true
	case "CRITICAL":
		return finding.Critical, true
	}
	return finding.Info, false
}

// fixedVersions lists the fixed events of the ranges that affect this
// package, above the version found, lowest first.
func fixedVersions(vulns []*osvpb.Vulnerability, ecosystem, name, version string) []string {
	eco, _, _ := strings.Cut(ecosystem, ":")
	found, err := semantic.Parse(version, eco)
	var out []string
	for _, v := range vulns {
		for _, a := range v.GetAffected() {
			p := a.GetPackage()
			if e, _, _ := strings.Cut(p.GetEcosystem(), ":"); e != eco || !samePackage(eco, p.GetName(), name) {
				continue
			}
			for _, r := range a.GetRanges() {
				if r.GetType() == osvpb.Range_GIT {
					continue
				}
				for _, ev := range r.GetEvents() {
					fx := ev.GetFixed()
					if fx == "" || slices.Contains(out, fx) {
						continue
					}
					if err == nil {
						if cmp, cerr := found.CompareStr(fx); cerr == nil && cmp >= 0 {
							continue // fixes an earlier range
						}
					}
					out = append(out, fx)
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, err := semantic.Parse(out[i], eco)
		if err != nil {
			return out[i] < out[j]
		}
		cmp, err := a.CompareStr(out[j])
		if err != nil {
			return out[i] < out[j]
		}
		return cmp < 0
	})
	return out
}

func samePackage(eco, a, b string) bool {
	if eco == "PyPI" {
		norm := func(s string) string {
			return strings.NewReplacer("_", "-", ".", "-").Replace(strings.ToLower(s))
		}
		return norm(a) == norm(b)
	}
	return a == b
}

func summaryOf(vulns []*osvpb.Vulnerability) string {
	for _, v := range vulns {
		if s := strings.TrimSpace(v.GetSummary()); s != "" {
			return s
		}
	}
	for _, v := range vulns {
		if d := strings.TrimSpace(v.GetDetails()); d != "" {
			// The first sentence of the details stands in for a summary.
			d, _, _ = strings.Cut(d, "\n")
			if i := strings.Index(d, ". "); i > 0 {
				d = d[:i+1]
			}
			if len(d) > 160 {
				d = strings.TrimRight(d[:157], " ") + "..."
			}
			return d
		}
	}
	return ""
}

func message(id string, aliases []string, summary, name, version string, fixed []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s is affected by %s", name, version, id)
	if len(aliases) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(aliases, ", "))
	}
	if summary != "" {
		fmt.Fprintf(&b, ": %s", strings.TrimRight(summary, "."))
	}
	if len(fixed) > 0 {
		fmt.Fprintf(&b, ". Fixed in %s", strings.Join(fixed, ", "))
	} else {
		b.WriteString(". No fixed version is known")
	}
	b.WriteString(".")
	return b.String()
}

func rule(id string, vulns []*osvpb.Vulnerability, sev finding.Severity, score float64) finding.Rule {
	rep := vulns[0]
	short := summaryOf(vulns)
	if short == "" {
		short = "Vulnerable dependency: " + id
	}
	full := strings.TrimSpace(rep.GetDetails())
	if full == "" {
		full = short
	}
	uri := "https://osv.dev/vulnerability/" + id
	var refs []string
	for _, r := range rep.GetReferences() {
		if r.GetUrl() != "" {
			refs = append(refs, r.GetUrl())
		}
	}
	help := full + "\n\nDetails: " + uri
	md := fmt.Sprintf("**%s**\n\n%s\n\nSee [%s](%s).", short, full, id, uri)
	if len(refs) > 0 {
		md += "\n\nReferences:\n"
		for _, r := range refs {
			md += "- " + r + "\n"
		}
	}
	tags := []string{"security", "vulnerability", "dependency"}
	var cwes []string
	for _, v := range vulns {
		for _, c := range v.GetDatabaseSpecific().GetFields()["cwe_ids"].GetListValue().GetValues() {
			n, ok := strings.CutPrefix(strings.ToUpper(c.GetStringValue()), "CWE-")
			if ok && n != "" && !slices.Contains(cwes, n) {
				cwes = append(cwes, n)
			}
		}
	}
	for _, n := range cwes {
		tags = append(tags, "external/cwe/cwe-"+n)
	}
	return finding.Rule{
		ID:           id,
		Name:         id,
		Short:        short,
		Full:         full,
		Help:         help,
		HelpMarkdown: md,
		HelpURI:      uri,
		Tags:         tags,
		Severity:     sev,
		Score:        score,
	}
}
