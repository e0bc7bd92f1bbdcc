package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/report/reporttest"
	"github.com/scangate/scangate/scanners/secrets/secretstest"
)

// The GitLab CI template (ci/gitlab/scangate.gitlab-ci.yml), tested as the
// Action is: its YAML against GitLab's CI schema, and its jobs' scripts run
// with bash as GitLab's runner runs them (before_script and script in one
// shell with -eo pipefail, after_script in another), with the predefined CI_
// variables of the pipeline, against the release archive the Action tests
// serve.

const gitlabTemplate = "../../../ci/gitlab/scangate.gitlab-ci.yml"

// ciSchema is GitLab's .gitlab-ci.yml schema (testdata/gitlab-ci) and its
// job_template: the schema lets a hidden key (.name) hold any YAML, so the
// template's hidden jobs are validated as jobs one by one.
type ciSchema struct{ doc, job *jsonschema.Schema }

func gitlabCISchema(t *testing.T) ciSchema {
	t.Helper()
	c := jsonschema.NewCompiler()
	const file = "../../../testdata/gitlab-ci/ci.json"
	doc, err := c.Compile(file)
	if err != nil {
		t.Fatalf("GitLab's CI schema: %v", err)
	}
	job, err := c.Compile(file + "#/definitions/job_template")
	if err != nil {
		t.Fatalf("GitLab's CI schema: %v", err)
	}
	return ciSchema{doc, job}
}

// validate validates a YAML CI configuration, and each hidden job in it.
func (sch ciSchema) validate(src []byte) error {
	var v map[string]any
	if err := yaml.Unmarshal(src, &v); err != nil {
		return err
	}
	check := func(s *jsonschema.Schema, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return err
		}
		return s.Validate(inst)
	}
	errs := []error{check(sch.doc, v)}
	for _, k := range slices.Sorted(maps.Keys(v)) {
		if strings.HasPrefix(k, ".") {
			if err := check(sch.job, v[k]); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", k, err))
			}
		}
	}
	return errors.Join(errs...)
}

// TestGitLabTemplateSchema: the template and every GitLab example of the
// docs are valid GitLab CI configuration, and the schema catches a
// misspelt report.
func TestGitLabTemplateSchema(t *testing.T) {
	sch := gitlabCISchema(t)
	tmpl := testkit.ReadFile(t, gitlabTemplate)
	if err := sch.validate(tmpl); err != nil {
		t.Errorf("%s: %v", gitlabTemplate, err)
	}
	bad := bytes.Replace(tmpl, []byte("secret_detection: gl-"), []byte("secret_detections: gl-"), 1)
	if bytes.Equal(bad, tmpl) || sch.validate(bad) == nil {
		t.Error("the schema accepts artifacts:reports:secret_detections")
	}
	n := 0
	for _, ex := range testkit.Examples(t, "yaml", "docs/gitlab.md", "README.md") {
		// README.md's GitLab examples are those that include the template.
		if ex.Doc == "README.md" && !bytes.Contains(ex.Text, []byte("scangate.gitlab-ci.yml")) {
			continue
		}
		n++
		if err := sch.validate(ex.Text); err != nil {
			t.Errorf("%s: YAML example %d: %v\n%s", ex.Doc, ex.N, err, ex.Text)
		}
	}
	if n < 3 {
		t.Errorf("%d GitLab examples in the docs, want the README's and docs/gitlab.md's", n)
	}
}

// gitlabCI is the template, parsed.
type gitlabCI map[string]any

func readGitLabCI(t *testing.T) gitlabCI {
	t.Helper()
	b := testkit.ReadFile(t, gitlabTemplate)
	// Into a plain map: yaml.v3 gives nested mappings the outer map's type.
	var ci map[string]any
	if err := yaml.Unmarshal(b, &ci); err != nil {
		t.Fatalf("%s: %v", gitlabTemplate, err)
	}
	return ci
}

