package golang

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
)

func TestGoModules(t *testing.T) {
	root := t.TempDir()
	testkit.Write(t, root, "go.mod", "module example.com/root\n\ngo 1.22\n\ntoolchain go1.22.4\n")
	testkit.Write(t, root, "tools/go.mod", "module example.com/tools\n\ngo 1.21\n")
	testkit.Write(t, root, "svc/api/go.mod", "module example.com/api\n")
	testkit.Write(t, root, "vendor/x/go.mod", "module ignored/vendor\n")
	testkit.Write(t, root, "testdata/m/go.mod", "module ignored/testdata\n")
	testkit.Write(t, root, ".git/m/go.mod", "module ignored/git\n")
	testkit.Write(t, root, "go.work", "go 1.22\n\nuse (\n\t.\n\t./svc/api\n)\n")

	tree, err := Modules(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	mods := tree.Modules
	var got []string
	for _, m := range mods {
		got = append(got, m.Rel+"="+m.Path+"@"+m.GoVersion+"/"+m.Toolchain+" work="+filepath.Base(m.Work))
	}
	want := []string{
		".=example.com/root@1.22/go1.22.4 work=go.work",
		"svc/api=example.com/api@/ work=go.work",
		"tools=example.com/tools@1.21/ work=.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("modules:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if env := Env(mods[2]); !slices.Contains(env, "GOWORK=off") || !slices.Contains(env, "GOTOOLCHAIN=local") {
		t.Errorf("module outside the workspace must run with GOWORK=off and GOTOOLCHAIN=local: %v", env)
	}
	if env := Env(mods[0]); !slices.Contains(env, "GOWORK="+filepath.Join(root, "go.work")) {
		t.Errorf("module in the workspace must run with its go.work: %v", env)
	}
}

// The go command gets the minimal environment: the user's go settings, no
// credential, no PATH entry inside the scanned tree, the local toolchain
// whatever the user's GOTOOLCHAIN says, and no go/packages driver.
func TestGoEnv(t *testing.T) {
	root := t.TempDir()
	testkit.Write(t, root, "go.mod", "module example.com/root\n\ngo 1.22\n")
	tree, err := Modules(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	mods := tree.Modules
	t.Setenv("GITHUB_TOKEN", "ghs_secret")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("GOTOOLCHAIN", "auto")
	t.Setenv("GOPACKAGESDRIVER", "/opt/driver")
	t.Setenv("GOFLAGS", "-tags=netgo")
	t.Setenv("PATH", filepath.Join(root, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	env := map[string][]string{}
	for _, e := range Env(mods[0]) {
		k, v, _ := strings.Cut(e, "=")
		env[k] = append(env[k], v)
	}
	for k, want := range map[string]string{"GOTOOLCHAIN": "local", "GOPACKAGESDRIVER": "off", "GOFLAGS": "-tags=netgo", "GOWORK": "off"} {
		if got := env[k]; len(got) != 1 || got[0] != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY"} {
		if _, ok := env[k]; ok {
			t.Errorf("the go command would get %s", k)
		}
	}
	if strings.Contains(env["PATH"][0], root) {
		t.Errorf("PATH keeps the scanned tree: %s", env["PATH"][0])
	}
}

func TestGoModulesBadFile(t *testing.T) {
	root := t.TempDir()
	testkit.Write(t, root, "sub/go.mod", "module example.com/x\nrequire (\n")
	_, err := Modules(root, nil)
	if err == nil || !strings.Contains(err.Error(), "sub/go.mod") {
		t.Fatalf("want an error naming sub/go.mod, got %v", err)
	}
}
