package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/gitrev/gitrevtest"
	"github.com/scangate/scangate/internal/testkit"
)

// newFromRevReport is the part of the JSON report these tests read.
type newFromRevReport struct {
	Verdict struct {
		New, Unchanged, Fixed int
	} `json:"verdict"`
	NewFrom *struct {
		Ref, Commit, Description string
	} `json:"newFrom"`
	Tools []struct {
		Tool     string `json:"tool"`
		Findings []struct {
			RuleID   string `json:"ruleId"`
			Status   string `json:"status"`
			Reach    string `json:"reachability"`
			Location struct {
				Path string `json:"path"`
			} `json:"location"`
		} `json:"findings"`
	} `json:"tools"`
}

// statuses lists "rule path status" per finding, sorted.
func (r newFromRevReport) statuses() []string {
	var out []string
	for _, tl := range r.Tools {
		for _, f := range tl.Findings {
			out = append(out, f.RuleID+" "+f.Location.Path+" "+f.Status)
		}
	}
	slices.Sort(out)
	return out
}

func readNewFromRev(t *testing.T, path string) newFromRevReport {
	t.Helper()
	b := testkit.ReadFile(t, path)
	var r newFromRevReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

const goModOnly = "module example.com/app\n\ngo 1.22\n"

const weakHash = `package main

import (
	"crypto/md5"
	"fmt"
)

func main() {
	fmt.Println(md5.Sum([]byte("x")))
}
`

const randToken = `package main

import "math/rand"

func token() int { return rand.Int() }
`

const shellRun = `package main

import (
	"os"
	"os/exec"
)

func run() { _ = exec.Command("sh", "-c", os.Args[1]).Run() }
`

// gosec on a real repository: the change adds a command injection in a
// subdirectory's module and moves the old weak hash down a few lines; main
// went on after the branch point (a finding the branch never had). Only
// the change's findings are new, relative to the merge-base, not to main's
// tip; the finding the change deletes is fixed. The base's tree leaves
// nothing behind, and the second run takes the base from the result cache.
func TestNewFromRevGosec(t *testing.T) {
	repo := filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	testkit.Git(t, repo, "init", "-q")
	testkit.WriteFiles(t, repo, map[string]string{"svc/go.mod": goModOnly, "svc/main.go": weakHash, "svc/token.go": randToken, "README": "x\n"})
	branchPoint := testkit.Commit(t, repo, "base")
	testkit.Git(t, repo, "checkout", "-q", "-b", "feature")
	testkit.WriteFiles(t, repo, map[string]string{
		"svc/main.go": "// Package main moved down.\n\n" + weakHash,
		"svc/exec.go": shellRun,
	})
	if err := os.Remove(filepath.Join(repo, "svc/token.go")); err != nil {
		t.Fatal(err)
	}
	testkit.Commit(t, repo, "change")
	testkit.Git(t, repo, "checkout", "-q", "main")
	testkit.WriteFiles(t, repo, map[string]string{"svc/later.go": strings.Replace(shellRun, "func run()", "func later()", 1)})
	testkit.Commit(t, repo, "main goes on")
	testkit.Git(t, repo, "checkout", "-q", "feature")

	cache := filepath.Join(t.TempDir(), "cache")
	out := filepath.Join(t.TempDir(), "out.json")
	scan := func() (int, string, newFromRevReport) {
		code, _, stderr := runCLI(t, "scan", "--scanners", "gosec", "--fail-on", "low", "--cache-dir", cache,
			"--new-from-rev", "main", "--json", out, filepath.Join(repo, "svc"))
		return code, stderr, readNewFromRev(t, out)
	}
	code, stderr, rep := scan()
	if code != exitFail {
		t.Fatalf("exit %d, want %d\n%s", code, exitFail, stderr)
	}
	var news, unchanged []string
	for _, s := range rep.statuses() {
		switch {
		case strings.HasSuffix(s, " new"):
			news = append(news, s)
		case strings.HasSuffix(s, " unchanged"):
			unchanged = append(unchanged, s)
		}
	}
	// The change's findings are all in exec.go; the moved ones in main.go are not new.
	if len(news) == 0 || slices.ContainsFunc(news, func(s string) bool { return !strings.Contains(s, " exec.go ") }) {
		t.Errorf("new findings: %q, want exec.go's only\n%s", news, stderr)
	}
	if len(unchanged) == 0 || slices.ContainsFunc(unchanged, func(s string) bool { return !strings.Contains(s, " main.go ") }) {
		t.Errorf("unchanged findings: %q, want main.go's\n%s", unchanged, stderr)
	}
	if rep.Verdict.Fixed != 1 { // token.go's G404, deleted by the change
		t.Errorf("fixed %d, want 1 (main's later commit is not the base)\n%s", rep.Verdict.Fixed, stderr)
	}
	short := branchPoint[:7]
	if rep.NewFrom == nil || rep.NewFrom.Commit != branchPoint || rep.NewFrom.Ref != "main" ||
		rep.NewFrom.Description != "new relative to "+short+" (merge-base of main)" {
		t.Errorf("newFrom = %+v, want the merge-base %s", rep.NewFrom, branchPoint)
	}
	if !strings.Contains(stderr, "new relative to "+short+" (merge-base of main)") || !strings.Contains(stderr, "fixed since "+short) {
		t.Errorf("the summary does not name the base:\n%s", stderr)
	}
	assertNoBaseLeft(t, repo, cache)

	// Again: the base comes from the result cache, with the same answer.
	code2, stderr2, rep2 := scan()
	if code2 != code || !slices.Equal(rep2.statuses(), rep.statuses()) {
		t.Errorf("second run: exit %d, %q; first %q\n%s", code2, rep2.statuses(), rep.statuses(), stderr2)
	}
	if !strings.Contains(stderr2, "base scan took") || !strings.Contains(stderr2, "(from the result cache: gosec 1/1 package)") {
		t.Errorf("second run: the base did not come from the result cache:\n%s", stderr2)
	}
	assertNoBaseLeft(t, repo, cache)
}

// assertNoBaseLeft: no git worktree was registered and no exported tree stayed.
func assertNoBaseLeft(t *testing.T, repo, cache string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(repo, ".git", "worktrees")); err == nil {
		t.Errorf(".git/worktrees exists")
	}
	entries, _ := os.ReadDir(cache + "-base")
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".lock") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// govulncheck and osv-scanner against the example database, on the
// example project: in the base, golang.org/x/text's vulnerable Parse is
// imported but not called and golang.org/x/crypto is not required. The
// change calls Parse (go.mod unchanged for x/text: GO-2021-0113 is new as
// called) and requires x/crypto (a manifest change: GO-2023-2402 is new);
// GO-2022-1059 stays imported, requirements.txt and the shell command are
// untouched: all unchanged.
func TestNewFromRevVulnerabilities(t *testing.T) {
	repo := testkit.TempCopy(t, "../../examples/project")
	head := map[string][]byte{}
	for _, name := range []string{"go.mod", "main.go", "vendor/modules.txt"} {
		b := testkit.ReadFile(t, filepath.Join(repo, name))
		head[name] = b
	}
	crypto := filepath.Join(repo, "vendor", "golang.org", "x", "crypto")
	keep := filepath.Join(t.TempDir(), "crypto")
	if err := os.Rename(crypto, keep); err != nil {
		t.Fatal(err)
	}
	main := string(head["main.go"])
	main = strings.Replace(main, "return language.Parse(s)", "return language.Und, nil", 1)
	main = strings.Replace(main, "\t\"golang.org/x/crypto/bcrypt\"\n", "", 1)
	main = main[:strings.Index(main, "// hashPassword")] + "func hashPassword(pw string) string { return pw }\n"
	mods := string(head["vendor/modules.txt"])
	mods = mods[strings.Index(mods, "# golang.org/x/text"):]
	gomod := strings.Replace(string(head["go.mod"]), "\tgolang.org/x/crypto v0.0.0-20220722155217-630584e8d5aa\n", "", 1)
	testkit.WriteFiles(t, repo, map[string]string{"main.go": main, "vendor/modules.txt": mods, "go.mod": gomod})
	testkit.Git(t, repo, "init", "-q")
	base := testkit.Commit(t, repo, "base")
	testkit.Git(t, repo, "checkout", "-q", "-b", "change")
	if err := os.Rename(keep, crypto); err != nil {
		t.Fatal(err)
	}
	for name, b := range head {
		testkit.WriteFiles(t, repo, map[string]string{name: string(b)})
	}
	testkit.Commit(t, repo, "call Parse, require x/crypto")

	out := filepath.Join(t.TempDir(), "out.json")
	code, _, stderr := runCLI(t, "scan", "--scanners", "govulncheck,osv-scanner,gosec", "--fail-on", "critical",
		"--new-from-rev", base, "--json", out, repo)
	rep := readNewFromRev(t, out)
	got := map[string]string{}
	for _, tl := range rep.Tools {
		for _, f := range tl.Findings {
			if f.Location.Path != "requirements.txt" {
				got[f.RuleID] = f.Status + " " + f.Reach
			}
		}
	}
	for rule, want := range map[string]string{
		"GO-2021-0113": "new called",   // imported in the base, called now; go.mod line for x/text unchanged
		"GO-2023-2402": "new required", // the manifest change
		"GO-2022-1059": "unchanged imported",
	} {
		if got[rule] != want {
			t.Errorf("%s: %q, want %q\n%s", rule, got[rule], want, stderr)
		}
	}
	if code != exitFail { // a new called vulnerability fails whatever the threshold
		t.Errorf("exit %d, want %d\n%s", code, exitFail, stderr)
	}
	var reqs []string
	for _, s := range rep.statuses() {
		if strings.Contains(s, " requirements.txt ") || strings.HasPrefix(s, "G204 ") {
			reqs = append(reqs, s)
		}
	}
	if len(reqs) < 2 || slices.ContainsFunc(reqs, func(s string) bool { return !strings.HasSuffix(s, " unchanged") }) {
		t.Errorf("untouched requirements.txt and main.go's shell command: %q, want unchanged\n%s", reqs, stderr)
	}
	if rep.Verdict.Fixed != 0 {
		t.Errorf("fixed %d, want 0: a finding reached more strongly is new, not fixed", rep.Verdict.Fixed)
	}
}

