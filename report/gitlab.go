package report

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/model"
)

// GitLabSchemaVersion is the version of GitLab's security report schemas
// (gitlab-org/security-products/security-report-schemas) the GitLab reports
// follow; docs/gitlab.md and testdata/gitlab-schemas/README.md say more.
const GitLabSchemaVersion = "15.2.1"

const gitlabSchemaBase = "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v" + GitLabSchemaVersion + "/dist/"

// The schemas' limits on vulnerability texts, in characters.
const (
	gitlabMaxName        = 255
	gitlabMaxDescription = 1 << 20
	gitlabMaxSolution    = 7000
)

type glReport struct {
	Schema          string       `json:"schema"`
	Version         string       `json:"version"`
	Scan            glScan       `json:"scan"`
	Vulnerabilities []glVuln     `json:"vulnerabilities"`
	DependencyFiles *[]glDepFile `json:"dependency_files,omitempty"`
}

type glScan struct {
	Analyzer  glTool      `json:"analyzer"`
	Scanner   glTool      `json:"scanner"`
	Type      string      `json:"type"`
	StartTime string      `json:"start_time"`
	EndTime   string      `json:"end_time"`
	Status    string      `json:"status"`
	Messages  []glMessage `json:"messages,omitempty"`
}

type glTool struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	URL     string   `json:"url,omitempty"`
	Version string   `json:"version"`
	Vendor  glVendor `json:"vendor"`
}

type glVendor struct {
	Name string `json:"name"`
}

type glMessage struct {
	Level string `json:"level"` // info, warn, fatal
	Value string `json:"value"`
}

type glVuln struct {
	ID          string              `json:"id"`
	Name        string              `json:"name,omitempty"`
	Description string              `json:"description,omitempty"`
	Severity    string              `json:"severity"`
	Solution    string              `json:"solution,omitempty"`
	Identifiers []glIdentifier      `json:"identifiers"`
	Links       []glLink            `json:"links,omitempty"`
	Details     map[string]glDetail `json:"details,omitempty"`
	Location    glLocation          `json:"location"`
}

type glIdentifier struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value"`
	URL   string `json:"url,omitempty"`
}

type glLink struct {
	Name string `json:"name,omitempty"`
	URL  string `json:"url"`
}

// glDetail is a text entry of the vulnerability's details (a named list).
type glDetail struct {
	Name  string `json:"name"`
	Type  string `json:"type"` // "text"
	Value string `json:"value"`
}

type glLocation struct {
	File       string        `json:"file,omitempty"`
	Commit     *glCommit     `json:"commit,omitempty"` // secret detection only
	StartLine  int           `json:"start_line,omitempty"`
	EndLine    int           `json:"end_line,omitempty"`
	Dependency *glDependency `json:"dependency,omitempty"`
}

type glCommit struct {
	SHA string `json:"sha"`
}

type glDependency struct {
	Package glPackage `json:"package"`
	Version string    `json:"version"`
}

type glPackage struct {
	Name string `json:"name"`
}

type glDepFile struct {
	Path           string         `json:"path"`
	PackageManager string         `json:"package_manager"`
	Dependencies   []glDependency `json:"dependencies"`
}

// GitLabSAST writes GitLab's SAST report (gl-sast-report.json): the
// findings of the scanners that analyze code (gosec, bandit).
// scanRoot is the scanned root relative to the repository root, as for
// SARIF: GitLab names files from the project's root.
func GitLabSAST(w io.Writer, s *model.Report, scanRoot string) error {
	return writeGitLab(w, gitlabReport(s, finding.KindCode, scanRoot))
}

// GitLabDependencyScanning writes GitLab's dependency scanning report
// (gl-dependency-scanning-report.json): the findings of the vulnerability
// scanners (govulncheck, osv-scanner, safety), and the manifests they were
// found in.
func GitLabDependencyScanning(w io.Writer, s *model.Report, scanRoot string) error {
	return writeGitLab(w, gitlabReport(s, finding.KindDependencies, scanRoot))
}

// GitLabSecretDetection writes GitLab's secret detection report
// (gl-secret-detection-report.json): the secrets scanner's findings, each
// with its hint and fingerprint, never the secret.
func GitLabSecretDetection(w io.Writer, s *model.Report, scanRoot string) error {
	return writeGitLab(w, gitlabReport(s, finding.KindSecrets, scanRoot))
}

