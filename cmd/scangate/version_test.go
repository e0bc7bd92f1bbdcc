package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/scanner"
)

// `scangate version` lists every adapter once, each embedded one with the
// version it reports in its results (scanner.Versioner).
func TestVersionListsEveryAdapter(t *testing.T) {
	t.Parallel()
	code, out, _ := runCLI(t, "version")
	if code != 0 {
		t.Fatalf("version: exit %d", code)
	}
	for _, s := range config.Default(".").Build(nil) {
		want := "external: run when installed"
		if v, ok := s.(scanner.Versioner); ok {
			want = v.Version()
		}
		if line := fmt.Sprintf("  %-12s %s\n", s.Name(), want); strings.Count(out, line) != 1 {
			t.Errorf("version output lacks %q:\n%s", line, out)
		}
	}
}
