package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/ghtest"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/report/reporttest"
	"github.com/scangate/scangate/scanners/secrets/secretstest"
)

// A tree holding credentials of several detectors, one in a file name: no
// output of a scan on a pull request (reports, annotations, summary, step
// summary and outputs, the PR comment, the result cache, a shard's report)
// holds any of them, or 8 characters of one, cold or from the cache.
func TestSecretsAreNeverRepeated(t *testing.T) {
	ws := t.TempDir()
	ss := secretstest.All(t)
	files := secretstest.Files(ss, "config/%s.env", "# credentials\n")
	files["keys/"+ss[0].Values[0]+".txt"] = "named after the token\n"
	testkit.WriteFiles(t, ws, files)
	cache := t.TempDir()
	api := ghtest.NewAPI(t, prToken)
	prEvent(t, api, pullRequestEvent)
	t.Setenv("GITHUB_TOKEN", prToken)
	check := func(what, text string) {
		t.Helper()
		secretstest.NoLeaks(t, what, text, ss)
	}
	for _, run := range []string{"cold", "from the cache"} {
		o := scanHostile(t, ws, "--scanners", "secrets", "--cache-dir", cache, "--pr-comment")
		if o.code != exitFail {
			t.Fatalf("%s: exit %d, want %d (high and critical secrets)\n%s", run, o.code, exitFail, o.stderr)
		}
		o.each(func(name, text string) { check(run+": "+name, text) })
		if run == "from the cache" && !strings.Contains(o.stderr, "secrets 10/10 files") {
			t.Errorf("second scan not from the cache:\n%s", o.stderr)
		}
		cs := api.Comments(7)
		if len(cs) == 0 || !strings.Contains(cs[len(cs)-1].Body, "privatekey") {
			t.Fatalf("%s: no PR comment with the findings: %+v", run, cs)
		}
		check(run+": PR comment", cs[len(cs)-1].Body)
		var doc struct {
			Tools []struct {
				Findings []struct {
					RuleID     string            `json:"ruleId"`
					Properties map[string]string `json:"properties"`
				} `json:"findings"`
			} `json:"tools"`
		}
		if err := json.Unmarshal([]byte(o.json), &doc); err != nil {
			t.Fatal(err)
		}
		found := map[string]bool{}
		for _, r := range doc.Tools {
			for _, f := range r.Findings {
				if f.Properties["secretHint"] != "" && f.Properties["secretDigest"] != "" {
					found[f.RuleID] = true
				}
			}
		}
		for _, s := range ss {
			if !found[s.Rule] {
				t.Errorf("%s: no %s finding with hint and digest in the JSON report", run, s.Rule)
			}
		}
		schemaValidate(t, string(model.Schema()), writeTemp(t, o.json))
		d := reporttest.ReadGitLab(t, writeTemp(t, o.gitlabSecrets))
		if d.Scan.Type != "secret_detection" || len(d.Vulnerabilities) < len(ss) {
			t.Errorf("%s: GitLab secret detection report: %s, %d vulnerabilities", run, d.Scan.Type, len(d.Vulnerabilities))
		}
	}
	filepath.WalkDir(cache, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			b, _ := os.ReadFile(p)
			check("cache entry "+e.Name(), string(b))
		}
		return nil
	})
	shard := filepath.Join(t.TempDir(), "shard.json")
	code, stdout, stderr := runCLI(t, "scan", "--scanners", "secrets", "--no-cache", "--shard", "1/1", "--json", shard, ws)
	b, _ := os.ReadFile(shard)
	if code != 0 || len(b) == 0 {
		t.Fatalf("shard: exit %d, %d bytes\n%s", code, len(b), stderr)
	}
	check("shard report", string(b))
	check("shard stdout and stderr", stdout+stderr)
}

