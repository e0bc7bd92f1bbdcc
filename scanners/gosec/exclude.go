package gosec

import (
	"fmt"
	"strings"

	"github.com/scangate/scangate/internal/pathglob"
	"github.com/scangate/scangate/scanner"
)

// pathFilter drops findings in paths the user excluded (Request.Exclude, in
// scangate's one glob dialect: scanner.Excluded) and in trees that hold
// other people's code, as gosec's CLI does by default.
type pathFilter struct {
	globs []string
}

func newPathFilter(globs []string) (*pathFilter, error) {
	f := &pathFilter{}
	for _, g := range globs {
		if strings.TrimSpace(g) == "" {
			continue
		}
		if err := pathglob.Check(g); err != nil {
			return nil, fmt.Errorf("exclude pattern: %w", err)
		}
		f.globs = append(f.globs, g)
	}
	return f, nil
}

// excluded reports whether rel ("/"-separated, relative to the root) is
// excluded: under a directory every walker skips (scanner.SkippedDir: the
// go command itself leaves vendor and testdata out of ./..., but not
// node_modules), or matched by an exclude glob.
func (f *pathFilter) excluded(rel string) bool {
	parts := strings.Split(rel, "/")
	for _, p := range parts[:len(parts)-1] {
		if scanner.SkippedDir(p) {
			return true
		}
	}
	return scanner.Excluded(f.globs, rel)
}
