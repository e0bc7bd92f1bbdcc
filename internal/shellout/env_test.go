package shellout

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
)

// childEnv runs the real env program through Run, as every adapter's child
// is run, and returns the environment it saw.
func childEnv(t *testing.T, c Cmd) map[string]string {
	t.Helper()
	c.Program = "env"
	out, err := Run(context.Background(), c)
	if err != nil || out.ExitCode != 0 {
		t.Fatalf("env: %v %+v", err, out)
	}
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(out.Stdout)), "\n") {
		k, v, _ := strings.Cut(l, "=")
		got[k] = v
	}
	return got
}

// secretEnv sets every kind of credential a CI job holds, each under a
// name the allowlist would otherwise let through or close to one.
var secretEnv = map[string]string{
	"GITHUB_TOKEN":                   "ghs_secret1",
	"INPUT_GITHUB-TOKEN":             "ghs_secret15", // the Action's github-token input
	"INPUT_GITHUB_TOKEN":             "ghs_secret16",
	"ACTIONS_RUNTIME_TOKEN":          "secret2",
	"ACTIONS_ID_TOKEN_REQUEST_URL":   "https://secret3",
	"AWS_ACCESS_KEY_ID":              "AKIASECRET4",
	"AWS_SECRET_ACCESS_KEY":          "secret5",
	"NPM_TOKEN":                      "secret6",
	"DB_PASSWORD":                    "secret7",
	"OPENAI_API_KEY":                 "secret8",
	"GOOGLE_APPLICATION_CREDENTIALS": "/secret9.json",
	"GOPRIVATE_TOKEN":                "secret10", // GO-prefixed but a token
	"GOSECRET":                       "secret11", // a "go variable" by shape
	"PKG_CONFIG_PASSWORD":            "secret12", // allowed family, denied name
	"lc_secret":                      "secret13", // case does not hide it
	"LC_TOKEN":                       "secret14",
	"RANDOM_SETTING":                 "not-needed",
}

func TestEnvChildGetsNoCredentials(t *testing.T) {
	needUnix(t)
	for k, v := range secretEnv {
		t.Setenv(k, v)
	}
	allowed := map[string]string{
		"GOFLAGS": "-mod=mod", "GOPROXY": "https://proxy.example", "GO111MODULE": "on",
		"CGO_ENABLED": "0", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "TZ": "UTC",
		"HTTPS_PROXY": "http://proxy:3128", "no_proxy": "localhost", "SSL_CERT_FILE": "/etc/ssl/x.pem",
		"VIRTUAL_ENV": "/opt/venv", "PYTHONHOME": "/opt/py", "XDG_CACHE_HOME": "/tmp/cache",
	}
	for k, v := range allowed {
		t.Setenv(k, v)
	}
	got := childEnv(t, Cmd{})
	for k := range secretEnv {
		if v, ok := got[k]; ok {
			t.Errorf("child got %s=%s", k, v)
		}
	}
	for k, v := range allowed {
		if got[k] != v {
			t.Errorf("child got %s=%q, want %q", k, got[k], v)
		}
	}
	for _, k := range []string{"PATH", "HOME"} {
		if got[k] == "" {
			t.Errorf("child has no %s", k)
		}
	}
}

func TestEnvSearchPathsLeaveTheTreeOut(t *testing.T) {
	needUnix(t)
	base := t.TempDir()
	root := filepath.Join(base, "repo")
	outside := filepath.Join(base, "tools")
	testkit.Mkdir(t, filepath.Join(root, "bin"), outside)
	// A link outside the tree that leads into it counts as inside.
	link := filepath.Join(base, "link")
	testkit.Symlink(t, filepath.Join(root, "bin"), link)
	sep := string(os.PathListSeparator)
	t.Setenv("PATH", strings.Join([]string{filepath.Join(root, "bin"), ".", "", "bin", link, outside, os.Getenv("PATH")}, sep))
	t.Setenv("PYTHONPATH", strings.Join([]string{".", root, outside}, sep))
	got := childEnv(t, Cmd{Root: root, Dir: root})
	path := filepath.SplitList(got["PATH"])
	if len(path) == 0 || path[0] != outside {
		t.Errorf("child PATH = %q, want it to start with %s", got["PATH"], outside)
	}
	for _, d := range path {
		if !filepath.IsAbs(d) || InTree(root, d) {
			t.Errorf("child PATH keeps %q", d)
		}
	}
	if got["PYTHONPATH"] != outside {
		t.Errorf("child PYTHONPATH = %q, want %q", got["PYTHONPATH"], outside)
	}
}

