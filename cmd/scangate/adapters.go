package main

import (
	"strings"

	"github.com/scangate/scangate/scanners"
	"github.com/scangate/scangate/scanners/registry"
)

// adapters builds every scanner of the registry with its options from the
// configuration; selected then keeps the ones this scan runs.
func adapters(o *scanOptions) []scanners.Scanner { return registry.Build(o.cfg, nil) }

// buildAdapters is adapters, replaceable in tests that need a scanner that
// panics or hangs next to the real ones.
var buildAdapters = adapters

// tuneRun lets tests give their own misbehaving scanners a short timeout
// while the real adapters keep theirs.
var tuneRun = func(*scanners.Options) {}

// checkScanners is the one check of names given to --scanners.
func checkScanners(names []string) error {
	for _, n := range names {
		if !registry.Known(n) {
			return usageErr("unknown scanner %q in --scanners (known: %s)", n, strings.Join(registry.Names(), ", "))
		}
	}
	return nil
}
