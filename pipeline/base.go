package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/scangate/scangate/internal/gitrev"
	"github.com/scangate/scangate/internal/resultcache"
)

// NewFrom asks Run to compare with the merge-base of Rev and HEAD
// (--new-from-rev): it writes that commit's tree outside the repository,
// scans it first as Base, and removes it when the scan ends.
type NewFrom struct {
	Rev string
	// RepoRoot is the repository root, absolute; ScanRoot the scanned root
	// relative to it, the same subdirectory in the base's tree.
	RepoRoot, ScanRoot string
}

// IncompleteError is a step that failed on a valid plan (the base tree
// could not be written): the scan is incomplete, not the plan wrong.
type IncompleteError struct{ Err error }

func (e *IncompleteError) Error() string { return e.Err.Error() }
func (e *IncompleteError) Unwrap() error { return e.Err }

// prepareBase resolves p.NewFrom to the merge-base of the revision and
// HEAD and writes that commit's tree; release removes it, is never nil,
// and the caller defers it so that it runs on every path out of the scan
// (errors and Ctrl-C included).
func prepareBase(ctx context.Context, p Plan) (base *Base, release func(), err error) {
	release = func() {}
	nf := p.NewFrom
	if fi, err := os.Lstat(filepath.Join(nf.RepoRoot, ".git")); err != nil || fi.Mode()&os.ModeSymlink != 0 {
		return nil, release, fmt.Errorf("--new-from-rev: %s is not in a git repository", p.Root)
	}
	repo := gitrev.Repo{Root: nf.RepoRoot}
	mb, err := repo.MergeBase(ctx, nf.Rev)
	if err != nil {
		return nil, release, fmt.Errorf("--new-from-rev: %v", err)
	}
	dir, release, err := gitrev.Place(stableBaseDir(p.Cache), mb.Commit, nf.RepoRoot)
	if err != nil {
		return nil, func() {}, fmt.Errorf("--new-from-rev: %v", err)
	}
	if p.Logf != nil {
		p.Logf("scangate: comparing with %s (merge-base of %s): scanning it first", mb.Short(), mb.Ref)
	}
	if err := repo.Export(ctx, mb.Commit, dir); err != nil {
		release()
		return nil, func() {}, &IncompleteError{fmt.Errorf("--new-from-rev: base %s: %w", mb.Short(), err)}
	}
	// The scanned directory may be new in the change: then the base has nothing there.
	root := filepath.Join(dir, filepath.FromSlash(nf.ScanRoot))
	if err := os.MkdirAll(root, 0o755); err != nil {
		release()
		return nil, func() {}, &IncompleteError{fmt.Errorf("--new-from-rev: base %s: %w", mb.Short(), err)}
	}
	return &Base{Root: root, Ref: mb.Ref, Commit: mb.Commit}, release, nil
}

// stableBaseDir is where the base tree goes when the result cache is on:
// a path that stays the same from run to run, beside the cache. "" lets
// gitrev.Place choose a temporary directory.
func stableBaseDir(c CacheOptions) string {
	if c.Off {
		return ""
	}
	dir := c.Dir
	if dir == "" {
		dir, _ = resultcache.DefaultDir()
	}
	if dir == "" {
		return ""
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	return abs + "-base"
}
