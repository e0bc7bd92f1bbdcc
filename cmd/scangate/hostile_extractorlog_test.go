package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
)

// osv-scalibr's extractors log lines of the scanned files to the process's
// stderr (its default logger, unescaped): a bad pnpm dependency path, a bad
// Gemfile.lock spec line, an include that cannot be opened. Run as the real
// process, scangate writes neither a workflow command nor a terminal escape
// from them, and still names each problem, escaped.
func TestHostileExtractorLogLines(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{
		"web/pnpm-lock.yaml": "lockfileVersion: 5.4\n\npackages:\n\n  \"ms\\n::error file=pwn.txt::injected@2.1.3\":\n    dev: false\n",
		"rb/Gemfile.lock":    "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.3\x1b[2J\n\nBUNDLED WITH\n   2.1.4\n",
		"requirements.txt":   "-r \x1b[31mmissing.txt\njinja2==2.11.2\n",
	})
	db := importDB(t, "../../testdata/osv/real-advisories")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "scan", "--offline", "--db", db, "--no-cache", "--scanners", "osv-scanner", root)
	cmd.Env = append(os.Environ(), "SCANGATE_TEST_AS_CLI=1", "GITHUB_ACTIONS=true")
	b, _ := cmd.CombinedOutput()
	out := string(b)
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "::error file=pwn.txt") {
			t.Errorf("a workflow command from the lockfile: %q", l)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("a terminal escape from the scanned files:\n%q", out)
	}
	for _, want := range []string{
		`web/pnpm-lock.yaml: invalid dependency path: ms`,
		`rb/Gemfile.lock:4: invalid spec line "rack (2.2.3\x1b[2J": the gem is not scanned`,
		`requirements.txt:1: include "\x1b[31mmissing.txt" cannot be read`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
}
