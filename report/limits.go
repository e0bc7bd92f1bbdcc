package report

import (
	"cmp"
	"compress/gzip"
	"fmt"
	"io"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/scangate/scangate/finding"
)

// Limits are the most GitHub code scanning accepts in one SARIF upload
// (docs.github.com, "SARIF support for code scanning"); above them the
// whole upload is rejected.
type Limits struct {
	Runs                int // runs per file
	ResultsPerRun       int
	RulesPerRun         int
	LocationsPerResult  int // locations and relatedLocations, each
	ThreadFlowLocations int // per result, over all its code flows
	TagsPerRule         int
	GzipBytes           int // the gzipped file
}

// GitHubLimits are GitHub's documented limits. The size limit is "10 MB";
// we read it as 10,000,000 bytes, the stricter reading.
var GitHubLimits = Limits{
	Runs:                20,
	ResultsPerRun:       25_000,
	RulesPerRun:         25_000,
	LocationsPerResult:  1_000,
	ThreadFlowLocations: 10_000,
	TagsPerRule:         20,
	GzipBytes:           10_000_000,
}

func (l Limits) orDefault() Limits {
	d := GitHubLimits
	return Limits{
		Runs:                cmp.Or(l.Runs, d.Runs),
		ResultsPerRun:       cmp.Or(l.ResultsPerRun, d.ResultsPerRun),
		RulesPerRun:         cmp.Or(l.RulesPerRun, d.RulesPerRun),
		LocationsPerResult:  cmp.Or(l.LocationsPerResult, d.LocationsPerResult),
		ThreadFlowLocations: cmp.Or(l.ThreadFlowLocations, d.ThreadFlowLocations),
		TagsPerRule:         cmp.Or(l.TagsPerRule, d.TagsPerRule),
		GzipBytes:           cmp.Or(l.GzipBytes, d.GzipBytes),
	}
}

// moreSevere orders findings for truncation: the most severe first, then
// new before baseline before suppressed, then by place. What is cut is
// always the tail of this order.
func moreSevere(a, b finding.Finding) int {
	return cmp.Or(
		cmp.Compare(b.Severity, a.Severity),
		cmp.Compare(securityScore(b), securityScore(a)),
		cmp.Compare(a.Status, b.Status),
		cmp.Compare(a.Location.Path, b.Location.Path),
		cmp.Compare(a.Location.StartLine, b.Location.StartLine),
		cmp.Compare(a.RuleID, b.RuleID),
		cmp.Compare(a.Fingerprint, b.Fingerprint))
}

func worstOf(fs []finding.Finding) finding.Finding {
	var w finding.Finding
	for i, f := range fs {
		if i == 0 || moreSevere(f, w) < 0 {
			w = f
		}
	}
	return w
}

// fitResults returns a copy of results that fits lim, with a warning
// notification in each run it changed. The caller's results are not
// modified. The order of truncation, documented in docs/github.md:
//  1. two results of the same tool are merged, because GitHub rejects two
//     runs with the same tool and automationDetails.id, then split into one
//     run per category of units (splitRuns);
//  2. absolute paths, which must not leak, lose their location; a finding
//     without a location (GitHub requires one) takes its manifest's, or is
//     left out with a warning;
//  3. each rule keeps at most TagsPerRule tags: "security" and CWE tags first;
//  4. each finding keeps the first ThreadFlowLocations steps of its trace;
//  5. each run keeps its ResultsPerRun most severe findings;
//  6. each run keeps the RulesPerRun rules with the most severe findings
//     (rules without findings last) and drops the findings of the others;
//  7. the file keeps the Runs runs with the most severe findings.
//
// The size limit is applied afterwards, on the rendered document
// (shrinkSARIF).
func fitResults(results []finding.Result, opt SARIFOptions, lim Limits) []runPart {
	merged := mergeTools(results)
	out, _ := splitRuns(merged, opt.Category, splitLevel(merged, lim.Runs), opt.KeepIncomplete)
	for i := range out {
		fitRun(&out[i].Result, lim)
	}
	if len(out) > lim.Runs {
		order := make([]int, len(out))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int {
			fa, fb := out[a].Findings, out[b].Findings
			switch {
			case len(fa) == 0 || len(fb) == 0:
				return cmp.Compare(len(fb), len(fa))
			}
			return moreSevere(worstOf(fa), worstOf(fb))
		})
		keep := order[:lim.Runs]
		slices.Sort(keep)
		var dropped []string
		for i := range out {
			if !slices.Contains(keep, i) {
				dropped = append(dropped, fmt.Sprintf("%s (%d findings)", out[i].id, len(out[i].Findings)))
			}
		}
		var kept []runPart
		for _, i := range keep {
			kept = append(kept, out[i])
		}
		out = kept
		out[0].Warnf("scangate: GitHub accepts at most %d runs per SARIF file; dropped the runs with the least severe findings: %s",
			lim.Runs, strings.Join(dropped, ", "))
	}
	return out
}

