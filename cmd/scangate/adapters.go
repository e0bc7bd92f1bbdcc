package main

import (
	"strings"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanners/registry"
)

// testAdapters, when set, replaces the registry's scanners: tests that need
// a scanner that panics or hangs next to real ones. The pipeline builds the
// scanners otherwise.
var testAdapters func(o *configOptions) []scanner.Scanner

// tuneRun lets tests give their own misbehaving scanners a short timeout
// while the real adapters keep theirs.
var tuneRun func(*scanner.Options)

// checkScanners is the one check of names given to --scanners.
func checkScanners(names []string) error {
	for _, n := range names {
		if !registry.Known(n) {
			return usageErr("unknown scanner %q in --scanners%s (known: %s)", n, config.Suggest(n, registry.Names()), strings.Join(registry.Names(), ", "))
		}
	}
	return nil
}
