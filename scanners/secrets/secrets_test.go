package secrets_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanners/secrets"
	"github.com/scangate/scangate/scanners/secrets/secretstest"
)

// scan runs the adapter as the runner does and returns its result.
func scan(t testing.TB, s *secrets.Scanner, req scanner.Request) finding.Result {
	t.Helper()
	return scanner.Run(context.Background(), req, []scanner.Scanner{s}, scanner.Options{})[0]
}

func byRule(res finding.Result) map[string][]finding.Finding {
	out := map[string][]finding.Finding{}
	for _, f := range res.Findings {
		out[f.RuleID] = append(out[f.RuleID], f)
	}
	return out
}

func TestEveryDetectorFoundAndNothingRepeated(t *testing.T) {
	root := t.TempDir()
	ss := secretstest.All(t)
	testkit.WriteFiles(t, root, secretstest.Files(ss, "conf/%s.txt", "# settings\n\n"))
	res := scan(t, secrets.New(secrets.Options{}), scanner.Request{Root: root})
	if res.State != finding.Completed {
		t.Fatalf("state %v: %+v", res.State, res.Notifications)
	}
	got := byRule(res)
	for _, s := range ss {
		fs := got[s.Rule]
		if len(fs) != 1 {
			t.Errorf("%s: %d findings, want 1: %+v", s.Rule, len(fs), fs)
			continue
		}
		f := fs[0]
		if f.Location.Path != "conf/"+s.Rule+".txt" || f.Location.StartLine < 3 || f.Location.StartColumn < 1 {
			t.Errorf("%s: location %s", s.Rule, f.Location)
		}
		want := finding.High
		if s.Rule == "awsaccesskey" || s.Rule == "privatekey" {
			want = finding.Critical
		}
		if f.Severity != want {
			t.Errorf("%s: severity %v, want %v", s.Rule, f.Severity, want)
		}
		v := s.Values[len(s.Values)-1]
		if s.Rule == "privatekey" {
			v = s.Text[:len(s.Text)-1] // the whole block
		}
		if f.Properties["secretHint"] != secrets.Hint(v) || !strings.Contains(f.Message, secrets.Hint(v)) {
			t.Errorf("%s: hint %q, message %q, want the hint %q", s.Rule, f.Properties["secretHint"], f.Message, secrets.Hint(v))
		}
		if len(f.Properties["secretDigest"]) != 32 || len(f.Fingerprint) != 32 {
			t.Errorf("%s: digest %q fingerprint %q", s.Rule, f.Properties["secretDigest"], f.Fingerprint)
		}
		if r := res.Rule(s.Rule); r == nil || !strings.Contains(r.Help, "Revoke") || !strings.Contains(r.Help, "history") {
			t.Errorf("%s: rule %+v without help on revoking and the history", s.Rule, r)
		}
	}
	b, _ := json.Marshal(res)
	secretstest.NoLeaks(t, "the result", string(b), ss)
}

func TestHint(t *testing.T) {
	for in, want := range map[string]string{
		"ghp_0123456789abcdefghijklmnopqrstuvwxyz": "ghp_… (40 characters)",
		"short-secret-x":             "sh… (14 characters)",
		"hunter2":                    "7 characters",
		"a\nb*_cdefghijklmnopqrstuv": "a?b?… (25 characters)",
	} {
		if got := secrets.Hint(in); got != want {
			t.Errorf("Hint(%q) = %q, want %q", in, got, want)
		}
	}
}

// Inline markers suppress the secret on their line; a bare nolint does not.
func TestInlineMarkers(t *testing.T) {
	root := t.TempDir()
	ss := secretstest.All(t)
	gh, npm := ss[0].Values[0], ss[4].Values[0]
	testkit.WriteFiles(t, root, map[string]string{
		"a.go":  "var a = \"" + gh + "\" // gitleaks:allow\n",
		"b.py":  "b = '" + gh + "'  # trufflehog:ignore\n",
		"c.go":  "var c = \"" + gh + "\" //nolint:gosec,secrets // test value\n",
		"d.sh":  "D=" + gh + " # scangate:ignore secret\n",
		"e.go":  "var e = \"" + npm + "\" //nolint\n",
		"f.txt": npm + "\n",
	})
	res := scan(t, secrets.New(secrets.Options{}), scanner.Request{Root: root})
	want := map[string]string{"a.go": "gitleaks:allow", "b.py": "trufflehog:ignore", "c.go": "nolint:secrets", "d.sh": "scangate:ignore secret", "e.go": "", "f.txt": ""}
	for _, f := range res.Findings {
		m := ""
		if len(f.Suppressions) > 0 {
			m = f.Suppressions[0].Marker
			if f.Suppressions[0].Kind != "inSource" || f.Suppressions[0].Justification != "" {
				t.Errorf("%s: suppression %+v", f.Location.Path, f.Suppressions[0])
			}
		}
		w, ok := want[f.Location.Path]
		if !ok || m != w {
			t.Errorf("%s: marker %q, want %q", f.Location.Path, m, w)
		}
		delete(want, f.Location.Path)
	}
	if len(want) > 0 {
		t.Errorf("no finding in %v", want)
	}
}