func writeTemp(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// --validate-secrets asks the network: refused offline, from the flag or
// the configuration, and a configuration file inside the tree may not turn
// it on.
func TestValidateSecretsGating(t *testing.T) {
	ws := t.TempDir()
	testkit.WriteFiles(t, ws, map[string]string{"a.txt": "nothing\n"})
	code, _, stderr := runCLI(t, "scan", "--scanners", "secrets", "--validate-secrets", ws) // runCLI adds --offline
	if code != exitUsage || !strings.Contains(stderr, "--validate-secrets") || !strings.Contains(stderr, "--offline") {
		t.Errorf("offline: exit %d\n%s", code, stderr)
	}
	testkit.WriteFiles(t, ws, map[string]string{".scangate.yml": "scanners:\n  secrets:\n    validate: true\n"})
	code, _, stderr = runCLI(t, "scan", "--scanners", "secrets", ws)
	if code != exitUsage || !strings.Contains(stderr, "scanners.secrets.validate") || !strings.Contains(stderr, "may not") {
		t.Errorf("in-tree configuration: exit %d\n%s", code, stderr)
	}
}

// Secrets are suppressed like any finding: in the ignore file by
// fingerprint, path or rule, and a baseline keeps a secret moved to
// another line (its fingerprint is the secret's digest, not its line).
func TestSecretsSuppressedAndBaselined(t *testing.T) {
	ws := t.TempDir()
	ss := secretstest.All(t)
	gh, gl, npm, gems := ss[0], ss[1], ss[4], ss[3]
	testkit.WriteFiles(t, ws, map[string]string{
		"a.env":          gh.Text,
		"fixtures/b.env": gl.Text,
		"c.env":          npm.Text,
		"d.env":          gems.Text,
	})
	base := filepath.Join(t.TempDir(), "base.json")
	if code, _, stderr := runCLI(t, "scan", "-q", "--scanners", "secrets", "--no-cache", "--json", base, ws); code != exitFail {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var doc struct {
		Tools []struct {
			Findings []struct {
				RuleID      string `json:"ruleId"`
				Fingerprint string `json:"fingerprint"`
				Location    struct {
					Path string `json:"path"`
				} `json:"location"`
			} `json:"findings"`
		} `json:"tools"`
	}
	b, _ := os.ReadFile(base)
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	fp := ""
	for _, f := range doc.Tools[0].Findings {
		if f.Location.Path == "a.env" {
			fp = f.Fingerprint
		}
	}
	if fp == "" {
		t.Fatalf("no finding in a.env: %s", b)
	}
	// Moved down two lines, the baseline still holds the secret: nothing new.
	testkit.WriteFiles(t, ws, map[string]string{"a.env": "# moved\n\n" + gh.Text})
	if code, _, stderr := runCLI(t, "scan", "--scanners", "secrets", "--no-cache", "--baseline", base, ws); code != 0 {
		t.Errorf("baseline after a line move: exit %d\n%s", code, stderr)
	}
	ignore := filepath.Join(t.TempDir(), "ignore.yml")
	if err := os.WriteFile(ignore, []byte("suppressions:\n"+
		"  - fingerprint: "+fp+"\n    reason: rotated, test value\n"+
		"  - path: fixtures/**\n    reason: fixtures\n"+
		"  - rule: npmjsaccesstoken\n    reason: a local registry's token\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "scan", "--scanners", "secrets", "--no-cache", "--ignore-file", ignore, ws)
	if code != exitFail || !strings.Contains(stderr, "rubygemsapikey") || strings.Count(stderr, "rotated, test value")+strings.Count(stderr, "fixtures")+strings.Count(stderr, "a local registry") < 3 {
		t.Errorf("ignore file: exit %d (want %d: the RubyGems key is not suppressed)\n%s", code, exitFail, stderr)
	}
	testkit.WriteFiles(t, ws, map[string]string{"d.env": "# nothing left\n"})
	if code, _, stderr := runCLI(t, "scan", "--scanners", "secrets", "--no-cache", "--ignore-file", ignore, ws); code != 0 {
		t.Errorf("every secret suppressed: exit %d\n%s", code, stderr)
	}
}

// --new-from-rev: a secret the base had and the change moved to another
// line is unchanged, one the change adds is new, one it deletes is fixed.
func TestSecretsNewFromRev(t *testing.T) {
	repo := filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	ss := secretstest.All(t)
	gh, npm, gems := ss[0], ss[4], ss[3]
	testkit.Git(t, repo, "init", "-q")
	testkit.WriteFiles(t, repo, map[string]string{"app.env": gh.Text, "old.env": gems.Text})
	testkit.Commit(t, repo, "base")
	testkit.Git(t, repo, "checkout", "-q", "-b", "feature")
	testkit.WriteFiles(t, repo, map[string]string{"app.env": "# moved\n\n\n" + gh.Text, "new.env": npm.Text})
	if err := os.Remove(filepath.Join(repo, "old.env")); err != nil {
		t.Fatal(err)
	}
	testkit.Commit(t, repo, "change")
	out := filepath.Join(t.TempDir(), "out.json")
	code, stdout, stderr := runCLI(t, "scan", "--scanners", "secrets", "--no-cache", "--new-from-rev", "main", "--json", out, repo)
	if code != exitFail {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	rep := readNewFromRev(t, out)
	want := []string{"githubclassicpat app.env unchanged", "npmjsaccesstoken new.env new"}
	if got := rep.statuses(); !slices.Equal(got, want) || rep.Verdict.Fixed != 1 {
		t.Errorf("statuses %q, fixed %d; want %q and 1 fixed\n%s", got, rep.Verdict.Fixed, want, stderr)
	}
	b, _ := os.ReadFile(out)
	if l := secretstest.Leaks(string(b)+stdout+stderr, ss); len(l) > 0 {
		t.Errorf("the report or the summary repeats secrets: %v", l)
	}
}
