package main

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/ghtest"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/report/reporttest"
)

// A repository of three Go modules, one of which cannot be loaded (no
// go.sum, no vendor directory): gosec and govulncheck complete two modules
// of three. Their runs for those two are in the SARIF file, each module in
// a category of its own, while the failed module's category is absent, so
// that code scanning keeps its alerts; osv-scanner, which read every
// go.mod, reports the failed module's advisories in its own run. The
// vulnerable versions are real (golang.org/x/text v0.3.6, jinja2 2.11.2),
// the database is examples/vulndb.
func TestPartialScanReportsCompletedUnits(t *testing.T) {
	root := t.TempDir()
	for _, dir := range []string{".", "svc", "api"} {
		testkit.CopyTree(t, "../../examples/project", filepath.Join(root, dir))
	}
	for _, p := range []string{"api/go.sum", "api/vendor"} {
		if err := os.RemoveAll(filepath.Join(root, p)); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	file := func(name string) string { return filepath.Join(out, name) }
	code, _, stderr := runCLI(t, "scan", "--no-cache", "--scanners", "gosec,govulncheck,osv-scanner",
		"--sarif", file("r.sarif"), "--json", file("r.json"), "--markdown", file("r.md"),
		"--gitlab-dependency-scanning", file("ds.json"), "--junit", file("junit.xml"), root)
	// The findings fail the gate: that decides the exit code, as before.
	if code != exitFail {
		t.Fatalf("exit %d, want %d (the gate fails)\n%s", code, exitFail, stderr)
	}
	testkit.ContainsAll(t, "stderr", stderr,
		"govulncheck: module api (example.com/scangate-example): nothing in it was scanned",
		"gosec: module example.com/scangate-example: none of its 1 packages loaded without errors",
		"the SARIF report leaves out gosec (go-module api), govulncheck (go-module api)",
	)

	runs := map[string]reporttest.Run{}
	for _, r := range reporttest.ReadLog(t, file("r.sarif")).Runs {
		key := r.Tool.Driver.Name + " " + r.AutomationDetails.ID
		if _, dup := runs[key]; dup {
			t.Errorf("two runs of %s: GitHub rejects the file", key)
		}
		runs[key] = r
		if len(r.Invocations) != 1 || !r.Invocations[0].ExecutionSuccessful {
			t.Errorf("%s: a written run must be a complete one: %+v", key, r.Invocations)
		}
	}
	var ids []string
	for k := range runs {
		ids = append(ids, k)
	}
	slices.Sort(ids)
	want := []string{
		"gosec scangate/gosec/", "gosec scangate/gosec/svc/",
		"govulncheck scangate/govulncheck/", "govulncheck scangate/govulncheck/svc/",
		"osv-scanner scangate/osv-scanner/", "osv-scanner scangate/osv-scanner/api/", "osv-scanner scangate/osv-scanner/svc/",
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("runs %q, want %q", ids, want)
	}

	// has reports whether the run holds rule (by ID or alias) at a file
	// under dir ("" for the root module's own files).
	has := func(key, rule, dir string) bool {
		for _, res := range runs[key].Results {
			if res.RuleID != rule && !slices.Contains(res.Properties.Aliases, rule) {
				continue
			}
			for _, l := range res.Locations {
				uri := l.PhysicalLocation.ArtifactLocation.URI
				top, _, nested := strings.Cut(uri, "/")
				if dir == "" && (!nested || top != "svc" && top != "api") || dir != "" && top == dir {
					return true
				}
			}
		}
		return false
	}
	for _, c := range []struct{ key, rule, dir string }{
		// govulncheck's finding, joined with osv-scanner's, in each
		// module govulncheck completed.
		{"govulncheck scangate/govulncheck/", "GO-2021-0113", ""},
		{"govulncheck scangate/govulncheck/svc/", "GO-2021-0113", "svc"},
		// The failed module's advisory, from osv-scanner, which completed it.
		{"osv-scanner scangate/osv-scanner/api/", "GO-2021-0113", "api"},
		{"osv-scanner scangate/osv-scanner/", "PYSEC-2021-66", ""},
		{"osv-scanner scangate/osv-scanner/svc/", "PYSEC-2021-66", "svc"},
	} {
		if !has(c.key, c.rule, c.dir) {
			t.Errorf("run %s lacks %s under %q:\n%+v", c.key, c.rule, c.dir, runs[c.key].Results)
		}
	}
	for _, r := range runs["govulncheck scangate/govulncheck/svc/"].Results {
		if r.RuleID == "GO-2021-0113" && !slices.Equal(r.Properties.Tools, []string{"govulncheck", "osv-scanner"}) {
			t.Errorf("svc's GO-2021-0113 should be joined with osv-scanner's: tools %v", r.Properties.Tools)
		}
	}

	// The JSON report says which units each tool completed.
	schemaValidate(t, string(model.Schema()), file("r.json"))
	var rep struct {
		Tools []struct {
			Tool  string
			Units []finding.Unit
		}
	}
	if b, err := os.ReadFile(file("r.json")); err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("r.json: %v", err)
	}
	seen := false
	for _, tr := range rep.Tools {
		if tr.Tool != "govulncheck" {
			continue
		}
		seen = true
		want := []finding.Unit{{Kind: "go-module", Path: "."}, {Kind: "go-module", Path: "api", State: finding.Incomplete}, {Kind: "go-module", Path: "svc"}}
		if !slices.Equal(tr.Units, want) {
			t.Errorf("govulncheck's units %+v, want %+v", tr.Units, want)
		}
	}
	if !seen {
		t.Error("r.json has no govulncheck result")
	}

	// The other reports hold every finding, the failed module's included
	// (JUnit lists those that fail the gate: the Go advisories).
	for _, name := range []string{"r.json", "r.md", "ds.json", "junit.xml"} {
		b := testkit.ReadFile(t, file(name))
		paths := []string{"api/go.mod", "svc/main.go", "svc/requirements.txt", "api/requirements.txt"}
		if name == "junit.xml" {
			paths = paths[:2]
		}
		for _, p := range paths {
			if !strings.Contains(string(b), p) {
				t.Errorf("%s does not name %s", name, p)
			}
		}
	}
}

