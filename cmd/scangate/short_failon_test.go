package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
)

// leakyMain has a hard-coded credential, gosec's G101 (high).
const leakyMain = "package main\n\nimport \"fmt\"\n\nconst apiToken = \"f62e5bcda4fae4f82370da0c6f20697b8f8447ef\"\n\nfunc main() { fmt.Println(\"hello\", apiToken) }\n"

// The hook's short summary lists exactly the findings that fail the gate
// under the scanner's own fail-on, never the global threshold's, and never
// a FAIL verdict without a finding under it; the verdict names the
// thresholds the findings were measured against. The module has gosec's G101
// (high) and G401 and G501 (medium).
func TestShortSummaryUsesPerScannerFailOn(t *testing.T) {
	t.Parallel()
	dir := project(t)
	testkit.Write(t, dir, "main.go", leakyMain)
	listed := regexp.MustCompile(`(?m)^  \S+\s+(G\d{3}) `)
	for _, tc := range []struct {
		name, cfg, verdict string
		want               []string
	}{
		{"gosec stricter than the global", "fail-on: critical\nscanners:\n  gosec:\n    fail-on: high\n", "Verdict: FAIL: 1 new finding(s) at or above critical (gosec: high)\n", []string{"G101"}},
		{"gosec stricter still", "fail-on: critical\nscanners:\n  gosec:\n    fail-on: medium\n", "Verdict: FAIL: 3 new finding(s) at or above critical (gosec: medium)\n", []string{"G101", "G401", "G501"}},
		{"gosec laxer than the global", "fail-on: low\nscanners:\n  gosec:\n    fail-on: none\n", "Verdict: PASS: no new finding at or above low (gosec: none)\n", nil},
		{"gosec above its findings", "fail-on: medium\nscanners:\n  gosec:\n    fail-on: critical\n", "Verdict: PASS: no new finding at or above medium (gosec: critical)\n", nil},
	} {
		testkit.Write(t, dir, ".scangate.yml", tc.cfg)
		code, _, stderr := runCLI(t, "scan", "--short", "--scanners", "gosec", dir)
		var got []string
		for _, m := range listed.FindAllStringSubmatch(stderr, -1) {
			got = append(got, m[1])
		}
		slices.Sort(got)
		wantCode := 0
		if len(tc.want) > 0 {
			wantCode = 1
		}
		if code != wantCode || !strings.Contains(stderr, tc.verdict) || !slices.Equal(got, tc.want) {
			t.Errorf("%s: exit %d, listed %v, want exit %d, %s and %v:\n%s", tc.name, code, got, wantCode, tc.verdict, tc.want, stderr)
		}
	}
}
