package workflows_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/noperm"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner/scannertest"
	"github.com/scangate/scangate/scanners/workflows"
)

var shared scannertest.Shared

// repo is the fixture scanned as the registry's defaults would, with one
// owner trusted by tag.
func repo(t *testing.T) *finding.Result {
	t.Helper()
	o := shared.Get("repo", func() scannertest.Outcome {
		return scannertest.Run(t, workflows.New(workflows.Options{RefPin: []string{"trusted-org/*"}}), scannertest.Request(scannertest.Testdata("workflows", "repo")))
	})
	if o.Err != nil || o.Res.State != finding.Completed {
		t.Fatalf("err %v, state %v, notes %+v", o.Err, o.Res.State, o.Res.Notifications)
	}
	return o.Res
}

// Each rule's positive fixture is reported where it should be, and its
// negative fixture, the files GitHub does not read and the actions that
// are not composite are not.
func TestGolden(t *testing.T) {
	res := repo(t)
	scannertest.Golden(t, "testdata/repo.golden", res)
	byFile := map[string][]string{}
	for _, f := range res.Findings {
		byFile[f.Location.Path] = append(byFile[f.Location.Path], f.RuleID)
	}
	for _, rule := range workflows.RuleIDs() {
		found := false
		for file, rules := range byFile {
			if strings.HasPrefix(filepath.Base(file), rule) && !strings.Contains(file, "-ok") {
				found = found || slices.Contains(rules, rule)
			}
		}
		if !found {
			t.Errorf("%s: its positive fixture is not reported", rule)
		}
	}
	for file, rules := range byFile {
		if strings.Contains(file, "-ok") || strings.Contains(file, "ignored") || strings.Contains(file, "README") ||
			strings.Contains(file, "/ok/") || strings.Contains(file, "/node/") {
			t.Errorf("%s: %v reported in a negative fixture", file, rules)
		}
	}
}

// Messages say what is wrong where and what to do; severities follow the
// rule; the rules described are the ones reported; fingerprints are
// distinct.
func TestFindings(t *testing.T) {
	res := repo(t)
	want := map[string]struct {
		sev  finding.Severity
		text []string
	}{
		".github/workflows/template-injection.yml:16:20: template-injection":      {finding.High, []string{"github.event.comment.body", "a run: script", "env:"}},
		".github/workflows/template-injection.yml:20:51: template-injection":      {finding.High, []string{"${{ github.event['issue']['title'] }} expands github.event.issue.title"}},
		".github/workflows/template-injection.yml:21:26: template-injection":      {finding.High, []string{"github.head_ref"}},
		".github/workflows/template-injection.yml:29:28: template-injection":      {finding.High, []string{"github.event.pull_request.title", "actions/github-script's script"}},
		".github/workflows/template-injection.yml:22:17: template-injection":      {finding.High, []string{"expands github.event.issue.body into"}},
		".github/workflows/unpinned-uses.yml:9:15: unpinned-uses":                 {finding.Medium, []string{"the action actions/checkout is pinned by tag or branch (v4), not by commit"}},
		".github/workflows/unpinned-uses.yml:13:15: unpinned-uses":                {finding.Medium, []string{"the image docker://alpine:3.20 is not pinned by digest"}},
		".github/workflows/unpinned-uses.yml:15:11: unpinned-uses":                {finding.Medium, []string{"the reusable workflow some-org/workflows/.github/workflows/release.yml"}},
		".github/workflows/untrusted-checkout.yml:16:16: untrusted-checkout":      {finding.Critical, []string{"on pull_request_target", "github.event.pull_request.head.sha", "job build", "runs commands"}},
		".github/workflows/untrusted-checkout.yml:23:16: untrusted-checkout":      {finding.High, []string{"a refs/pull/ ref", "may run it"}},
		".github/workflows/untrusted-checkout.yml:29:23: untrusted-checkout":      {finding.Critical, []string{"repository: github.event.pull_request.head.repo.full_name"}},
		".github/workflows/untrusted-checkout-run.yaml:13:21: untrusted-checkout": {finding.Critical, []string{"on workflow_run", "github.event.workflow_run.head_sha"}},
		".github/workflows/excessive-permissions.yml:4:14: excessive-permissions": {finding.Medium, []string{"the workflow grants the GITHUB_TOKEN write-all"}},
		".github/workflows/excessive-permissions.yml:8:18: excessive-permissions": {finding.Medium, []string{"job publish grants"}},
		".github/actions/greet/action.yml:8:29: template-injection":               {finding.High, []string{"github.event.pull_request.title"}},
	}
	fps := map[string]bool{}
	for _, f := range res.Findings {
		if fps[f.Fingerprint] {
			t.Errorf("%s: fingerprint %s repeated", scannertest.Line(f), f.Fingerprint)
		}
		fps[f.Fingerprint] = true
		key := strings.TrimSuffix(scannertest.Line(f), " "+f.Severity.String())
		w, ok := want[key]
		if !ok {
			continue
		}
		delete(want, key)
		if f.Severity != w.sev || f.Tool != workflows.Name {
			t.Errorf("%s: severity %v, want %v", key, f.Severity, w.sev)
		}
		testkit.ContainsAll(t, key+": the message", f.Message, w.text...)
	}
	for key := range want {
		t.Errorf("no finding %s", key)
	}
	var ids []string
	for _, r := range res.Rules {
		ids = append(ids, r.ID)
		if r.Help == "" || r.HelpURI == "" || r.Short == "" {
			t.Errorf("%s: rule without help", r.ID)
		}
	}
	if slices.Sort(ids); !slices.Equal(ids, workflows.RuleIDs()) {
		t.Errorf("rules %v, want every rule, each once", ids)
	}
}

