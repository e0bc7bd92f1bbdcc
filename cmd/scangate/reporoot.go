package main

import (
	"os"

	"github.com/scangate/scangate/internal/reporoot"
)

// findScanRoot sets o.scanRoot, the scanned path relative to the repository
// root, which SARIF URIs and annotations start from: GitHub reads both as
// paths in the repository. Inside GitHub Actions the root lies within
// $GITHUB_WORKSPACE.
func (o *scanOptions) findScanRoot() error {
	root, err := reporoot.Find(o.path, os.Getenv("GITHUB_WORKSPACE"))
	if err != nil {
		return usageErr("repository root: %v", err)
	}
	o.scanRoot = root.Prefix
	return nil
}
