package safety

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scangate/scangate/finding"
)

// DefaultSeverity is the severity of a vulnerability safety gives no CVSS
// score for (the free database usually has none): a known vulnerability in
// a pinned dependency is worth a look, but nothing says it is severe.
const DefaultSeverity = finding.Medium

// RuleID names a safety advisory: "PYUP-" and safety's vulnerability ID
// ("39525" becomes "PYUP-39525"). A bare number would be ambiguous next to
// other tools' rules; the prefix follows the upper-case style of CVE-, GHSA-
// and PYSEC- IDs. The bare ID is kept in the "safetyId" property, which is
// what .safety-policy.yml ignore lists use.
func RuleID(id string) string { return "PYUP-" + strings.TrimPrefix(id, "pyup.io-") }

// vuln is one vulnerability report from either safety version, located.
type vuln struct {
	id       string // safety's ID, "39525"
	pkg      string // normalized
	version  string // "" when the requirement is not pinned
	spec     string // vulnerable specifier, "<2.11.3"
	advisory string
	aliases  []string // CVE IDs
	fixed    []string
	score    float64 // CVSS base score, 0 when unknown
	vector   string
	sevName  string // a severity name when no score is given (safety 3's cve_details)
	moreInfo string
	ignored  *finding.Suppression

	file string // root-relative
	line int
	text string
}

func (v *vuln) convert() (finding.Finding, finding.Rule) {
	sev, unknown := DefaultSeverity, true
	switch {
	case v.score > 0:
		sev, unknown = finding.SeverityFromScore(v.score), false
	case v.sevName != "":
		if s, err := finding.ParseSeverity(v.sevName); err == nil {
			sev, unknown = s, false
		}
	}
	rid := RuleID(v.id)
	fixed := slices.Clone(v.fixed)
	slices.SortFunc(fixed, compareVersions)

	at := v.pkg
	if v.version != "" {
		at += " " + v.version
	}
	ids := rid
	if len(v.aliases) > 0 {
		ids += ", " + strings.Join(v.aliases, ", ")
	}
	msg := fmt.Sprintf("%s has a known vulnerability (%s)", at, ids)
	if v.spec != "" {
		msg += ", affected " + v.spec
	}
	if len(fixed) > 0 {
		msg += "; fixed in " + strings.Join(fixed, ", ")
	}
	if s := firstSentence(v.advisory); s != "" {
		msg += ": " + s
	}

	module := path.Dir(v.file)
	f := finding.Finding{
		Tool:     Name,
		RuleID:   rid,
		Severity: sev,
		Score:    v.score,
		// Unknown until an alias in the database rates it (finding.RateFromAliases).
		SeverityUnknown: unknown,
		Message:         msg,
		Location:        finding.Location{Path: v.file, StartLine: v.line, Snippet: strings.TrimSpace(v.text)},
		Module:          module,
		Package:         &finding.Package{Ecosystem: "PyPI", Name: v.pkg, Version: v.version, Fixed: fixed, Manifest: v.file},
		Aliases:         slices.Clone(v.aliases),
		// The location is part of the identity: the same vulnerable pin in
		// two requirement files is two things to fix.
		Fingerprint: finding.Fingerprint("safety", rid, v.pkg+"@"+v.version, v.file),
		Properties:  map[string]string{"safetyId": v.id},
	}
	if v.spec != "" {
		f.Properties["vulnerableSpec"] = v.spec
	}
	if v.vector != "" {
		f.Properties["cvssVector"] = v.vector
	}
	if v.ignored != nil {
		f.Suppressions = []finding.Suppression{*v.ignored}
	}

	rule := finding.Rule{
		ID:       rid,
		Name:     v.pkg,
		Short:    firstSentence(v.advisory),
		Full:     v.advisory,
		HelpURI:  v.moreInfo,
		Tags:     []string{"security", "vulnerability", "dependency"},
		Severity: sev,
		Score:    v.score,
		// Unknown until an alias in the database rates it (finding.RateFromAliases).
		SeverityUnknown: unknown,
	}
	if rule.Short == "" {
		rule.Short = fmt.Sprintf("Known vulnerability in %s", v.pkg)
	}
	help := []string{v.advisory}
	md := []string{v.advisory}
	if v.spec != "" {
		help = append(help, "Affected versions: "+v.spec)
		md = append(md, "Affected versions: `"+v.spec+"`")
	}
	if len(fixed) > 0 {
		help = append(help, "Fixed in: "+strings.Join(fixed, ", "))
		md = append(md, "Fixed in: "+strings.Join(fixed, ", "))
	}
	if v.moreInfo != "" {
		help = append(help, "More: "+v.moreInfo)
		md = append(md, fmt.Sprintf("[Safety advisory %s](%s)", v.id, v.moreInfo))
	}
	rule.Help = strings.TrimSpace(strings.Join(help, "\n"))
	rule.HelpMarkdown = strings.TrimSpace(strings.Join(md, "\n\n"))
	return f, rule
}

// add puts a located vulnerability into res, once: safety reports a
// requirement again for every requirements file that includes its file.
func add(res *finding.Result, seen map[string]bool, v *vuln) {
	f, rule := v.convert()
	key := f.Fingerprint + "\x00" + strconv.Itoa(f.Location.StartLine)
	if seen[key] {
		return
	}
	seen[key] = true
	res.Findings = append(res.Findings, f)
	if r := res.Rule(rule.ID); r != nil {
		r.Severity = max(r.Severity, rule.Severity)
		r.SeverityUnknown = r.SeverityUnknown && rule.SeverityUnknown
	} else {
		res.AddRule(rule)
	}
}

var sentenceEnd = regexp.MustCompile(`[.!?](\s|$)`)

// firstSentence shortens an advisory for a message, at most 200 bytes.
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if loc := sentenceEnd.FindStringIndex(s); loc != nil {
		s = s[:loc[0]+1]
	}
	if len(s) > 200 {
		cut := strings.LastIndexByte(s[:200], ' ')
		if cut < 100 {
			cut = 200
		}
		s = s[:cut] + "…"
	}
	return s
}

// compareVersions orders versions by their numeric release segments
// ("2.9" < "2.11.3"), falling back to text for what is not a number.
func compareVersions(a, b string) int {
	as, bs := strings.FieldsFunc(a, isSep), strings.FieldsFunc(b, isSep)
	for i := 0; i < len(as) && i < len(bs); i++ {
		an, aerr := strconv.Atoi(as[i])
		bn, berr := strconv.Atoi(bs[i])
		switch {
		case aerr == nil && berr == nil && an != bn:
			return an - bn
		case (aerr != nil || berr != nil) && as[i] != bs[i]:
			return strings.Compare(as[i], bs[i])
		}
	}
	return len(as) - len(bs)
}

func isSep(r rune) bool { return r == '.' || r == '-' || r == '+' || r == '_' }

// parseExpiry reads the expiry dates safety prints ("2030-01-01 00:00:00"
// from 2.x, "2030-01-01" from 3.x policies).
func parseExpiry(s string) time.Time {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02", time.RFC3339, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t
		}
	}
	return time.Time{}
}
