package workflows

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
)

// The rules. Three are zizmor's audits under their names, narrowed to
// what is certain from the file alone; untrusted-checkout is CodeQL's
// actions/untrusted-checkout (zizmor's dangerous-triggers reports every
// use of the trigger, this only the checkout that makes it exploitable).
const (
	ruleInjection   = "template-injection"
	ruleUnpinned    = "unpinned-uses"
	ruleCheckout    = "untrusted-checkout"
	rulePermissions = "excessive-permissions"
)

// catalogue is every rule, sorted by ID.
var catalogue = []finding.Rule{
	{
		ID: rulePermissions, Name: "ExcessivePermissions", Severity: finding.Medium,
		Short:   "The GITHUB_TOKEN is granted write-all",
		Full:    "permissions: write-all, at the workflow or a job, gives every step a token that can write to every scope of the repository: contents, packages, pull requests, deployments, Actions.",
		Help:    "List the scopes the job needs instead (permissions: {contents: read}, plus the writes it does), at the job rather than the workflow.",
		HelpURI: "https://docs.zizmor.sh/audits/#excessive-permissions",
		Tags:    []string{"security", "actions", "external/cwe/cwe-275"},
	},
	{
		ID: ruleInjection, Name: "TemplateInjection", Severity: finding.High,
		Short:   "Attacker-controlled text expanded into a script",
		Full:    "A ${{ }} expression in a run: script (or actions/github-script's script:) is replaced by its value before the script runs, so text an outside user writes (an issue or pull request title, a comment, a branch name, a commit message) becomes code running with the job's token and secrets.",
		Help:    "Pass the value through the step's env: and use the variable, quoted: env: {TITLE: ${{ github.event.issue.title }}} and run: echo \"$TITLE\" (process.env.TITLE in github-script).",
		HelpURI: "https://docs.zizmor.sh/audits/#template-injection",
		Tags:    []string{"security", "actions", "external/cwe/cwe-094"},
	},
	{
		ID: ruleUnpinned, Name: "UnpinnedUses", Severity: finding.Medium,
		Short:   "An action or reusable workflow not pinned by commit",
		Full:    "uses: owner/repo@v4 runs whatever the tag or branch points at when the job starts: whoever can move it (the action's maintainers, or an attacker who took their account) runs code with this job's token and secrets. A container image by tag is the same. Local actions (./) are the repository's own.",
		Help:    "Pin the full 40-character commit SHA and keep the tag as a comment (uses: actions/checkout@<sha> # v4.2.2); Dependabot and Renovate update both. Images: docker://image@sha256:<digest>. scanners.workflows.ref-pin lists owners trusted by tag.",
		HelpURI: "https://docs.zizmor.sh/audits/#unpinned-uses",
		Tags:    []string{"security", "actions", "supply-chain", "external/cwe/cwe-829"},
	},
	{
		ID: ruleCheckout, Name: "UntrustedCheckout", Severity: finding.Critical,
		Short:   "Pull request code checked out by a privileged trigger",
		Full:    "pull_request_target and workflow_run run with the base repository's secrets and a write token, even for a pull request from a fork. Checking out the pull request's head there brings its code (build scripts, package hooks, local actions) into that job: critical when a later step of the job runs something, high otherwise.",
		Help:    "Build and test pull request code in a pull_request workflow, which has neither; hand its results to the privileged workflow as an artifact, read as data. If the job must check it out, run nothing from it and keep secrets out of the job.",
		HelpURI: "https://codeql.github.com/codeql-query-help/actions/actions-untrusted-checkout-critical/",
		Tags:    []string{"security", "actions", "external/cwe/cwe-829"},
	},
}

// RuleIDs are the rules' IDs, sorted: what skips may name.
func RuleIDs() []string {
	ids := make([]string, len(catalogue))
	for i, r := range catalogue {
		ids[i] = r.ID
	}
	return ids
}

// untrusted are the contexts whose text anyone able to open an issue, a
// pull request or a discussion, comment, or push a branch to a fork
// chooses: GitHub Security Lab's list of untrusted input, with the
// workflow_run fields CodeQL adds. "*" is any one element.
var untrusted = contexts(
	"github.head_ref",
	"github.event.issue.title", "github.event.issue.body",
	"github.event.pull_request.title", "github.event.pull_request.body",
	"github.event.pull_request.head.ref", "github.event.pull_request.head.label",
	"github.event.pull_request.head.repo.default_branch",
	"github.event.comment.body", "github.event.review.body", "github.event.review_comment.body",
	"github.event.discussion.title", "github.event.discussion.body",
	"github.event.pages.*.page_name",
	"github.event.commits.*.message", "github.event.commits.*.author.email", "github.event.commits.*.author.name",
	"github.event.head_commit.message", "github.event.head_commit.author.email", "github.event.head_commit.author.name",
	"github.event.workflow_run.head_branch", "github.event.workflow_run.display_title",
	"github.event.workflow_run.head_commit.message", "github.event.workflow_run.head_commit.author.email",
	"github.event.workflow_run.head_commit.author.name", "github.event.workflow_run.pull_requests.*.head.ref",
)

