package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/scangate/scangate/internal/ghtest"
	"github.com/scangate/scangate/internal/testkit"
)

// Issue 28, point 6: one word and one count for each thing in every
// output. On the example project (GO-2023-2402's severity is unknown) the
// summary's breakdown adds up to its "new" count, the unknown finding is
// "unknown" wherever a severity is named, progress lines carry their
// scanner's name once and stay under 200 characters, and the count of a
// finished scanner is named as what it is: results before merging.
func TestOneWordOneCount(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	jsonPath, mdPath, glPath := filepath.Join(out, "x.json"), filepath.Join(out, "x.md"), filepath.Join(out, "gl.json")
	junitPath := filepath.Join(out, "junit.xml")
	code, _, stderr := runCLI(t, "scan", "--offline", "--db", "../../examples/vulndb", "--json", jsonPath,
		"--markdown", mdPath, "--gitlab-dependency-scanning", glPath, "--junit", junitPath, "../../examples/project")
	if code != exitFail {
		t.Fatalf("exit %d\n%s", code, stderr)
	}

	m := regexp.MustCompile(`Findings: (\d+) new \(([^)]*)\)`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no Findings line:\n%s", stderr)
	}
	total, _ := strconv.Atoi(m[1])
	sum := 0
	for _, part := range strings.Split(m[2], ", ") {
		_, n, _ := strings.Cut(part, " ")
		k, err := strconv.Atoi(n)
		if err != nil {
			t.Fatalf("breakdown %q: %v", m[2], err)
		}
		sum += k
	}
	if sum != total || !strings.Contains(m[2], "unknown 1") {
		t.Errorf("Findings: %d new, breakdown %q adds up to %d (want it to, with unknown 1)", total, m[2], sum)
	}
	if strings.Contains(stderr, "of unknown severity") {
		t.Errorf("unknown findings counted twice:\n%s", stderr)
	}
	if !strings.Contains(stderr, "UNKNOWN  GO-2023-2402") {
		t.Errorf("console does not say UNKNOWN for GO-2023-2402:\n%s", stderr)
	}

	head, _, _ := strings.Cut(stderr, "scangate dev: scanned")
	for _, l := range strings.Split(head, "\n") {
		if n := utf8.RuneCountInString(l); n >= 200 {
			t.Errorf("progress line of %d characters: %.80s…", n, l)
		}
	}
	for _, s := range []string{"gosec", "govulncheck", "osv-scanner", "bandit"} {
		if strings.Contains(stderr, s+": "+s+":") || regexp.MustCompile(s+`: .*: `+s+`: `).MatchString(stderr) {
			t.Errorf("doubled prefix %q:\n%s", s, stderr)
		}
	}
	if !regexp.MustCompile(`(?m)^osv-scanner: completed in \S+, \d+ results before merging duplicates$`).MatchString(stderr) {
		t.Errorf("osv-scanner's progress count is not named as results before merging:\n%s", stderr)
	}

	md, err := os.ReadFile(mdPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "| unknown | GO-2023-2402 |") {
		t.Errorf("markdown:\n%s", md)
	}
	// Point 9: the step summary says why a scanner was skipped.
	if _, err := exec.LookPath("safety"); err != nil && !strings.Contains(string(md), "| safety | skipped (safety is not installed") {
		t.Errorf("markdown does not say why safety was skipped:\n%s", md)
	}
	var gl struct {
		Vulnerabilities []struct {
			Severity    string `json:"severity"`
			Identifiers []struct {
				Value string `json:"value"`
			} `json:"identifiers"`
		} `json:"vulnerabilities"`
	}
	b, err := os.ReadFile(glPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &gl); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range gl.Vulnerabilities {
		if len(v.Identifiers) > 0 && v.Identifiers[0].Value == "GO-2023-2402" {
			found = true
			if v.Severity != "Unknown" {
				t.Errorf("GitLab severity of GO-2023-2402: %s", v.Severity)
			}
		}
	}
	if !found {
		t.Errorf("GO-2023-2402 not in the GitLab report:\n%s", b)
	}
	// Issue 28, point 10: the same scan's JUnit passes Jenkins' xunit
	// junit-10 schema, which skips a file that fails it.
	if xmllint, err := exec.LookPath("xmllint"); err == nil {
		if b, err := exec.Command(xmllint, "--noout", "--schema", "../../testdata/junit/jenkins-junit-10.xsd", junitPath).CombinedOutput(); err != nil {
			t.Errorf("JUnit against junit-10: %v\n%s", err, b)
		}
	}

	var doc struct {
		Verdict struct{ New, SeverityUnknown int } `json:"verdict"`
	}
	if b, err = os.ReadFile(jsonPath); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if v := doc.Verdict; v.SeverityUnknown != 1 || v.New != total {
		t.Errorf("JSON verdict %+v, console new %d", v, total)
	}
}

