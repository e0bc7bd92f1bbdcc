package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/pipeline"
	"github.com/scangate/scangate/policy"
	"github.com/scangate/scangate/report"
	"github.com/scangate/scangate/scanners/registry"
)

// gosecPlan scans the gosec fixture, a real Go module with real gosec
// findings, with the real gosec adapter, in process.
func gosecPlan(t *testing.T) pipeline.Plan {
	t.Helper()
	root, err := filepath.Abs("../testdata/gosec/fixture")
	if err != nil {
		t.Fatal(err)
	}
	c := config.Default(root)
	for _, n := range registry.Names() {
		on := n == "gosec"
		c.Scanner(n).Enabled = &on
	}
	c.FailOn = "low"
	return pipeline.Plan{Root: root, Config: c, Now: time.Date(2026, 8, 10, 0, 0, 0, 0, time.UTC), Version: "test"}
}

func run(t *testing.T, p pipeline.Plan) *model.Report {
	t.Helper()
	r, err := pipeline.Run(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Results) != 1 || r.Results[0].State != finding.Completed {
		t.Fatalf("gosec run: %+v", r.Results)
	}
	return r
}

// The stages in one pass: a cold scan fails the gate; the baseline written
// from it makes every finding unchanged; an ignore-file entry suppresses
// its findings ahead of the baseline's own record; an exclude drops a
// directory's findings before any of that.
func TestStages(t *testing.T) {
	plan := gosecPlan(t)
	cold := run(t, plan)
	total := cold.Verdict.Total
	if total == 0 || cold.Verdict.Outcome != finding.GateFail || cold.Verdict.New != total-cold.Verdict.Suppressed || cold.Root != "fixture" {
		t.Fatalf("cold scan: verdict %+v root %q", cold.Verdict, cold.Root)
	}
	// The report says when the scan started and what each scanner analyzes.
	if since := time.Since(cold.Started); cold.Started.IsZero() || since < cold.Duration || since > time.Hour {
		t.Errorf("started %s, %s ago, took %s", cold.Started, since, cold.Duration)
	}
	if cold.Results[0].Kind != finding.KindCode {
		t.Errorf("gosec's result has kind %d", cold.Results[0].Kind)
	}

	// Baseline: written and read back as a committed file would be.
	var buf bytes.Buffer
	if err := policy.NewBaseline(cold.Results).Write(&buf); err != nil {
		t.Fatal(err)
	}
	base, err := policy.ParseBaseline("b.json", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	plan = gosecPlan(t)
	plan.Baseline, plan.BaselineName = base, "b.json"
	warm := run(t, plan)
	if v := warm.Verdict; v.Outcome != finding.GatePass || v.New != 0 || v.Unchanged != total-v.Suppressed || v.Fixed != 0 || warm.Baseline != "b.json" {
		t.Fatalf("against its own baseline: verdict %+v, baseline %q", v, warm.Baseline)
	}

	// The same baseline read from the SARIF report of the cold scan.
	doc, err := report.SARIF(cold.Results, report.SARIFOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var sarif bytes.Buffer
	if err := doc.Write(&sarif); err != nil {
		t.Fatal(err)
	}
	fromSARIF, err := policy.ParseBaseline("cold.sarif", sarif.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if fromSARIF.Len() != base.Len() {
		t.Errorf("SARIF baseline holds %d findings, the baseline file %d", fromSARIF.Len(), base.Len())
	}

	// An ignore entry for the most severe finding's rule and file.
	top := cold.Ranked()[0]
	ig, err := policy.ParseIgnore(".scangate-ignore.yml", []byte(fmt.Sprintf(
		"suppressions:\n  - rule: %s\n    path: %s\n    reason: reviewed\n    expires: 2027-01-31\n", top.RuleID, top.Location.Path)), policy.IgnoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	plan = gosecPlan(t)
	plan.Ignore = ig
	ignored := run(t, plan)
	var hit bool
	for _, f := range ignored.Suppressed() {
		if f.RuleID == top.RuleID && f.Location.Path == top.Location.Path {
			hit = f.Status == finding.StatusSuppressed
		}
	}
	if !hit || ignored.Verdict.Suppressed <= cold.Verdict.Suppressed || ignored.Verdict.Total != total {
		t.Errorf("ignore entry %s %s: verdict %+v (cold %+v)", top.RuleID, top.Location.Path, ignored.Verdict, cold.Verdict)
	}

	// Excluding the directory of that finding drops every finding in it.
	dir := filepath.Dir(top.Location.Path)
	if dir == "." {
		dir = top.Location.Path
	}
	plan = gosecPlan(t)
	plan.Config.Exclude = []string{dir}
	excluded := run(t, plan)
	for _, f := range excluded.Results[0].Findings {
		if f.Location.Path == top.Location.Path || strings.HasPrefix(f.Location.Path, dir+"/") {
			t.Errorf("excluded %s: finding %s at %s", dir, f.RuleID, f.Location)
		}
	}
	if excluded.Verdict.Total >= total {
		t.Errorf("exclude %s dropped nothing: %d of %d", dir, excluded.Verdict.Total, total)
	}

	// Against the SARIF baseline, what the exclude dropped is fixed: the
	// report lists each entry with its line and message, and counts them.
	plan = gosecPlan(t)
	plan.Config.Exclude = []string{dir}
	plan.Baseline, plan.BaselineName = fromSARIF, "cold.sarif"
	fixed := run(t, plan)
	n := 0
	for _, e := range fixed.Fixed {
		n += e.Count
		if e.Tool != "gosec" || e.Rule == "" || e.Line == 0 || e.Message == "" ||
			!(e.Path == top.Location.Path || strings.HasPrefix(e.Path, dir+"/")) {
			t.Errorf("fixed entry %+v, want a gosec finding under %s with its line and message", e, dir)
		}
	}
	if want := total - excluded.Verdict.Total; n != want || fixed.Verdict.Fixed != want {
		t.Errorf("fixed: %d listed, verdict %d; want %d", n, fixed.Verdict.Fixed, want)
	}
}

// A base that cannot be had is the plan's error, before anything is
// scanned: not an incomplete scan.
func TestNewFromOutsideAGitRepository(t *testing.T) {
	root := t.TempDir()
	c := config.Default(root)
	p := pipeline.Plan{Root: root, Config: c, Cache: pipeline.CacheOptions{Off: true},
		NewFrom: &pipeline.NewFrom{Rev: "main", RepoRoot: root}}
	r, err := pipeline.Run(context.Background(), p)
	var ie *pipeline.IncompleteError
	if r != nil || err == nil || !strings.Contains(err.Error(), "--new-from-rev: "+root+" is not in a git repository") || errors.As(err, &ie) {
		t.Errorf("report %v, error %v", r, err)
	}
}