// prHead are the contexts naming a pull request's code: its head, its
// merge commit, or the run that a pull request triggered.
var prHead = contexts(
	"github.head_ref",
	"github.event.pull_request.head", "github.event.pull_request.merge_commit_sha",
	"github.event.workflow_run.head_sha", "github.event.workflow_run.head_branch",
	"github.event.workflow_run.head_commit", "github.event.workflow_run.head_repository",
	"github.event.workflow_run.pull_requests.*.head",
)

// privileged are the triggers that run with the base repository's secrets
// and a write token for another's code.
var privileged = []string{"pull_request_target", "workflow_run"}

func contexts(names ...string) [][]string {
	out := make([][]string, len(names))
	for i, n := range names {
		out[i] = strings.Split(n, ".")
	}
	return out
}

var (
	// contextRE finds a github context reference in an expression: github
	// followed by properties and indexes, not itself a property.
	contextRE = regexp.MustCompile(`(?i)(?:^|[^.\w])(github(?:\s*\.\s*[A-Za-z_*][\w-]*|\s*\[[^\]]*\])+)`)
	// boolCallRE is a call whose value is true or false whatever the text
	// it reads.
	boolCallRE = regexp.MustCompile(`(?i)\b(?:contains|startsWith|endsWith)\s*\([^()]*\)`)
	partRE     = regexp.MustCompile(`\.\s*([A-Za-z_*][\w-]*)|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]|\[[^\]]*\]`)
	sha1RE     = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)
)

// refs are the github contexts whose text an expression can give,
// lower-cased, each part of its path an element
// ("github.event['issue'].title" is github.event.issue.title; a computed
// index is "*"). A context only compared, or tested by contains,
// startsWith or endsWith, gives true or false, not its text.
func refs(expr string) [][]string {
	for {
		e := boolCallRE.ReplaceAllString(expr, "true")
		if e == expr {
			break
		}
		expr = e
	}
	var out [][]string
	for _, m := range contextRE.FindAllStringSubmatchIndex(expr, -1) {
		ref := expr[m[2]:m[3]]
		before, after := strings.TrimRight(expr[:m[2]], " \t\n"), strings.TrimLeft(expr[m[3]:], " \t\n")
		if strings.HasSuffix(before, "=") || strings.HasSuffix(before, "<") || strings.HasSuffix(before, ">") ||
			strings.HasPrefix(after, "==") || strings.HasPrefix(after, "!=") || strings.HasPrefix(after, "<") || strings.HasPrefix(after, ">") {
			continue
		}
		parts := []string{"github"}
		for _, p := range partRE.FindAllStringSubmatch(ref[len("github"):], -1) {
			name := p[1] + p[2] + p[3]
			if name == "" {
				name = "*"
			}
			parts = append(parts, strings.ToLower(name))
		}
		out = append(out, parts)
	}
	return out
}

