package scanner

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/scangate/scangate/internal/pathglob"
)

// Unreadable is the Gap of a part of the tree a walk could not read: it
// may hold anything a scanner analyzes, so a scanner that meets one is
// incomplete (an unreadable tree is never a clean one). err loses the
// machine path an fs.PathError carries; errors.Unwrap of the gap's Err
// gives it back ("permission denied").
func Unreadable(rel string, err error) Gap {
	return Gap{Rel: rel, Err: unreadable{rel, Bare(err)}}
}

type unreadable struct {
	rel string
	err error
}

// Error says what was not read and how to leave it out knowingly.
func (u unreadable) Error() string {
	if u.rel == "." {
		return fmt.Sprintf("the scanned root (.) cannot be read (%v): nothing was scanned", u.err)
	}
	return fmt.Sprintf("%s cannot be read (%v): nothing in it was scanned; exclude it (--exclude) if it holds nothing to scan", u.rel, u.err)
}

func (u unreadable) Unwrap() error { return u.err }

// TreeWalk walks the scanned tree the way every walker of it must: a
// directory the exclude globs match is not entered, nor even listed, so
// that excluding an unreadable directory makes it no gap; what cannot be
// read is a Gap (Unreadable), and the walk goes on past it.
type TreeWalk struct {
	Root    string   // the scanned root: paths and globs are relative to it
	Dir     string   // where the walk starts, under Root; "" is Root
	Exclude []string // Request.Exclude
	// Excluded, when set, sees each directory Exclude kept the walk out of.
	Excluded func(rel string)
}

// Walk calls fn for every entry below the start (not the start itself),
// files matching Exclude included (reading them is fn's choice), with its
// path relative to Root. fn may return fs.SkipDir or fs.SkipAll; any other
// error ends the walk and is returned.
func (w TreeWalk) Walk(fn func(p, rel string, d fs.DirEntry) error) ([]Gap, error) {
	start := w.Dir
	if start == "" {
		start = w.Root
	}
	var gaps []Gap
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		rel := RelPath(w.Root, p)
		if err != nil {
			gaps = append(gaps, Unreadable(rel, err))
			if d == nil || d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if p == start {
			return nil
		}
		if d.IsDir() && Excluded(w.Exclude, rel) {
			if w.Excluded != nil {
				w.Excluded(rel)
			}
			return filepath.SkipDir
		}
		return fn(p, rel, d)
	})
	return gaps, err
}

// Bare is err without the path an fs.PathError carries: a machine path.
func Bare(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// RelPath makes p relative to root with "/" separators. A path outside
// root keeps its climb out ("../x/y"), never a machine path, so that Run
// sees a finding there is outside the root and drops it.
func RelPath(root, p string) string {
	if !filepath.IsAbs(p) {
		return filepath.ToSlash(filepath.Clean(p))
	}
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return "../" + filepath.Base(p)
	}
	return filepath.ToSlash(rel)
}

// Excluded reports whether rel (a "/"-separated path relative to the root)
// matches one of the globs, in scangate's one path-glob dialect (see
// internal/pathglob): a glob without "/" names a file or directory at any
// depth, one with "/" is matched from the root, "**" spans directories, and
// a matched directory excludes everything below it.
func Excluded(globs []string, rel string) bool {
	return pathglob.Match(globs, rel)
}
