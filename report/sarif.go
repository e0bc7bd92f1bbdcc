// Package report renders the scan report (model.Report): SARIF 2.1.0 for
// code scanning, a text and a markdown summary for people, the pull
// request comment, JSON for programs, GitLab's reports, JUnit and CycloneDX.
// Outputs is the one table of formats; Write writes each output named, each
// atomically. It depends on the model and finding only: it knows nothing of
// the pipeline or any one scanner.
package report

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/model"
)

// SARIFOptions tune the SARIF document.
type SARIFOptions struct {
	// Category prefixes each run's automationDetails.id ("scangate/" by
	// default), so that each tool is its own code-scanning category.
	Category string
	// Baseline says a baseline was compared, so results carry baselineState.
	Baseline bool
	// Limits bound the document; zero fields take GitHubLimits. See fitResults
	// for what is cut, in which order, when a scan exceeds them.
	Limits Limits
	// ScanRoot is the scanned root relative to the repository root
	// ("services/api", "/"-separated; "" when they are the same): URIs are
	// relative to the repository root, which is how code scanning reads them.
	ScanRoot string
	// KeepIncomplete keeps the runs of tools, or of their units, that could
	// not complete. By default they are left out: code scanning takes an
	// uploaded run as the whole current state of its category, so an empty
	// or partial run would close alerts that still hold. A tool's completed
	// units have runs of their own (splitRuns) and are written either way.
	KeepIncomplete bool
}

// SARIF builds one run per tool that ran, or per group of its units (Go
// modules, lockfiles) when it has several, each in its own category;
// skipped tools have no run, nor incomplete tools or units unless
// opt.KeepIncomplete. It stays within GitHub's upload limits (opt.Limits).
func SARIF(results []finding.Result, opt SARIFOptions) (*sarif.Report, error) {
	if opt.Category == "" {
		opt.Category = "scangate/"
	}
	if !strings.HasSuffix(opt.Category, "/") {
		opt.Category += "/"
	}
	opt.ScanRoot = strings.Trim(opt.ScanRoot, "/")
	if opt.ScanRoot == "." {
		opt.ScanRoot = ""
	}
	rep, err := fitSARIF(results, opt)
	if err != nil {
		return nil, err
	}
	if err := rep.Validate(); err != nil {
		return nil, fmt.Errorf("sarif: generated document is not valid SARIF 2.1.0: %w", err)
	}
	return rep, nil
}

var semverRE = regexp.MustCompile(`^v?(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?)$`)