// A secret moved to another line keeps its fingerprint; another secret in
// the same place does not.
func TestFingerprintSurvivesLineMoves(t *testing.T) {
	ss := secretstest.All(t)
	gh := ss[0].Values[0]
	fp := func(text string) string {
		root := t.TempDir()
		testkit.WriteFiles(t, root, map[string]string{"cfg/app.env": text})
		res := scan(t, secrets.New(secrets.Options{}), scanner.Request{Root: root})
		if len(res.Findings) != 1 {
			t.Fatalf("%d findings: %+v", len(res.Findings), res.Findings)
		}
		return res.Findings[0].Fingerprint
	}
	a := fp("TOKEN=" + gh + "\n")
	b := fp("# moved\n\n\n   TOKEN = " + gh + "\n")
	if a != b {
		t.Errorf("fingerprint changed with the line: %s, %s", a, b)
	}
	if c := fp("TOKEN=" + secretstest.All(t)[0].Values[0] + "\n"); c == a {
		t.Error("another secret has the same fingerprint")
	}
}

// The walk: skipped directories, --exclude, binary files and symlinks.
func TestWhatIsRead(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	ss := secretstest.All(t)
	gh := ss[0].Values[0]
	testkit.WriteFiles(t, root, map[string]string{
		"src/app.txt":            gh + "\n",
		"vendor/x/key.txt":       gh + "\n",
		"node_modules/x/key.txt": gh + "\n",
		".git/config":            gh + "\n",
		"legacy/old.txt":         gh + "\n",
		"bin/tool":               "\x00\x01" + gh + "\n",
		"docs/notes.md":          "no secret here\n",
	})
	testkit.WriteFiles(t, outside, map[string]string{"creds.txt": gh + "\n"})
	if err := os.Symlink(filepath.Join(outside, "creds.txt"), filepath.Join(root, "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "linkdir")); err != nil {
		t.Fatal(err)
	}
	res := scan(t, secrets.New(secrets.Options{}), scanner.Request{Root: root, Exclude: []string{"legacy"}})
	var paths []string
	for _, f := range res.Findings {
		paths = append(paths, f.Location.Path)
	}
	if strings.Join(paths, ",") != "src/app.txt" {
		t.Errorf("findings in %v, want src/app.txt only", paths)
	}
}

// Hostile files: a 1 GB sparse file and a 100 MB line are not read (and
// named); /proc/self/environ behind a symlink is never opened.
func TestHostileFiles(t *testing.T) {
	root := t.TempDir()
	ss := secretstest.All(t)
	gh := ss[0].Values[0]
	t.Setenv("SCANGATE_TEST_LEAK", gh)
	sparse, err := os.Create(filepath.Join(root, "sparse.img"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sparse.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	if _, err := sparse.WriteAt([]byte(gh), 1<<29); err != nil {
		t.Fatal(err)
	}
	sparse.Close()
	line := make([]byte, 100<<20)
	for i := range line {
		line[i] = 'a'
	}
	copy(line[50<<20:], gh)
	testkit.WriteFiles(t, root, map[string]string{"one-line.min.js": string(line), "ok.txt": "fine\n"})
	line = nil
	if err := os.Symlink("/proc/self/environ", filepath.Join(root, "environ")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res := scan(t, secrets.New(secrets.Options{}), scanner.Request{Root: root})
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %s", d)
	}
	if len(res.Findings) != 0 || res.State != finding.Completed {
		t.Errorf("state %v, findings %+v", res.State, res.Findings)
	}
	var warned string
	for _, n := range res.Notifications {
		if n.Level == finding.LevelWarning {
			warned += n.Message
		}
	}
	if !strings.Contains(warned, "sparse.img") || !strings.Contains(warned, "one-line.min.js") || !strings.Contains(warned, "10 MiB") {
		t.Errorf("no warning naming the files over the limit: %+v", res.Notifications)
	}
}

// A secret in a path is cut out of the path in every finding and note.
func TestSecretInFileName(t *testing.T) {
	root := t.TempDir()
	ss := secretstest.All(t)
	gh, npm := ss[0].Values[0], ss[4].Values[0]
	testkit.WriteFiles(t, root, map[string]string{
		"tokens/" + gh + ".txt": "TOKEN=" + npm + "\n",
		"dir-" + npm + "/a.txt": "nothing\n",
	})
	if err := os.Chmod(filepath.Join(root, "dir-"+npm, "a.txt"), 0); err != nil {
		t.Fatal(err)
	}
	res := scan(t, secrets.New(secrets.Options{}), scanner.Request{Root: root})
	b, _ := json.Marshal(res)
	secretstest.NoLeaks(t, "the result", string(b), ss)
	got := byRule(res)
	var inName, inFile int
	for _, f := range append(got["githubclassicpat"], got["npmjsaccesstoken"]...) {
		if strings.Contains(f.Message, "in a file name") {
			inName++
		} else {
			inFile++
			if !strings.HasPrefix(f.Location.Path, "tokens/[secret ") || f.Location.StartLine != 1 {
				t.Errorf("content finding at %s", f.Location)
			}
		}
	}
	if inName != 2 || inFile != 1 {
		t.Errorf("%d findings in names, %d in contents, want 2 and 1: %s", inName, inFile, b)
	}
}

// Results are cached per file content: a second scan answers every file
// from the cache, a renamed file too, and no entry holds a secret.
func TestCachePerFileContent(t *testing.T) {
	root := t.TempDir()
	dir := t.TempDir()
	ss := secretstest.All(t)
	files := map[string]string{"plain.txt": "nothing\n"}
	for _, s := range ss {
		files[s.Rule+".cfg"] = s.Text
	}
	testkit.WriteFiles(t, root, files)
	run := func() (finding.Result, resultcache.Count) {
		c := resultcache.Open(resultcache.Options{Dir: dir, Build: "test"})
		res := scan(t, secrets.New(secrets.Options{}), scanner.Request{Root: root, Cache: c})
		c.Close()
		return res, c.Stats()["secrets"]
	}
	cold, n := run()
	if n.Hits != 0 || n.Misses != len(files) {
		t.Errorf("cold: %+v", n)
	}
	if err := os.Rename(filepath.Join(root, "plain.txt"), filepath.Join(root, "renamed.txt")); err != nil {
		t.Fatal(err)
	}
	warm, n := run()
	if n.Hits != len(files) || n.Misses != 0 {
		t.Errorf("warm: %+v", n)
	}
	cb, _ := json.Marshal(cold.Findings)
	wb, _ := json.Marshal(warm.Findings)
	if string(cb) != string(wb) {
		t.Errorf("cached findings differ:\n%s\n%s", cb, wb)
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			secretstest.NoLeaks(t, "cache entry "+d.Name(), string(b), ss)
		}
		return nil
	})
}

// rewrite sends every request to the test server, whatever its host.
type rewrite struct{ to *url.URL }

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = r.to.Scheme, r.to.Host
	return http.DefaultTransport.RoundTrip(req)
}

