package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/scanners/govulncheck"
)

// TestMain lets the test binary stand in for the scangate binary when the
// govulncheck adapter re-executes itself as its child process, and builds
// the govulncheck companion once for the in-process scans: govulncheck in
// the race-instrumented test binary costs several times the CPU, and the
// child's own code is race-tested in scanners/govulncheck. The built
// programs are tested in ./e2e.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == govulncheck.Subcommand {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	// A test that needs scangate processes runs the test binary as one.
	// It runs govulncheck in the same companion as its parent, so that both
	// compute the same result-cache keys.
	if os.Getenv("SCANGATE_TEST_AS_CLI") == "1" {
		govulncheck.Executable = os.Getenv(testChildVar)
		cacheBuild = os.Getenv(testCacheBuildVar)
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	var err error
	if testTmp, err = os.MkdirTemp("", "scangate-test-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The tests' scans keep their result cache in a directory of their own,
	// never the user's.
	os.Setenv(resultcache.EnvDir, filepath.Join(testTmp, "cache"))
	code := func() int {
		defer os.RemoveAll(testTmp)
		comp := filepath.Join(testTmp, govulncheck.Companion)
		cmd := exec.Command("go", "build", "-trimpath", "-o", comp, "./cmd/"+govulncheck.Companion)
		cmd.Dir = "../.."
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOTOOLCHAIN=local")
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n%s", govulncheck.Companion, err, out)
			return 1
		}
		govulncheck.Executable = comp
		os.Setenv(testChildVar, comp)
		return m.Run()
	}()
	os.Exit(code)
}

// testChildVar passes the tests' govulncheck companion to the test binary
// run as scangate.
const testChildVar = "SCANGATE_TEST_GOVULNCHECK_CHILD"

// testTmp holds the companion and the tests' result cache; TestMain
// removes it.
var testTmp string
