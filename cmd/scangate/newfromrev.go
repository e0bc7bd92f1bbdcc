package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/scangate/scangate/internal/gitrev"
	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/pipeline"
)

// checkNewFromRev refuses --new-from-rev with --shard, and with a baseline file: the base
// revision's findings are the baseline, and two baselines would count a
// finding fixed in both twice. A baseline set in .scangate.yml is dropped
// with --baseline= on the command line.
func (o *scanOptions) checkNewFromRev() error {
	if o.newFromRev != "" && o.shard != nil {
		// A shard's findings are gated by merge, which has no base to compare with.
		return usageErr("--new-from-rev and --shard cannot be combined")
	}
	if o.newFromRev == "" || o.baseline == "" {
		return nil
	}
	from := "--baseline"
	if o.cfg != nil {
		if s := o.cfg.Source("baseline"); !s.IsDefault() && s.Flag == "" {
			from = "baseline (" + s.String() + ")"
		}
	}
	return usageErr("--new-from-rev and %s cannot be combined: --new-from-rev compares with the base revision's own scan (to drop a configured baseline, pass --baseline=)", from)
}

// prepareBase resolves --new-from-rev to the merge-base of the revision
// and HEAD, writes that commit's tree outside the repository and sets
// plan.Base to the same subdirectory in it. release removes the tree; it
// is never nil and runs on every path out of the scan (errors and Ctrl-C
// included, as the caller defers it).
func (o *scanOptions) prepareBase(ctx context.Context, plan *pipeline.Plan, stderr io.Writer) (release func(), err error) {
	release = func() {}
	// validate found the repository root (findScanRoot).
	if fi, err := os.Lstat(filepath.Join(o.repoRoot, ".git")); err != nil || fi.Mode()&os.ModeSymlink != 0 {
		return release, usageErr("--new-from-rev: %s is not in a git repository", o.path)
	}
	repo := gitrev.Repo{Root: o.repoRoot}
	base, err := repo.MergeBase(ctx, o.newFromRev)
	if err != nil {
		return release, usageErr("--new-from-rev: %v", err)
	}
	stable := ""
	if !o.noCache {
		dir := o.cacheDir
		if dir == "" {
			dir, _ = resultcache.DefaultDir()
		}
		if dir != "" {
			if abs, err := filepath.Abs(dir); err == nil {
				stable = abs + "-base"
			}
		}
	}
	dir, release, err := gitrev.Place(stable, base.Commit, o.repoRoot)
	if err != nil {
		return func() {}, usageErr("--new-from-rev: %v", err)
	}
	if !o.quiet {
		fmt.Fprintf(stderr, "scangate: comparing with %s (merge-base of %s): scanning it first\n", base.Short(), base.Ref)
	}
	if err := repo.Export(ctx, base.Commit, dir); err != nil {
		release()
		return func() {}, &exitError{code: exitIncomplete, err: fmt.Errorf("--new-from-rev: base %s: %w", base.Short(), err)}
	}
	// The scanned directory may be new in the change: then the base has nothing there.
	baseRoot := filepath.Join(dir, filepath.FromSlash(o.scanRoot))
	if err := os.MkdirAll(baseRoot, 0o755); err != nil {
		release()
		return func() {}, &exitError{code: exitIncomplete, err: fmt.Errorf("--new-from-rev: base %s: %w", base.Short(), err)}
	}
	plan.Base = &pipeline.Base{Root: baseRoot, Ref: base.Ref, Commit: base.Commit}
	return release, nil
}
