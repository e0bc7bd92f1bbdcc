package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/scangate/scangate/internal/cdxtest"
	"github.com/scangate/scangate/internal/ghtest"
	"github.com/scangate/scangate/internal/testkit"
)

// shardTree is a multi-module repository: the example project (a called
// vulnerability in module and go.mod, vulnerable pins, Python code), a
// second copy of it under another module path, gosec's fixture module and
// a dependency-free library module.
func shardTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for dst, src := range map[string]string{
		"svc/a": "../../examples/project",
		"svc/b": "../../examples/project",
		"gfix":  "../../testdata/gosec/fixture",
		"lib":   "../../testdata/gosec/multi/lib",
	} {
		testkit.CopyTree(t, src, filepath.Join(root, dst))
	}
	gomod := filepath.Join(root, "svc/b/go.mod")
	b := testkit.ReadFile(t, gomod)
	b = bytes.Replace(b, []byte("module example.com/scangate-example"), []byte("module example.com/scangate-example-b"), 1)
	if err := os.WriteFile(gomod, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// reportOf reads a JSON report for comparison: durations and the shard's
// own section left out, each run's rules and notifications sorted (their
// order is each scanner's own, not part of the result).
func reportOf(t *testing.T, path string) (map[string]any, string) {
	t.Helper()
	b := testkit.ReadFile(t, path)
	var d map[string]any
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	delete(d, "durationMs")
	delete(d, "shard")
	for _, tool := range d["tools"].([]any) {
		tm := tool.(map[string]any)
		delete(tm, "durationMs")
		for _, k := range []string{"rules", "notifications"} {
			if l, ok := tm[k].([]any); ok {
				slices.SortFunc(l, func(a, b any) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
			}
		}
	}
	out, _ := json.MarshalIndent(d, "", " ")
	return d, string(out)
}

type shardSection struct {
	Index int      `json:"index"`
	Ran   []string `json:"ran"`
	Units []struct {
		Kind string `json:"kind"`
		Path string `json:"path"`
	} `json:"units"`
}

func readShard(t *testing.T, path string) shardSection {
	t.Helper()
	var d struct {
		Shard *shardSection `json:"shard"`
	}
	b := testkit.ReadFile(t, path)
	if err := json.Unmarshal(b, &d); err != nil || d.Shard == nil {
		t.Fatalf("%s: no shard section (%v)", path, err)
	}
	return *d.Shard
}

// merge(shards) is the unsharded scan: the same findings with the same
// statuses, correlation across shards included, the same verdict,
// remediations, SARIF and SBOM, for 2 and 4 shards; and the shards split
// the units between them, each exactly once. A shard writes no SARIF and
// no SBOM (they would hold its units' findings and packages only).
func TestShardMergeEqualsUnsharded(t *testing.T) {
	testkit.SkipShort(t, "several whole scans compared")
	t.Parallel()
	root := shardTree(t)
	db := importDB(t, "../../examples/vulndb")
	out := t.TempDir()
	p := func(name string) string { return filepath.Join(out, name) }
	common := []string{"-q", "--offline", "--db", db, "--sarif-keep-incomplete"}
	scan := func(want int, args ...string) string {
		t.Helper()
		code, _, stderr := runCLI(t, append(append([]string{"scan"}, common...), append(args, root)...)...)
		if code != want {
			t.Fatalf("scan %v: exit %d, want %d\n%s", args, code, want, stderr)
		}
		return stderr
	}
	scan(exitFail, "--no-cache", "--json", p("full.json"), "--sarif", p("full.sarif"), "--cyclonedx", p("full.cdx.json"))
	want, wantText := reportOf(t, p("full.json"))
	_, wantBOM := readBOM(t, p("full.cdx.json"))
	if _, err := exec.LookPath("bandit"); err == nil {
		// bandit is one unit, the whole tree: one shard runs it.
		if !strings.Contains(wantText, `"tool": "bandit"`) || !strings.Contains(wantText, `"ruleId": "B`) {
			t.Errorf("bandit is installed but found nothing in the example's Python code")
		}
	}
	wantSARIF := testkit.ReadFile(t, p("full.sarif"))

	// Two shards scan cold; four shards answer from the cache the two
	// filled, which must not change the answer either.
	cache := t.TempDir()
	for _, n := range []int{2, 4} {
		var files []string
		units := map[string]int{}
		for k := 1; k <= n; k++ {
			f := p(fmt.Sprintf("shard-%d-of-%d.json", k, n))
			stderr := scan(0, "--cache-dir", cache, "--shard", fmt.Sprintf("%d/%d", k, n), "--json", f, "--sarif", p("ignored.sarif"),
				"--cyclonedx", p("ignored.cdx.json"))
			if !strings.Contains(stderr, "--sarif") || !strings.Contains(stderr, "--cyclonedx") || !strings.Contains(stderr, "not written") {
				t.Errorf("shard %d/%d: no word on the SARIF and SBOM it does not write:\n%s", k, n, stderr)
			}
			files = append(files, f)
			for _, u := range readShard(t, f).Units {
				units[u.Kind+" "+u.Path]++
			}
		}
		for _, f := range []string{"ignored.sarif", "ignored.cdx.json"} {
			if _, err := os.Stat(p(f)); err == nil {
				t.Errorf("a shard wrote %s", f)
			}
		}
		for u, c := range units {
			if c != 1 {
				t.Errorf("%d shards: unit %s is in %d shards", n, u, c)
			}
		}
		for _, u := range []string{"go-module svc/a", "go-module svc/b", "go-module gfix", "go-module lib", "lockfile svc/a/go.mod", "lockfile svc/a/requirements.txt"} {
			if units[u] != 1 {
				t.Errorf("%d shards: unit %s not scanned", n, u)
			}
		}
		merged := p(fmt.Sprintf("merged-%d.json", n))
		mergedSARIF, mergedBOM := p(fmt.Sprintf("merged-%d.sarif", n)), p(fmt.Sprintf("merged-%d.cdx.json", n))
		// Shards in any order.
		slices.Reverse(files)
		// merge takes the settings from the shards and needs no database:
		// its flags choose outputs only.
		code, _, stderr := runCLI(t, append([]string{"merge", "-q", "--sarif-keep-incomplete", "--root", root, "--json", merged, "--sarif", mergedSARIF,
			"--cyclonedx", mergedBOM}, files...)...)
		if code != exitFail {
			t.Fatalf("merge of %d shards: exit %d, want %d\n%s", n, code, exitFail, stderr)
		}
		got, gotText := reportOf(t, merged)
		// GO-2021-0113 may fall outside the summary's top ten (gfix's
		// generated file adds high findings): the report holds it.
		if !strings.Contains(gotText, `"ruleId": "GO-2021-0113"`) || !strings.Contains(stderr, "Verdict: FAIL") {
			t.Errorf("merge summary:\n%s", stderr)
		}
		if gotText != wantText {
			t.Errorf("merge of %d shards differs from the unsharded scan:\n%s", n, firstDiff(wantText, gotText))
		}
		if fmt.Sprint(got["verdict"]) != fmt.Sprint(want["verdict"]) {
			t.Errorf("verdict %v, want %v", got["verdict"], want["verdict"])
		}
		gotSARIF := testkit.ReadFile(t, mergedSARIF)
		if !bytes.Equal(gotSARIF, wantSARIF) {
			t.Errorf("merged SARIF of %d shards differs:\n%s", n, firstDiff(string(wantSARIF), string(gotSARIF)))
		}
		bom, gotBOM := readBOM(t, mergedBOM)
		if gotBOM != wantBOM {
			t.Errorf("merged SBOM of %d shards differs:\n%s", n, firstDiff(wantBOM, gotBOM))
		}
		// Both copies of the example are in it: x/text found in both go.mod files.
		i := slices.IndexFunc(bom.Components, func(c cdxtest.Component) bool { return c.PURL == "pkg:golang/golang.org/x/text@v0.3.6" })
		if i < 0 || len(bom.Components[i].Evidence.Occurrences) != 2 {
			t.Errorf("x/text of svc/a and svc/b: %+v", bom.Components)
		}
		if n == 4 {
			crossShardCorrelation(t, files)
		}
	}
}

// crossShardCorrelation checks the fixture does what the test is about:
// some vulnerability's govulncheck finding (its module) and osv-scanner
// finding (its go.mod) came from different shards.
func crossShardCorrelation(t *testing.T, files []string) {
	t.Helper()
	where := map[string]int{}
	for _, f := range files {
		s := readShard(t, f)
		for _, u := range s.Units {
			where[u.Kind+" "+u.Path] = s.Index
		}
	}
	for _, m := range []string{"svc/a", "svc/b"} {
		if where["go-module "+m] != where["lockfile "+m+"/go.mod"] {
			return
		}
	}
	t.Errorf("no module's govulncheck and osv-scanner units are in different shards: %v", where)
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			lo := max(0, i-3)
			return fmt.Sprintf("line %d:\nwant: %s\ngot:  %s\ncontext:\n%s", i+1, al[i], bl[i], strings.Join(bl[lo:min(len(bl), i+3)], "\n"))
		}
	}
	return fmt.Sprintf("lengths %d and %d lines", len(al), len(bl))
}

