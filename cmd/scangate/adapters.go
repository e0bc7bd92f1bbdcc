package main

import (
	"github.com/scangate/scangate/scanners"
	"github.com/scangate/scangate/scanners/gosec"
)

// scannerNames is every scanner the binary has, in the order they run and
// report. The names are what --scanners and the config accept.
var scannerNames = []string{"gosec", "govulncheck", "osv-scanner", "bandit", "safety"}

// adapters builds the scanner list: every adapter of the binary is on this
// one screen, built with its options.
func adapters(o *scanOptions) []scanners.Scanner {
	return []scanners.Scanner{
		gosec.New(gosec.Options{}),
	}
}

// buildAdapters is adapters, replaceable in tests that need a scanner that
// panics or hangs next to the real ones.
var buildAdapters = adapters
