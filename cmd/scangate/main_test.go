package main

import (
	"os"
	"testing"

	"github.com/scangate/scangate/scanners/govulncheck"
)

// TestMain lets the test binary stand in for the scangate binary when the
// govulncheck adapter re-executes itself as its child process.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == govulncheck.Subcommand {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
