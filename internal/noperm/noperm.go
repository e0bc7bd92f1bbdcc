// Package noperm lets tests make paths that the code under test cannot
// read, also when the tests run as root (CI does): root reads a directory
// of mode 0 unless it runs without the capabilities that override
// permission bits, which setpriv (util-linux) drops for a child process.
package noperm

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// Deny makes path unreadable (mode 0) until the test ends.
func Deny(t testing.TB, path string) {
	t.Helper()
	info, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0); err != nil {
		t.Fatal(err)
	}
	// Registered after t.TempDir's cleanup, so it runs first: the removal
	// needs to read the directory.
	t.Cleanup(func() { os.Chmod(path, info.Mode().Perm()) })
}

var (
	boundOnce sync.Once
	bound     bool
)

// Bound reports whether this process is denied what permission bits deny.
func Bound() bool {
	boundOnce.Do(func() {
		dir, err := os.MkdirTemp("", "noperm-")
		if err != nil {
			return
		}
		defer os.RemoveAll(dir)
		if os.Chmod(dir, 0) != nil {
			return
		}
		_, err = os.ReadDir(dir)
		bound = err != nil
		os.Chmod(dir, 0o700)
	})
	return bound
}

// caps are the capabilities that let a process read past permission bits.
const caps = "-dac_override,-dac_read_search"

// Command is exec.Command for a process that permission bits bind: one run
// through setpriv without those capabilities when this process has them
// (root). The test fails when that cannot be done: a test meant to meet an
// unreadable path would otherwise pass on a read.
func Command(t testing.TB, name string, args ...string) *exec.Cmd {
	t.Helper()
	if Bound() {
		return exec.Command(name, args...)
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Fatalf("this process reads past permission bits (root) and setpriv (util-linux), which drops that power for a child, is not installed: %v", err)
	}
	return exec.Command(setpriv, append([]string{"--inh-caps=" + caps, "--bounding-set=" + caps, "--", name}, args...)...)
}

// childVar marks the child process Isolate starts.
const childVar = "NOPERM_TEST_CHILD"

// Isolate makes the calling (top-level) test run where permission bits
// bind: it returns true when they bind this process already, and the test
// goes on; otherwise it runs the test again in a child process through
// Command, reports its output and result, and returns false: the caller
// returns at once.
func Isolate(t *testing.T) bool {
	t.Helper()
	if os.Getenv(childVar) != "" {
		if !Bound() {
			t.Fatal("the child process still reads past permission bits: setpriv did not drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH")
		}
		return true
	}
	if Bound() {
		return true
	}
	run := "^" + regexp.QuoteMeta(t.Name()) + "$"
	cmd := Command(t, os.Args[0], "-test.run="+run, "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), childVar+"=1")
	out, err := cmd.CombinedOutput()
	t.Logf("in a child process without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH:\n%s", out)
	if err != nil {
		t.Fatalf("child process: %v", err)
	}
	if !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatal("the child process did not run the test")
	}
	return false
}
