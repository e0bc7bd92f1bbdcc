package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/ghtest"
	"github.com/scangate/scangate/internal/prcomment"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/report"
	"github.com/scangate/scangate/scanner"
)

// command is a workflow command as the runner reads it.
type command struct {
	name  string
	props map[string]string
	data  string
}

// runnerCommands reads output the way the GitHub runner does: a line that
// starts with "::" (after leading spaces) is a command, except between
// ::stop-commands::TOKEN and ::TOKEN::. Properties split on ',' then on the
// first '='; values are unescaped with %25 last (actions/runner,
// ActionCommand.TryParseV2). A line that is not such a command but holds
// the legacy "##[" prefix counts as a command too (the runner tries that
// format second).
func runnerCommands(t *testing.T, out string) []command {
	t.Helper()
	var cmds []command
	stopped := ""
	unprop := strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",")
	undata := strings.NewReplacer("%0D", "\r", "%0A", "\n")
	for _, line := range strings.Split(out, "\n") {
		l := strings.TrimLeft(line, " \t")
		if stopped != "" {
			if l == "::"+stopped+"::" {
				stopped = ""
				cmds = append(cmds, command{name: "resume"})
			}
			continue
		}
		end := -1
		if strings.HasPrefix(l, "::") {
			end = strings.Index(l[2:], "::")
		}
		if end < 0 {
			if strings.Contains(l, "##[") {
				cmds = append(cmds, command{name: "legacy", data: l})
			}
			continue
		}
		name, propStr, _ := strings.Cut(l[2:2+end], " ")
		c := command{name: name, props: map[string]string{}}
		for _, p := range strings.Split(strings.TrimSpace(propStr), ",") {
			if k, v, ok := strings.Cut(p, "="); ok && k != "" && v != "" {
				c.props[k] = strings.ReplaceAll(unprop.Replace(v), "%25", "%")
			}
		}
		c.data = strings.ReplaceAll(undata.Replace(l[2+end+2:]), "%25", "%")
		if name == "stop-commands" {
			stopped = c.data
		}
		cmds = append(cmds, c)
	}
	if stopped != "" {
		t.Errorf("commands still stopped at the end of the output")
	}
	return cmds
}

// actionsEnv simulates the runner's environment for one step.
func actionsEnv(t *testing.T, workspace string) (outputs, summary string) {
	t.Helper()
	files := t.TempDir()
	outputs, summary = filepath.Join(files, "set_output"), filepath.Join(files, "step_summary")
	for _, f := range []string{outputs, summary} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITHUB_WORKSPACE", workspace)
	t.Setenv("GITHUB_OUTPUT", outputs)
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	return outputs, summary
}

// File names that try to break out of an annotation: one with every
// character the runner escapes in properties, one with a line break that
// would start a command of its own if printed raw. Go cannot build a
// package with a line break in a file name (its build cache is line
// based), so only the first is in the real module; the crafted test below
// uses both.
const (
	weirdName    = "we%ird:na,me::x.go"
	injectedName = "evil\n::error file=pwn.go::injected.go"
)