func fitRun(r *finding.Result, lim Limits) {
	// 2. Locations. An absolute path must not leak; a result without a
	// location is rejected by GitHub: it falls back to its manifest, or
	// stays out of the SARIF (it is still in the other reports).
	abs, moved := 0, 0
	var homeless []finding.Finding
	kept := r.Findings[:0]
	for _, f := range r.Findings {
		if isAbsPath(f.Location.Path) {
			f.Location = finding.Location{}
			abs++
		}
		if f.Location.Path == "" && f.Package != nil && f.Package.Manifest != "" && !isAbsPath(f.Package.Manifest) {
			f.Location = finding.Location{Path: f.Package.Manifest}
			moved++
		}
		if f.Location.Path == "" {
			homeless = append(homeless, f)
			continue
		}
		if hasAbsFrame(f.Trace) {
			f.Trace = slices.Clone(f.Trace)
			for j := range f.Trace {
				if isAbsPath(f.Trace[j].Location.Path) {
					f.Trace[j].Location = finding.Location{}
					abs++
				}
			}
		}
		kept = append(kept, f)
	}
	r.Findings = kept
	for i := range r.Notifications {
		if isAbsPath(r.Notifications[i].Location.Path) {
			r.Notifications[i].Location = finding.Location{}
			abs++
		}
	}
	if abs > 0 {
		r.Warnf("scangate: %d locations had an absolute path; they were left out rather than leak a machine path", abs)
	}
	if moved > 0 {
		r.Warnf("scangate: %d findings without a source location are shown at their manifest", moved)
	}
	if len(homeless) > 0 {
		r.Warnf("scangate: %d findings have no location in the scanned tree, which GitHub requires; they are left out of the SARIF and listed in the other reports (%s)",
			len(homeless), countBySeverity(homeless))
	}

	// 3. Tags per rule (we add "security" to each rule's tags).
	cut := 0
	for i := range r.Rules {
		if tags := r.Rules[i].Tags; len(tags)+1 > lim.TagsPerRule {
			r.Rules[i].Tags = fitTags(tags, lim.TagsPerRule-1)
			cut++
		}
	}
	if cut > 0 {
		r.Warnf("scangate: GitHub accepts at most %d tags per rule; %d rules kept \"security\" and their CWE tags first", lim.TagsPerRule, cut)
	}

	// 4. Thread-flow locations: one code flow per finding, one location per frame.
	cut = 0
	for i := range r.Findings {
		if f := &r.Findings[i]; len(f.Trace) > lim.ThreadFlowLocations {
			f.Trace = f.Trace[:lim.ThreadFlowLocations:lim.ThreadFlowLocations]
			cut++
		}
	}
	if cut > 0 {
		r.Warnf("scangate: GitHub accepts at most %d thread-flow locations per result; %d call paths keep their first %d steps",
			lim.ThreadFlowLocations, cut, lim.ThreadFlowLocations)
	}

	// 5. Results per run.
	if n := len(r.Findings); n > lim.ResultsPerRun {
		slices.SortStableFunc(r.Findings, moreSevere)
		dropped := r.Findings[lim.ResultsPerRun:]
		r.Warnf("scangate: GitHub accepts at most %d results per run; kept the %d most severe of %d (dropped %s)",
			lim.ResultsPerRun, lim.ResultsPerRun, n, countBySeverity(dropped))
		r.Findings = r.Findings[:lim.ResultsPerRun]
	}

	// 6. Rules per run, counting the rules sarifRun adds for findings
	// whose rule the adapter did not describe.
	worst := map[string]finding.Finding{}
	ids := []string{}
	for _, rule := range r.Rules {
		ids = append(ids, rule.ID)
	}
	for _, f := range r.Findings {
		w, ok := worst[f.RuleID]
		if !ok && r.Rule(f.RuleID) == nil && !slices.Contains(ids, f.RuleID) {
			ids = append(ids, f.RuleID)
		}
		if !ok || moreSevere(f, w) < 0 {
			worst[f.RuleID] = f
		}
	}
	if len(ids) > lim.RulesPerRun {
		slices.SortStableFunc(ids, func(a, b string) int {
			wa, oka := worst[a]
			wb, okb := worst[b]
			if !oka || !okb {
				return cmp.Compare(b2i(okb), b2i(oka))
			}
			return moreSevere(wa, wb)
		})
		keep := map[string]bool{}
		for _, id := range ids[:lim.RulesPerRun] {
			keep[id] = true
		}
		rules := r.Rules[:0:0]
		for _, rule := range r.Rules {
			if keep[rule.ID] {
				rules = append(rules, rule)
			}
		}
		findings := r.Findings[:0:0]
		var dropped []finding.Finding
		for _, f := range r.Findings {
			if keep[f.RuleID] {
				findings = append(findings, f)
			} else {
				dropped = append(dropped, f)
			}
		}
		r.Warnf("scangate: GitHub accepts at most %d rules per run; kept the %d rules with the most severe findings of %d, dropping %d findings (%s)",
			lim.RulesPerRun, lim.RulesPerRun, len(ids), len(dropped), countBySeverity(dropped))
		r.Rules, r.Findings = rules, findings
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func hasAbsFrame(tr []finding.Frame) bool {
	for _, fr := range tr {
		if isAbsPath(fr.Location.Path) {
			return true
		}
	}
	return false
}

// fitTags keeps n tags: CWE tags first, then the others, each in order.
func fitTags(tags []string, n int) []string {
	var cwe, other []string
	for _, t := range tags {
		if t == "security" {
			continue
		}
		if strings.HasPrefix(t, "external/cwe/") {
			cwe = append(cwe, t)
		} else {
			other = append(other, t)
		}
	}
	all := append(cwe, other...)
	return all[:min(n, len(all))]
}

// countBySeverity breaks findings down by severity so that the parts add
// up: those of unknown severity count as unknown, not as what they are
// gated as.
func countBySeverity(fs []finding.Finding) string {
	m := map[finding.Severity]int{}
	unknown := 0
	for _, f := range fs {
		if f.SeverityUnknown {
			unknown++
			continue
		}
		m[f.Severity]++
	}
	return bySeverity(m, unknown)
}

var winAbsRE = regexp.MustCompile(`^[A-Za-z]:[\\/]`)

// isAbsPath reports a path that names a place on some machine rather than
// a place in the scanned tree: /x, \x, C:\x, file:///x.
func isAbsPath(p string) bool {
	return strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) || winAbsRE.MatchString(p) ||
		strings.HasPrefix(strings.ToLower(p), "file:")
}

// uriRef encodes a relative path as a SARIF uri, which must be a valid
// URI reference: each segment is percent-encoded (spaces, '%', '#', '?'
// and ':' included, so that "a:b.go" is not read as a scheme) and "/"
// stays the separator.
func uriRef(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
	}
	return strings.Join(segs, "/")
}

