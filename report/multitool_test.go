package report

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/report/reporttest"
)

// multitool finds Microsoft's SARIF Multitool (npm package
// @microsoft/sarif-multitool-linux): $SARIF_MULTITOOL, or Sarif.Multitool
// on PATH. CI installs it; without it the validation tests skip.
func multitool(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SARIF_MULTITOOL"); p != "" {
		return p
	}
	p, err := exec.LookPath("Sarif.Multitool")
	if err != nil {
		t.Skip("SARIF Multitool not installed: npm install @microsoft/sarif-multitool-linux and set SARIF_MULTITOOL")
	}
	return p
}

// validate runs `validate --rule-kind Sarif;Ghas` on rendered documents
// (one process: the tool takes seconds to start) and returns the errors it
// reports. The tool exits 0 even when it finds errors, so its output SARIF
// is what counts.
func validate(t *testing.T, tool string, docs ...[]byte) []string {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, "out.sarif")
	args := []string{"validate", "--rule-kind", "Sarif;Ghas", "--max-file-size-in-kb", "1000000", "--output", out}
	for i, doc := range docs {
		in := filepath.Join(dir, fmt.Sprintf("in%d.sarif", i))
		if err := os.WriteFile(in, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, in)
	}
	cmd := exec.Command(tool, args...)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s validate: %v\n%s", tool, err, b)
	}
	log := reporttest.ReadLog(t, out)
	var errs []string
	for _, r := range log.Runs {
		for _, res := range r.Results {
			if res.Level == "error" {
				file := ""
				if len(res.Locations) > 0 {
					file = filepath.Base(res.Locations[0].PhysicalLocation.ArtifactLocation.URI)
				}
				errs = append(errs, fmt.Sprintf("%s: %s %v", file, res.RuleID, res.Message.Arguments))
			}
		}
	}
	if len(log.Runs) == 0 {
		t.Fatal("validation output has no run")
	}
	return errs
}

// featureSample uses every part of our SARIF: rules with help and tags,
// traces into the module cache, suppressions, baseline states, odd paths,
// notifications, and a finding without a location.
func featureSample() []finding.Result {
	r := synthetic("gosec", 6, func(i int) finding.Severity { return finding.Severity(i % 5) })
	r.Version, r.InformationURI = "v2.22.0", "https://github.com/securego/gosec"
	r.Rules = []finding.Rule{{ID: "R0", Name: "HardcodedCredentials", Short: "Hardcoded credentials", Full: "Potential hardcoded credentials.",
		Help: "Move secrets out of the code.", HelpMarkdown: "Move **secrets** out of the code.",
		HelpURI: "https://cwe.mitre.org/data/definitions/798.html", Tags: []string{"external/cwe/cwe-798"}, Severity: finding.High}}
	r.Findings[0].Trace = []finding.Frame{
		{Function: "main", Package: "example.com/m", Location: finding.Location{Path: "main.go", StartLine: 3, StartColumn: 2}},
		{Function: "Get", Package: "golang.org/x/net/http", External: true, Location: finding.Location{Path: "golang.org/x/net@v0.1.0/http/x.go", StartLine: 9}},
		{Function: "unknown"}}
	r.Findings[1].Suppressions = []finding.Suppression{{Kind: "inSource", Justification: "reviewed", Marker: "#nosec"}}
	r.Findings[1].Status = finding.StatusSuppressed
	r.Findings[2].Location = finding.Location{Path: "a b/c%d:e#f.go", StartLine: 4, StartColumn: 1, EndLine: 6, EndColumn: 3}
	r.Findings[3].Status = finding.StatusBaseline
	r.Findings[4].Location = finding.Location{}
	r.Findings[5].Location = finding.Location{}
	r.Findings[5].Package = &finding.Package{Ecosystem: "Go", Name: "golang.org/x/net", Version: "v0.1.0", Fixed: []string{"v0.23.0"}, Manifest: "go.mod"}
	r.Findings[5].Score, r.Findings[5].Aliases, r.Findings[5].Reachable = 7.5, []string{"CVE-2023-0001"}, finding.Called
	r.Notifications = []finding.Notification{{Level: finding.LevelWarning, Message: "gosec: a package did not type-check", Location: finding.Location{Path: "broken/x.go"}}}
	b := synthetic("bandit", 2, func(int) finding.Severity { return finding.Medium })
	b.State = finding.Incomplete
	b.Errorf("bandit: exit status 2")
	return []finding.Result{r, b, {Tool: "safety", State: finding.Skipped}}
}

func TestSARIFMultitoolFeatureSample(t *testing.T) {
	tool := multitool(t)
	plain := render(t, mustSARIF(t, featureSample(), SARIFOptions{}))
	baseline := render(t, mustSARIF(t, featureSample(), SARIFOptions{Baseline: true, KeepIncomplete: true}))
	sub := render(t, mustSARIF(t, featureSample(), SARIFOptions{ScanRoot: "services/a b%c:d", KeepIncomplete: true}))
	if errs := validate(t, tool, plain, baseline, sub); len(errs) > 0 {
		t.Errorf("the Multitool reports %d errors (in0: plain, in1: with a baseline and an incomplete run, in2: a scanned subdirectory):\n%s",
			len(errs), strings.Join(errs, "\n"))
	}
}