// job resolves extends as GitLab does: hashes merge deeply, the job's own
// keys win, anything else (arrays, strings) is replaced.
func (ci gitlabCI) job(t *testing.T, name string) map[string]any {
	t.Helper()
	j0, ok := ci[name].(map[string]any)
	j := maps.Clone(j0)
	if !ok {
		t.Fatalf("%s: no job %s", gitlabTemplate, name)
	}
	var parents []string
	switch e := j["extends"].(type) {
	case string:
		parents = []string{e}
	case []any:
		for _, p := range e {
			parents = append(parents, p.(string))
		}
	}
	out := map[string]any{}
	for _, p := range parents {
		out = mergeYAML(out, ci.job(t, p))
	}
	delete(j, "extends")
	return mergeYAML(out, j)
}

// include is what a pipeline that includes the template and defines
// jobs of its own (src) sees: the two merged, its own keys winning.
func (ci gitlabCI) include(t *testing.T, src []byte) gitlabCI {
	t.Helper()
	var own map[string]any
	if err := yaml.Unmarshal(src, &own); err != nil {
		t.Fatal(err)
	}
	delete(own, "include")
	return mergeYAML(ci, own)
}

// docsExample is the YAML example of doc (relative to the repository's
// root) that contains s.
func docsExample(t *testing.T, doc, s string) []byte {
	t.Helper()
	for _, ex := range testkit.Examples(t, "yaml", doc) {
		if bytes.Contains(ex.Text, []byte(s)) {
			return ex.Text
		}
	}
	t.Fatalf("%s: no YAML example with %q", doc, s)
	return nil
}