// monorepo writes a checkout (with its .git directory) holding, in
// services/api, a Go module with a package that type-checks and one that
// does not (gosec reports both but cannot complete) and a Python file that
// bandit flags (B602, high).
func monorepo(t *testing.T) (ws string) {
	t.Helper()
	ws = t.TempDir()
	testkit.WriteFiles(t, ws, map[string]string{
		".git/HEAD":                        "ref: refs/heads/main\n",
		"services/api/go.mod":              "module example.com/api\n\ngo 1.22\n",
		"services/api/good/good.go":        "package good\n\nimport \"crypto/md5\"\n\nfunc Sum(b []byte) [16]byte { return md5.Sum(b) }\n",
		"services/api/typeerr/typeerr.go":  "package typeerr\n\nvar count int = \"three\"\n",
		"services/api/tools/run.py":        "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n",
		"services/other/unrelated/x.go.md": "not scanned\n",
	})
	return ws
}

func sarifRuns(t *testing.T, file string) map[string]*sarif.Run {
	t.Helper()
	doc, err := sarif.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(); err != nil {
		t.Fatal(err)
	}
	runs := map[string]*sarif.Run{}
	for _, r := range doc.Runs {
		runs[*r.Tool.Driver.Name] = r
	}
	return runs
}

func resultFiles(t *testing.T, run *sarif.Run) []string {
	t.Helper()
	var files []string
	for _, r := range run.Results {
		p, err := url.PathUnescape(*r.Locations[0].PhysicalLocation.ArtifactLocation.URI)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	slices.Sort(files)
	return slices.Compact(files)
}

// A real scanner that cannot complete (gosec on a package that does not
// type-check, which still reports what it saw) and a complete one (bandit):
// by default the SARIF holds bandit's run only, so that code scanning does
// not close gosec's alerts on what it missed; --sarif-keep-incomplete
// writes gosec's run too, marked unsuccessful.
func TestIncompleteScannerLeftOutOfSARIF(t *testing.T) {
	testkit.NeedBandit(t)
	ws := monorepo(t)
	t.Chdir(ws)
	t.Setenv("INPUT_PATH", "services/api")
	t.Setenv("INPUT_SCANNERS", "gosec,bandit")
	t.Setenv("INPUT_FAIL-ON", "none")

	for _, keep := range []bool{false, true} {
		args := ""
		if keep {
			args = "--sarif-keep-incomplete"
		}
		t.Setenv("INPUT_ARGS", args)
		outputs, _ := actionsEnv(t, ws)
		code, _, stderr := runCLI(t, "action")
		if code != exitIncomplete {
			t.Fatalf("%s: exit %d, want %d\n%s", args, code, exitIncomplete, stderr)
		}
		out := ghtest.ReadOutputs(t, outputs)
		runs := sarifRuns(t, filepath.Join(ws, "scangate.sarif"))
		bandit, gosec := runs["bandit"], runs["gosec"]
		if bandit == nil || !*bandit.Invocations[0].ExecutionSuccessful {
			t.Fatalf("%s: no successful bandit run\n%s", args, stderr)
		}
		if files := resultFiles(t, bandit); !slices.Equal(files, []string{"services/api/tools/run.py"}) {
			t.Errorf("%s: bandit's results name %q", args, files)
		}
		if out["incomplete"] != "gosec" || out["verdict"] != "incomplete" {
			t.Errorf("%s: outputs %q", args, out)
		}
		var gosecNote string
		for _, c := range runnerCommands(t, stderr) {
			if c.name == "error" && c.props["title"] == "scangate: gosec could not complete" {
				gosecNote = c.data
			}
		}
		if !keep {
			if len(runs) != 1 || out["sarif-runs"] != "1" {
				t.Errorf("want bandit's run alone: %d runs, sarif-runs %q", len(runs), out["sarif-runs"])
			}
			if !strings.Contains(gosecNote, "left out of the SARIF report") ||
				!strings.Contains(stderr, "scangate: the SARIF report leaves out gosec (could not complete)") {
				t.Errorf("not said that gosec's run is left out; annotation %q\n%s", gosecNote, stderr)
			}
			continue
		}
		if len(runs) != 2 || out["sarif-runs"] != "2" || gosec == nil {
			t.Fatalf("--sarif-keep-incomplete: %d runs, sarif-runs %q", len(runs), out["sarif-runs"])
		}
		inv := gosec.Invocations[0]
		var errs []string
		for _, n := range inv.ToolExecutionNotifications {
			if n.Level == "error" {
				errs = append(errs, *n.Message.Text)
			}
		}
		if *inv.ExecutionSuccessful || !strings.Contains(strings.Join(errs, "\n"), "typeerr") {
			t.Errorf("gosec's run must say it did not complete, and why: %v", errs)
		}
		if files := resultFiles(t, gosec); !slices.Contains(files, "services/api/good/good.go") {
			t.Errorf("gosec's results: %q", files)
		}
		if strings.Contains(gosecNote, "left out") || strings.Contains(stderr, "the SARIF report leaves out") {
			t.Errorf("--sarif-keep-incomplete, yet said to be left out:\n%s", stderr)
		}
	}
}

// Outside GitHub Actions, a subdirectory of a checkout: SARIF names files
// from the repository root, and that SARIF read back as a baseline matches
// every finding of the next scan of the same directory.
func TestSubdirectorySARIFAndBaseline(t *testing.T) {
	t.Setenv("GITHUB_ACTIONS", "")
	t.Setenv("GITHUB_WORKSPACE", "")
	ws := t.TempDir()
	api := filepath.Join(ws, "services", "api")
	testkit.WriteFiles(t, ws, map[string]string{".git": "gitdir: /elsewhere/.git/worktrees/x\n"}) // a worktree
	if err := os.MkdirAll(api, 0o755); err != nil {
		t.Fatal(err)
	}
	weirdModule(t, api)
	out := t.TempDir()
	first := filepath.Join(out, "first.sarif")
	code, _, stderr := runCLI(t, "scan", "-q", "--scanners", "gosec", "--sarif", first, api)
	if code != exitFail {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	files := resultFiles(t, sarifRuns(t, first)["gosec"])
	if !slices.Equal(files, []string{"services/api/main.go", "services/api/" + weirdName}) {
		t.Errorf("SARIF files %q", files)
	}
	code, _, stderr = runCLI(t, "scan", "-q", "--scanners", "gosec", "--baseline", first, api)
	if code != exitPass || !strings.Contains(stderr, "Findings: 0 new") {
		t.Errorf("with its own SARIF as the baseline: exit %d\n%s", code, stderr)
	}
}

// The .git entries on the way up are markers, never read or followed: a
// .git file pointing elsewhere marks the root, a .git symlink below it is
// ignored, and nothing they name reaches an output.
func TestHostileGitMarkers(t *testing.T) {
	const marker = "gitmarker-3f9a1c"
	outside := filepath.Join(t.TempDir(), marker)
	testkit.WriteFiles(t, outside, map[string]string{"config": "[core]\n\tworktree = /" + marker + "\n", "HEAD": marker + "\n"})
	ws := t.TempDir()
	testkit.WriteFiles(t, ws, map[string]string{".git": "gitdir: " + outside + "\n"})
	api := filepath.Join(ws, "services", "api")
	if err := os.MkdirAll(api, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(ws, "services", ".git")); err != nil {
		t.Fatal(err)
	}
	weirdModule(t, api)
	outputs, summary := actionsEnv(t, ws)
	t.Chdir(ws)
	code, stdout, stderr := runCLI(t, "scan", "--scanners", "gosec", "--sarif", "out.sarif", "services/api")
	if code != exitFail {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if files := resultFiles(t, sarifRuns(t, "out.sarif")["gosec"]); !slices.Contains(files, "services/api/main.go") {
		t.Errorf("SARIF files %q: the root is the directory with the .git file", files)
	}
	sarifText, _ := os.ReadFile("out.sarif")
	outs, _ := os.ReadFile(outputs)
	md, _ := os.ReadFile(summary)
	for name, text := range map[string]string{"SARIF": string(sarifText), "stdout": stdout, "stderr": stderr, "outputs": string(outs), "step summary": string(md)} {
		if strings.Contains(text, marker) {
			t.Errorf("%s holds %q, read through a .git entry", name, marker)
		}
	}
}
