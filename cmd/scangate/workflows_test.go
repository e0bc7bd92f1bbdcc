package main

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/scangate/scangate/internal/testkit"
)

// The workflows in .github/workflows: the reusable ones start as their
// headers show them, and every action they use is pinned by commit.

// ghWorkflow is what the tests read of a workflow file.
type ghWorkflow struct {
	On struct {
		WorkflowCall *struct {
			Inputs map[string]any `yaml:"inputs"`
		} `yaml:"workflow_call"`
	} `yaml:"on"`
	Permissions any `yaml:"permissions"`
	Jobs        map[string]struct {
		Permissions map[string]string `yaml:"permissions"`
		Steps       []struct {
			ID   string            `yaml:"id"`
			Uses string            `yaml:"uses"`
			Env  map[string]string `yaml:"env"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func workflowFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../.github/workflows/*.yml")
	if err != nil || len(files) < 3 {
		t.Fatalf("workflows: %v %v", files, err)
	}
	return files
}

// readWorkflow parses a workflow and checks its steps: the Action gets
// only inputs it has, and no expression reaches a script as text.
func readWorkflow(t *testing.T, path string) ghWorkflow {
	t.Helper()
	b := testkit.ReadFile(t, path)
	var wf ghWorkflow
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	known := map[string]bool{}
	for _, in := range actionInputs {
		known[in.name] = true
	}
	for _, in := range actionSetupInputs {
		known[in] = true
	}
	for name, job := range wf.Jobs {
		for _, s := range job.Steps {
			if strings.Contains(s.Run, "${{") {
				t.Errorf("%s: job %s: an expression inside run: text (pass it through env): %q", path, name, s.Run)
			}
			if !strings.HasPrefix(s.Uses, "scangate/scangate@") {
				continue
			}
			for k := range s.With {
				if !known[k] {
					t.Errorf("%s: job %s: the Action has no input %q", path, name, k)
				}
			}
		}
	}
	return wf
}

// TestWorkflowActionsPinned: every action a workflow uses is pinned by a
// full commit SHA with its release tag in a comment, the same commit in
// every file; scangate's own action goes by release tag (a workflow cannot
// name the commit it is part of; the version input picks the release).
func TestWorkflowActionsPinned(t *testing.T) {
	uses := regexp.MustCompile(`^\s*(?:- )?uses:\s*(\S+)\s*(.*)$`)
	pinned := regexp.MustCompile(`^([A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+)@([0-9a-f]{40})$`)
	tag := regexp.MustCompile(`^# v[0-9]+\.[0-9]+\.[0-9]+$`)
	seen := map[string]string{} // action -> "sha tag"
	n := 0
	// The composite Action's own steps too.
	for _, f := range append(workflowFiles(t), "../../action.yml") {
		b := testkit.ReadFile(t, f)
		for i, line := range strings.Split(string(b), "\n") {
			m := uses.FindStringSubmatch(line)
			if m == nil || strings.HasPrefix(m[1], "scangate/scangate@") {
				continue
			}
			n++
			p := pinned.FindStringSubmatch(m[1])
			if p == nil || !tag.MatchString(m[2]) {
				t.Errorf("%s:%d: %s %s: want owner/repo@<40-hex commit> # vX.Y.Z", filepath.Base(f), i+1, m[1], m[2])
				continue
			}
			if prev, ok := seen[p[1]]; ok && prev != p[2]+" "+m[2] {
				t.Errorf("%s:%d: %s pinned to %s %s, elsewhere %s", filepath.Base(f), i+1, p[1], p[2], m[2], prev)
			}
			seen[p[1]] = p[2] + " " + m[2]
		}
	}
	if n < 10 {
		t.Errorf("%d uses: lines checked, want the workflows' actions", n)
	}
}

var permLevel = map[string]int{"none": 0, "read": 1, "write": 2}

// covers says whether grant allows each permission of want.
func covers(grant, want map[string]string) []string {
	var missing []string
	for k, v := range want {
		if permLevel[grant[k]] < permLevel[v] {
			missing = append(missing, k+": "+v)
		}
	}
	slices.Sort(missing)
	return missing
}

// callerGrant is the permissions block of the `uses:` example in a
// reusable workflow's header comment.
func callerGrant(t *testing.T, path string) (uses string, grant map[string]string) {
	t.Helper()
	b := testkit.ReadFile(t, path)
	var header []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(l, "#") {
			break
		}
		header = append(header, strings.TrimPrefix(strings.TrimPrefix(l, "#"), " "))
	}
	i := slices.IndexFunc(header, func(l string) bool { return strings.HasPrefix(l, "  jobs:") || strings.HasPrefix(l, "jobs:") })
	if i < 0 {
		t.Fatalf("%s: no jobs: example in the header", path)
	}
	var ex []string
	for _, l := range header[i:] {
		if strings.TrimSpace(l) == "" {
			break
		}
		ex = append(ex, l)
	}
	var doc struct {
		Jobs map[string]struct {
			Uses        string            `yaml:"uses"`
			Permissions map[string]string `yaml:"permissions"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(strings.Join(ex, "\n")), &doc); err != nil || len(doc.Jobs) != 1 {
		t.Fatalf("%s: the header's example: %v\n%s", path, err, strings.Join(ex, "\n"))
	}
	for _, j := range doc.Jobs {
		return j.Uses, j.Permissions
	}
	return "", nil
}

// TestReusableWorkflowPermissions: a reusable workflow's header tells the
// caller what to grant, and that is what its jobs ask for: GitHub refuses
// to start a called workflow whose job asks for more than the caller
// granted ("nested job ... is requesting 'actions: read', but is only
// allowed 'actions: none'"). Every docs example that calls it grants as
// much.
func TestReusableWorkflowPermissions(t *testing.T) {
	need := map[string]map[string]string{} // workflow file name -> union of its jobs' permissions
	for _, f := range workflowFiles(t) {
		wf := readWorkflow(t, f)
		if wf.On.WorkflowCall == nil {
			continue
		}
		name := filepath.Base(f)
		if m, ok := wf.Permissions.(map[string]any); !ok || len(m) != 0 {
			t.Errorf("%s: workflow permissions %v, want {} (each job asks for its own)", name, wf.Permissions)
		}
		uses, grant := callerGrant(t, f)
		if !strings.HasPrefix(uses, "scangate/scangate/.github/workflows/"+name+"@") {
			t.Errorf("%s: the header's example calls %q", name, uses)
		}
		union := map[string]string{}
		for job, j := range wf.Jobs {
			if miss := covers(grant, j.Permissions); len(miss) > 0 {
				t.Errorf("%s: job %s asks for %v, which the header's grant %v lacks", name, job, miss, grant)
			}
			for k, v := range j.Permissions {
				if permLevel[v] > permLevel[union[k]] {
					union[k] = v
				}
			}
		}
		if extra := covers(union, grant); len(extra) > 0 {
			t.Errorf("%s: the header grants %v, which no job asks for", name, extra)
		}
		need[name] = union
	}
	if len(need) < 2 {
		t.Fatalf("reusable workflows: %v", slices.Collect(maps.Keys(need)))
	}
	call := regexp.MustCompile(`scangate/scangate/\.github/workflows/([a-z-]+\.yml)@`)
	calls := 0
	for _, ex := range testkit.Examples(t, "yaml", "README.md", "docs/github.md") {
		if !call.Match(ex.Text) {
			continue
		}
		var wf struct {
			Jobs map[string]struct {
				Uses        string            `yaml:"uses"`
				Permissions map[string]string `yaml:"permissions"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(ex.Text, &wf); err != nil {
			t.Fatalf("%s: %v", ex.Doc, err)
		}
		for job, j := range wf.Jobs {
			w := call.FindStringSubmatch(j.Uses)
			if w == nil {
				continue
			}
			calls++
			if need[w[1]] == nil {
				t.Errorf("%s: job %s calls %s, which is not a reusable workflow here", ex.Doc, job, w[1])
			} else if miss := covers(j.Permissions, need[w[1]]); len(miss) > 0 {
				t.Errorf("%s: job %s calls %s without %v", ex.Doc, job, w[1], miss)
			}
		}
	}
	if calls < 2 {
		t.Errorf("%d docs examples call a reusable workflow, want the sharded and the pull request one", calls)
	}
}

// The pull request workflow compares with the pull request's base unless
// told otherwise, and passes its inputs on.
func TestPRWorkflow(t *testing.T) {
	const f = "../../.github/workflows/scangate-pr.yml"
	wf := readWorkflow(t, f)
	if wf.On.WorkflowCall == nil {
		t.Fatal("not a workflow_call workflow")
	}
	for _, in := range []string{"version", "new-from-rev", "pr-comment", "offline", "db", "db-artifact", "category", "fail-on", "path", "args"} {
		if _, ok := wf.On.WorkflowCall.Inputs[in]; !ok {
			t.Errorf("no input %s", in)
		}
	}
	var with map[string]string
	for _, s := range wf.Jobs["scan"].Steps {
		if strings.HasPrefix(s.Uses, "scangate/scangate@") {
			with = s.With
		}
	}
	for k, want := range map[string]string{
		"new-from-rev": "${{ inputs.new-from-rev || github.event.pull_request.base.sha }}",
		"pr-comment":   "${{ inputs.pr-comment }}",
		"version":      "${{ inputs.version }}",
		"db":           "${{ inputs.db }}",
		"offline":      "${{ inputs.offline }}",
	} {
		if with[k] != want {
			t.Errorf("the Action's %s: %q, want %q", k, with[k], want)
		}
	}

	// The plan step, run as the runner runs it: category and args become
	// the Action's args, checked first.
	var plan string
	for _, s := range wf.Jobs["scan"].Steps {
		if s.ID == "plan" {
			plan = s.Run
		}
	}
	for _, tc := range []struct {
		env  map[string]string
		code int
		want string
	}{
		{map[string]string{"CATEGORY": "scangate/backend/", "ARGS": "--tests"}, 0, "args=--tests --category=scangate/backend/"},
		{map[string]string{}, 0, "args="},
		{map[string]string{"CATEGORY": "x --no-cache"}, 2, "::error::category: letters, digits"},
		{map[string]string{"CATEGORY": "x\nargs=--no-cache"}, 2, "::error::category: letters, digits"},
		{map[string]string{"ARGS": "--tests\nverdict=pass"}, 2, "::error::args: one line"},
		{map[string]string{"DB_ARTIFACT": "vulndb"}, 2, "::error::db-artifact needs db"},
	} {
		dir := t.TempDir()
		env := map[string]string{"GITHUB_OUTPUT": filepath.Join(dir, "out")}
		for k, v := range tc.env {
			env[k] = strings.ReplaceAll(v, "\\n", "\n")
		}
		cmd := exec.Command("bash", "-e", "-c", plan)
		cmd.Env = testkit.Env(env, "GITHUB_", "RUNNER_", "SCANGATE_", "INPUT_")
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		got, _ := os.ReadFile(env["GITHUB_OUTPUT"])
		if code != tc.code || !strings.Contains(string(out)+string(got), tc.want) {
			t.Errorf("plan %v: exit %d, output %q%s, want %d and %q", tc.env, code, got, out, tc.code, tc.want)
		}
		if tc.code != 0 && len(got) > 0 {
			t.Errorf("plan %v: refused but set %q", tc.env, got)
		}
	}
}

// Every workflow in the docs that runs the Action sets Go up first: the Go
// scanners load modules with the runner's go, and without setup-go they
// get whatever the image holds.
func TestDocsWorkflowsSetUpGo(t *testing.T) {
	n := 0
	for _, ex := range testkit.Examples(t, "yaml", "README.md", "docs/github.md") {
		var wf struct {
			Jobs map[string]struct {
				Steps []struct {
					Uses string `yaml:"uses"`
				} `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if yaml.Unmarshal(ex.Text, &wf) != nil {
			continue // TestDocsYAMLExamplesParse reports it
		}
		for name, job := range wf.Jobs {
			setup := false
			for _, s := range job.Steps {
				setup = setup || strings.HasPrefix(s.Uses, "actions/setup-go@")
				if strings.HasPrefix(s.Uses, "scangate/scangate@") {
					n++
					if !setup {
						t.Errorf("%s: YAML example %d, job %s runs the Action without actions/setup-go before it", ex.Doc, ex.N, name)
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no workflow in the docs runs the Action")
	}
}