func mergeYAML(base, over map[string]any) map[string]any {
	out := maps.Clone(base)
	for k, v := range over {
		if bm, ok := out[k].(map[string]any); ok {
			if om, ok := v.(map[string]any); ok {
				out[k] = mergeYAML(bm, om)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// lines is a job's script key as the runner reads it.
func lines(j map[string]any, key string) []string {
	var out []string
	l, _ := j[key].([]any)
	for _, s := range l {
		out = append(out, s.(string))
	}
	return out
}

// gitlabVars are the template's variables for a pipeline with the
// predefined variables ci: the template's defaults, expanded as GitLab
// expands them, then the job's, then the project's settings (over).
func (ci gitlabCI) vars(job map[string]any, predefined, over map[string]string) map[string]string {
	env := maps.Clone(predefined)
	for _, src := range []any{ci["variables"], job["variables"]} {
		m, _ := src.(map[string]any)
		for k, v := range m {
			env[k] = os.Expand(fmt.Sprint(v), func(name string) string { return env[name] })
		}
	}
	maps.Copy(env, over)
	return env
}

type jobRun struct {
	code int
	log  string
}

// runJob runs a job of the template in dir as GitLab's runner would with
// the bash shell: before_script and script in one shell, then after_script
// in another, whatever the first did; its exit status is the job's.
func (ci gitlabCI) runJob(t *testing.T, name, dir string, predefined, over map[string]string) jobRun {
	t.Helper()
	job := ci.job(t, name)
	env := ci.vars(job, predefined, over)
	env["CI_PROJECT_DIR"] = dir
	env["CI_JOB_NAME"] = name
	run := func(script []string) (int, string) {
		cmd := exec.Command("bash", "-c", "set -eo pipefail\n"+strings.Join(script, "\n"))
		cmd.Dir = dir
		cmd.Env = gitlabEnv(env)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), string(out)
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	code, log := run(append(lines(job, "before_script"), lines(job, "script")...))
	_, after := run(lines(job, "after_script"))
	return jobRun{code, log + after}
}

// gitlabEnv is this process's environment without the runner's or
// scangate's variables, plus env.
func gitlabEnv(env map[string]string) []string {
	return testkit.Env(env, "CI_", "GITLAB_", "GITHUB_", "SCANGATE_", "TMPDIR=")
}

// gitlabReports reads and validates the reports a scan job left, and
// returns each report's vulnerability identifiers.
func gitlabReports(t *testing.T, dir string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, name := range []string{"gl-sast-report.json", "gl-dependency-scanning-report.json", "gl-secret-detection-report.json"} {
		d := reporttest.ReadGitLab(t, filepath.Join(dir, name))
		var ids []string
		for _, v := range d.Vulnerabilities {
			ids = append(ids, v.Identifiers[0].Value+" "+v.Location.File)
		}
		slices.Sort(ids)
		out[d.Scan.Type] = ids
	}
	b := testkit.ReadFile(t, filepath.Join(dir, "scangate-junit.xml"))
	if err := reporttest.WellFormedXML(string(b)); err != nil {
		t.Errorf("scangate-junit.xml: %v", err)
	}
	return out
}

// TestGitLabTemplateJobs: the scangate job installs the release (verified,
// then from the GitLab cache), writes every report, keeps the result cache
// between jobs, and in a merge request pipeline fails only on what the
// merge request brings; shards and merge give the unsharded reports.
func TestGitLabTemplateJobs(t *testing.T) {
	skipShort(t)
	_, _, asset := hostRunner(t)
	ci := readGitLabCI(t)
	srv := newReleaseServer(t)
	srv.publish(t, testReleaseTag)

	// The example project on main; the merge request adds a secret.
	repo := filepath.Join(t.TempDir(), "repo")
	testkit.CopyTree(t, "../../../examples/project", repo)
	testkit.Git(t, repo, "init", "-q")
	base := testkit.Commit(t, repo, "base")
	testkit.Git(t, repo, "checkout", "-q", "-b", "feature")
	secret := secretstest.All(t)[0]
	testkit.WriteFiles(t, repo, map[string]string{"app.env": "# deploy\n" + secret.Text})
	head := testkit.Commit(t, repo, "add a token")

	db, err := filepath.Abs("../../../examples/vulndb")
	if err != nil {
		t.Fatal(err)
	}
	// One TMPDIR for every job, as on one runner: the Go scanners' and
	// bandit's result-cache keys change with it.
	tmp := t.TempDir()
	predefined := func(extra ...string) map[string]string {
		m := map[string]string{
			"CI": "true", "GITLAB_CI": "true", "CI_JOB_ID": "101", "CI_PIPELINE_SOURCE": "push",
			"CI_COMMIT_SHA": head, "CI_COMMIT_BRANCH": "feature", "CI_COMMIT_REF_SLUG": "feature", "CI_DEFAULT_BRANCH": "main",
			"CI_JOB_NAME_SLUG": "scangate", "TMPDIR": tmp,
		}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i]] = extra[i+1]
		}
		return m
	}
	settings := map[string]string{
		"SCANGATE_VERSION": testReleaseTag, "SCANGATE_RELEASE_URL": srv.URL,
		"SCANGATE_ARGS": "--offline --db " + db,
	}
	archivePath := "/" + testReleaseTag + "/" + asset

	// A branch pipeline: every finding counts.
	r := ci.runJob(t, "scangate", repo, predefined(), settings)
	if r.code != exitFail {
		t.Fatalf("branch pipeline: exit %d, want %d\n%s", r.code, exitFail, r.log)
	}
	if !strings.Contains(r.log, "scangate install: downloading "+srv.URL+archivePath) {
		t.Errorf("no verified download of the release:\n%s", r.log)
	}
	whole := gitlabReports(t, repo)
	for kind, want := range map[string]string{"sast": "G702 main.go", "dependency_scanning": "GO-2021-0113 go.mod", "secret_detection": " app.env"} {
		if !slices.ContainsFunc(whole[kind], func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("%s report: %q, want %q", kind, whole[kind], want)
		}
	}
	// The SBOM comes with the release that has --cyclonedx, not before.
	help, err := exec.Command(filepath.Join(builtDir(t), "scangate"), "scan", "--help").CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	_, err = os.Stat(filepath.Join(repo, "gl-sbom-scangate.cdx.json"))
	if has := bytes.Contains(help, []byte("--cyclonedx")); has != (err == nil) {
		t.Errorf("scangate has --cyclonedx: %v; gl-sbom-scangate.cdx.json: %v\n%s", has, err, r.log)
	}
	// The GitLab cache's paths hold the archive and the result cache again.
	if _, err := os.Stat(filepath.Join(repo, ".scangate-cache/bin", testReleaseTag, asset)); err != nil {
		t.Errorf("archive not kept for the GitLab cache: %v\n%s", err, r.log)
	}
	if ents, _ := os.ReadDir(filepath.Join(repo, ".scangate-cache/results")); len(ents) == 0 {
		t.Errorf("result cache not kept for the GitLab cache\n%s", r.log)
	}

	// The next job with the cache restored: no download, no scan again.
	fresh := func() { testkit.Git(t, repo, "clean", "-ffdxq", "-e", ".scangate-cache") } // as the runner does
	fresh()
	r = ci.runJob(t, "scangate", repo, predefined("CI_JOB_ID", "102"), settings)
	if r.code != exitFail || !strings.Contains(r.log, "scangate install: "+testReleaseTag) || !strings.Contains(r.log, "from the cache") {
		t.Errorf("second job: exit %d, want %d from the cache\n%s", r.code, exitFail, r.log)
	}
	if n := srv.count(archivePath); n != 1 {
		t.Errorf("%d downloads of the archive, want 1 (then the GitLab cache)", n)
	}
	if !regexp.MustCompile(`from the result cache: gosec 1/1 package, govulncheck 1/1 module`).MatchString(r.log) {
		t.Errorf("second job did not use the result cache:\n%s", r.log)
	}

	// A changed archive in the cache is not run: downloaded again, verified.
	cached := filepath.Join(repo, ".scangate-cache/bin", testReleaseTag, asset)
	if err := os.WriteFile(cached, []byte("not the release"), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh()
	r = ci.runJob(t, "scangate", repo, predefined("CI_JOB_ID", "103"), settings)
	if r.code != exitFail || srv.count(archivePath) != 2 {
		t.Errorf("changed cached archive: exit %d, %d downloads, want a new download\n%s", r.code, srv.count(archivePath), r.log)
	}

	// The merge request pipeline: only the token is new.
	fresh()
	r = ci.runJob(t, "scangate", repo, predefined("CI_JOB_ID", "104", "CI_PIPELINE_SOURCE", "merge_request_event",
		"CI_MERGE_REQUEST_DIFF_BASE_SHA", base, "CI_COMMIT_BRANCH", ""), settings)
	if r.code != exitFail || !strings.Contains(r.log, "new relative to "+base[:7]) {
		t.Errorf("merge request: exit %d, want %d relative to %s\n%s", r.code, exitFail, base[:7], r.log)
	}
	junit := reporttest.ReadJUnit(t, filepath.Join(repo, "scangate-junit.xml"))
	for _, s := range junit.Suites {
		for _, c := range s.Cases {
			if c.Failure != nil && s.Name != "secrets" {
				t.Errorf("merge request: %s %q fails, but the base has it", s.Name, c.Name)
			}
		}
	}
	if junit.Failures == 0 {
		t.Error("merge request: the new token fails nothing")
	}
	if l := secretstest.Leaks(r.log, []secretstest.Secret{secret}); len(l) > 0 {
		t.Errorf("the job log repeats the secret: %v", l)
	}

	// Two shards and the merge, each in its own checkout, as docs/gitlab.md
	// defines them: the merge's reports are the unsharded job's.
	ci = ci.include(t, docsExample(t, "docs/gitlab.md", "extends: .scangate-shard"))
	var shards []string
	for k := 1; k <= 2; k++ {
		dir := testkit.TempCopy(t, repo)
		os.RemoveAll(filepath.Join(dir, ".scangate-cache"))
		r := ci.runJob(t, "scangate-shard", dir, predefined("CI_JOB_ID", fmt.Sprint(200+k), "CI_NODE_INDEX", fmt.Sprint(k), "CI_NODE_TOTAL", "2",
			"CI_JOB_NAME_SLUG", fmt.Sprintf("scangate-shard-%d-2", k)), settings)
		if r.code != 0 {
			t.Fatalf("shard %d/2: exit %d\n%s", k, r.code, r.log)
		}
		shards = append(shards, filepath.Join(dir, fmt.Sprintf("scangate-shard-%d.json", k)))
	}
	dir := testkit.TempCopy(t, repo)
	for _, s := range shards {
		b, err := os.ReadFile(s)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, filepath.Base(s)), b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"gl-sast-report.json", "gl-dependency-scanning-report.json", "gl-secret-detection-report.json", "scangate-junit.xml"} {
		os.Remove(filepath.Join(dir, f))
	}
	r = ci.runJob(t, "scangate-merge", dir, predefined("CI_JOB_ID", "210"), settings)
	if r.code != exitFail {
		t.Fatalf("merge: exit %d, want %d\n%s", r.code, exitFail, r.log)
	}
	if merged := gitlabReports(t, dir); fmt.Sprint(merged) != fmt.Sprint(whole) {
		t.Errorf("merged reports %v, unsharded %v", merged, whole)
	}

	// A shard job without parallel: says so.
	r = ci.runJob(t, "scangate-shard", testkit.TempCopy(t, repo), predefined("CI_JOB_ID", "220"), settings)
	if r.code != 2 || !strings.Contains(r.log, "needs parallel: N") {
		t.Errorf("shard without parallel: exit %d\n%s", r.code, r.log)
	}
}

// TestGitLabTemplateRefuses: what the template's job must not install or
// trust, each with an error that says why, and no scan after a refusal.
func TestGitLabTemplateRefuses(t *testing.T) {
	skipShort(t)
	_, _, asset := hostRunner(t)
	ci := readGitLabCI(t)
	srv := newReleaseServer(t)
	srv.publish(t, testReleaseTag)
	srv.publishBroken(t)
	repo := filepath.Join(t.TempDir(), "repo")
	testkit.WriteFiles(t, repo, map[string]string{"app.env": secretstest.All(t)[0].Text})
	testkit.Git(t, repo, "init", "-q")
	testkit.Commit(t, repo, "base")
	predefined := map[string]string{"CI_JOB_ID": "7", "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main", "TMPDIR": t.TempDir()}
	for _, tc := range []struct{ version, want string }{
		{"v9.9.8", "checksum mismatch for " + asset + " of v9.9.8: checksums.txt says "},
		{"v9.9.7", "checksums.txt of v9.9.7 has no sha256 for " + asset},
		{"v0.0.1", "cannot download " + srv.URL + "/v0.0.1/checksums.txt"},
		{"v1; touch pwned", `SCANGATE_VERSION "v1; touch pwned" is not a release tag`},
		{"v1.2.3/../../x", `SCANGATE_VERSION "v1.2.3/../../x" is not a release tag`},
	} {
		r := ci.runJob(t, "scangate", repo, predefined, map[string]string{"SCANGATE_VERSION": tc.version, "SCANGATE_RELEASE_URL": srv.URL})
		if r.code != 1 || !strings.Contains(r.log, "scangate install: "+tc.want) {
			t.Errorf("%s: exit %d, want 1 and %q\n%s", tc.version, r.code, tc.want, r.log)
		}
		if _, err := os.Stat(filepath.Join(repo, "gl-sast-report.json")); err == nil {
			t.Errorf("%s: a report after a refused install", tc.version)
		}
		if ents, _ := os.ReadDir(filepath.Join(repo, ".scangate-cache/bin")); len(ents) > 0 {
			t.Errorf("%s: kept for the GitLab cache: %v", tc.version, ents)
		}
	}
	if _, err := os.Stat(filepath.Join(repo, "pwned")); err == nil {
		t.Error("SCANGATE_VERSION ran as shell code")
	}

	// A .scangate-cache the repository tracks is its content, not a cache:
	// neither read as one nor replaced by the job's.
	testkit.Git(t, repo, "clean", "-ffdxq")
	testkit.WriteFiles(t, repo, map[string]string{".scangate-cache/results/planted": "{}"})
	testkit.Commit(t, repo, "plant a cache")
	r := ci.runJob(t, "scangate", repo, map[string]string{"CI_JOB_ID": "8", "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main", "TMPDIR": t.TempDir()},
		map[string]string{"SCANGATE_VERSION": testReleaseTag, "SCANGATE_RELEASE_URL": srv.URL, "SCANGATE_ARGS": "--scanners secrets --offline"})
	if r.code != exitFail || !strings.Contains(r.log, ".scangate-cache is tracked by the repository") {
		t.Errorf("tracked .scangate-cache: exit %d, want %d and a note\n%s", r.code, exitFail, r.log)
	}
	if st := testkit.Git(t, repo, "status", "--porcelain", "--", ".scangate-cache"); st != "" {
		t.Errorf("the job changed the repository's .scangate-cache:\n%s", st)
	}
}
