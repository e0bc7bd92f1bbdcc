package bandit

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
)

// FuzzParseReport: whatever bandit (or something posing as it) prints, the
// parser never panics, rejects what is not one JSON report with an error
// that says so, and turns what it accepts into findings with a rule, a
// relative path and a rule entry each. Seeds: the captured bandit 1.9.4
// report here, and Debian bandit 1.6.2's real reports on banditapp and on
// the syntax-error tree in testdata/fuzz/FuzzParseReport.
func FuzzParseReport(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "python", "captured", "bandit-1.9.4-banditapp.json")); err == nil {
		f.Add(data)
	} else {
		f.Fatal(err)
	}
	f.Add([]byte(`{"errors":[],"metrics":{"_totals":{}},"results":[]}`))
	f.Add([]byte(`{"results":[{"test_id":"B101","filename":"/src/app/a.py","line_number":2,"line_range":[2,3],"code":"2 assert x\n3 y\n","col_offset":-1,"end_col_offset":0}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res := &finding.Result{}
		err := scanner.Settle(res, parseReport(data, "/src", nil, res), nil)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "bandit") {
				t.Fatalf("error does not name bandit: %v", err)
			}
			return
		}
		// Accepted input is one JSON object with a results array.
		if !json.Valid(bytes.TrimSpace(data)) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		for _, fd := range res.Findings {
			if fd.RuleID == "" || fd.Location.Path == "" || filepath.IsAbs(fd.Location.Path) {
				t.Fatalf("finding without rule or root-relative path: %+v", fd)
			}
			if res.Rule(fd.RuleID) == nil {
				t.Fatalf("finding %s has no rule", fd.RuleID)
			}
		}
	})
}