// Issue 28, point 7: the pull request comment of the example project, as
// posted: its commands are code spans that paste as they are (no
// zero-width space inside), its message column repeats neither the rule
// nor the fix, and a list longer than ten rows folds into <details>.
func TestPRCommentCommandsPaste(t *testing.T) {
	ws := t.TempDir()
	if err := os.CopyFS(ws, os.DirFS("../../examples/project")); err != nil {
		t.Fatal(err)
	}
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

// Every workflow in the docs that runs the Action sets Go up first: the Go
// scanners load modules with the runner's go, and without setup-go they
// get whatever the image holds.
func TestDocsWorkflowsSetUpGo(t *testing.T) {
	block := regexp.MustCompile("(?s)```yaml\n(.*?)```")
	n := 0
	for _, doc := range []string{"../../README.md", "../../docs/github.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range block.FindAllSubmatch(b, -1) {
			var wf struct {
				Jobs map[string]struct {
					Steps []struct {
						Uses string `yaml:"uses"`
					} `yaml:"steps"`
				} `yaml:"jobs"`
			}
			if yaml.Unmarshal(m[1], &wf) != nil {
				continue // TestDocsYAMLExamplesParse reports it
			}
			for name, job := range wf.Jobs {
				setup := false
				for _, s := range job.Steps {
					setup = setup || strings.HasPrefix(s.Uses, "actions/setup-go@")
					if strings.HasPrefix(s.Uses, "scangate/scangate@") {
						n++
						if !setup {
							t.Errorf("%s: YAML example %d, job %s runs the Action without actions/setup-go before it", doc, i+1, name)
						}
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no workflow in the docs runs the Action")
	}
}

// Issue 28, point 8: db status of a folder that scan takes as raw
// advisories describes it as such, with what a scan reads from it, and
// exits 0; an empty folder is no database rather than a corrupt one, and a
// raw folder scan would refuse names the bad file.
func TestDBStatusOfRawAdvisories(t *testing.T) {
	code, out, errs := runDB(t, "status", "--db", "../../examples/vulndb")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	testkit.ContainsAll(t, "status", out,
		"../../examples/vulndb: raw OSV advisories, not an imported database",
		"scangate db import ../../examples/vulndb --db DIR",
		"\nGo         5 ",
		"\nPyPI       4 ",
		"govulncheck: 3 GO- advisories on 2 modules",
	)
	if strings.Contains(out+errs, "corrupt") {
		t.Errorf("raw advisories called corrupt:\n%s%s", out, errs)
	}
	empty := t.TempDir()
	if code, _, errs := runDB(t, "status", "--db", empty); code != exitFail || strings.Contains(errs, "corrupt") ||
		!strings.Contains(errs, "holds neither scangate-db.json nor OSV advisories") {
		t.Errorf("empty folder: exit %d: %s", code, errs)
	}
	if code, _, errs := runDB(t, "status", "--db", "../../testdata/osv/corrupt/bad-json"); code != exitFail ||
		!strings.Contains(errs, "GHSA-35jh-r3h4-6jhm.json: bad JSON") {
		t.Errorf("bad raw folder: exit %d: %s", code, errs)
	}
}

// Issue 28, point 9: usage errors exit 2 (the README's table) and name the
// near miss: hook install or uninstall outside a git repository, and a
// misspelt scanner.
func TestUsageErrorsOfANewUser(t *testing.T) {
	t.Chdir(t.TempDir()) // no repository here or above
	for _, args := range [][]string{{"hook", "install"}, {"hook", "uninstall"}} {
		if code, _, stderr := runCLI(t, args...); code != exitUsage || !strings.Contains(stderr, "not in a git repository") {
			t.Errorf("%v outside a repository: exit %d, want %d\n%s", args, code, exitUsage, stderr)
		}
	}
	code, _, stderr := runCLI(t, "scan", "--scanners", "bandits", ".")
	if code != exitUsage || !strings.Contains(stderr, `unknown scanner "bandits" in --scanners (did you mean "bandit"?)`) {
		t.Errorf("--scanners bandits: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "scan", "--scanners", "trivy", "."); code != exitUsage || strings.Contains(stderr, "did you mean") {
		t.Errorf("--scanners trivy: exit %d, no near miss to suggest\n%s", code, stderr)
	}
}