// fitSARIF builds the document within opt.Limits (GitHub's by default).
func fitSARIF(results []finding.Result, opt SARIFOptions) (*sarif.Report, error) {
	lim := opt.Limits.orDefault()
	fitted := fitResults(results, opt, lim)
	doc := buildSARIF(fitted, opt, lim)
	size, err := gzipSizeOver(doc, lim.GzipBytes)
	if err != nil {
		return nil, fmt.Errorf("sarif: render: %w", err)
	}
	if size <= lim.GzipBytes {
		return doc, nil
	}
	return shrinkSARIF(fitted, opt, lim, size)
}

func buildSARIF(results []runPart, opt SARIFOptions, lim Limits) *sarif.Report {
	doc := sarif.NewReport()
	for i := range results {
		doc.AddRun(sarifRun(&results[i], opt))
	}
	enforceDocument(doc, lim)
	return doc
}

// shrinkSARIF makes the file fit GzipBytes: first it drops the rules no
// result uses; if that is not enough, it keeps the K most severe findings
// of the whole file, for the largest K that fits, and the rules they use.
func shrinkSARIF(results []runPart, opt SARIFOptions, lim Limits, size int) (*sarif.Report, error) {
	type ref struct{ run, i int }
	var all []ref
	for r := range results {
		for i := range results[r].Findings {
			all = append(all, ref{r, i})
		}
	}
	slices.SortStableFunc(all, func(a, b ref) int {
		return moreSevere(results[a.run].Findings[a.i], results[b.run].Findings[b.i])
	})
	keepTop := func(k int) []runPart {
		out := slices.Clone(results)
		for r := range out {
			out[r].Findings = nil
		}
		for _, x := range all[:k] {
			out[x.run].Findings = append(out[x.run].Findings, results[x.run].Findings[x.i])
		}
		for r := range out {
			used := map[string]bool{}
			for _, f := range out[r].Findings {
				used[f.RuleID] = true
			}
			out[r].Rules = slices.DeleteFunc(slices.Clone(results[r].Rules), func(rule finding.Rule) bool { return !used[rule.ID] })
			out[r].Notifications = slices.Clone(results[r].Notifications)
			lost := len(results[r].Findings) - len(out[r].Findings)
			if lost > 0 {
				var dropped []finding.Finding
				for _, x := range all[k:] {
					if x.run == r {
						dropped = append(dropped, results[r].Findings[x.i])
					}
				}
				out[r].Warnf("scangate: GitHub accepts SARIF files up to %d bytes gzipped; the file keeps its %d most severe results of %d, and this run lost %d (%s)",
					lim.GzipBytes, k, len(all), lost, countBySeverity(dropped))
			}
			if n := len(results[r].Rules) - len(out[r].Rules); n > 0 {
				out[r].Warnf("scangate: GitHub accepts SARIF files up to %d bytes gzipped; this run leaves out %d rules that no result in the file uses",
					lim.GzipBytes, n)
			}
		}
		return out
	}
	fits := func(k int) (*sarif.Report, int, error) {
		doc := buildSARIF(keepTop(k), opt, lim)
		n, err := gzipSizeOver(doc, lim.GzipBytes)
		return doc, n, err
	}
	doc, n, err := fits(len(all))
	if err != nil {
		return nil, fmt.Errorf("sarif: render: %w", err)
	}
	if n <= lim.GzipBytes {
		return doc, nil
	}
	size = n
	// The largest k that fits, by bisection; the first probe is the
	// proportional guess, which is usually close.
	lo, hi := -1, len(all) // fits(lo) or lo == -1; !fits(hi)
	var best *sarif.Report
	mid := len(all) * lim.GzipBytes / size
	for hi-lo > 1 {
		mid = min(max(mid, lo+1), hi-1)
		doc, n, err := fits(mid)
		if err != nil {
			return nil, fmt.Errorf("sarif: render: %w", err)
		}
		if n <= lim.GzipBytes {
			lo, best = mid, doc
		} else {
			hi = mid
		}
		mid = lo + (hi-lo)/2
	}
	if best == nil {
		return nil, fmt.Errorf("sarif: the document is larger than %d bytes gzipped even without results", lim.GzipBytes)
	}
	return best, nil
}