func sarifRun(part *runPart, opt SARIFOptions) *sarif.Run {
	res := &part.Result
	run := sarif.NewRunWithInformationURI(res.Tool, res.InformationURI)
	if res.InformationURI == "" {
		run.Tool.Driver.InformationURI = nil
	}
	if res.Version != "" {
		run.Tool.Driver.WithVersion(res.Version)
		if m := semverRE.FindStringSubmatch(res.Version); m != nil {
			run.Tool.Driver.WithSemanticVersion(m[1])
		}
	}
	run.WithAutomationDetails(sarif.NewRunAutomationDetails().WithID(part.id))
	// No uri for %SRCROOT%: it would be a path of the scanning machine.
	// GitHub resolves relative URIs against the checkout.
	bases := map[string]sarif.ArtifactLocation{
		"%SRCROOT%": *sarif.NewArtifactLocation().WithDescription(sarif.NewTextMessage("The root of the repository (the scanned directory when no .git was found above it).")),
	}
	if opt.ScanRoot != "" {
		bases[model.ScanRootBaseID] = *sarif.NewSimpleArtifactLocation(uriRef(opt.ScanRoot) + "/").WithURIBaseID("%SRCROOT%").
			WithDescription(sarif.NewTextMessage("The scanned directory, relative to the root of the repository."))
	}
	run.WithOriginalUriBaseIds(bases)
	external := false
	for _, f := range res.Findings {
		for _, fr := range f.Trace {
			external = external || fr.External
		}
	}
	if external {
		run.OriginalUriBaseIds["%GOMODCACHE%"] = *sarif.NewArtifactLocation().WithDescription(
			sarif.NewTextMessage("The Go module cache; paths are module@version/file."))
	}

	// Rules in a stable order; a finding whose rule the adapter did not
	// describe still gets one so that ruleIndex is always valid.
	// Findings of unknown severity give no score: GitHub shows the level
	// instead of a made-up security-severity.
	worst := map[string]float64{}
	for _, f := range res.Findings {
		if !f.SeverityUnknown {
			worst[f.RuleID] = max(worst[f.RuleID], securityScore(f))
		}
	}
	rules := append([]finding.Rule(nil), res.Rules...)
	for _, f := range res.Findings {
		if res.Rule(f.RuleID) == nil && !hasRule(rules, f.RuleID) {
			rules = append(rules, finding.Rule{ID: f.RuleID, Short: firstLine(f.Message), Severity: f.Severity, SeverityUnknown: f.SeverityUnknown})
		}
	}
	sort.SliceStable(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	for _, r := range rules {
		addRule(run, r, worst[r.ID])
	}

	for _, f := range res.Findings {
		sarifResult(run, f, opt) // CreateResultForRule adds it to the run
	}

	inv := sarif.NewInvocation().WithExecutionSuccessful(res.State == finding.Completed)
	for _, n := range res.Notifications {
		note := sarif.NewNotification().WithLevel(string(n.Level)).WithMessage(sarif.NewTextMessage(n.Message))
		if n.Location.Path != "" {
			note.AddLocation(physical(n.Location, opt.ScanRoot))
		}
		inv.AddToolExecutionNotification(note)
	}
	run.AddInvocation(inv)
	return run
}

func hasRule(rules []finding.Rule, id string) bool {
	for _, r := range rules {
		if r.ID == id {
			return true
		}
	}
	return false
}

func addRule(run *sarif.Run, r finding.Rule, worst float64) {
	d := run.AddRule(r.ID)
	if r.Name != "" {
		d.WithName(r.Name)
	}
	short := r.Short
	if short == "" {
		short = r.ID
	}
	d.WithShortDescription(sarif.NewMultiformatMessageString().WithText(short))
	full := r.Full
	if full == "" {
		full = short
	}
	d.WithFullDescription(sarif.NewMultiformatMessageString().WithText(full))
	help := r.Help
	if help == "" {
		help = full
	}
	hm := sarif.NewMultiformatMessageString().WithText(help)
	if r.HelpMarkdown != "" {
		hm.WithMarkdown(r.HelpMarkdown)
	}
	d.WithHelp(hm)
	if r.HelpURI != "" {
		d.WithHelpURI(r.HelpURI)
	}
	// The worst finding decides, so that the rule's score matches what the
	// user sees; the rule's own score applies when it has no finding.
	score := worst
	unknown := score == 0 && r.SeverityUnknown
	if score == 0 {
		score = r.Score
	}
	if score == 0 {
		score = r.Severity.Score()
	}
	d.WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(Level(finding.SeverityFromScore(score))))
	tags := []string{"security"}
	for _, t := range r.Tags {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	props := sarif.NewPropertyBag()
	if unknown {
		props.Add("severity", "unknown")
	} else {
		props.Add("security-severity", strconv.FormatFloat(score, 'f', 1, 64))
	}
	d.WithProperties(props.
		Add("problem.severity", problemSeverity(finding.SeverityFromScore(score))).
		WithTags(tags))
}

// Level maps our severity to SARIF's result level.
func Level(s finding.Severity) string {
	switch {
	case s >= finding.High:
		return sarif.LevelError
	case s == finding.Medium:
		return sarif.LevelWarning
	}
	return sarif.LevelNote
}

func problemSeverity(s finding.Severity) string {
	switch {
	case s >= finding.High:
		return "error"
	case s == finding.Medium:
		return "warning"
	}
	return "recommendation"
}

// securityScore is the finding's GitHub security-severity: its CVSS score
// when it has one (adjusted to its severity band if policy moved it), else
// the default score of its severity.
func securityScore(f finding.Finding) float64 { return f.SecurityScore() }

// RepoPath turns p, relative to the scanned root, into a path from the
// repository root; scanRoot is the scanned root relative to the repository
// root ("" when the same). SARIF and annotations both name files with it.
func RepoPath(scanRoot, p string) string {
	if scanRoot == "" || p == "" {
		return p
	}
	return scanRoot + "/" + p
}

// physical locates l, relative to the scanned root, from the repository root.
func physical(l finding.Location, scanRoot string) *sarif.Location {
	al := sarif.NewSimpleArtifactLocation(uriRef(RepoPath(scanRoot, l.Path))).WithURIBaseID("%SRCROOT%")
	pl := sarif.NewPhysicalLocation().WithArtifactLocation(al)
	if l.StartLine > 0 {
		reg := sarif.NewRegion().WithStartLine(l.StartLine)
		if l.StartColumn > 0 {
			reg.WithStartColumn(l.StartColumn)
		}
		if l.EndLine >= l.StartLine {
			reg.WithEndLine(l.EndLine)
		}
		if l.EndColumn > 0 && (l.EndLine > l.StartLine || l.EndColumn > l.StartColumn) {
			reg.WithEndColumn(l.EndColumn)
		}
		pl.WithRegion(reg)
	}
	return sarif.NewLocationWithPhysicalLocation(pl)
}

func sarifResult(run *sarif.Run, f finding.Finding, opt SARIFOptions) *sarif.Result {
	level := Level(f.Severity)
	if f.Fails && f.Reachable == finding.Called {
		level = sarif.LevelError // it fails the gate whatever its severity
	}
	r := run.CreateResultForRule(f.RuleID).
		WithLevel(level).
		WithMessage(sarif.NewTextMessage(Message(f))).
		WithPartialFingerprints(map[string]string{model.FingerprintKey: f.Fingerprint})
	if f.Location.Path != "" {
		r.AddLocation(physical(f.Location, opt.ScanRoot))
	}
	if len(f.Trace) > 0 {
		r.AddCodeFlow(codeFlow(f.Trace, opt.ScanRoot))
	}
	props := sarif.NewPropertyBag()
	if f.SeverityUnknown {
		props.Add("severity", "unknown").Add("gated-as", f.Severity.String())
	} else {
		props.Add("severity", f.Severity.String())
	}
	if f.SeverityFrom != "" {
		props.Add("severity-from", f.SeverityFrom)
	}
	if f.Score > 0 {
		props.Add("cvss-score", f.Score)
	}
	if f.Package != nil && !f.Fixable() {
		props.Add("unfixed", true)
	}
	if f.Confidence != "" {
		props.Add("confidence", f.Confidence)
	}
	if len(f.Tools) > 0 {
		props.Add("tools", f.Tools)
	}
	if len(f.Aliases) > 0 {
		props.Add("aliases", f.Aliases)
	}
	if f.Reachable != finding.ReachUnknown {
		props.Add("reachability", f.Reachable.String())
	}
	if f.Module != "" {
		props.Add("module", f.Module)
	}
	if p := f.Package; p != nil {
		props.Add("package", map[string]any{"ecosystem": p.Ecosystem, "name": p.Name, "version": p.Version, "fixed": p.Fixed})
	}
	for k, v := range f.ReportedProperties() {
		props.Add(k, v)
	}
	r.WithProperties(props)
	for _, s := range f.Suppressions {
		sup := sarif.NewSuppression().WithKind(s.Kind).WithStatus("accepted")
		if s.Justification != "" {
			sup.WithJustification(s.Justification)
		}
		if s.Marker != "" {
			sup.WithProperties(sarif.NewPropertyBag().Add("marker", s.Marker))
		}
		r.AddSuppression(sup)
	}
	if opt.Baseline {
		if f.Status == finding.StatusBaseline {
			r.WithBaselineState("unchanged")
		} else {
			r.WithBaselineState("new")
		}
	}
	return r
}

func codeFlow(trace []finding.Frame, scanRoot string) *sarif.CodeFlow {
	tf := sarif.NewThreadFlow()
	for _, fr := range trace {
		loc := sarif.NewLocation().WithMessage(sarif.NewTextMessage(frameName(fr)))
		if fr.Location.Path != "" {
			var pl *sarif.Location
			if fr.External { // module@version/file, from the module cache
				pl = physical(fr.Location, "")
				pl.PhysicalLocation.ArtifactLocation.WithURIBaseID("%GOMODCACHE%")
			} else {
				pl = physical(fr.Location, scanRoot)
			}
			loc.WithPhysicalLocation(pl.PhysicalLocation)
		}
		tf.AddLocation(sarif.NewThreadFlowLocation().WithLocation(loc).WithModule(fr.Package))
	}
	return sarif.NewCodeFlow().AddThreadFlow(tf)
}

func frameName(fr finding.Frame) string {
	if fr.Package != "" && fr.Function != "" {
		return fr.Package + "." + fr.Function
	}
	return fr.Function + fr.Package
}

// Message is the one-paragraph text of a finding as users see it in SARIF
// and summaries: the tool's message plus what to do about it.
func Message(f finding.Finding) string {
	msg := strings.TrimSpace(f.Message)
	if msg == "" {
		msg = f.RuleID
	}
	if f.SeverityUnknown {
		msg = sentence(msg) + " Severity unknown: no CVSS score or severity label in the advisory or its aliases (gated as " + f.Severity.String() + ")."
	}
	if f.Package != nil && !f.Fixable() && !strings.Contains(msg, "No fixed version") {
		msg = sentence(msg) + " No fixed version is known."
	}
	if rem := f.Remediation; rem != "" && f.Fixable() && !strings.Contains(msg, rem) {
		msg = sentence(msg) + " Fix: " + rem + "."
	}
	return msg
}

func sentence(s string) string {
	if strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