// weirdModule writes a Go module that gosec flags in the weird file and in
// main.go (G101, hard-coded credentials: high severity).
func weirdModule(t *testing.T, dir string) {
	t.Helper()
	files := map[string]string{
		"go.mod":  "module example.com/weird\n\ngo 1.26\n",
		"main.go": "package main\n\nimport \"fmt\"\n\nvar secretKey = \"9b1c4e0d7a2f6b3e8c5d1a0f4e7b2c9d6a3f0e1b\"\n\nfunc main() { fmt.Println(apiToken, secretKey) }\n",
		weirdName: "package main\n\nconst apiToken = \"f62e5bcda4fae4f82370da0c6f20697b8f8447ef\"\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestActionEndToEnd runs the Action's entrypoint (scangate action) with
// INPUT_* variables in a simulated runner, on a module that gosec flags in
// files with hostile names, in a subdirectory of the checkout (a monorepo),
// and checks outputs, summary, SARIF and the annotations the runner would
// create: SARIF and annotations name files from the repository root.
func TestActionEndToEnd(t *testing.T) {
	ws := t.TempDir()
	sub := filepath.Join(ws, "services", "api")
	for _, d := range []string{sub, filepath.Join(ws, ".git")} { // the checkout's own .git
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	weirdModule(t, sub)
	outputs, summary := actionsEnv(t, ws)
	t.Chdir(ws) // the runner starts the container in the workspace
	t.Setenv("INPUT_PATH", "services/api")
	t.Setenv("INPUT_SCANNERS", "gosec")
	t.Setenv("INPUT_FAIL-ON", "high")
	t.Setenv("INPUT_SARIF-FILE", "scangate.sarif")
	t.Setenv("INPUT_OFFLINE", "false")
	t.Setenv("INPUT_ARGS", "--timeout 5m")

	code, stdout, stderr := runCLI(t, "action")
	if code != exitFail {
		t.Fatalf("exit %d, want %d\n%s", code, exitFail, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout: %q", stdout)
	}
	if !strings.HasPrefix(stderr, "scangate scan --scanners gosec --fail-on high --sarif scangate.sarif --timeout 5m -- services/api\n") {
		t.Errorf("the translated command is not the first line:\n%s", stderr)
	}

	cmds := runnerCommands(t, stderr)
	if len(cmds) < 3 || cmds[0].name != "stop-commands" || cmds[1].name != "resume" {
		t.Fatalf("want the human output between stop-commands and its token, then annotations; got %+v", cmds)
	}
	files := map[string]command{}
	for _, c := range cmds[2:] {
		if c.name != "error" && c.name != "warning" && c.name != "notice" {
			t.Errorf("unexpected command %q (%+v)", c.name, c)
		}
		if !strings.HasPrefix(c.props["file"], "services/api/") {
			t.Errorf("annotation outside the scanned tree, or injected: %+v", c)
		}
		files[c.props["file"]] = c
	}
	for name, line := range map[string]string{weirdName: "3", "main.go": "5"} {
		c, ok := files["services/api/"+name]
		if !ok {
			t.Errorf("no annotation on %q; annotated: %q", name, slices.Collect(mapKeys(files)))
			continue
		}
		if c.name != "error" || c.props["line"] != line || !strings.HasPrefix(c.props["title"], "HIGH G101 (gosec)") || c.data == "" {
			t.Errorf("annotation on %q: %+v", name, c)
		}
	}

	out := ghtest.ReadOutputs(t, outputs)
	if got := slices.Sorted(mapKeys(out)); !slices.Equal(got, slices.Sorted(slices.Values(actionOutputs))) {
		t.Errorf("outputs %v, want %v", got, actionOutputs)
	}
	if out["sarif-file"] != "scangate.sarif" || out["verdict"] != "fail" || out["findings"] != out["new-findings"] || out["findings"] < "2" ||
		out["incomplete"] != "" || out["sarif-runs"] != "1" {
		t.Errorf("outputs %q", out)
	}

	md, _ := os.ReadFile(summary)
	if !strings.Contains(string(md), "## scangate: ❌ Fail") || !strings.Contains(string(md), weirdName) {
		t.Errorf("step summary:\n%s", md)
	}

	doc, err := sarif.Open(filepath.Join(ws, "scangate.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	if bad := report.CheckLimits(doc, report.Limits{}); len(bad) > 0 {
		t.Errorf("SARIF: %q", bad)
	}
	// Each result's file is an annotated file, and the other way round.
	var uris []string
	for _, r := range doc.Runs[0].Results {
		al := r.Locations[0].PhysicalLocation.ArtifactLocation
		p, err := url.PathUnescape(*al.URI)
		if err != nil {
			t.Errorf("uri %q: %v", *al.URI, err)
		}
		if *al.URIBaseID != "%SRCROOT%" {
			t.Errorf("uri %q: base %q", *al.URI, *al.URIBaseID)
		}
		if !slices.Contains(uris, p) {
			uris = append(uris, p)
		}
	}
	slices.Sort(uris)
	if annotated := slices.Sorted(mapKeys(files)); !slices.Equal(uris, annotated) || !slices.Contains(uris, "services/api/main.go") {
		t.Errorf("SARIF names %q, annotations %q; want the same files, services/api/main.go among them", uris, annotated)
	}
	if b := doc.Runs[0].OriginalUriBaseIds[model.ScanRootBaseID]; b.URI == nil || *b.URI != "services/api/" {
		t.Errorf("originalUriBaseIds: %+v", doc.Runs[0].OriginalUriBaseIds)
	}
}

func mapKeys[M ~map[string]V, V any](m M) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// crafted reports findings whose messages no real tool writes: the test is
// about our escaping and capping, not about a scanner.
type crafted struct{ result finding.Result }

func (c crafted) Name() string                  { return c.result.Tool }
func (c crafted) Applies(*scanner.Request) bool { return true }
func (c crafted) Scan(context.Context, *scanner.Request) (*finding.Result, error) {
	r := c.result
	return &r, nil
}

const nastyMessage = "50%25 100% a:b, c,d\r\n::error file=x.go::injected\n::add-mask::secret %0A :: ##[error]legacy"

func TestAnnotationsAreEscapedAndCapped(t *testing.T) {
	r := finding.Result{Tool: "crafted"}
	add := func(n int, sev finding.Severity) {
		for i := range n {
			path := fmt.Sprintf("z/%s-%02d.go", sev, i) // after the odd names
			switch i {
			case 0:
				path = "a,b/" + weirdName
			case 1:
				path = injectedName
			}
			r.Findings = append(r.Findings, finding.Finding{Tool: "crafted", RuleID: "C1", Severity: sev,
				Message: nastyMessage, Location: finding.Location{Path: path, StartLine: i + 1, StartColumn: 2},
				Fingerprint: finding.Fingerprint("crafted", sev.String(), fmt.Sprint(i))})
		}
	}
	add(14, finding.Critical)
	add(3, finding.High)
	add(12, finding.Medium)
	add(2, finding.Low)
	broken := finding.Result{Tool: "broken"}
	withExtraScanners(t, crafted{r}, misbehaving{"broken", func(context.Context) (*finding.Result, error) {
		return &broken, fmt.Errorf("broken: cannot read %s", "x\n::error::from an error message")
	}})
	ws := t.TempDir()
	outputs, summary := actionsEnv(t, ws)
	code, _, stderr := runCLI(t, "scan", "--allow-incomplete", ws)
	if code != exitFail {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	cmds := runnerCommands(t, stderr)
	count := map[string]int{}
	var errs []command
	for _, c := range cmds {
		count[c.name]++
		if c.name == "error" {
			errs = append(errs, c)
		}
	}
	if count["stop-commands"] != 1 || count["resume"] != 1 || count["error"] != 10 || count["warning"] != 10 || count["notice"] != 2 ||
		count["legacy"] != 0 || count["add-mask"] != 0 || len(cmds) != 24 {
		t.Fatalf("commands the runner would run: %v\n%s", count, stderr)
	}
	// The scanner that failed comes first, then the most severe findings.
	if errs[0].props["title"] != "scangate: broken could not complete" || errs[0].data != "broken: cannot read x\n::error::from an error message" {
		t.Errorf("first error: %+v", errs[0])
	}
	for _, c := range errs[1:] {
		if !strings.HasPrefix(c.props["title"], "CRITICAL C1") {
			t.Errorf("a less severe error annotated before the criticals: %+v", c)
		}
		if c.data != nastyMessage {
			t.Errorf("message changed on the way:\n got %q\nwant %q", c.data, nastyMessage)
		}
	}
	if errs[1].props["file"] != "a,b/"+weirdName || errs[1].props["col"] != "2" {
		t.Errorf("properties: %+v", errs[1].props)
	}
	if !slices.ContainsFunc(errs, func(c command) bool { return c.props["file"] == injectedName && c.props["line"] == "2" }) {
		t.Errorf("no annotation on %q", injectedName)
	}
	if md, _ := os.ReadFile(summary); !strings.Contains(string(md), "evil ::error file=pwn.go::injected.go") {
		t.Errorf("summary lacks the file with a line break, on one line:\n%s", md)
	}
	// 1 tool + 14 critical + 3 high = 18 errors, 10 shown; 12 medium
	// warnings, 10 shown: 10 left out.
	if !strings.Contains(stderr, "scangate: 10 more findings are not annotated") {
		t.Errorf("no line counting what was left out:\n%s", stderr)
	}
	if out := ghtest.ReadOutputs(t, outputs); out["verdict"] != "fail" || out["new-findings"] != "31" || out["sarif-file"] != "" {
		t.Errorf("outputs %q", out)
	}
	if md, _ := os.ReadFile(summary); !strings.Contains(string(md), "| broken | incomplete |") {
		t.Errorf("summary:\n%s", md)
	}
}

func TestOutsideActionsNothingIsWritten(t *testing.T) {
	t.Setenv("GITHUB_ACTIONS", "")
	files := t.TempDir()
	t.Setenv("GITHUB_OUTPUT", filepath.Join(files, "out"))
	t.Setenv("GITHUB_STEP_SUMMARY", filepath.Join(files, "summary"))
	code, _, stderr := runCLI(t, "scan", "-q", t.TempDir())
	if code != exitPass || strings.Contains(stderr, "::") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
	if entries, _ := os.ReadDir(files); len(entries) != 0 {
		t.Errorf("wrote %v outside GitHub Actions", entries)
	}
}

const (
	prToken = "ghs_e2eTOKENdo-not-print-0123456789"
	prHead  = "feedc0de0123456789abcdef0123456789abcdef"
)

// prEvent writes a pull_request event payload, as the runner does, and
// points the environment at it and at api.
func prEvent(t *testing.T, api *ghtest.API, payload string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(path, []byte(payload), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GITHUB_EVENT_PATH", path)
	t.Setenv("GITHUB_EVENT_NAME", "pull_request")
	t.Setenv("GITHUB_REPOSITORY", "octo/app")
	t.Setenv("GITHUB_SERVER_URL", "https://github.com")
	t.Setenv("GITHUB_API_URL", api.URL)
	t.Setenv("GITHUB_TOKEN", "")
}

const pullRequestEvent = `{"action":"synchronize","number":7,"pull_request":{"number":7,"head":{"sha":"` + prHead + `","ref":"feature"},"base":{"sha":"0000000000000000000000000000000000000000"}}}`

// noToken fails the test when the token appears in any output.
func noToken(t *testing.T, outputs ...string) {
	t.Helper()
	for i, o := range outputs {
		if strings.Contains(o, prToken) {
			t.Errorf("output %d holds the token:\n%s", i, o)
		}
	}
}

// The Action on a pull request, scanning a subdirectory: the comment from
// the last run (on the second page of comments) is edited, its findings
// link to their lines from the repository root at the head commit, and
// the token is in no output. The exit status is the gate's.
func TestActionPRCommentEndToEnd(t *testing.T) {
	ws := t.TempDir()
	sub := filepath.Join(ws, "services", "api")
	for _, d := range []string{sub, filepath.Join(ws, ".git")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	weirdModule(t, sub)
	outputs, summary := actionsEnv(t, ws)
	t.Chdir(ws)
	api := ghtest.NewAPI(t, prToken)
	for i := range 105 {
		api.Add(7, fmt.Sprintf("review comment %d", i), "reviewer", "User")
	}
	// The last run's comment: its key is the scanned path.
	ours := api.Add(7, prcomment.Marker("services/api")+"\nold findings", ghtest.BotLogin, "Bot")
	prEvent(t, api, pullRequestEvent)
	t.Setenv("INPUT_PATH", "services/api")
	t.Setenv("INPUT_SCANNERS", "gosec")
	t.Setenv("INPUT_FAIL-ON", "high")
	t.Setenv("INPUT_SARIF-FILE", "scangate.sarif")
	t.Setenv("INPUT_PR-COMMENT", "true")
	t.Setenv("INPUT_GITHUB-TOKEN", prToken)

	code, stdout, stderr := runCLI(t, "action")
	if code != exitFail {
		t.Fatalf("exit %d, want %d\n%s", code, exitFail, stderr)
	}
	if !strings.HasPrefix(stderr, "scangate scan --scanners gosec --fail-on high --sarif scangate.sarif --pr-comment -- services/api\n") {
		t.Errorf("translated command:\n%s", stderr)
	}
	want := []string{
		"GET /repos/octo/app/issues/7/comments?per_page=100",
		"GET /repos/octo/app/issues/7/comments?per_page=100&page=2",
		fmt.Sprintf("PATCH /repos/octo/app/issues/comments/%d", ours),
	}
	if got := api.Requests(); !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
	cs := api.Comments(7)
	body := cs[len(cs)-1].Body
	if len(cs) != 106 || !strings.HasPrefix(body, prcomment.Marker("services/api")+"\n## scangate: ❌ Fail\n") {
		t.Fatalf("%d comments; ours:\n%s", len(cs), body)
	}
	testkit.ContainsAll(t, "comment", body,
		"(https://github.com/octo/app/blob/"+prHead+"/services/api/main.go#L5)",
		"(https://github.com/octo/app/blob/"+prHead+"/services/api/we%25ird:na%2Cme::x.go#L3)",
	)
	if !strings.Contains(stderr, "scangate: pull request comment updated: https://github.com/octo/app/pull/1#issuecomment-") {
		t.Errorf("stderr does not say where the comment is:\n%s", stderr)
	}
	out := ghtest.ReadOutputs(t, outputs)
	md, _ := os.ReadFile(summary)
	sarifDoc, _ := os.ReadFile(filepath.Join(ws, "scangate.sarif"))
	if out["verdict"] != "fail" || !strings.Contains(string(md), "## scangate: ❌ Fail") || len(sarifDoc) == 0 {
		t.Errorf("outputs %q, summary %d bytes, SARIF %d bytes", out, len(md), len(sarifDoc))
	}
	noToken(t, stdout, stderr, string(md), fmt.Sprint(out), string(sarifDoc), body)
}

// prScan runs `scan --pr-comment` on a crafted finding in a simulated
// runner whose API is api, with GITHUB_TOKEN set; adjust, when set, changes
// the environment last. It returns the exit code, stderr and the step summary.
func prScan(t *testing.T, api *ghtest.API, event string, adjust func()) (int, string, string) {
	t.Helper()
	testAdapters = func(*configOptions) []scanner.Scanner {
		return []scanner.Scanner{crafted{finding.Result{Tool: "crafted", Findings: []finding.Finding{{
			Tool: "crafted", RuleID: "C1", Severity: finding.High, Message: "hostile @octocat <b>x</b> -->",
			Location: finding.Location{Path: "a.go", StartLine: 2}, Fingerprint: "c1"}}}}}
	}
	t.Cleanup(func() { testAdapters = nil })
	ws := t.TempDir()
	_, summary := actionsEnv(t, ws)
	prEvent(t, api, event)
	t.Setenv("GITHUB_TOKEN", prToken)
	if adjust != nil {
		adjust()
	}
	sarif := filepath.Join(t.TempDir(), "out.sarif")
	code, stdout, stderr := runCLI(t, "scan", "-q", "--pr-comment", "--sarif", sarif, ws)
	md, _ := os.ReadFile(summary)
	if st, err := os.Stat(sarif); err != nil || st.Size() == 0 {
		t.Errorf("no SARIF report: %v", err)
	}
	noToken(t, stdout, stderr, string(md))
	return code, stderr, string(md)
}

// A pull request from a fork: the token may not comment. The comment goes
// to the step summary, a notice says why, and the exit status is the gate's.
func TestPRCommentFromAForkGoesToTheSummary(t *testing.T) {
	api := ghtest.NewAPI(t, prToken)
	api.Hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost {
			return false
		}
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest","status":"403"}`)
		return true
	}
	code, stderr, md := prScan(t, api, pullRequestEvent, nil)
	if code != exitFail {
		t.Fatalf("exit %d, want %d\n%s", code, exitFail, stderr)
	}
	notices := 0
	for _, c := range runnerCommands(t, stderr) {
		if c.name == "notice" && c.props["title"] == "scangate: pull request comment" {
			notices++
			if !strings.Contains(c.data, "a pull request from a fork gets a read-only token") || !strings.Contains(c.data, "in the step summary instead") {
				t.Errorf("notice %q", c.data)
			}
		}
	}
	// The summary has the usual summary, then the comment.
	sum, comment, ok := strings.Cut(md, "|\n\n## scangate: ❌ Fail\n\nThreshold **high**: 1 new finding(s) fail the gate. 1 new")
	if notices != 1 || !ok || !strings.Contains(sum, "## scangate: ❌ Fail") ||
		!strings.Contains(comment, "| **high** | C1 | [a\\.go\\:2](https://github.com/octo/app/blob/"+prHead+"/a.go#L2) | hostile @&#8203;octocat &lt;b&gt;x&lt;/b&gt; \\-\\-&gt; |") {
		t.Errorf("%d notices; step summary:\n%s", notices, md)
	}
	if strings.Contains(md, prcomment.Marker("")) || len(api.Comments(7)) != 0 {
		t.Errorf("marker in the summary, or a comment posted")
	}
}

// Not a pull request, no token, an API that fails: each is said once, and
// nothing changes the exit status or the reports.
func TestPRCommentNotPostedKeepsTheVerdict(t *testing.T) {
	for _, tc := range []struct {
		name     string
		event    string
		token    string
		fail     bool
		level    string
		message  string
		requests int
	}{
		{"push event", `{"ref":"refs/heads/main","after":"` + prHead + `"}`, prToken, false, "notice",
			"not posted: the push event is not about a pull request", 0},
		{"no token", pullRequestEvent, "", false, "warning",
			"not posted: no token (the Action's github-token input, or GITHUB_TOKEN in the step's env)", 0},
		{"API error", pullRequestEvent, prToken, true, "warning",
			"not posted: GitHub API GET /repos/octo/app/issues/7/comments?per_page=100: 502 Bad Gateway: Server Error. The verdict, the step summary and the reports are not affected.", 1},
		{"unreadable event", "{", prToken, false, "warning", "not posted: GITHUB_EVENT_PATH ", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := ghtest.NewAPI(t, prToken)
			if tc.fail {
				api.Hook = func(w http.ResponseWriter, r *http.Request) bool {
					w.WriteHeader(http.StatusBadGateway)
					fmt.Fprint(w, `{"message":"Server Error"}`)
					return true
				}
			}
			code, stderr, md := prScan(t, api, tc.event, func() {
				t.Setenv("GITHUB_TOKEN", tc.token)
				if tc.name == "push event" {
					t.Setenv("GITHUB_EVENT_NAME", "push")
				}
			})
			if code != exitFail || !strings.Contains(md, "## scangate: ❌ Fail") {
				t.Errorf("exit %d, summary:\n%s", code, md)
			}
			var said []string
			for _, c := range runnerCommands(t, stderr) {
				if c.props["title"] == "scangate: pull request comment" {
					said = append(said, c.name+": "+c.data)
				}
			}
			if len(said) != 1 || !strings.HasPrefix(said[0], tc.level+": "+tc.message) {
				t.Errorf("said %q, want once %s: %s", said, tc.level, tc.message)
			}
			if n := len(api.Requests()); n != tc.requests {
				t.Errorf("%d requests: %q", n, api.Requests())
			}
		})
	}
}

// Issue 28, point 7: the pull request comment of the example project, as
// posted: its commands are code spans that paste as they are (no
// zero-width space inside), its message column repeats neither the rule
// nor the fix, and a list longer than ten rows folds into <details>.
func TestPRCommentCommandsPaste(t *testing.T) {
	ws := t.TempDir()
	testkit.CopyTree(t, "../../examples/project", ws)
	if err := os.Mkdir(filepath.Join(ws, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	actionsEnv(t, ws)
	api := ghtest.NewAPI(t, prToken)
	prEvent(t, api, pullRequestEvent)
	t.Setenv("GITHUB_TOKEN", prToken)
	db, err := filepath.Abs("../../examples/vulndb")
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "scan", "-q", "--offline", "--db", db, "--fail-on", "low", "--pr-comment", ws)
	if code != exitFail {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	cs := api.Comments(7)
	if len(cs) != 1 {
		t.Fatalf("%d comments\n%s", len(cs), stderr)
	}
	body := cs[0].Body
	testkit.ContainsAll(t, "comment", body,
		"`go get golang.org/x/text@v0.3.8`",
		"`go get golang.org/x/crypto@v0.17.0`",
		"pin `jinja2==2.11.3` in `requirements.txt`",
		"<details><summary>",
		"</details>",
	)
	for _, span := range regexp.MustCompile("`[^`]*`").FindAllString(body, -1) {
		if strings.ContainsAny(span, "\\&") && !strings.Contains(span, " && ") {
			t.Errorf("code span %s holds an escape or entity: it does not paste", span)
		}
	}
	rows := 0
	for _, line := range strings.Split(body, "\n") {
		cells := strings.Split(line, " | ")
		if !strings.HasPrefix(line, "| ") || len(cells) != 4 || strings.HasPrefix(line, "| Severity") || strings.HasPrefix(line, "| ---") {
			continue
		}
		rows++
		rule := regexp.MustCompile(`^\[?([^\]]*)`).FindStringSubmatch(cells[1])[1]
		msg := cells[3]
		if strings.HasPrefix(msg, rule) || strings.Contains(msg, "Fix\\:") || strings.Contains(msg, "go get") {
			t.Errorf("message repeats the rule %s or the fix: %s", rule, line)
		}
	}
	if rows < 11 {
		t.Errorf("%d finding rows:\n%s", rows, body)
	}
}
