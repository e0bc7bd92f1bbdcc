package scanners

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/scangate/scangate/finding"
)

// A Gap is a part of the tree a walk could not read. It may hold anything a
// scanner analyzes, so a scanner that meets one is incomplete: an unreadable
// tree is never a clean one.
type Gap struct {
	Rel string // "/"-separated, relative to the root; "." is the root itself
	Err error  // why, without a machine path ("permission denied")
}

// Message says what was not read and how to leave it out knowingly.
func (g Gap) Message(tool string) string {
	if g.Rel == "." {
		return fmt.Sprintf("%s: the scanned root (.) cannot be read (%v): nothing was scanned", tool, g.Err)
	}
	return fmt.Sprintf("%s: %s cannot be read (%v): nothing in it was scanned; exclude it (--exclude) if it holds nothing to scan", tool, g.Rel, g.Err)
}

// NoteGaps records each gap as an error notification of tool, located at
// its path, and reports whether there was one: the scan is then partial.
func NoteGaps(res *finding.Result, tool string, gaps []Gap) bool {
	for _, g := range gaps {
		n := finding.Notification{Level: finding.LevelError, Message: g.Message(tool)}
		if g.Rel != "." {
			n.Location = finding.Location{Path: g.Rel}
		}
		res.Notifications = append(res.Notifications, n)
	}
	return len(gaps) > 0
}

// TreeWalk walks the scanned tree the way every walker of it must: a
// directory the exclude globs match is not entered, nor even listed, so
// that excluding an unreadable directory makes it no gap; what cannot be
// read is a Gap, and the walk goes on past it.
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
			gaps = append(gaps, Gap{Rel: rel, Err: bare(err)})
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

// bare is err without the path an fs.PathError carries: a machine path.
func bare(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// under reports whether rel is dir or below it (both "/"-separated,
// relative to the root).
func under(rel, dir string) bool {
	return dir == "." || rel == dir || strings.HasPrefix(rel, dir+"/")
}
