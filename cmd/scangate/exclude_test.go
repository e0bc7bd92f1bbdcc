package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
)

// One glob dialect for every scanner: the same --exclude glob drops the same
// tree for gosec, govulncheck, osv-scanner, bandit and safety (real runs;
// safety is a stand-in printing safety 2.3.5's exact JSON, as it cannot be
// installed here), and the ignore file's path: with the same glob
// suppresses exactly the findings --exclude drops.
func TestOneGlobDialectForEveryScanner(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bandit"); err != nil && os.Getenv("SCANGATE_REQUIRE_BANDIT") == "" {
		t.Skip("bandit is not installed")
	}
	root := t.TempDir()
	// svc/legacy: the example project (Go with vendored x/text and
	// x/crypto, requirements) and the Python package fixture.
	if err := os.CopyFS(filepath.Join(root, "svc", "legacy"), os.DirFS("../../examples/project")); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(root, "svc", "legacy", "py"), os.DirFS("../../testdata/python/pypkg")); err != nil {
		t.Fatal(err)
	}
	// Outside it, one thing for gosec, bandit and safety to see.
	testkit.WriteFiles(t, root, map[string]string{
		"go.mod":           "module example.com/app\n\ngo 1.22\n",
		"main.go":          "package main\n\nimport (\n\t\"crypto/md5\"\n\t\"fmt\"\n)\n\nfunc main() { fmt.Println(md5.Sum([]byte(\"x\"))) }\n",
		"app.py":           "import subprocess\n\nsubprocess.call('ls', shell=True)\n",
		"requirements.txt": "six==1.16.0\n",
	})

	// The stand-in prints the fixture's report when given the legacy
	// requirements, and the same report without vulnerabilities otherwise.
	report, _ := filepath.Abs("../../testdata/python/safety/check-2.3.5-pypkg.json")
	data := testkit.ReadFile(t, report)
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	doc["vulnerabilities"], doc["ignored_vulnerabilities"], doc["affected_packages"], doc["remediations"] = []any{}, []any{}, map[string]any{}, map[string]any{}
	meta := doc["report_meta"].(map[string]any)
	meta["scanned"] = []any{"requirements.txt"}
	meta["vulnerabilities_found"], meta["vulnerabilities_ignored"], meta["remediations_recommended"] = 0, 0, 0
	clean, _ := json.Marshal(doc)
	bin := t.TempDir()
	cleanReport := filepath.Join(bin, "clean.json")
	os.WriteFile(cleanReport, clean, 0o644)
	script := "#!/bin/sh\nif [ \"$1\" = \"--version\" ]; then echo 'safety, version 2.3.5'; exit 0; fi\n" +
		"case \"$*\" in *svc/legacy/py/requirements.txt*) cat '" + report + "'; exit 64;; esac\ncat '" + cleanReport + "'\nexit 0\n"
	testkit.Script(t, filepath.Join(bin, "safety"), script)
	sdb := t.TempDir()
	for _, f := range []string{"insecure.json", "insecure_full.json"} {
		os.WriteFile(filepath.Join(sdb, f), []byte("{}"), 0o644)
	}
	cfg := filepath.Join(t.TempDir(), "scangate.yml")
	// The stand-in is named by the (trusted, out-of-tree) configuration
	// rather than put on PATH, so that this test can run in parallel.
	os.WriteFile(cfg, []byte("scanners:\n  safety:\n    db: "+sdb+"\n    program: "+filepath.Join(bin, "safety")+"\n"), 0o644)
	ignore := filepath.Join(t.TempDir(), "ignore.yml")
	os.WriteFile(ignore, []byte("suppressions:\n  - path: legacy\n    reason: being rewritten\n"), 0o644)

	type hit struct{ tool, path string }
	scan := func(args ...string) (legacy, other, suppressed []hit) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "r.json")
		all := append([]string{"scan", "-q", "--offline", "--db", "../../examples/vulndb", "--config", cfg, "--json", out}, args...)
		code, _, stderr := runCLI(t, append(all, root)...)
		if code != exitPass && code != exitFail {
			t.Fatalf("%v: exit %d, want 0 or 1\n%s", args, code, stderr)
		}
		var rep struct {
			Tools []finding.Result `json:"tools"`
		}
		data := testkit.ReadFile(t, out)
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Tools {
			if r.State != finding.Completed {
				t.Errorf("%v: %s %s: %+v", args, r.Tool, r.State, r.Notifications)
			}
			for _, f := range r.Findings {
				tools := f.Tools
				if len(tools) == 0 {
					tools = []string{f.Tool}
				}
				for _, tool := range tools {
					h := hit{tool, f.Location.Path}
					switch {
					case slices.ContainsFunc(f.Suppressions, func(s finding.Suppression) bool { return strings.Contains(s.Marker, "ignore.yml") }):
						if !strings.HasPrefix(h.path, "svc/legacy/") {
							t.Errorf("%v: path: legacy suppressed %+v", args, h)
						}
						suppressed = append(suppressed, h)
					case strings.HasPrefix(h.path, "svc/legacy/"):
						legacy = append(legacy, h)
					default:
						other = append(other, h)
					}
				}
			}
		}
		return legacy, other, suppressed
	}

	legacy, other, _ := scan()
	for _, tool := range []string{"gosec", "govulncheck", "osv-scanner", "bandit", "safety"} {
		if !slices.ContainsFunc(legacy, func(h hit) bool { return h.tool == tool }) {
			t.Errorf("without exclusions %s reports nothing under svc/legacy: %+v", tool, legacy)
		}
	}
	for _, tool := range []string{"gosec", "bandit"} {
		if !slices.ContainsFunc(other, func(h hit) bool { return h.tool == tool }) {
			t.Errorf("%s reports nothing outside svc/legacy: %+v", tool, other)
		}
	}
	for _, glob := range []string{"legacy", "**/legacy/**"} {
		gotLegacy, gotOther, _ := scan("--exclude", glob)
		if len(gotLegacy) > 0 {
			t.Errorf("--exclude %s leaves %+v", glob, gotLegacy)
		}
		if !slices.Equal(gotOther, other) {
			t.Errorf("--exclude %s changes what is outside it:\n got %+v\nwant %+v", glob, gotOther, other)
		}
	}
	gotLegacy, _, suppressed := scan("--ignore-file", ignore)
	if len(gotLegacy) > 0 || !slices.Equal(suppressed, legacy) {
		t.Errorf("path: legacy:\nsuppressed %+v\n      want %+v\nleft %+v", suppressed, legacy, gotLegacy)
	}
}
