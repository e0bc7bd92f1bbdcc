package python

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
)

func TestProgramLookup(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	p := &Program{Name: "tool", Hint: "install it: pip install tool"}
	_, err := p.Lookup("", t.TempDir())
	var skip *scanner.SkipError
	if !errors.As(err, &skip) || skip.Reason != "tool is not installed (not found on PATH); install it: pip install tool" {
		t.Errorf("not on PATH: err = %v, want a skip with the hint", err)
	}
	// The runner puts the scanner's name in front.
	missing := filepath.Join(t.TempDir(), "tool")
	_, err = p.Lookup(missing, t.TempDir())
	if err == nil || errors.As(err, &skip) || err.Error() != missing+": no such program" {
		t.Errorf("configured and missing: err = %v, want an error naming the path", err)
	}
}

// A program without installed metadata is asked once per path.
func TestProgramVersionAskedOnce(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs sh")
	}
	dir := t.TempDir()
	count := filepath.Join(dir, "count")
	good, bad := filepath.Join(dir, "tool"), filepath.Join(dir, "other")
	testkit.Script(t, good, "#!/bin/sh\necho x >> '"+count+"'\necho 'tool 1.2.3'\n")
	testkit.Script(t, bad, "#!/bin/sh\necho 'usage: something else'\nexit 2\n")
	p, root := &Program{Name: "tool"}, t.TempDir()
	re := regexp.MustCompile(`tool (\S+)`)
	for range 2 {
		if v, err := p.Version(context.Background(), root, good, nil, re); v != "1.2.3" || err != nil {
			t.Fatalf("version %q err %v", v, err)
		}
	}
	if data, _ := os.ReadFile(count); string(data) != "x\n" {
		t.Errorf("asked %d times, want once", strings.Count(string(data), "x"))
	}
	_, err := p.Version(context.Background(), root, bad, nil, re)
	if err == nil || !strings.Contains(err.Error(), `tool --version (exit status 2) did not print a tool version: "usage: something else\n"`) {
		t.Errorf("err = %v", err)
	}
}