// skips leaves rules out; without ref-pin, a tag is a tag whoever's it is.
func TestOptions(t *testing.T) {
	root := scannertest.Testdata("workflows", "repo")
	skips := []string{"template-injection", "untrusted-checkout", "excessive-permissions"}
	res := scannertest.Scan(t, workflows.New(workflows.Options{Skips: skips}), scannertest.Request(root))
	var lines []string
	for _, f := range res.Findings {
		if f.RuleID != "unpinned-uses" {
			t.Errorf("skipped rule reported: %s", scannertest.Line(f))
		}
		lines = append(lines, scannertest.Line(f))
	}
	if want := ".github/workflows/unpinned-uses-ok.yml:14:15: unpinned-uses medium"; !slices.Contains(lines, want) {
		t.Errorf("without ref-pin %v lacks %s", lines, want)
	}
	if len(res.Rules) != 1 || res.Rules[0].ID != "unpinned-uses" {
		t.Errorf("rules %+v", res.Rules)
	}
}

func TestApplies(t *testing.T) {
	s := workflows.New(workflows.Options{})
	for _, tc := range []struct {
		files map[string]string
		want  bool
	}{
		{map[string]string{"main.go": "package main\n", ".github/dependabot.yml": "version: 2\n"}, false},
		{map[string]string{".github/workflows/ci.yaml": "on: push\n"}, true},
		{map[string]string{"tools/deploy/action.yml": "runs: {using: composite}\n"}, true},
		{map[string]string{"sub/.github/workflows/ci.yml": "on: push\n", "vendor/x/action.yml": "runs: {}\n"}, false},
	} {
		root := t.TempDir()
		testkit.WriteFiles(t, root, tc.files)
		if got := s.Applies(scannertest.Request(root)); got != tc.want {
			t.Errorf("%v: applies %v, want %v", tc.files, got, tc.want)
		}
	}
}

