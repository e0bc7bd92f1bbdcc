package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/ghtest"
	"github.com/scangate/scangate/internal/prcomment"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
)

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
