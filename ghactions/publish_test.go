package ghactions

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/ghtest"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/report"
)

// The sink publishes once, inside Actions only: commands stay paused until
// it does, an incomplete scanner is the first annotation, and the step
// outputs carry the verdict and the SARIF report's figures.
func TestSinkPublishes(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": filepath.Join(dir, "out"), "GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md")}
	var stderr bytes.Buffer
	s := Start(func(k string) string { return env[k] }, &stderr)
	if !strings.HasPrefix(stderr.String(), "::stop-commands::") {
		t.Fatalf("commands not paused: %q", stderr.String())
	}
	r := &model.Report{Results: []finding.Result{{Tool: "gosec", State: finding.Incomplete}}}
	r.Verdict.Outcome = finding.GateIncomplete
	r.Verdict.IncompleteTools = []string{"gosec"}
	err := s.Publish(context.Background(), r, Publication{SARIFFile: "x.sarif", Written: report.Written{SARIFRuns: 2, LeftOut: []string{"gosec"}}})
	if err != nil {
		t.Fatal(err)
	}
	s.Stop() // already resumed: no second resume line
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[2], "::error title=scangate%3A gosec could not complete::") || !strings.Contains(lines[2], "left out of the SARIF report") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	out := ghtest.ReadOutputs(t, env["GITHUB_OUTPUT"])
	if len(out) != len(Outputs) || out["sarif-file"] != "x.sarif" || out["sarif-runs"] != "2" || out["incomplete"] != "gosec" || out["verdict"] != finding.GateIncomplete.String() {
		t.Errorf("outputs %q", out)
	}
	if md, err := os.ReadFile(env["GITHUB_STEP_SUMMARY"]); err != nil || !bytes.Contains(md, []byte("## scangate")) {
		t.Errorf("summary %q, %v", md, err)
	}

	// Outside Actions, and without a comment to post, nothing is written.
	stderr.Reset()
	s = Start(func(string) string { return "" }, &stderr)
	if err := s.Publish(context.Background(), r, Publication{}); err != nil || stderr.Len() > 0 {
		t.Errorf("outside Actions: %v, %q", err, stderr.String())
	}
}
