package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/internal/testkit"
)

// scangate's exit codes that these tests expect of its programs.
const (
	exitFail  = 1
	exitUsage = 2
)

// testTmp holds the programs the tests build once; TestMain removes it.
var testTmp string

func TestMain(m *testing.M) {
	var err error
	if testTmp, err = os.MkdirTemp("", "scangate-e2e-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The programs' scans keep their result cache in a directory of their
	// own, never the user's.
	os.Setenv(resultcache.EnvDir, filepath.Join(testTmp, "cache"))
	code := m.Run()
	os.RemoveAll(testTmp)
	os.Exit(code)
}

// skipShort skips a test that builds or runs the programs in the -short
// tier.
func skipShort(t *testing.T) {
	t.Helper()
	testkit.SkipShort(t, "builds and runs scangate's programs")
}
