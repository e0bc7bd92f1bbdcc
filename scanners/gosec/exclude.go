package gosec

import (
	"fmt"
	"path"
	"strings"
)

// pathFilter drops findings in paths the user excluded (Request.Exclude) and
// in trees that hold other people's code, as gosec's CLI does by default.
type pathFilter struct {
	globs []string
}

func newPathFilter(globs []string) (*pathFilter, error) {
	f := &pathFilter{}
	for _, g := range globs {
		g = strings.TrimPrefix(strings.TrimSpace(g), "./")
		if g == "" {
			continue
		}
		for _, seg := range strings.Split(g, "/") {
			if seg == "**" {
				continue
			}
			if _, err := path.Match(seg, ""); err != nil {
				return nil, fmt.Errorf("exclude pattern %q: %w", g, err)
			}
		}
		f.globs = append(f.globs, strings.TrimSuffix(g, "/"))
	}
	return f, nil
}

// excluded reports whether rel ("/"-separated, relative to the root) is
// excluded. A pattern without "/" matches any path element ("*_gen.go",
// "legacy"); one with "/" is anchored at the root; "**" matches any number of
// elements; a pattern matching a directory excludes everything below it.
func (f *pathFilter) excluded(rel string) bool {
	parts := strings.Split(rel, "/")
	for _, p := range parts[:len(parts)-1] {
		if p == "vendor" || p == "testdata" {
			return true
		}
	}
	for _, g := range f.globs {
		if !strings.Contains(g, "/") {
			for _, p := range parts {
				if ok, _ := path.Match(g, p); ok {
					return true
				}
			}
			continue
		}
		if matchPrefix(strings.Split(g, "/"), parts) {
			return true
		}
	}
	return false
}

// matchPrefix reports whether pattern elements match a leading run of the
// path elements (the path itself or a directory above it).
func matchPrefix(pat, parts []string) bool {
	if len(pat) == 0 {
		return true
	}
	if pat[0] == "**" {
		for i := 0; i <= len(parts); i++ {
			if matchPrefix(pat[1:], parts[i:]) {
				return true
			}
		}
		return false
	}
	if len(parts) == 0 {
		return false
	}
	if ok, _ := path.Match(pat[0], parts[0]); !ok {
		return false
	}
	return matchPrefix(pat[1:], parts[1:])
}