// The caller's own entries win over inherited ones and are not filtered:
// an adapter passes an API key on purpose.
func TestEnvExtra(t *testing.T) {
	t.Setenv("GOTOOLCHAIN", "auto")
	t.Setenv("SAFETY_API_KEY", "inherited")
	env := Env("", "GOTOOLCHAIN=local", "SAFETY_API_KEY=chosen")
	count := map[string][]string{}
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		count[k] = append(count[k], v)
	}
	if g := count["GOTOOLCHAIN"]; len(g) != 1 || g[0] != "local" {
		t.Errorf("GOTOOLCHAIN = %v", g)
	}
	if g := count["SAFETY_API_KEY"]; len(g) != 1 || g[0] != "chosen" {
		t.Errorf("SAFETY_API_KEY = %v", g)
	}
}

// tool writes an executable script that creates marker when run.
func tool(t *testing.T, path, marker string) {
	t.Helper()
	testkit.Script(t, path, "#!/bin/sh\ntouch '"+marker+"'\n")
}

func TestProgramInsideTreeRefused(t *testing.T) {
	needUnix(t)
	base := t.TempDir()
	root := filepath.Join(base, "repo")
	marker := filepath.Join(base, "ran")
	tool(t, filepath.Join(root, "bin", "scantool"), marker)
	tool(t, filepath.Join(base, "tools", "othertool"), marker)
	// The root as a link, the program through another link: both resolved.
	rootLink := filepath.Join(base, "repo-link")
	testkit.Symlink(t, root, rootLink)
	outLink := filepath.Join(base, "tools", "scantool")
	testkit.Symlink(t, filepath.Join(root, "bin", "scantool"), outLink)
	sep := string(os.PathListSeparator)

	for _, c := range []struct {
		name, program, root, path string
		onPath                    bool
	}{
		{"explicit path", filepath.Join(root, "bin", "scantool"), root, "", false},
		{"root named by a link", filepath.Join(root, "bin", "scantool"), rootLink, "", false},
		{"link outside into the tree", outLink, root, "", false},
		{"PATH entry inside the tree", "scantool", root, filepath.Join(root, "bin"), true},
		{"PATH entry outside, link into the tree", "scantool", rootLink, filepath.Join(base, "tools"), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("PATH", c.path+sep+os.Getenv("PATH"))
			_, err := Run(context.Background(), Cmd{Program: c.program, Root: c.root})
			var ue *UntrustedError
			if !errors.As(err, &ue) || ue.OnPath != c.onPath || ue.Rel != "bin/scantool" {
				t.Fatalf("err = %v, want an UntrustedError at bin/scantool", err)
			}
			if strings.Contains(err.Error(), base) {
				t.Errorf("the message holds a machine path: %v", err)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Fatal("the program ran")
			}
		})
	}

	// The same name further down PATH, outside the tree, is the one used.
	t.Setenv("PATH", filepath.Join(root, "bin")+sep+filepath.Join(base, "tools")+sep+os.Getenv("PATH"))
	if p, err := Lookup("othertool", root); err != nil || p != filepath.Join(base, "tools", "othertool") {
		t.Errorf("Lookup(othertool) = %q, %v", p, err)
	}
	// Without a tree, nothing is refused.
	if _, err := Lookup(filepath.Join(root, "bin", "scantool"), ""); err != nil {
		t.Errorf("no tree: %v", err)
	}
}

// A library that starts the first program on PATH itself is checked on
// that one, not on the next one Lookup would choose.
func TestCheckFirst(t *testing.T) {
	needUnix(t)
	base := t.TempDir()
	root := filepath.Join(base, "repo")
	tool(t, filepath.Join(root, "bin", "scantool"), filepath.Join(base, "ran"))
	tool(t, filepath.Join(base, "tools", "scantool"), filepath.Join(base, "ran"))
	sep := string(os.PathListSeparator)
	t.Setenv("PATH", filepath.Join(root, "bin")+sep+filepath.Join(base, "tools"))
	var ue *UntrustedError
	if err := CheckFirst("scantool", root); !errors.As(err, &ue) || ue.Rel != "bin/scantool" {
		t.Errorf("inside first: %v", err)
	}
	t.Setenv("PATH", filepath.Join(base, "tools")+sep+filepath.Join(root, "bin"))
	if err := CheckFirst("scantool", root); err != nil {
		t.Errorf("outside first: %v", err)
	}
}

func TestKeyEnv(t *testing.T) {
	env := []string{"PATH=/a:/b", "TMPDIR=/tmp/x", "GOCACHE=/c", "GOMODCACHE=/m", "GOPATH=/g", "HOME=/h", "GOFLAGS=-tags=x", "LANG=C"}
	got := strings.Join(KeyEnv(env), " ")
	if want := "HOME=/h GOFLAGS=-tags=x LANG=C"; got != want {
		t.Errorf("KeyEnv = %q, want %q", got, want)
	}
}