// A shard set that is not the N parts of one scan is an error naming the
// file and the problem (exit 2), never a verdict.
func TestMergeRefusesMismatchedShards(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testkit.CopyTree(t, "../../testdata/gosec/multi/lib", filepath.Join(root, "lib"))
	testkit.CopyTree(t, "../../testdata/gosec/fixture", filepath.Join(root, "gfix"))
	out := t.TempDir()
	p := func(name string) string { return filepath.Join(out, name) }
	db, _ := filepath.Abs("../../examples/vulndb")
	common := []string{"-q", "--no-cache", "--scanners", "gosec,osv-scanner", "--offline", "--db", db}
	shard := func(spec, file string, extra ...string) string {
		t.Helper()
		args := append(append([]string{"scan", "--shard", spec, "--json", file}, common...), append(extra, root)...)
		code, _, stderr := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("scan --shard %s: exit %d\n%s", spec, code, stderr)
		}
		return stderr
	}
	shard("1/2", p("1.json"))
	shard("2/2", p("2.json"))
	shard("1/3", p("1of3.json"))
	shard("2/2", p("2-tests.json"), "--tests")
	if code, _, stderr := runCLI(t, append(append([]string{"scan", "--json", p("full.json")}, common...), root)...); code != exitFail {
		t.Fatalf("scan: exit %d\n%s", code, stderr)
	}
	// A shard names its units and leaves severities and the verdict to
	// merge: gosec's high findings in gfix are no FAIL of a part.
	for _, spec := range []string{"1/2", "2/2"} {
		out := shard(spec, p("b.json"), "--baseline", p("full.json"))
		testkit.ContainsAll(t, "shard "+spec, out, "scanned shard "+spec+" of", "Units (", "go-module ", "No verdict: merge gates",
			"--baseline full.json is applied by scangate merge")
		// What merge is to say.
		testkit.ContainsNone(t, "shard "+spec, out, "Verdict", "FAIL", "high", "HIGH", "Findings:", "Top findings")
	}
	edit := func(name, from, to string) string {
		t.Helper()
		b := testkit.ReadFile(t, p("2.json"))
		e := strings.Replace(string(b), from, to, 1)
		if e == string(b) {
			t.Fatalf("%s: %q not found", name, from)
		}
		if err := os.WriteFile(p(name), []byte(e), 0o644); err != nil {
			t.Fatal(err)
		}
		return p(name)
	}
	var s2 struct {
		Version string `json:"scangateVersion"`
		Shard   struct {
			Tree     string `json:"tree"`
			Database string `json:"database"`
		} `json:"shard"`
	}
	b, _ := os.ReadFile(p("2.json"))
	if err := json.Unmarshal(b, &s2); err != nil {
		t.Fatal(err)
	}
	otherCommit := edit("commit.json", `"tree":`, `"commit": "`+strings.Repeat("ab", 20)+`", "tree":`)
	otherVersion := edit("version.json", `"scangateVersion": "`+s2.Version+`"`, `"scangateVersion": "v0.0.1"`)
	if s2.Shard.Database == "" {
		t.Fatal("an offline shard's report has no database digest")
	}
	otherDB := edit("db.json", s2.Shard.Database, "0123")
	otherTree := edit("tree.json", s2.Shard.Tree, "feedface")
	huge := edit("huge.json", `"count": 2`, `"count": 4611686018427387904`)
	badSettings := edit("badsettings.json", `\nfail-on: high\n`, `\nfail-on: bogus\n`)
	var tooMany []string
	for range 257 {
		tooMany = append(tooMany, p("1.json"))
	}

	for _, tc := range []struct {
		name  string
		extra []string
		files []string
		want  string
	}{
		{"missing", nil, []string{p("1.json")}, "missing shard 2/2"},
		{"duplicated", nil, []string{p("1.json"), p("1.json"), p("2.json")}, "are both shard 1/2"},
		{"not a shard", nil, []string{p("1.json"), p("full.json")}, "full.json is not a shard's report"},
		{"other count", nil, []string{p("1of3.json"), p("2.json")}, "shards of different runs"},
		{"other settings between shards", nil, []string{p("1.json"), p("2-tests.json")}, "different settings (flags or .scangate.yml): tests: shard 1 false, shard 2 true; scanners.govulncheck.test: shard 1 false, shard 2 true"},
		{"other settings in merge", []string{"--tests", "--fail-on", "medium"}, []string{p("1.json"), p("2.json")}, "fail-on: the shards high, merge medium; tests: the shards false, merge true"},
		{"bad settings", nil, []string{p("1.json"), badSettings}, "badsettings.json: its settings are not a valid configuration: settings:2:10: fail-on: invalid value \"bogus\""},
		{"other commit", nil, []string{p("1.json"), otherCommit}, "shards of different commits"},
		{"other scangate", nil, []string{p("1.json"), otherVersion}, "written by scangate v0.0.1"},
		{"other database", nil, []string{p("1.json"), otherDB}, "different vulnerability databases"},
		{"other tree", nil, []string{p("1.json"), otherTree}, "scanned different trees"},
		{"not JSON", nil, []string{p("1.json"), "shard_test.go"}, "shard_test.go"},
		{"count 2^62", nil, []string{p("1.json"), huge}, "huge.json: shard 2/4611686018427387904 is not a valid K/N (1 <= K <= N <= 256)"},
		{"257 files", nil, tooMany, "merge: 257 files, but a scan has at most 256 shards"},
	} {
		args := append(append(append([]string{"merge", "--root", root}, common...), tc.extra...), tc.files...)
		code, _, stderr := runCLI(t, args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, want %d and %q:\n%s", tc.name, code, exitUsage, tc.want, stderr)
		}
	}

	// The tree merge runs in is the tree the shards scanned.
	if err := os.WriteFile(filepath.Join(root, "lib", "more.go"), []byte("package lib\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, append(append([]string{"merge", "--root", root}, common...), p("1.json"), p("2.json"))...)
	if code != exitUsage || !strings.Contains(stderr, "another tree") {
		t.Errorf("changed tree: exit %d:\n%s", code, stderr)
	}
}

func TestShardFlag(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--shard", "0/2", "--json", filepath.Join(dir, "s.json")}, `"0/2": want K/N`},
		{[]string{"--shard", "3/2", "--json", filepath.Join(dir, "s.json")}, `"3/2": want K/N`},
		{[]string{"--shard", "two", "--json", filepath.Join(dir, "s.json")}, `"two": want K/N`},
		{[]string{"--shard", "1/2"}, "needs --json FILE"},
	} {
		code, _, stderr := runCLI(t, append(append([]string{"scan"}, tc.args...), dir)...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, want %d and %q:\n%s", tc.args, code, exitUsage, tc.want, stderr)
		}
	}
	if code, _, stderr := runCLI(t, "merge"); code != exitUsage || !strings.Contains(stderr, "requires at least 1 arg") {
		t.Errorf("merge without files: exit %d\n%s", code, stderr)
	}
}

