// Package intree answers one question for everything that must keep the
// scanned repository at arm's length: does a path lie inside the scanned
// root once symbolic links are resolved on both sides?
package intree

import (
	"os"
	"path/filepath"
	"strings"
)

// Real is p made absolute with every symbolic link resolved. For a path
// that does not exist (yet), its longest existing ancestor is resolved and
// the rest joined back, so that an output file to be created is judged by
// the directory it would land in.
func Real(p string) string { return resolve(p, 0) }

// maxLinks bounds the links followed by hand, as the kernel bounds them.
const maxLinks = 40

func resolve(p string, depth int) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	var rest []string
	for cur := abs; ; {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(append([]string{r}, rest...)...)
		}
		// A dangling link still says where it leads.
		if fi, err := os.Lstat(cur); err == nil && fi.Mode()&os.ModeSymlink != 0 && depth < maxLinks {
			if target, err := os.Readlink(cur); err == nil {
				if !filepath.IsAbs(target) {
					target = filepath.Join(filepath.Dir(cur), target)
				}
				return filepath.Join(append([]string{resolve(target, depth+1)}, rest...)...)
			}
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
		cur = parent
	}
}

// Within reports whether p is dir or lies under it; both must be absolute
// and clean, and neither is resolved.
func Within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// Contains reports whether p lies inside root (or is root), both resolved
// with Real. An empty root contains nothing.
func Contains(root, p string) bool {
	if root == "" {
		return false
	}
	return Within(Real(root), Real(p))
}

// Rel names p relative to root, both resolved, with "/" separators; it is
// for messages about paths known to be inside root.
func Rel(root, p string) string {
	r, err := filepath.Rel(Real(root), Real(p))
	if err != nil {
		return filepath.Base(p)
	}
	return filepath.ToSlash(r)
}

// Named reports whether the file p, as it was named, is inside root: by its
// spelling, by its directory resolved, or fully resolved. A link inside
// the tree that leads out of it still counts as inside: whoever wrote the
// tree chose where it leads.
func Named(root, p string) bool {
	ar, err1 := filepath.Abs(root)
	ap, err2 := filepath.Abs(p)
	if err1 != nil || err2 != nil {
		return true // cannot tell: the stricter answer
	}
	return Within(ar, ap) || Contains(root, filepath.Dir(ap)) || Contains(root, ap)
}