// enforceDocument applies the limits that live in the rendered document
// rather than in our model: locations per result.
func enforceDocument(doc *sarif.Report, lim Limits) {
	for _, run := range doc.Runs {
		cut := 0
		for _, res := range run.Results {
			if len(res.Locations) > lim.LocationsPerResult {
				res.Locations = res.Locations[:lim.LocationsPerResult]
				cut++
			}
			if len(res.RelatedLocations) > lim.LocationsPerResult {
				res.RelatedLocations = res.RelatedLocations[:lim.LocationsPerResult]
				cut++
			}
		}
		if cut > 0 {
			addWarning(run, fmt.Sprintf("scangate: GitHub accepts at most %d locations per result; %d location lists were cut", lim.LocationsPerResult, cut))
		}
	}
}

func addWarning(run *sarif.Run, msg string) {
	if len(run.Invocations) == 0 {
		run.AddInvocation(sarif.NewInvocation().WithExecutionSuccessful(true))
	}
	run.Invocations[0].AddToolExecutionNotification(
		sarif.NewNotification().WithLevel("warning").WithMessage(sarif.NewTextMessage(msg)))
}

// gzipSizeOver returns GzipSize, or a number at most limit without
// compressing when the document is small enough that it cannot exceed it.
func gzipSizeOver(doc *sarif.Report, limit int) (int, error) {
	var c countWriter
	if err := doc.PrettyWrite(&c); err != nil {
		return 0, err
	}
	// gzip adds at most a few bytes per 32 KiB block to incompressible data.
	if c.n+c.n/1000+64 <= limit {
		return c.n, nil
	}
	return GzipSize(doc)
}