// featureRepo is a repository whose branch feature adds a shell command
// (gosec G204, G702) to a module whose main.go has a weak hash since main.
func featureRepo(t *testing.T) (repo, branchPoint string) {
	t.Helper()
	repo = filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	testkit.Git(t, repo, "init", "-q")
	testkit.WriteFiles(t, repo, map[string]string{"go.mod": goModOnly, "main.go": weakHash})
	branchPoint = testkit.Commit(t, repo, "base")
	testkit.Git(t, repo, "checkout", "-q", "-b", "feature")
	testkit.WriteFiles(t, repo, map[string]string{"exec.go": shellRun})
	testkit.Commit(t, repo, "change")
	testkit.Git(t, repo, "checkout", "-q", "main")
	testkit.WriteFiles(t, repo, map[string]string{"token.go": randToken})
	testkit.Commit(t, repo, "main goes on")
	testkit.Git(t, repo, "checkout", "-q", "feature")
	return repo, branchPoint
}

// Shallow clones (git clone --depth 1, as actions/checkout makes by
// default): without the base, a clear error says which fetch-depth to use;
// with enough history, or the pull request's merge commit cloned two deep
// and its base commit as the revision, the comparison works.
func TestNewFromRevShallowClone(t *testing.T) {
	repo, branchPoint := featureRepo(t)
	testkit.Git(t, repo, "checkout", "-q", "-b", "pr-merge", "main")
	testkit.Git(t, repo, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
	mainTip := testkit.Git(t, repo, "rev-parse", "main")
	testkit.Git(t, repo, "checkout", "-q", "feature")
	url := "file://" + repo
	clone := func(args ...string) string {
		dst := filepath.Join(t.TempDir(), "clone")
		testkit.Git(t, t.TempDir(), append(append([]string{"clone", "-q"}, args...), url, dst)...)
		return dst
	}
	scan := func(dir, rev string) (int, string) {
		code, _, stderr := runCLI(t, "scan", "-q", "--scanners", "gosec", "--fail-on", "low", "--new-from-rev", rev, dir)
		return code, stderr
	}

	// The branch alone, one commit deep: origin/main is not there.
	code, stderr := scan(clone("--depth", "1"), "origin/main")
	if code != exitUsage || !strings.Contains(stderr, "origin/main is not in this clone, which is shallow") || !strings.Contains(stderr, "fetch-depth: 0") {
		t.Errorf("single branch, depth 1: exit %d\n%s", code, stderr)
	}
	// Both branches, one commit deep each: no merge-base.
	code, stderr = scan(clone("--depth", "1", "--no-single-branch"), "origin/main")
	if code != exitUsage || !strings.Contains(stderr, "the merge-base of origin/main and HEAD is not in this clone, which is shallow") || !strings.Contains(stderr, "fetch-depth: 0") {
		t.Errorf("no merge-base: exit %d\n%s", code, stderr)
	}
	// Deep enough.
	code, stderr = scan(clone("--depth", "2", "--no-single-branch"), "origin/main")
	if code != exitFail || !strings.Contains(stderr, "new relative to "+branchPoint[:7]+" (merge-base of origin/main)") {
		t.Errorf("depth 2: exit %d\n%s", code, stderr)
	}
	// A pull request's merge commit, two deep, against its base commit
	// (github.event.pull_request.base.sha): the base is the merge's parent.
	code, stderr = scan(clone("--depth", "2", "--branch", "pr-merge"), mainTip)
	if code != exitFail || !strings.Contains(stderr, "new relative to "+mainTip[:7]) ||
		!strings.Contains(stderr, "2 new (high 1, medium 1), 3 unchanged, 0 fixed since "+mainTip[:7]) {
		t.Errorf("merge commit, depth 2: exit %d\n%s", code, stderr)
	}
}

// A hostile repository's git settings and attributes name programs (a
// smudge filter on every file, fsmonitor, hooks, a pager, an
// ssh command): none runs while scangate finds and exports the base. The
// same settings do run under plain git afterwards, so the test would see
// them. A partial clone, whose lazy fetch would use the repository's
// remote settings, is refused.
func TestNewFromRevHostileGitConfig(t *testing.T) {
	repo := filepath.Join(t.TempDir(), "repo")
	marks := t.TempDir()
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	testkit.Git(t, repo, "init", "-q")
	testkit.WriteFiles(t, repo, map[string]string{"go.mod": goModOnly, "main.go": weakHash, ".gitattributes": "* filter=evil\n",
		"hooks/post-checkout": "#!/bin/sh\ntouch " + marks + "/hook\n", "hooks/reference-transaction": "#!/bin/sh\ntouch " + marks + "/hook\n"})
	base := testkit.Commit(t, repo, "base")
	testkit.WriteFiles(t, repo, map[string]string{"exec.go": shellRun})
	testkit.Commit(t, repo, "change")
	for _, h := range []string{"post-checkout", "reference-transaction"} {
		if err := os.Chmod(filepath.Join(repo, "hooks", h), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	touch := func(name string) string { return "touch " + filepath.Join(marks, name) }
	for k, v := range map[string]string{
		"filter.evil.smudge":   touch("smudge") + "; cat",
		"filter.evil.clean":    "cat",
		"filter.evil.required": "true",
		"core.fsmonitor":       touch("fsmonitor"),
		"core.hooksPath":       filepath.Join(repo, "hooks"),
		"core.pager":           touch("pager"),
		"core.sshCommand":      touch("ssh"),
		"diff.external":        touch("diff"),
	} {
		testkit.Git(t, repo, "config", k, v)
	}
	code, _, stderr := runCLI(t, "scan", "--scanners", "gosec", "--fail-on", "low", "--new-from-rev", "HEAD~1", repo)
	if code != exitFail || !strings.Contains(stderr, "new relative to "+base[:7]) || !strings.Contains(stderr, "2 unchanged, 0 fixed since") {
		t.Errorf("exit %d, want the comparison to work\n%s", code, stderr)
	}
	if left, _ := os.ReadDir(marks); len(left) > 0 {
		t.Errorf("a program of the repository ran: %v", left)
	}
	// The settings are live: plain git runs them (its errors do not matter).
	loose := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		out, _ := cmd.CombinedOutput()
		t.Logf("control: git %s: %s", strings.Join(args, " "), out)
	}
	loose("checkout", "-q", "-b", "other")
	loose("status")
	os.Remove(filepath.Join(repo, "main.go"))
	loose("checkout", "--", "main.go")
	for _, m := range []string{"fsmonitor", "smudge", "hook"} {
		if _, err := os.Stat(filepath.Join(marks, m)); err != nil {
			t.Errorf("control: plain git did not run the %s the test plants; the test proves nothing", m)
		}
	}

	testkit.Git(t, repo, "config", "core.repositoryformatversion", "1")
	testkit.Git(t, repo, "config", "extensions.partialClone", "origin")
	code, _, stderr = runCLI(t, "scan", "-q", "--scanners", "gosec", "--new-from-rev", "HEAD~1", repo)
	if code != exitUsage || !strings.Contains(stderr, "partial clone") {
		t.Errorf("partial clone: exit %d\n%s", code, stderr)
	}
}

// git reads objects and nothing else. The repository says, through its
// own git settings, that the base has the change's tree (a replace ref, or
// a graft making HEAD~1 a commit with HEAD's tree): the change's findings
// stay new. A promisor remote whose transport is the repository's alias,
// under a git that ignores GIT_NO_LAZY_FETCH, is refused and never runs.
// An included file outside the repository, which git quotes in its
// errors, reaches no message.
func TestNewFromRevGitReadsObjectsOnly(t *testing.T) {
	const marker = "leakmarkgit7q"
	repo := filepath.Join(t.TempDir(), "repo")
	marks := t.TempDir()
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	testkit.Git(t, repo, "init", "-q")
	testkit.WriteFiles(t, repo, map[string]string{"go.mod": goModOnly, "main.go": weakHash})
	base := testkit.Commit(t, repo, "base")
	testkit.WriteFiles(t, repo, map[string]string{"exec.go": shellRun})
	testkit.Commit(t, repo, "change")
	fake := testkit.Git(t, repo, "commit-tree", "HEAD^{tree}", "-m", "the change's tree")
	scan := func(rev string) (int, string) {
		code, _, stderr := runCLI(t, "scan", "--no-cache", "--scanners", "gosec", "--fail-on", "low", "--new-from-rev", rev, repo)
		return code, stderr
	}
	for _, tc := range []struct {
		name         string
		plant, clear func()
	}{
		{"replace ref", func() { testkit.Git(t, repo, "replace", base, fake) }, func() { testkit.Git(t, repo, "replace", "-d", base) }},
		{"graft", func() {
			testkit.WriteFiles(t, repo, map[string]string{".git/info/grafts": testkit.Git(t, repo, "rev-parse", "HEAD") + " " + fake + "\n"})
		},
			func() { os.Remove(filepath.Join(repo, ".git", "info", "grafts")) }},
	} {
		tc.plant()
		// Control: plain git believes the setting, so the test would see it.
		if testkit.Git(t, repo, "rev-parse", "HEAD~1^{tree}") != testkit.Git(t, repo, "rev-parse", "HEAD^{tree}") {
			t.Fatalf("%s: control: plain git does not see the change's tree at HEAD~1", tc.name)
		}
		code, stderr := scan("HEAD~1")
		if code != exitFail || !strings.Contains(stderr, "new relative to "+base[:7]) || !strings.Contains(stderr, "2 new") {
			t.Errorf("%s: exit %d, want the change's 2 findings new relative to %s\n%s", tc.name, code, base[:7], stderr)
		}
		tc.clear()
	}

	outside := filepath.Join(t.TempDir(), "included")
	testkit.WriteFiles(t, filepath.Dir(outside), map[string]string{"included": marker + " = 1\n"})
	testkit.Git(t, repo, "config", "include.path", outside)
	code, stderr := scan("no-such-branch")
	if code != exitUsage || !strings.Contains(stderr, "revision no-such-branch is not in this repository") || strings.Contains(stderr, marker) {
		t.Errorf("included config: exit %d, want a usage error without the included file's line\n%s", code, stderr)
	}
	testkit.Git(t, repo, "config", "--unset", "include.path")

	gitrevtest.OldGit(t)
	aliasRan := filepath.Join(marks, "alias-ran")
	for k, v := range map[string]string{
		"remote.origin.url":      "evil::x",
		"remote.origin.promisor": "true",
		"protocol.evil.allow":    "always",
		"alias.remote-evil":      "!touch " + aliasRan + "; false",
	} {
		testkit.Git(t, repo, "config", k, v)
	}
	blob := testkit.Git(t, repo, "rev-parse", base+":main.go")
	if err := os.Remove(filepath.Join(repo, ".git", "objects", blob[:2], blob[2:])); err != nil {
		t.Fatal(err)
	}
	code, stderr = scan("HEAD~1")
	if code != exitUsage || !strings.Contains(stderr, "promisor remote") {
		t.Errorf("promisor remote: exit %d, want a refusal\n%s", code, stderr)
	}
	if _, err := os.Stat(aliasRan); err == nil {
		t.Error("the repository's alias ran as a remote helper")
	}
}

// --new-from-rev with a baseline file is refused (a configured one can be
// dropped with --baseline=), and outside a git repository it says so.
func TestNewFromRevUsage(t *testing.T) {
	repo, _ := featureRepo(t)
	bl := filepath.Join(repo, "baseline.json")
	if err := os.WriteFile(bl, []byte(`{"version": 1, "findings": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "scan", "-q", "--scanners", "gosec", "--baseline", bl, "--new-from-rev", "main", repo)
	if code != exitUsage || !strings.Contains(stderr, "--new-from-rev and --baseline cannot be combined") {
		t.Errorf("with --baseline: exit %d\n%s", code, stderr)
	}
	testkit.WriteFiles(t, repo, map[string]string{".scangate.yml": "baseline: baseline.json\n"})
	code, _, stderr = runCLI(t, "scan", "-q", "--scanners", "gosec", "--new-from-rev", "main", repo)
	if code != exitUsage || !strings.Contains(stderr, "--new-from-rev and baseline (") || !strings.Contains(stderr, ".scangate.yml") {
		t.Errorf("with a configured baseline: exit %d\n%s", code, stderr)
	}
	code, _, stderr = runCLI(t, "scan", "-q", "--scanners", "gosec", "--fail-on", "low", "--baseline=", "--new-from-rev", "main", repo)
	if code != exitFail || !strings.Contains(stderr, "2 new (high 1, medium 1), 2 unchanged") {
		t.Errorf("--baseline= drops the configured one: exit %d\n%s", code, stderr)
	}
	code, _, stderr = runCLI(t, "scan", "-q", "--scanners", "gosec", "--baseline=", "--new-from-rev", "no-such-branch", repo)
	if code != exitUsage || !strings.Contains(stderr, "revision no-such-branch is not in this repository") {
		t.Errorf("unknown revision: exit %d\n%s", code, stderr)
	}
	code, _, stderr = runCLI(t, "scan", "-q", "--baseline=", "--shard", "1/2", "--json", filepath.Join(t.TempDir(), "s.json"), "--new-from-rev", "main", repo)
	if code != exitUsage || !strings.Contains(stderr, "--new-from-rev and --shard cannot be combined") {
		t.Errorf("with --shard: exit %d\n%s", code, stderr)
	}
	plain := t.TempDir()
	testkit.WriteFiles(t, plain, map[string]string{"go.mod": goModOnly, "main.go": weakHash})
	code, _, stderr = runCLI(t, "scan", "-q", "--scanners", "gosec", "--new-from-rev", "main", plain)
	if code != exitUsage || !strings.Contains(stderr, "is not in a git repository") {
		t.Errorf("no repository: exit %d\n%s", code, stderr)
	}
}

// Ctrl-C while the base is scanned: the scan stops and the base's tree is
// removed (the scanner below stands for any scanner still running).
func TestNewFromRevInterruptRemovesBase(t *testing.T) {
	repo, _ := featureRepo(t)
	cache := filepath.Join(t.TempDir(), "cache")
	var baseRoot string
	withExtraScanners(t, misbehaving{"interrupted", func(ctx context.Context) (*finding.Result, error) {
		if baseRoot == "" {
			entries, _ := os.ReadDir(cache + "-base")
			for _, e := range entries {
				if e.IsDir() {
					baseRoot = filepath.Join(cache+"-base", e.Name())
				}
			}
			if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
				t.Error(err)
			}
		}
		<-ctx.Done()
		return nil, context.Cause(ctx)
	}})
	code, _, stderr := runCLI(t, "scan", "-q", "--cache-dir", cache, "--new-from-rev", "main", repo)
	if code == exitPass || code == exitFail || !strings.Contains(stderr, "base scan") {
		t.Errorf("exit %d, want the scan stopped in the base\n%s", code, stderr)
	}
	if baseRoot == "" {
		t.Fatalf("the base's tree was not under %s-base while it was scanned", cache)
	}
	if _, err := os.Stat(filepath.Join(baseRoot, "main.go")); err == nil {
		t.Errorf("the base's tree %s is still there", baseRoot)
	}
	assertNoBaseLeft(t, repo, cache)
}