// reads returns the contexts of expr that are one of list or below one.
func reads(expr string, list [][]string) []string {
	var out []string
	for _, r := range refs(expr) {
		if slices.ContainsFunc(list, func(p []string) bool { return under(r, p) }) {
			if s := strings.Join(r, "."); !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// under reports whether ref is pattern or below it.
func under(ref, pattern []string) bool {
	if len(ref) < len(pattern) {
		return false
	}
	for i, p := range pattern {
		if p != "*" && ref[i] != "*" && ref[i] != p {
			return false
		}
	}
	return true
}

// expressions calls fn with each ${{ }} of text, whole, in order.
func expressions(text string, fn func(expr string)) {
	for {
		i := strings.Index(text, "${{")
		if i < 0 {
			return
		}
		j := strings.Index(text[i+3:], "}}")
		if j < 0 {
			return
		}
		fn(text[i : i+3+j+2])
		text = text[i+3+j+2:]
	}
}

// checker applies the rules to the files of one scan.
type checker struct {
	skip     map[string]bool
	refPin   []string
	findings []finding.Finding
	seen     map[string]bool // rule and position: a node reached twice through aliases
	repeats  map[string]int  // fingerprints given so far
}

func newChecker(opt Options) *checker {
	c := &checker{skip: map[string]bool{}, refPin: opt.RefPin, seen: map[string]bool{}, repeats: map[string]int{}}
	for _, id := range opt.Skips {
		c.skip[id] = true
	}
	return c
}

// fileCheck is one file under the rules.
type fileCheck struct {
	*checker
	rel  string
	data []byte
	text *scanner.Text
}

// file checks one parsed workflow or action file.
func (c *checker) file(rel string, data []byte, doc *yaml.Node) {
	doc = deref(doc)
	if doc == nil || doc.Kind != yaml.MappingNode {
		return // empty, or not a workflow: nothing GitHub would run
	}
	f := &fileCheck{checker: c, rel: rel, data: data, text: scanner.NewText(data)}
	if base := path.Base(rel); base == "action.yml" || base == "action.yaml" {
		if runs := get(doc, "runs"); strings.EqualFold(scalar(get(runs, "using")), "composite") {
			f.steps(get(runs, "steps"), "", "")
		}
		return
	}
	trigger := f.trigger(get(doc, "on"))
	f.permissions(get(doc, "permissions"), "the workflow")
	jobs := get(doc, "jobs")
	if jobs == nil || jobs.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(jobs.Content); i += 2 {
		id, job := jobs.Content[i].Value, deref(jobs.Content[i+1])
		f.permissions(get(job, "permissions"), "job "+id)
		if u := get(job, "uses"); u != nil && u.Kind == yaml.ScalarNode {
			f.uses(u, "reusable workflow")
		}
		f.steps(get(job, "steps"), id, trigger)
	}
}

// trigger is the privileged trigger among on:'s events, "" when none.
func (f *fileCheck) trigger(on *yaml.Node) string {
	var events []string
	switch {
	case on == nil:
	case on.Kind == yaml.ScalarNode:
		events = []string{on.Value}
	case on.Kind == yaml.SequenceNode:
		for _, e := range on.Content {
			events = append(events, scalar(e))
		}
	case on.Kind == yaml.MappingNode:
		for i := 0; i < len(on.Content); i += 2 {
			events = append(events, on.Content[i].Value)
		}
	}
	for _, e := range events {
		if slices.Contains(privileged, e) {
			return e
		}
	}
	return ""
}

// steps checks a job's or a composite action's steps; trigger is the
// workflow's privileged trigger, if any.
func (f *fileCheck) steps(list *yaml.Node, job, trigger string) {
	if list == nil || list.Kind != yaml.SequenceNode {
		return
	}
	steps := make([]*yaml.Node, len(list.Content))
	for i, s := range list.Content {
		steps[i] = deref(s)
	}
	for i, st := range steps {
		uses := get(st, "uses")
		action := ""
		if uses != nil && uses.Kind == yaml.ScalarNode {
			f.uses(uses, "action")
			action, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(uses.Value)), "@")
		}
		if run := get(st, "run"); run != nil {
			f.injection(run, job, "a run: script")
		}
		with := get(st, "with")
		switch {
		case action == "actions/github-script":
			if script := get(with, "script"); script != nil {
				f.injection(script, job, "actions/github-script's script")
			}
		case action == "actions/checkout" && trigger != "":
			f.checkout(with, job, trigger, steps[i+1:])
		}
	}
}

// injection reports each expression of a script that reads untrusted
// text.
func (f *fileCheck) injection(n *yaml.Node, job, sink string) {
	if n.Kind != yaml.ScalarNode {
		return
	}
	from := f.text.Offset(n.Line, n.Column)
	expressions(n.Value, func(expr string) {
		line, col := n.Line, n.Column
		if off := find(f.data, expr, from); off >= 0 {
			line, col = f.text.Pos(off)
			from = off + len(expr)
		}
		bad := reads(expr, untrusted)
		if len(bad) == 0 {
			return
		}
		f.add(ruleInjection, finding.High, line, col, job+"\x00"+finding.NormalizeCode(expr), short(expr, 120),
			fmt.Sprintf("%s expands %s into %s: text an outside user writes runs as code; pass it through env: and use the variable, quoted",
				short(expr, 80), strings.Join(bad, ", "), sink))
	})
}

// uses reports an action, a reusable workflow or an image that is not
// pinned to one commit or digest.
func (f *fileCheck) uses(n *yaml.Node, what string) {
	u := strings.TrimSpace(n.Value)
	switch {
	case u == "" || strings.HasPrefix(u, "./") || strings.Contains(u, "${{"):
		return // the repository's own, or not a reference GitHub accepts
	case strings.HasPrefix(u, "docker://"):
		if !strings.Contains(u, "@sha256:") {
			f.add(ruleUnpinned, finding.Medium, n.Line, n.Column, u, u,
				fmt.Sprintf("the image %s is not pinned by digest: the tag can be moved to another image; use %s@sha256:<digest>", short(u, 100), strings.TrimPrefix(short(u, 100), "docker://")))
		}
		return
	}
	name, ref, ok := strings.Cut(u, "@")
	if !ok || sha1RE.MatchString(ref) || f.refPinned(name) {
		return
	}
	f.add(ruleUnpinned, finding.Medium, n.Line, n.Column, u, u,
		fmt.Sprintf("the %s %s is pinned by tag or branch (%s), not by commit: whoever moves %s runs code in this job; pin the commit SHA (%s@<sha> # %s)",
			what, short(name, 100), short(ref, 40), short(ref, 40), short(name, 100), short(ref, 40)))
}

// refPinned reports whether the ref-pin option trusts name by tag.
func (f *fileCheck) refPinned(name string) bool {
	parts := strings.SplitN(strings.ToLower(name), "/", 3)
	if len(parts) < 2 {
		return false
	}
	for _, p := range f.refPin {
		owner, repo, _ := strings.Cut(strings.ToLower(p), "/")
		if owner == parts[0] && (repo == "*" || repo == parts[1]) {
			return true
		}
	}
	return false
}

// checkout reports an actions/checkout of the pull request's code in a
// workflow a privileged trigger runs; after are the job's later steps.
func (f *fileCheck) checkout(with *yaml.Node, job, trigger string, after []*yaml.Node) {
	for _, key := range []string{"ref", "repository"} {
		v := get(with, key)
		if v == nil || v.Kind != yaml.ScalarNode {
			continue
		}
		var what string
		if heads := prHeadRefs(v.Value); len(heads) > 0 {
			what = strings.Join(heads, ", ")
		} else if strings.Contains(strings.ToLower(v.Value), "refs/pull/") {
			what = "a refs/pull/ ref"
		} else {
			continue
		}
		sev, runs := finding.High, "a later step or action may run it"
		if slices.ContainsFunc(after, executes) {
			sev, runs = finding.Critical, "a later step of the job runs commands in it"
		}
		f.add(ruleCheckout, sev, v.Line, v.Column, job+"\x00"+finding.NormalizeCode(v.Value), short(v.Value, 120),
			fmt.Sprintf("on %s this checkout fetches the pull request's code (%s: %s) into job %s, which has the repository's secrets and a write token, and %s; test it in a pull_request workflow instead",
				trigger, key, what, job, runs))
		return
	}
}

// prHeadRefs are the contexts of text's expressions that name a pull
// request's code.
func prHeadRefs(text string) []string {
	var out []string
	expressions(text, func(expr string) { out = append(out, reads(expr, prHead)...) })
	return out
}

// executes reports a step that runs something from the working tree: a
// script or a local action.
func executes(step *yaml.Node) bool {
	if get(step, "run") != nil {
		return true
	}
	return strings.HasPrefix(strings.TrimSpace(scalar(get(step, "uses"))), "./")
}

// permissions reports write-all.
func (f *fileCheck) permissions(n *yaml.Node, scope string) {
	if n == nil || n.Kind != yaml.ScalarNode || !strings.EqualFold(strings.TrimSpace(n.Value), "write-all") {
		return
	}
	f.add(rulePermissions, finding.Medium, n.Line, n.Column, scope, "permissions: "+n.Value,
		fmt.Sprintf("%s grants the GITHUB_TOKEN write-all: every step can write to every scope; list the scopes it needs", scope))
}

// add records a finding unless its rule is skipped or it was recorded at
// the same place (a node reached again through an alias).
func (f *fileCheck) add(rule string, sev finding.Severity, line, col int, key, snippet, msg string) {
	at := fmt.Sprintf("%s:%d:%d:%s", f.rel, line, col, rule)
	if f.skip[rule] || f.seen[at] {
		return
	}
	f.seen[at] = true
	// Not the line: a finding keeps its fingerprint when lines move. The
	// same text twice in a file is told apart by its rank there.
	fp := finding.Fingerprint(Name, rule, f.rel, key)
	if f.repeats[fp]++; f.repeats[fp] > 1 {
		fp = finding.Fingerprint(fp, strconv.Itoa(f.repeats[fp]))
	}
	f.findings = append(f.findings, finding.Finding{
		Tool: Name, RuleID: rule, Severity: sev, Message: msg,
		Location:    finding.Location{Path: f.rel, StartLine: line, StartColumn: col, Snippet: snippet},
		Fingerprint: fp,
	})
}

// get is the value of key in a mapping, aliases resolved; nil when n is
// not a mapping or has no such key.
func get(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

// deref resolves an alias to its anchored node (yaml.v3 forbids cycles).
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// scalar is a scalar node's text, "" for anything else.
func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}