// The Action's shard and merge inputs as the reusable workflow uses them,
// in a simulated runner: two shard steps write their reports (and no
// SARIF, outputs or annotations), the merge step gives the outputs, SARIF
// and exit status of the unsharded step.
func TestActionShardAndMerge(t *testing.T) {
	ws := t.TempDir()
	for dst, src := range map[string]string{"svc/api": "../../testdata/gosec/fixture", "svc/lib": "../../testdata/gosec/multi/lib"} {
		testkit.CopyTree(t, src, filepath.Join(ws, dst))
	}
	if err := os.MkdirAll(filepath.Join(ws, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(ws)
	step := func(inputs map[string]string, want int) (map[string]string, string) {
		t.Helper()
		outputs, _ := actionsEnv(t, ws)
		for k, v := range map[string]string{"INPUT_PATH": "svc", "INPUT_SCANNERS": "gosec", "INPUT_SARIF-FILE": "scangate.sarif",
			"INPUT_ARGS": "--no-cache", "INPUT_SHARD": "", "INPUT_MERGE": ""} {
			t.Setenv(k, v)
		}
		for k, v := range inputs {
			t.Setenv(k, v)
		}
		code, _, stderr := runCLI(t, "action")
		if code != want {
			t.Fatalf("%v: exit %d, want %d\n%s", inputs, code, want, stderr)
		}
		if b, err := os.ReadFile(outputs); err != nil || len(b) == 0 {
			return nil, stderr
		}
		return ghtest.ReadOutputs(t, outputs), stderr
	}
	whole, _ := step(nil, exitFail)
	wantSARIF := testkit.ReadFile(t, "scangate.sarif")
	if err := os.Remove("scangate.sarif"); err != nil {
		t.Fatal(err)
	}
	for k := 1; k <= 2; k++ {
		out, stderr := step(map[string]string{"INPUT_SHARD": fmt.Sprintf("%d/2", k)}, 0)
		if len(out) != 0 || strings.Contains(stderr, "::error") {
			t.Errorf("shard %d/2 set outputs %v or annotated:\n%s", k, out, stderr)
		}
		if _, err := os.Stat(fmt.Sprintf("scangate-shard-%d-of-2.json", k)); err != nil {
			t.Errorf("shard %d/2: %v", k, err)
		}
	}
	if _, err := os.Stat("scangate.sarif"); err == nil {
		t.Error("a shard step wrote SARIF")
	}
	merged, stderr := step(map[string]string{"INPUT_MERGE": "scangate-shard-*.json"}, exitFail)
	if !strings.HasPrefix(stderr, "scangate merge ") || !strings.Contains(stderr, "::error file=svc/api/") {
		t.Errorf("merge step:\n%s", stderr)
	}
	if fmt.Sprint(merged) != fmt.Sprint(whole) {
		t.Errorf("merged outputs %v, unsharded %v", merged, whole)
	}
	gotSARIF := testkit.ReadFile(t, "scangate.sarif")
	if !bytes.Equal(gotSARIF, wantSARIF) {
		t.Errorf("merged SARIF differs from the unsharded step's:\n%s", firstDiff(string(wantSARIF), string(gotSARIF)))
	}
}

// The reusable workflow has a shard step and a merge step (readWorkflow
// checks the inputs it passes and its scripts).
func TestShardedWorkflow(t *testing.T) {
	wf := readWorkflow(t, "../../.github/workflows/scangate-sharded.yml")
	if wf.On.WorkflowCall == nil || len(wf.On.WorkflowCall.Inputs) == 0 {
		t.Fatal("not a workflow_call workflow")
	}
	var shard, merge bool
	for _, job := range wf.Jobs {
		for _, s := range job.Steps {
			if strings.HasPrefix(s.Uses, "scangate/scangate@") {
				shard = shard || s.With["shard"] != ""
				merge = merge || s.With["merge"] != ""
			}
		}
	}
	if !shard || !merge {
		t.Errorf("want a shard step and a merge step (shard %v, merge %v)", shard, merge)
	}
}

// A reusable workflow's run does not start unless its caller grants every
// permission a job asks for: the header's call and the docs' call grant
// at least what each job asks.
func TestShardedWorkflowPermissions(t *testing.T) {
	b := testkit.ReadFile(t, "../../.github/workflows/scangate-sharded.yml")
	var wf struct {
		Permissions map[string]string `yaml:"permissions"`
		Jobs        map[string]struct {
			Permissions map[string]string `yaml:"permissions"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatalf("scangate-sharded.yml: %v", err)
	}
	// The call in the header comment: "#   jobs:" up to the first blank comment line.
	var header []string
	in := false
	for _, l := range strings.Split(string(b), "\n") {
		if l == "#   jobs:" {
			in = true
		}
		if in && strings.TrimSpace(l) == "#" {
			break
		}
		if in {
			header = append(header, strings.TrimPrefix(l, "# "))
		}
	}
	calls := map[string][]byte{"workflow header": []byte(strings.Join(header, "\n"))}
	for _, ex := range testkit.Examples(t, "yaml", "docs/github.md") {
		if bytes.Contains(ex.Text, []byte("scangate-sharded.yml")) {
			calls[fmt.Sprintf("%s example %d", ex.Doc, ex.N)] = ex.Text
		}
	}
	if len(calls) < 2 {
		t.Fatalf("want the header's call and a call in docs/github.md, got %d", len(calls))
	}
	level := map[string]int{"": 0, "none": 0, "read": 1, "write": 2}
	for where, text := range calls {
		var call struct {
			Jobs map[string]struct {
				Uses        string            `yaml:"uses"`
				Permissions map[string]string `yaml:"permissions"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(text, &call); err != nil {
			t.Fatalf("%s: %v\n%s", where, err, text)
		}
		found := false
		for _, j := range call.Jobs {
			if !strings.Contains(j.Uses, "scangate-sharded.yml") {
				continue
			}
			found = true
			if len(j.Permissions) == 0 {
				t.Errorf("%s: the call grants no permissions", where)
			}
			for name, job := range wf.Jobs {
				for scope, want := range job.Permissions {
					if level[j.Permissions[scope]] < level[want] {
						t.Errorf("%s: job %s asks for %s: %s, the call grants %q", where, name, scope, want, j.Permissions[scope])
					}
				}
			}
			for scope, want := range wf.Permissions {
				if level[j.Permissions[scope]] < level[want] {
					t.Errorf("%s: the workflow asks for %s: %s, the call grants %q", where, scope, want, j.Permissions[scope])
				}
			}
		}
		if !found {
			t.Errorf("%s: no job uses scangate-sharded.yml", where)
		}
	}
}

// Every YAML example in the docs parses: users copy them into workflows.
func TestDocsYAMLExamplesParse(t *testing.T) {
	for _, ex := range testkit.Examples(t, "yaml", "README.md", "docs/github.md", "docs/gitlab.md", "docs/security.md", "docs/policy.md") {
		var v any
		if err := yaml.Unmarshal(ex.Text, &v); err != nil {
			t.Errorf("%s: YAML example %d: %v\n%s", ex.Doc, ex.N, err, ex.Text)
		}
	}
}
