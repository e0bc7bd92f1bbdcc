package shellout

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
)

func TestDistVersionLayouts(t *testing.T) {
	testkit.SkipOnWindows(t, "Unix layouts")
	mk := func(paths ...string) string {
		root := t.TempDir()
		for _, p := range paths {
			full := filepath.Join(root, filepath.FromSlash(p))
			if filepath.Ext(p) == "" || filepath.Base(filepath.Dir(p)) == "bin" {
				testkit.Script(t, full, "#!/usr/bin/python3\n")
			} else {
				testkit.Mkdir(t, full)
			}
		}
		return root
	}
	for _, c := range []struct {
		name  string
		paths []string
		dist  string
		want  string
	}{
		{"virtualenv", []string{"bin/bandit", "lib/python3.12/site-packages/bandit-1.9.4.dist-info"}, "bandit", "1.9.4"},
		{"debian", []string{"bin/bandit", "lib/python3/dist-packages/bandit-1.6.2.egg-info"}, "bandit", "1.6.2"},
		{"egg with python tag", []string{"bin/bandit", "lib/python3.11/dist-packages/bandit-1.7.0-py3.11.egg-info"}, "bandit", "1.7.0"},
		{"other dists around", []string{"bin/safety", "lib/python3.11/site-packages/safety_schemas-0.0.16.dist-info", "lib/python3.11/site-packages/safety-3.6.0.dist-info"}, "safety", "3.6.0"},
		{"two pythons, two versions", []string{"bin/bandit", "lib/python3.10/site-packages/bandit-1.7.5.dist-info", "lib/python3.11/site-packages/bandit-1.8.0.dist-info"}, "bandit", ""},
		{"not a python layout", []string{"bin/bandit"}, "bandit", ""},
		{"pre-release", []string{"bin/safety", "lib/python3.11/site-packages/safety-3.0.0b1.dist-info"}, "safety", "3.0.0b1"},
	} {
		root := mk(c.paths...)
		if got := DistVersion(filepath.Join(root, "bin", c.dist), c.dist); got != c.want {
			t.Errorf("%s: DistVersion = %q, want %q", c.name, got, c.want)
		}
	}
}

// A symlinked script (pipx puts links in ~/.local/bin) is followed to its
// environment.
func TestDistVersionSymlink(t *testing.T) {
	testkit.SkipOnWindows(t, "Unix layouts")
	root := t.TempDir()
	venv := filepath.Join(root, "pipx", "venvs", "bandit")
	testkit.Mkdir(t, filepath.Join(venv, "lib", "python3.11", "site-packages", "bandit-1.8.6.dist-info"))
	testkit.Script(t, filepath.Join(venv, "bin", "bandit"), "#!/bin/sh\n")
	link := filepath.Join(root, "bin", "bandit")
	testkit.Symlink(t, filepath.Join(venv, "bin", "bandit"), link)
	if got := DistVersion(link, "bandit"); got != "1.8.6" {
		t.Errorf("got %q", got)
	}
}

// Debian's bandit, when installed, is found without running it.
func TestDistVersionInstalledBandit(t *testing.T) {
	p, err := exec.LookPath("bandit")
	if err != nil {
		t.Skip("bandit is not installed")
	}
	out, err := exec.Command(p, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	got := DistVersion(p, "bandit")
	if got == "" || !strings.HasPrefix(string(out), "bandit "+got+"\n") {
		t.Errorf("DistVersion = %q; bandit --version says %q", got, out)
	}
}