// --validate-secrets: each provider is asked once per secret and its answer
// is the finding's validation property; never offline, never by default.
func TestValidate(t *testing.T) {
	ss := secretstest.All(t)
	live, revoked := ss[0].Values[0], secretstest.All(t)[0].Values[0]
	var asked []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.Host+r.URL.Path)
		mu.Unlock()
		switch r.Header.Get("Authorization") {
		case "Bearer " + live:
			w.WriteHeader(http.StatusOK)
		case "Bearer " + revoked:
			w.WriteHeader(http.StatusUnauthorized)
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	client := &http.Client{Transport: rewrite{u}}
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{
		"a.env": "A=" + live + "\nB=" + revoked + "\nC=" + live + "\n",
		"b.env": ss[3].Text, // RubyGems: no validator
	})
	validation := func(opt secrets.Options, offline bool) map[string]string {
		opt.HTTPClient = client
		res := scan(t, secrets.New(opt), scanner.Request{Root: root, Offline: offline})
		out := map[string]string{}
		for _, f := range res.Findings {
			out[fmt.Sprint(f.RuleID, ":", f.Location.StartLine)] = f.Properties["validation"]
		}
		return out
	}
	got := validation(secrets.Options{Validate: true}, false)
	want := map[string]string{"githubclassicpat:1": "live", "githubclassicpat:2": "revoked", "githubclassicpat:3": "live", "rubygemsapikey:2": "unknown"}
	if !maps.Equal(got, want) {
		t.Errorf("validation %v, want %v", got, want)
	}
	if len(asked) != 2 || !strings.HasSuffix(asked[0], "/user") {
		t.Errorf("asked %v, want the GitHub user endpoint once per secret", asked)
	}
	asked = nil
	for name, opt := range map[string]secrets.Options{"by default": {}, "offline": {Validate: true}} {
		for k, v := range validation(opt, name == "offline") {
			if v != "" {
				t.Errorf("%s: %s validated: %s", name, k, v)
			}
		}
	}
	if len(asked) != 0 {
		t.Errorf("the network was used: %v", asked)
	}
}

