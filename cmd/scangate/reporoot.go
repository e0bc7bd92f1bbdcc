package main

import (
	"os"

	"github.com/scangate/scangate/internal/reporoot"
)

// findScanRoot sets o.repoRoot, the repository root, and o.scanRoot, the
// scanned path relative to it, which SARIF URIs and annotations start
// from: GitHub reads both as paths in the repository. Inside GitHub
// Actions the root lies within $GITHUB_WORKSPACE.
func (o *configOptions) findScanRoot() error {
	root, err := reporoot.Find(o.path, os.Getenv("GITHUB_WORKSPACE"))
	if err != nil {
		return usageErr("repository root: %v", err)
	}
	o.scanRoot, o.repoRoot = root.Prefix, root.Dir
	return nil
}