func writeGitLab(w io.Writer, doc *glReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// covers says whether a scanner's run belongs in the report of kind: a
// scanner of unknown kind is in both, so that its failure is never left out.
func covers(r finding.Result, kind finding.Kind) bool {
	return r.Kind == kind || r.Kind == finding.KindUnknown
}

func gitlabReport(s *model.Report, kind finding.Kind, scanRoot string) *glReport {
	scanRoot = strings.Trim(scanRoot, "/")
	if scanRoot == "." {
		scanRoot = ""
	}
	scanType, schema := "sast", "sast-report-format.json"
	switch kind {
	case finding.KindDependencies:
		scanType, schema = "dependency_scanning", "dependency-scanning-report-format.json"
	case finding.KindSecrets:
		scanType, schema = "secret_detection", "secret-detection-report-format.json"
	}
	version := cmp.Or(s.Version, "unknown")
	start := s.Started
	if start.IsZero() {
		start = time.Now().Add(-s.Duration)
	}
	doc := &glReport{
		Schema:  gitlabSchemaBase + schema,
		Version: GitLabSchemaVersion,
		Scan: glScan{
			Analyzer:  glTool{ID: "scangate", Name: "scangate", URL: "https://github.com/scangate/scangate", Version: version, Vendor: glVendor{Name: "scangate"}},
			Type:      scanType,
			StartTime: gitlabTime(start),
			EndTime:   gitlabTime(start.Add(s.Duration)),
			Status:    "success",
		},
		Vulnerabilities: []glVuln{},
	}
	var tools []string
	for _, r := range s.Results {
		if !covers(r, kind) {
			continue
		}
		switch r.State {
		case finding.Completed:
			tools = append(tools, strings.TrimSpace(r.Tool+" "+r.Version))
			for _, n := range r.Notifications {
				if n.Level == finding.LevelError || n.Level == finding.LevelWarning {
					doc.say("warn", oneLine(n.Message))
				}
			}
		case finding.Incomplete:
			// What was not analyzed is not a success, whatever was found.
			doc.Scan.Status = "failure"
			tools = append(tools, strings.TrimSpace(r.Tool+" "+r.Version))
			doc.say("fatal", r.Tool+": could not complete; its findings are partial")
			for _, n := range r.Notifications {
				if n.Level == finding.LevelError {
					doc.say("warn", oneLine(n.Message))
				}
			}
		case finding.Skipped:
			doc.say("info", r.Tool+": skipped "+skipReason(r))
		}
	}
	scanner := "scangate"
	if len(tools) > 0 {
		scanner += " (" + strings.Join(tools, ", ") + ")"
	}
	doc.Scan.Scanner = glTool{ID: "scangate-" + strings.ReplaceAll(scanType, "_", "-"), Name: scanner, Version: version, Vendor: glVendor{Name: "scangate"}}

	var fs []finding.Finding
	rules := map[string]*finding.Rule{}
	for i := range s.Results {
		r := &s.Results[i]
		if !covers(*r, kind) {
			continue
		}
		for _, f := range r.Findings {
			if f.Suppressed() || f.Status == finding.StatusSuppressed {
				continue // GitLab has no suppressed state; its own analyzers leave them out
			}
			if r.Kind == finding.KindUnknown && (f.Package != nil) != (kind == finding.KindDependencies) {
				continue
			}
			f.Location.Path = RepoPath(scanRoot, f.Location.Path)
			if f.Package != nil && f.Package.Manifest != "" {
				pkg := *f.Package
				pkg.Manifest = RepoPath(scanRoot, pkg.Manifest)
				f.Package = &pkg
			}
			fs = append(fs, f)
			if rule := r.Rule(f.RuleID); rule != nil {
				rules[f.Tool+"\x00"+f.RuleID] = rule
			}
		}
	}
	slices.SortStableFunc(fs, func(a, b finding.Finding) int {
		return cmp.Or(cmp.Compare(a.Location.Path, b.Location.Path), cmp.Compare(a.Location.StartLine, b.Location.StartLine),
			cmp.Compare(a.RuleID, b.RuleID), cmp.Compare(a.Fingerprint, b.Fingerprint))
	})
	seen := map[string]int{}
	for _, f := range fs {
		v := gitlabVuln(f, rules[f.Tool+"\x00"+f.RuleID], seen)
		if kind == finding.KindSecrets {
			// The schema requires the commit; the working tree has none, and
			// GitLab's own analyzer writes this one for it.
			v.Location.Commit = &glCommit{SHA: "0000000"}
		}
		doc.Vulnerabilities = append(doc.Vulnerabilities, v)
	}
	if kind == finding.KindDependencies {
		files := dependencyFiles(fs)
		doc.DependencyFiles = &files
	}
	return doc
}

// say adds a scan message; the schemas want one with text.
func (d *glReport) say(level, text string) {
	if text = strings.TrimSpace(text); text != "" {
		d.Scan.Messages = append(d.Scan.Messages, glMessage{Level: level, Value: text})
	}
}

// gitlabTime is the schemas' time format: UTC, to the second, no zone.
func gitlabTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05") }

// gitlabID is a finding's id: its fingerprint in UUID form, so that GitLab
// sees the same id for the same finding in every pipeline. Findings that
// share a fingerprint (the same code twice in a file) are numbered in
// path and line order.
func gitlabID(f finding.Finding, seen map[string]int) string {
	key := f.Fingerprint
	if key == "" {
		key = finding.Fingerprint(f.Tool, f.RuleID, f.Location.Path, strconv.Itoa(f.Location.StartLine))
	}
	n := seen[key]
	seen[key]++
	if n > 0 {
		key += "#" + strconv.Itoa(n)
	}
	sum := sha256.Sum256([]byte(key))
	h := hex.EncodeToString(sum[:16])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func gitlabVuln(f finding.Finding, rule *finding.Rule, seen map[string]int) glVuln {
	v := glVuln{
		ID:          gitlabID(f, seen),
		Name:        Truncate(firstLine(cmp.Or(ruleTitle(rule), f.RuleID)), gitlabMaxName),
		Description: Truncate(Message(f), gitlabMaxDescription),
		Severity:    gitlabSeverity(f),
		Identifiers: gitlabIdentifiers(f, rule),
		Details:     map[string]glDetail{},
	}
	if rule != nil && isHTTP(rule.HelpURI) {
		v.Links = []glLink{{Name: "Rule documentation", URL: rule.HelpURI}}
	}
	tools := f.Tools
	if len(tools) == 0 {
		tools = []string{f.Tool}
	}
	v.Details["tools"] = glDetail{Name: "Reported by", Type: "text", Value: strings.Join(tools, ", ")}
	if f.Fingerprint != "" {
		v.Details["fingerprint"] = glDetail{Name: "scangate fingerprint", Type: "text", Value: f.Fingerprint}
	}
	if f.Status == finding.StatusBaseline {
		v.Details["baseline"] = glDetail{Name: "Baseline", Type: "text", Value: "unchanged: already in the baseline"}
	}
	if f.Package == nil {
		v.Location = glLocation{File: f.Location.Path, StartLine: f.Location.StartLine}
		if f.Location.EndLine >= f.Location.StartLine && f.Location.StartLine > 0 {
			v.Location.EndLine = f.Location.EndLine
		}
		if f.Confidence != "" {
			v.Details["confidence"] = glDetail{Name: "Confidence", Type: "text", Value: f.Confidence}
		}
		return v
	}
	v.Location = glLocation{File: manifestOf(f), Dependency: &glDependency{Package: glPackage{Name: f.Package.Name}, Version: f.Package.Version}}
	if f.Remediation != "" && f.Fixable() {
		v.Solution = Truncate(f.Remediation, gitlabMaxSolution)
	}
	if f.Reachable != finding.ReachUnknown {
		v.Details["reachability"] = glDetail{Name: "Reachability", Type: "text", Value: f.Reachable.String()}
	}
	return v
}

func ruleTitle(r *finding.Rule) string {
	if r == nil {
		return ""
	}
	return cmp.Or(r.Short, r.Name)
}

func gitlabSeverity(f finding.Finding) string {
	if f.SeverityUnknown {
		return "Unknown"
	}
	s := f.Severity.String()
	if f.Severity < finding.Info || f.Severity > finding.Critical {
		return "Unknown"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// gitlabIdentifiers lists the rule or advisory first (GitLab's primary
// identifier), then the advisory's aliases and the rule's CWEs.
func gitlabIdentifiers(f finding.Finding, rule *finding.Rule) []glIdentifier {
	var ids []glIdentifier
	seen := map[string]bool{}
	add := func(id glIdentifier) {
		if id.Value == "" || seen[id.Type+"\x00"+id.Value] {
			return
		}
		seen[id.Type+"\x00"+id.Value] = true
		ids = append(ids, id)
	}
	if f.Package == nil {
		id := glIdentifier{Type: f.Tool + "_rule_id", Name: f.Tool + " " + f.RuleID, Value: f.RuleID}
		if rule != nil && isHTTP(rule.HelpURI) {
			id.URL = rule.HelpURI
		}
		add(id)
	} else {
		add(advisoryIdentifier(f.RuleID, f.Tool))
	}
	for _, a := range f.Aliases {
		add(advisoryIdentifier(a, f.Tool))
	}
	if rule != nil {
		for _, t := range rule.Tags {
			n, ok := strings.CutPrefix(strings.ToLower(t), "external/cwe/cwe-")
			if _, err := strconv.Atoi(n); ok && err == nil {
				add(glIdentifier{Type: "cwe", Name: "CWE-" + n, Value: n, URL: "https://cwe.mitre.org/data/definitions/" + n + ".html"})
			}
		}
	}
	return ids
}

// advisoryIdentifier names an advisory ID by its database: the prefix
// before the first "-" (cve, ghsa, go, pysec, ...), with a link where the
// database has a page per advisory.
func advisoryIdentifier(id, tool string) glIdentifier {
	typ := tool + "_id"
	if p, _, ok := strings.Cut(id, "-"); ok && p != "" {
		typ = strings.ToLower(p)
	}
	out := glIdentifier{Type: typ, Name: id, Value: id}
	esc := url.PathEscape(id)
	switch typ {
	case "cve":
		out.URL = "https://nvd.nist.gov/vuln/detail/" + esc
	case "ghsa":
		out.URL = "https://github.com/advisories/" + esc
	case "go":
		out.URL = "https://pkg.go.dev/vuln/" + esc
	case "pysec", "rustsec", "osv":
		out.URL = "https://osv.dev/vulnerability/" + esc
	}
	return out
}

// manifestOf is the file that brings a dependency in, relative to the root.
func manifestOf(f finding.Finding) string {
	return cmp.Or(f.Package.Manifest, f.Location.Path, f.Module, "unknown")
}

// dependencyFiles lists each manifest with a finding and its vulnerable
// packages (scangate does not list every dependency of a manifest).
func dependencyFiles(fs []finding.Finding) []glDepFile {
	byPath := map[string]*glDepFile{}
	var order []string
	for _, f := range fs {
		if f.Package == nil {
			continue
		}
		p := manifestOf(f)
		df := byPath[p]
		if df == nil {
			df = &glDepFile{Path: p, PackageManager: packageManager(p, f.Package.Ecosystem), Dependencies: []glDependency{}}
			byPath[p] = df
			order = append(order, p)
		}
		d := glDependency{Package: glPackage{Name: f.Package.Name}, Version: f.Package.Version}
		if !slices.Contains(df.Dependencies, d) {
			df.Dependencies = append(df.Dependencies, d)
		}
	}
	slices.Sort(order)
	out := []glDepFile{}
	for _, p := range order {
		df := byPath[p]
		slices.SortFunc(df.Dependencies, func(a, b glDependency) int {
			return cmp.Or(cmp.Compare(a.Package.Name, b.Package.Name), cmp.Compare(a.Version, b.Version))
		})
		out = append(out, *df)
	}
	return out
}

// packageManager names the tool a manifest belongs to, as GitLab's own
// analyzers do; the ecosystem, lower-cased, for a file it does not know.
func packageManager(file, ecosystem string) string {
	switch path.Base(file) {
	case "go.mod", "go.sum":
		return "go"
	case "requirements.txt":
		return "pip"
	case "Pipfile.lock":
		return "pipenv"
	case "poetry.lock":
		return "poetry"
	case "uv.lock":
		return "uv"
	case "package-lock.json", "npm-shrinkwrap.json":
		return "npm"
	case "yarn.lock":
		return "yarn"
	case "pnpm-lock.yaml":
		return "pnpm"
	case "Gemfile.lock", "gems.locked":
		return "bundler"
	case "Cargo.lock":
		return "cargo"
	case "composer.lock":
		return "composer"
	case "pom.xml":
		return "maven"
	case "gradle.lockfile", "buildscript-gradle.lockfile":
		return "gradle"
	}
	if strings.HasSuffix(file, ".txt") && strings.Contains(path.Base(file), "requirements") {
		return "pip"
	}
	return cmp.Or(strings.ToLower(ecosystem), "unknown")
}

// isHTTP says u is a link the schemas accept (^https?://.+).
func isHTTP(u string) bool {
	rest, ok := strings.CutPrefix(u, "https://")
	if !ok {
		rest, ok = strings.CutPrefix(u, "http://")
	}
	return ok && rest != "" && !strings.HasPrefix(rest, "\n")
}
