package report

import (
	"cmp"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/model"
)

// The CycloneDX 1.6 SBOM (--cyclonedx): the scanners' package inventory as
// components, their dependency findings as vulnerabilities, and
// govulncheck's reachability as each vulnerability's VEX analysis. Written
// by hand rather than with cyclonedx-go: the subset is small, and the
// official schema checks it in the tests.

// CycloneDXOptions configure the SBOM.
type CycloneDXOptions struct {
	// Name names the scanned tree when no Go module at its root does (the
	// directory's name).
	Name string
	// ScanRoot is the scanned path relative to the repository root:
	// manifests are named from the repository root, as GitLab reads them.
	ScanRoot string
	// Serial is the BOM's serialNumber; "" draws a random urn:uuid, one
	// per run (everything else is the same for the same scan).
	Serial string
}

type cdxBOM struct {
	Schema          string        `json:"$schema"`
	BOMFormat       string        `json:"bomFormat"`
	SpecVersion     string        `json:"specVersion"`
	SerialNumber    string        `json:"serialNumber"`
	Version         int           `json:"version"`
	Metadata        cdxMetadata   `json:"metadata"`
	Components      []cdxComp     `json:"components"`
	Vulnerabilities []cdxVuln     `json:"vulnerabilities"`
	Compositions    []cdxCompose  `json:"compositions,omitempty"`
	Properties      []cdxProperty `json:"properties,omitempty"`
}

type cdxMetadata struct {
	Timestamp  string        `json:"timestamp,omitempty"`
	Tools      cdxTools      `json:"tools"`
	Component  cdxComp       `json:"component"`
	Properties []cdxProperty `json:"properties,omitempty"`
}

type cdxTools struct {
	Components []cdxComp `json:"components"`
}

type cdxComp struct {
	Type       string        `json:"type"`
	BOMRef     string        `json:"bom-ref,omitempty"`
	Name       string        `json:"name"`
	Version    string        `json:"version,omitempty"`
	Scope      string        `json:"scope,omitempty"`
	PURL       string        `json:"purl,omitempty"`
	Evidence   *cdxEvidence  `json:"evidence,omitempty"`
	Properties []cdxProperty `json:"properties,omitempty"`
}

type cdxEvidence struct {
	Occurrences []cdxOccurrence `json:"occurrences"`
}

type cdxOccurrence struct {
	Location string `json:"location"`
}

type cdxProperty struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type cdxVuln struct {
	ID             string         `json:"id"`
	Source         cdxSource      `json:"source"`
	References     []cdxReference `json:"references,omitempty"`
	Ratings        []cdxRating    `json:"ratings,omitempty"`
	Description    string         `json:"description,omitempty"`
	Recommendation string         `json:"recommendation,omitempty"`
	Analysis       cdxAnalysis    `json:"analysis"`
	Affects        []cdxAffect    `json:"affects"`
	Properties     []cdxProperty  `json:"properties,omitempty"`
}

type cdxSource struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type cdxReference struct {
	ID     string    `json:"id"`
	Source cdxSource `json:"source"`
}

type cdxRating struct {
	Score    float64 `json:"score,omitempty"`
	Severity string  `json:"severity"`
}

type cdxAnalysis struct {
	State         string   `json:"state"`
	Justification string   `json:"justification,omitempty"`
	Response      []string `json:"response,omitempty"`
	Detail        string   `json:"detail,omitempty"`
}

type cdxAffect struct {
	Ref      string       `json:"ref"`
	Versions []cdxVersion `json:"versions,omitempty"`
}

type cdxVersion struct {
	Version string `json:"version"`
	Status  string `json:"status"`
}

type cdxCompose struct {
	Aggregate  string   `json:"aggregate"`
	Assemblies []string `json:"assemblies,omitempty"`
}