// A hostile tree: workflow files and the workflows folder linked out of the
// root, a file far over the limit, a pipe, an alias bomb and a file that is
// not YAML. Nothing outside is read or named, the scan ends at once, and
// what it could not analyze is a located gap.
func TestHostile(t *testing.T) {
	testkit.SkipOnWindows(t, "symlinks and pipes")
	outside := t.TempDir()
	inject := "on: issue_comment\njobs:\n  x:\n    steps:\n      - run: echo '${{ github.event.comment.body }}' OUTSIDE-SECRET\n"
	testkit.WriteFiles(t, outside, map[string]string{"ci.yml": inject, "workflows/ci.yml": inject})
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{
		".github/workflows/ok.yml":  "on: push\njobs:\n  x:\n    steps:\n      - run: echo '${{ github.head_ref }}'\n",
		".github/workflows/bad.yml": "on: push\njobs:\n\tx: 1\n",
		".github/workflows/bomb.yml": "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
			"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n" +
			"jobs:\n  x:\n    steps: *f\n    permissions: *f\n",
	})
	testkit.Symlink(t, filepath.Join(outside, "ci.yml"), filepath.Join(root, ".github/workflows/linked.yml"))
	testkit.Symlink(t, filepath.Join(outside, "workflows"), filepath.Join(root, "x/.github/workflows"))
	testkit.Symlink(t, filepath.Join(outside, "ci.yml"), filepath.Join(root, "linked/action.yml"))
	big, err := os.Create(filepath.Join(root, ".github/workflows/big.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(8 << 30); err != nil { // sparse: 8 GiB that take no disk
		t.Fatal(err)
	}
	big.Close()
	if err := syscall.Mkfifo(filepath.Join(root, ".github/workflows/fifo.yml"), 0o644); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	o := scannertest.Run(t, workflows.New(workflows.Options{}), scannertest.Request(root))
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %s", took)
	}
	if o.Err != nil || o.Res.State != finding.Incomplete {
		t.Fatalf("err %v, state %v: want the gaps to make it incomplete", o.Err, o.Res.State)
	}
	if got := scannertest.Lines(o.Res); !slices.Equal(got, []string{".github/workflows/ok.yml:5:20: template-injection high"}) {
		t.Errorf("findings %q, want only ok.yml's", got)
	}
	var notes []string
	for _, n := range o.Res.Notifications {
		notes = append(notes, n.Location.Path+" "+n.Message)
	}
	for _, want := range []string{
		".github/workflows/big.yml workflows: .github/workflows/big.yml is larger than 1024 KiB: not analyzed",
		".github/workflows/bad.yml workflows: .github/workflows/bad.yml:3: invalid YAML: found character that cannot start any token: not analyzed",
	} {
		if !slices.Contains(notes, want) {
			t.Errorf("notifications %q lack %q", notes, want)
		}
	}
	if len(notes) != 2 {
		t.Errorf("notifications %q, want the two gaps", notes)
	}
	b, _ := json.Marshal(o.Res)
	testkit.ContainsNone(t, "the result", string(b), "OUTSIDE-SECRET", outside, root)

	// The workflows folder itself a link out: nothing to analyze.
	linked := t.TempDir()
	testkit.Symlink(t, filepath.Join(outside, "workflows"), filepath.Join(linked, ".github/workflows"))
	if s := workflows.New(workflows.Options{}); s.Applies(scannertest.Request(linked)) {
		t.Errorf("applies to a tree whose workflows folder links out: %+v", scannertest.Scan(t, s, scannertest.Request(linked)))
	}
}

// An unreadable folder is a located gap, never a clean scan; excluded, it
// is not read. Run where permission bits bind (as root too).
func TestUnreadable(t *testing.T) {
	if !noperm.Isolate(t) {
		return
	}
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{
		".github/workflows/ci.yml":    "on: push\npermissions: write-all\n",
		"tools/secret/action.yml":     "runs: {using: composite}\n",
		"tools/readable/action.yml":   "runs:\n  using: composite\n  steps:\n    - uses: a/b@v1\n",
		".github/workflows/other.yml": "on: push\n",
	})
	noperm.Deny(t, filepath.Join(root, "tools/secret"))
	s := workflows.New(workflows.Options{})
	req := scannertest.Request(root)
	o := scannertest.Run(t, s, req)
	if o.Err != nil || o.Res.State != finding.Incomplete {
		t.Fatalf("err %v, state %v, want a partial scan", o.Err, o.Res.State)
	}
	if got := scannertest.Lines(o.Res); len(got) != 2 {
		t.Errorf("findings %q, want write-all and the unpinned action", got)
	}
	if len(o.Res.Notifications) != 1 || o.Res.Notifications[0].Location.Path != "tools/secret" ||
		!strings.Contains(o.Res.Notifications[0].Message, "tools/secret cannot be read (permission denied)") {
		t.Errorf("notifications %+v", o.Res.Notifications)
	}
	req.Exclude = []string{"tools/secret"}
	if o := scannertest.Run(t, s, req); o.Err != nil || o.Res.State != finding.Completed {
		t.Errorf("excluded: err %v, state %v", o.Err, o.Res.State)
	}
	noperm.Deny(t, root)
	req.Exclude = nil
	if !s.Applies(req) {
		t.Error("an unreadable root: does not apply")
	}
	if o := scannertest.Run(t, s, req); o.Res.State != finding.Incomplete {
		t.Errorf("an unreadable root: state %v", o.Res.State)
	}
}
