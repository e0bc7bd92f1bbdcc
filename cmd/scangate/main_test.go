package main

import (
	"os"
	"testing"

	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/scanners/govulncheck"
)

// TestMain lets the test binary stand in for the scangate binary when the
// govulncheck adapter re-executes itself as its child process.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == govulncheck.Subcommand {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	// A test that needs scangate processes runs the test binary as one.
	if os.Getenv("SCANGATE_TEST_AS_CLI") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	// Scans of the tests, and of the binaries they build, keep their result
	// cache in a directory of their own, never the user's.
	dir, err := os.MkdirTemp("", "scangate-test-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv(resultcache.EnvDir, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