// GzipSize is the size of the document as written (PrettyWrite), gzipped at
// the default level, which is what upload-sarif sends.
func GzipSize(doc *sarif.Report) (int, error) {
	var c countWriter
	zw := gzip.NewWriter(&c)
	if err := doc.PrettyWrite(zw); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return c.n, nil
}

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

// CheckLimits inspects a rendered document and returns every way it would
// be rejected by GitHub code scanning (nil when it would be accepted): the
// limits above, duplicate tool and category pairs, security-severity that
// is not a number in a string, and artifact URIs that are absolute or not
// relative references.
func CheckLimits(doc *sarif.Report, lim Limits) []string {
	lim = lim.orDefault()
	var bad []string
	if len(doc.Runs) > lim.Runs {
		bad = append(bad, fmt.Sprintf("%d runs (limit %d)", len(doc.Runs), lim.Runs))
	}
	seen := map[string]bool{}
	for i, run := range doc.Runs {
		name := ""
		if run.Tool != nil && run.Tool.Driver != nil && run.Tool.Driver.Name != nil {
			name = *run.Tool.Driver.Name
		}
		id := ""
		if run.AutomationDetails != nil && run.AutomationDetails.ID != nil {
			id = *run.AutomationDetails.ID
		}
		if seen[name+"\x00"+id] {
			bad = append(bad, fmt.Sprintf("run %d: a second run of %s with automationDetails.id %q", i, name, id))
		}
		seen[name+"\x00"+id] = true
		if n := len(run.Results); n > lim.ResultsPerRun {
			bad = append(bad, fmt.Sprintf("run %d (%s): %d results (limit %d)", i, name, n, lim.ResultsPerRun))
		}
		var rules []*sarif.ReportingDescriptor
		if run.Tool != nil && run.Tool.Driver != nil {
			rules = run.Tool.Driver.Rules
		}
		if len(rules) > lim.RulesPerRun {
			bad = append(bad, fmt.Sprintf("run %d (%s): %d rules (limit %d)", i, name, len(rules), lim.RulesPerRun))
		}
		for _, rule := range rules {
			id := ""
			if rule.ID != nil {
				id = *rule.ID
			}
			if rule.Properties == nil {
				continue
			}
			if n := len(rule.Properties.Tags); n > lim.TagsPerRule {
				bad = append(bad, fmt.Sprintf("run %d rule %s: %d tags (limit %d)", i, id, n, lim.TagsPerRule))
			}
			if v, ok := rule.Properties.Properties["security-severity"]; ok {
				s, isString := v.(string)
				f, err := strconv.ParseFloat(s, 64)
				if !isString || err != nil || f < 0 || f > 10 {
					bad = append(bad, fmt.Sprintf("run %d rule %s: security-severity %#v is not a number 0-10 in a string", i, id, v))
				}
			}
		}
		for j, res := range run.Results {
			if res.RuleIndex >= len(rules) || (res.RuleIndex >= 0 && res.RuleID != nil && rules[res.RuleIndex].ID != nil && *rules[res.RuleIndex].ID != *res.RuleID) {
				bad = append(bad, fmt.Sprintf("run %d result %d: ruleIndex %d does not name rule %v", i, j, res.RuleIndex, res.RuleID))
			}
			if n := len(res.Locations); n > lim.LocationsPerResult {
				bad = append(bad, fmt.Sprintf("run %d result %d: %d locations (limit %d)", i, j, n, lim.LocationsPerResult))
			}
			if n := len(res.RelatedLocations); n > lim.LocationsPerResult {
				bad = append(bad, fmt.Sprintf("run %d result %d: %d related locations (limit %d)", i, j, n, lim.LocationsPerResult))
			}
			tfl := 0
			for _, cf := range res.CodeFlows {
				for _, tf := range cf.ThreadFlows {
					tfl += len(tf.Locations)
					for _, l := range tf.Locations {
						if l.Location != nil {
							bad = append(bad, checkURI(l.Location.PhysicalLocation, i, j)...)
						}
					}
				}
			}
			if tfl > lim.ThreadFlowLocations {
				bad = append(bad, fmt.Sprintf("run %d result %d: %d thread-flow locations (limit %d)", i, j, tfl, lim.ThreadFlowLocations))
			}
			for _, l := range append(slices.Clone(res.Locations), res.RelatedLocations...) {
				bad = append(bad, checkURI(l.PhysicalLocation, i, j)...)
			}
		}
	}
	if n, err := GzipSize(doc); err != nil {
		bad = append(bad, fmt.Sprintf("cannot render: %v", err))
	} else if n > lim.GzipBytes {
		bad = append(bad, fmt.Sprintf("%d bytes gzipped (limit %d)", n, lim.GzipBytes))
	}
	return bad
}

func checkURI(pl *sarif.PhysicalLocation, run, res int) []string {
	if pl == nil || pl.ArtifactLocation == nil || pl.ArtifactLocation.URI == nil {
		return nil
	}
	u := *pl.ArtifactLocation.URI
	ref, err := url.Parse(u)
	switch {
	case err != nil:
		return []string{fmt.Sprintf("run %d result %d: uri %q is not a URI reference: %v", run, res, u, err)}
	case ref.IsAbs() || strings.HasPrefix(u, "/") || ref.Host != "":
		return []string{fmt.Sprintf("run %d result %d: uri %q is absolute", run, res, u)}
	case path.IsAbs(ref.Path) || strings.HasPrefix(ref.Path, "../"):
		return []string{fmt.Sprintf("run %d result %d: uri %q leaves the source root", run, res, u)}
	}
	return nil
}
