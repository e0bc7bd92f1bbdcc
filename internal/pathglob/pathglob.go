// Package pathglob is scangate's one path-glob dialect, used by --exclude,
// the config's exclude and skip-lockfiles, gosec's path exclusions and the
// ignore file's path:. It is .gitignore's matching rule without negation:
//
//   - Paths are relative to the scanned root, "/"-separated; a leading "./"
//     and a trailing "/" in a glob are ignored.
//   - A glob without "/" matches a file or directory name at any depth:
//     "legacy" matches legacy/a.go and svc/legacy/db.go, "*_gen.go" any
//     generated file. A leading "/" anchors it at the root: "/legacy".
//   - A glob with "/" is matched from the root: "svc/legacy",
//     "internal/gen/**".
//   - "*", "?" and "[...]" match within one path element (path.Match); "**"
//     matches any number of elements, none included.
//   - A glob that matches a directory matches everything below it.
package pathglob

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// Match reports whether rel (a "/"-separated path relative to the root)
// matches one of the globs. Malformed globs match nothing: check them with
// Check when they are read.
func Match(globs []string, rel string) bool {
	rel = strings.TrimPrefix(path.Clean("/"+rel), "/")
	if rel == "" {
		return false
	}
	for _, g := range globs {
		g, ok := normalize(g)
		if !ok {
			continue
		}
		for p := rel; p != "." && p != "/" && p != ""; p = path.Dir(p) {
			if match(g, p) {
				return true
			}
		}
	}
	return false
}

// Check reports why a glob is not valid in the dialect.
func Check(glob string) error {
	g := strings.TrimSpace(glob)
	if g == "" {
		return errors.New("empty glob")
	}
	if g != glob {
		return fmt.Errorf("glob %q has leading or trailing spaces", glob)
	}
	n, ok := normalize(g)
	if !ok {
		return fmt.Errorf("glob %q matches nothing: it names the root itself", glob)
	}
	for _, seg := range strings.Split(n, "/") {
		if seg == ".." {
			return fmt.Errorf("glob %q: \"..\" leaves the scanned root", glob)
		}
		if _, err := path.Match(seg, ""); err != nil {
			return fmt.Errorf("glob %q: %w", glob, err)
		}
	}
	return nil
}

// normalize turns a glob into one matched from the root; ok is false for a
// glob that names the root itself.
func normalize(g string) (string, bool) {
	g = strings.TrimSpace(g)
	anchored := strings.HasPrefix(g, "/")
	g = strings.TrimPrefix(g, "/")
	for strings.HasPrefix(g, "./") {
		g = strings.TrimPrefix(g, "./")
	}
	g = strings.TrimRight(g, "/")
	if g == "" || g == "." {
		return "", false
	}
	if !anchored && !strings.Contains(g, "/") {
		g = "**/" + g
	}
	return g, true
}

// match is path.Match with "**" standing for zero or more elements.
func match(glob, p string) bool {
	if !strings.Contains(glob, "**") {
		ok, _ := path.Match(glob, p)
		return ok
	}
	gs, ps := strings.Split(glob, "/"), strings.Split(p, "/")
	var m func(i, j int) bool
	m = func(i, j int) bool {
		if i == len(gs) {
			return j == len(ps)
		}
		if gs[i] == "**" {
			for k := j; k <= len(ps); k++ {
				if m(i+1, k) {
					return true
				}
			}
			return false
		}
		if j == len(ps) {
			return false
		}
		ok, _ := path.Match(gs[i], ps[j])
		return ok && m(i+1, j+1)
	}
	return m(0, 0)
}
