package shellout

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

var distVersion = regexp.MustCompile(`^(\d+(?:\.\d+)+(?:(?:a|b|rc|\.post|\.dev)\d+)*)(?:-py\d.*)?\.(?:dist-info|egg-info)$`)

// DistVersion returns the version of the Python distribution dist that
// installed the console script program, read from the distribution's
// metadata directory next to it (<prefix>/bin/program and
// <prefix>/lib/python3*/{site,dist}-packages/dist-VERSION.{dist,egg}-info,
// the layout of virtualenvs, pip, pipx and Debian), without starting
// Python: asking the tool itself (`bandit --version`) costs a Python
// start-up as long as scanning a small project. It returns "" when the
// layout is not recognised or holds more than one version.
func DistVersion(program, dist string) string {
	p, err := filepath.EvalSymlinks(program)
	if err != nil {
		return ""
	}
	prefix := filepath.Dir(filepath.Dir(p))
	var dirs []string
	for _, pat := range []string{"lib/python3*/site-packages", "lib/python3*/dist-packages", "lib/python3/dist-packages"} {
		m, _ := filepath.Glob(filepath.Join(prefix, filepath.FromSlash(pat)))
		dirs = append(dirs, m...)
	}
	want := strings.ToLower(strings.NewReplacer("-", "_", ".", "_").Replace(dist)) + "-"
	versions := map[string]bool{}
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			// Metadata directories spell "-" and "." in names as "_", so
			// the first "-" ends the name.
			name := strings.ToLower(e.Name())
			if !strings.HasPrefix(name, want) {
				continue
			}
			if m := distVersion.FindStringSubmatch(name[len(want):]); m != nil {
				versions[m[1]] = true
			}
		}
	}
	if len(versions) != 1 {
		return ""
	}
	for v := range versions {
		return v
	}
	return ""
}