// The false positives found on cli/cli v2.14.0 stay away, and the real
// formats they resemble are still found.
func TestFalsePositivesOfARealRepository(t *testing.T) {
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{
		// Go method calls on a receiver named s, b or r (Vault's legacy token prefixes).
		"codespaces.go": "func f() {\n\terr := s.StartCodespaceWithRetryAndWait(ctx)\n\tb.WaitForCodespaceStateChange(x)\n}\n",
		"vault.env":     "VAULT_TOKEN=hvs.CAESIJ4gZsEqQqwlqxBJkVb3Vh0DMvYyXK2wAGZwQ8ua_bPoGh4KHGh2cy5vb0JYUWJ0bVFJWHhBSkRzQUxjdk1iREY\n", // scangate:ignore secret (a test value)
		// A user without a password is no credential; with one it is.
		"url_test.go": "url := \"ssh://git@example.com/owner/repo\"\nother := \"https://monalisa@example.com\"\n",
		"db.env":      "DATABASE_URL=postgres://app:s3cr3t-Passw0rd@db.internal:5432/app\n", // scangate:ignore secret
		// EAAA inside an SSH public key's base64; a Square token standing alone.
		"id_rsa.pub": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC6VU6XsMaTot9ogsGcJ+juvJOmDvvCZmgJRTRwKkW0u2BLz4yVEAAAxQ8pzRPmmYdT2hXkFnqbuKi39ZWB0FpEJkLx7Oq6v9hUsDSHim1ttKI8rK0hRtJ2qhY me@host\n",
		"square.env": "SQUARE_TOKEN=EAAAl2dGDWCYPJ1hbYN3JTSbJHjn8sZkE2rrNvb2mAWZpkNrZqqcxZGdQpjWk_Gt\n", // scangate:ignore secret
	})
	res := scan(t, secrets.New(secrets.Options{}), scanner.Request{Root: root})
	got := map[string]string{}
	for _, f := range res.Findings {
		got[f.Location.Path] = f.RuleID
	}
	want := map[string]string{"vault.env": "hashicorpvaulttoken", "db.env": "urlcreds", "square.env": "squarepersonalaccesstoken"}
	if !maps.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
}

// Veles' Packagist detectors return a nearby "name WORD" as a token; only
// a token is reported.
func TestPackagistNamesAreNoTokens(t *testing.T) {
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{
		"notes.md":     "The packagist_uut_ prefix marks user update tokens.\nSet the name osv-scalibr here.\n",
		"composer.env": "PACKAGIST_TOKEN=packagist_uut_" + strings.Repeat("0a1b2c3d", 8) + "4e5f\n",
	})
	res := scan(t, secrets.New(secrets.Options{}), scanner.Request{Root: root})
	if len(res.Findings) != 1 || res.Findings[0].Location.Path != "composer.env" || res.Findings[0].RuleID != "packagistuserupdatetoken" {
		t.Errorf("findings %+v, want the token in composer.env only", res.Findings)
	}
}
