package main

// The hostile-repository suite (docs/security.md): every file under the
// scanned root is written by someone we must not trust. Each case builds such
// a repository, scans it through the CLI inside a simulated GitHub Actions
// step, and asserts the promise on every output a reader or an uploader can
// see, not only that nothing crashed.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileOutputs is everything one scan shows anyone: the report files, the
// process's stdout (annotations) and stderr (summary, logs), and the files
// the runner turns into the step summary and step outputs.
type hostileOutputs struct {
	code                    int
	sarif, json, markdown   string
	gitlabSAST, gitlabDeps  string
	gitlabSecrets           string
	junit                   string
	stdout, stderr          string
	stepSummary, stepOutput string
}

// each calls f with every output and its name.
func (o hostileOutputs) each(f func(name, text string)) {
	for _, x := range []struct{ name, text string }{
		{"SARIF", o.sarif}, {"JSON", o.json}, {"markdown", o.markdown},
		{"GitLab SAST", o.gitlabSAST}, {"GitLab dependency scanning", o.gitlabDeps}, {"GitLab secret detection", o.gitlabSecrets}, {"JUnit", o.junit},
		{"stdout (annotations)", o.stdout}, {"stderr (summary)", o.stderr},
		{"step summary", o.stepSummary}, {"step outputs", o.stepOutput},
	} {
		f(x.name, x.text)
	}
}

// scanHostile scans root with the given extra arguments as a workflow step
// would (GITHUB_ACTIONS set, workspace = root), writing every report.
func scanHostile(t *testing.T, root string, args ...string) hostileOutputs {
	t.Helper()
	outputs, summary := actionsEnv(t, root)
	dir := t.TempDir()
	sarifPath, jsonPath, mdPath := filepath.Join(dir, "r.sarif"), filepath.Join(dir, "r.json"), filepath.Join(dir, "r.md")
	// Incomplete scanners' runs kept: their notifications are output too,
	// and the leak checks read every output.
	sastPath, depsPath, junitPath := filepath.Join(dir, "sast.json"), filepath.Join(dir, "ds.json"), filepath.Join(dir, "junit.xml")
	secretsPath := filepath.Join(dir, "sd.json")
	all := append([]string{"scan", "--sarif", sarifPath, "--sarif-keep-incomplete", "--json", jsonPath, "--markdown", mdPath,
		"--gitlab-sast", sastPath, "--gitlab-dependency-scanning", depsPath, "--gitlab-secret-detection", secretsPath, "--junit", junitPath}, args...)
	code, stdout, stderr := runCLI(t, append(all, root)...)
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return string(b)
	}
	return hostileOutputs{
		code: code, sarif: read(sarifPath), json: read(jsonPath), markdown: read(mdPath),
		gitlabSAST: read(sastPath), gitlabDeps: read(depsPath), gitlabSecrets: read(secretsPath), junit: read(junitPath),
		stdout: stdout, stderr: stderr, stepSummary: read(summary), stepOutput: read(outputs),
	}
}

// assertNowhere fails for each needle found in any output.
func assertNowhere(t *testing.T, o hostileOutputs, needles ...string) {
	t.Helper()
	o.each(func(name, text string) {
		for _, n := range needles {
			if n != "" && strings.Contains(text, n) {
				t.Errorf("%s holds %q:\n%s", name, n, excerpt(text, n))
			}
		}
	})
}

// excerpt is the text around the first occurrence of needle.
func excerpt(text, needle string) string {
	i := strings.Index(text, needle)
	lo, hi := max(0, i-200), min(len(text), i+len(needle)+200)
	return text[lo:hi]
}

// markerScript returns the body of a script that creates marker when run: a
// test that finds no marker afterwards proves the script never ran.
func markerScript(marker string) string {
	return "#!/bin/sh\ntouch '" + marker + "'\necho 'bandit 1.6.2'\n"
}

// assertNotRun fails when the marker exists.
func assertNotRun(t *testing.T, marker string) {
	t.Helper()
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("a program from the scanned repository ran: %s exists", marker)
	}
}
