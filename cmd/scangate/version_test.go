package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/scanners"
)

// `scangate version` lists every adapter once, each embedded one with the
// version it reports in its results (scanners.Versioner).
func TestVersionListsEveryAdapter(t *testing.T) {
	t.Parallel()
	code, out, _ := runCLI(t, "version")
	if code != 0 {
		t.Fatalf("version: exit %d", code)
	}
	for _, s := range config.Default(".").Build(nil) {
		want := "external: run when installed"
		if v, ok := s.(scanners.Versioner); ok {
			want = v.Version()
		}
		if line := fmt.Sprintf("  %-12s %s\n", s.Name(), want); strings.Count(out, line) != 1 {
			t.Errorf("version output lacks %q:\n%s", line, out)
		}
	}
}