// CycloneDX writes the scan as a CycloneDX 1.6 JSON SBOM.
func CycloneDX(w io.Writer, s *model.Report, opt CycloneDXOptions) error {
	serial := opt.Serial
	if serial == "" {
		serial = "urn:uuid:" + randomUUID()
	}
	scanRoot := strings.Trim(opt.ScanRoot, "/")
	if scanRoot == "." {
		scanRoot = ""
	}
	doc := cdxBOM{
		Schema:       "http://cyclonedx.org/schema/bom-1.6.schema.json",
		BOMFormat:    "CycloneDX",
		SpecVersion:  "1.6",
		SerialNumber: serial,
		Version:      1,
		Metadata: cdxMetadata{
			Tools: cdxTools{Components: []cdxComp{{Type: "application", Name: "scangate", Version: cmp.Or(s.Version, "unknown")}}},
			// GitLab reads the component properties below only under schema version 1.
			Properties: []cdxProperty{{Name: "gitlab:meta:schema_version", Value: "1"}},
		},
		Components:      []cdxComp{},
		Vulnerabilities: []cdxVuln{},
	}
	if !s.Started.IsZero() {
		doc.Metadata.Timestamp = s.Started.UTC().Format(time.RFC3339)
	}
	inv := newInventory(scanRoot)
	incomplete := false
	for _, r := range s.Results {
		if r.State == finding.Skipped {
			continue
		}
		doc.Metadata.Tools.Components = append(doc.Metadata.Tools.Components, cdxComp{Type: "application", Name: r.Tool, Version: r.Version})
		for _, p := range r.Packages {
			inv.add(p)
		}
		if r.State == finding.Incomplete && (r.Kind == finding.KindDependencies || len(r.Packages) > 0) {
			incomplete = true
		}
	}
	doc.Metadata.Component = inv.root(opt.Name)
	type affected struct {
		f     finding.Finding
		rule  *finding.Rule
		entry *invEntry // nil: the root module
	}
	var found []affected
	for _, r := range s.Results {
		for _, f := range r.Findings {
			if f.Package == nil {
				continue // code and secret findings are no component's vulnerability
			}
			found = append(found, affected{f, r.Rule(f.RuleID), inv.entryFor(*f.Package)})
		}
	}
	doc.Components = inv.components()
	for _, a := range found {
		ref := doc.Metadata.Component.BOMRef
		if a.entry != nil {
			ref = a.entry.ref
		}
		doc.Vulnerabilities = append(doc.Vulnerabilities, cdxVulnerability(a.f, a.rule, ref))
	}
	slices.SortStableFunc(doc.Vulnerabilities, func(a, b cdxVuln) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Affects[0].Ref, b.Affects[0].Ref), cmp.Compare(a.Analysis.Detail, b.Analysis.Detail))
	})
	if incomplete {
		// A dependency scanner could not complete: some packages may be missing.
		doc.Compositions = []cdxCompose{{Aggregate: "incomplete", Assemblies: []string{doc.Metadata.Component.BOMRef}}}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// inventory joins the scanners' packages into components, one per package
// URL (else per ecosystem, name and version): go.mod's golang.org/x/text
// from osv-scanner and from govulncheck's build list are one component.
type inventory struct {
	scanRoot string
	byKey    map[string]*invEntry
	refs     map[string]bool
	main     *finding.Component // the Go module at the root
}

type invEntry struct {
	c         finding.Component
	ref       string
	manifests []string
	dev       bool // in a development group in every manifest
}

func newInventory(scanRoot string) *inventory {
	return &inventory{scanRoot: scanRoot, byKey: map[string]*invEntry{}, refs: map[string]bool{}}
}

// componentKey matches a finding's package to a component: ecosystems and
// names as loosely as tools spell them (safety's PyPI names).
func componentKey(eco, name, version string) string {
	name = strings.ToLower(name)
	if strings.EqualFold(eco, "PyPI") {
		name = strings.NewReplacer("_", "-", ".", "-").Replace(name)
	}
	return strings.ToLower(eco) + "\x00" + name + "\x00" + version
}

func (inv *inventory) add(p finding.Component) {
	if p.Main && p.Manifest == "go.mod" && inv.main == nil {
		c := p
		inv.main = &c
		return
	}
	k := p.PURL
	if k == "" {
		k = componentKey(p.Ecosystem, p.Name, p.Version)
	}
	e := inv.byKey[k]
	if e == nil {
		e = &invEntry{c: p, dev: true}
		inv.byKey[k] = e
		// Findings find their component by name and version.
		inv.byKey[componentKey(p.Ecosystem, p.Name, p.Version)] = e
	}
	if !slices.Contains(e.manifests, p.Manifest) {
		e.manifests = append(e.manifests, p.Manifest)
	}
	e.dev = e.dev && p.Dev
	e.c.Main = e.c.Main || p.Main
}

// entryFor is the component a finding's package is (nil for the root
// module), added when no scanner listed it (safety's findings, a unit cut
// short).
func (inv *inventory) entryFor(p finding.Package) *invEntry {
	if inv.main != nil && p.Ecosystem == "Go" && p.Name == inv.main.Name {
		return nil
	}
	k := componentKey(p.Ecosystem, p.Name, p.Version)
	if inv.byKey[k] == nil {
		inv.add(finding.Component{Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version, Manifest: p.Manifest})
	}
	return inv.byKey[k]
}

// ref names an entry once: its package URL, else ecosystem/name@version;
// a repeated name gets a number (bom-refs are unique in a BOM).
func (inv *inventory) ref(e *invEntry) string {
	if e.ref != "" {
		return e.ref
	}
	r := e.c.PURL
	if r == "" {
		r = e.c.Ecosystem + "/" + e.c.Name
		if e.c.Version != "" {
			r += "@" + e.c.Version
		}
	}
	base := r
	for n := 2; inv.refs[r] || r == "root"; n++ {
		r = fmt.Sprintf("%s#%d", base, n)
	}
	inv.refs[r] = true
	e.ref = r
	return r
}

func (inv *inventory) mainRef() string {
	if inv.main.PURL != "" {
		return inv.main.PURL
	}
	return "root"
}

// root is the scanned tree: the Go module at its root, else the
// directory by name.
func (inv *inventory) root(name string) cdxComp {
	if inv.main != nil {
		inv.refs[inv.mainRef()] = true
		return cdxComp{Type: "application", BOMRef: inv.mainRef(), Name: inv.main.Name, PURL: inv.main.PURL}
	}
	return cdxComp{Type: "application", BOMRef: "root", Name: cmp.Or(name, "scanned tree")}
}

func (inv *inventory) components() []cdxComp {
	var entries []*invEntry
	seen := map[*invEntry]bool{}
	for _, e := range inv.byKey {
		if !seen[e] {
			seen[e] = true
			entries = append(entries, e)
		}
	}
	slices.SortFunc(entries, func(a, b *invEntry) int {
		return cmp.Or(cmp.Compare(a.c.PURL, b.c.PURL), cmp.Compare(a.c.Ecosystem, b.c.Ecosystem),
			cmp.Compare(a.c.Name, b.c.Name), cmp.Compare(a.c.Version, b.c.Version))
	})
	// Refs in sorted order, so that a numbered one is the same every run.
	for _, e := range entries {
		inv.ref(e)
	}
	out := make([]cdxComp, 0, len(entries))
	for _, e := range entries {
		slices.Sort(e.manifests)
		c := cdxComp{Type: "library", BOMRef: e.ref, Name: e.c.Name, Version: e.c.Version, PURL: e.c.PURL, Scope: "required"}
		if e.c.Main {
			c.Type = "application" // another module of the tree
		}
		if e.dev {
			c.Scope = "optional"
		}
		c.Evidence = &cdxEvidence{}
		for _, m := range e.manifests {
			c.Evidence.Occurrences = append(c.Evidence.Occurrences, cdxOccurrence{Location: RepoPath(inv.scanRoot, m)})
		}
		// GitLab's dependency list: its taxonomy's component properties.
		c.Properties = append(c.Properties, cdxProperty{"gitlab:dependency_scanning:input_file:path", RepoPath(inv.scanRoot, e.manifests[0])})
		c.Properties = append(c.Properties, cdxProperty{"gitlab:dependency_scanning:package_manager:name", packageManager(e.manifests[0], e.c.Ecosystem)})
		if e.dev {
			c.Properties = append(c.Properties, cdxProperty{"gitlab:dependency_scanning:category", "development"})
		}
		if e.c.PURL == "" {
			c.Properties = append(c.Properties, cdxProperty{"scangate:ecosystem", e.c.Ecosystem})
		}
		out = append(out, c)
	}
	return out
}

// The VEX analysis from govulncheck's reachability, mapped as govulncheck's
// own -format openvex maps it (golang.org/x/vuln@v1.9.0 internal/openvex):
// a finding at the precision of the scan level (a called symbol for
// -scan symbol) is affected, CycloneDX's exploitable; below it, not
// affected: an imported package whose vulnerable symbols are not called is
// OpenVEX's vulnerable_code_not_in_execute_path, CycloneDX's
// code_not_reachable; a required module whose vulnerable packages are not
// imported is vulnerable_code_not_present, code_not_present (the code is
// not built in). Without reachability (osv-scanner, safety): in_triage.
func cdxAnalysisOf(f finding.Finding) cdxAnalysis {
	level := map[string]finding.Reachability{"module": finding.Required, "package": finding.Imported}[f.Properties["scanLevel"]]
	if level == finding.ReachUnknown {
		level = finding.Called // govulncheck's default scan level, symbol
	}
	var a cdxAnalysis
	switch {
	case f.Reachable == finding.ReachUnknown:
		a.State = "in_triage"
		a.Detail = "no reachability analysis: " + cmp.Or(strings.Join(f.Tools, ", "), f.Tool) + " matched the version only"
	case f.Reachable >= level:
		a.State = "exploitable"
		a.Detail = "govulncheck: " + reachDetail(f)
	case f.Reachable == finding.Imported:
		a.State, a.Justification = "not_affected", "code_not_reachable"
		a.Detail = "govulncheck: " + reachDetail(f)
	default:
		a.State, a.Justification = "not_affected", "code_not_present"
		a.Detail = "govulncheck: " + reachDetail(f)
	}
	if a.State != "not_affected" && f.Package != nil && len(f.Package.Fixed) > 0 {
		a.Response = []string{"update"}
	}
	return a
}

func reachDetail(f finding.Finding) string {
	switch f.Reachable {
	case finding.Called:
		var steps []string
		for _, fr := range f.Trace {
			s := fr.Function
			if fr.Package != "" {
				s = fr.Package + "." + s
			}
			if fr.Location.Path != "" && !fr.External {
				s += " (" + fr.Location.String() + ")"
			}
			steps = append(steps, s)
		}
		d := "vulnerable code called"
		if len(steps) > 0 {
			d += ": " + strings.Join(steps, " -> ")
		}
		if syms := f.Properties["calledSymbols"]; syms != "" {
			d += "; vulnerable symbols called: " + syms
		}
		return d
	case finding.Imported:
		return "a vulnerable package is imported, no vulnerable symbol is called"
	}
	return "the module is required, no vulnerable package is imported"
}

func cdxVulnerability(f finding.Finding, rule *finding.Rule, ref string) cdxVuln {
	v := cdxVuln{
		ID:             f.RuleID,
		Source:         advisorySource(f.RuleID),
		Recommendation: f.Remediation,
		Analysis:       cdxAnalysisOf(f),
		Affects:        []cdxAffect{{Ref: ref}},
	}
	if f.Package.Version != "" {
		v.Affects[0].Versions = []cdxVersion{{Version: f.Package.Version, Status: "affected"}}
	}
	for _, a := range f.Aliases {
		if a != f.RuleID {
			v.References = append(v.References, cdxReference{ID: a, Source: advisorySource(a)})
		}
	}
	// The advisory's rating: reachability is the analysis's to state.
	sev := f.Severity
	if f.AdvisorySeverity != nil {
		sev = *f.AdvisorySeverity
	}
	rating := cdxRating{Severity: sev.String(), Score: f.Score}
	if f.SeverityUnknown {
		rating = cdxRating{Severity: "unknown"}
	}
	v.Ratings = []cdxRating{rating}
	if rule != nil {
		v.Description = rule.Short
	}
	v.Properties = []cdxProperty{{"scangate:status", f.Status.String()}, {"scangate:tools", cmp.Or(strings.Join(f.Tools, ","), f.Tool)}}
	if f.Package.Manifest != "" {
		v.Properties = append(v.Properties, cdxProperty{"scangate:manifest", f.Package.Manifest})
	}
	if f.Reachable != finding.ReachUnknown {
		v.Properties = append(v.Properties, cdxProperty{"scangate:reachability", f.Reachable.String()})
	}
	return v
}

// advisorySource names the database an advisory ID comes from.
func advisorySource(id string) cdxSource {
	prefix, _, _ := strings.Cut(id, "-")
	switch prefix {
	case "GO":
		return cdxSource{Name: "Go Vulnerability Database", URL: "https://pkg.go.dev/vuln/" + id}
	case "GHSA":
		return cdxSource{Name: "GitHub Advisory Database", URL: "https://github.com/advisories/" + id}
	case "CVE":
		return cdxSource{Name: "NVD", URL: "https://nvd.nist.gov/vuln/detail/" + id}
	}
	return cdxSource{Name: "OSV", URL: "https://osv.dev/vulnerability/" + id}
}

// randomUUID is a version 4 UUID.
func randomUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
