package scannertest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
)

// fake returns what it is given, logging one line.
type fake struct {
	res *finding.Result
	err error
}

func (f fake) Name() string                  { return "fake" }
func (f fake) Applies(*scanner.Request) bool { return true }
func (f fake) Scan(_ context.Context, req *scanner.Request) (*finding.Result, error) {
	req.Log("scanning %s", filepath.Base(req.Root))
	return f.res, f.err
}

func TestRunSettlesAsTheRunner(t *testing.T) {
	var logged []string
	req := Request("/src/app")
	req.Logf = func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }
	for _, c := range []struct {
		err     error
		state   finding.State
		keepErr bool
		note    string
	}{
		{nil, finding.Completed, false, ""},
		{scanner.Skip("not installed"), finding.Skipped, true, "fake: skipped: not installed"},
		{scanner.Partial(scanner.GapAt("a.py", "/src/app/a.py unreadable")), finding.Incomplete, false, "fake: a.py unreadable"},
		{errors.New("boom"), finding.Incomplete, true, ""},
	} {
		o := Run(t, fake{&finding.Result{Tool: "fake"}, c.err}, req)
		if o.Res.State != c.state || (o.Err != nil) != c.keepErr || !slices.Equal(o.Logs, []string{"scanning app"}) {
			t.Errorf("%v: state %s err %v logs %q", c.err, o.Res.State, o.Err, o.Logs)
		}
		var notes []string
		for _, n := range o.Res.Notifications {
			notes = append(notes, n.Message)
		}
		if c.note != "" && !slices.Equal(notes, []string{c.note}) {
			t.Errorf("%v: notifications %q, want %q", c.err, notes, c.note)
		}
	}
	// The adapter's own messages are named and lose the root, as in Run.
	res := &finding.Result{Tool: "fake"}
	res.Warnf("/src/app/setup.cfg ignored")
	if o := Run(t, fake{res, nil}, req); len(o.Res.Notifications) != 1 || o.Res.Notifications[0].Message != "fake: setup.cfg ignored" {
		t.Errorf("notifications %+v", o.Res.Notifications)
	}
	if len(logged) != 5 {
		t.Errorf("the request's own Logf got %q", logged)
	}
	if o := Run(t, fake{nil, scanner.Skip("x")}, req); o.Res != nil || o.Err == nil {
		t.Errorf("no result: %+v", o)
	}
}

func TestSharedScansOnce(t *testing.T) {
	var s Shared
	n := 0
	for range 3 {
		o := s.Get("a", func() Outcome { n++; return Outcome{Logs: []string{"a"}} })
		if o.Logs[0] != "a" {
			t.Fatalf("%+v", o)
		}
	}
	s.Get("b", func() Outcome { n++; return Outcome{} })
	if n != 2 {
		t.Errorf("%d scans, want one per key", n)
	}
}

func TestGoldenFailsWhenFindingsChange(t *testing.T) {
	golden := filepath.Join(t.TempDir(), "x.golden")
	testkit.WriteFile(t, golden, "a.py:2:0: B101 low\na.py:10:5: B602 high\n")
	res := &finding.Result{Findings: []finding.Finding{
		{RuleID: "B602", Severity: finding.High, Location: finding.Location{Path: "a.py", StartLine: 10, StartColumn: 5}},
		{RuleID: "B101", Severity: finding.Low, Location: finding.Location{Path: "a.py", StartLine: 2}},
	}}
	r := &testkit.Recorder{TB: t}
	Golden(r, golden, res)
	if len(r.Errs) != 0 {
		t.Fatalf("the same findings differ: %q", r.Errs)
	}
	for _, change := range []func(f *finding.Finding){
		func(f *finding.Finding) { f.Severity = finding.Medium },
		func(f *finding.Finding) { f.Location.StartLine++ },
		func(f *finding.Finding) { f.Location.StartColumn = 0 },
		func(f *finding.Finding) { f.RuleID = "B603" },
	} {
		changed := &finding.Result{Findings: slices.Clone(res.Findings)}
		change(&changed.Findings[0])
		r := &testkit.Recorder{TB: t}
		Golden(r, golden, changed)
		if len(r.Errs) != 1 || !strings.Contains(r.Errs[0], "- a.py:10:5: B602 high") {
			t.Errorf("%+v: %q", changed.Findings[0], r.Errs)
		}
	}
	twice := &finding.Result{Findings: append(slices.Clone(res.Findings), res.Findings[1])}
	r = &testkit.Recorder{TB: t}
	Golden(r, golden, twice)
	if len(r.Errs) != 1 {
		t.Errorf("a finding reported twice passes: %q", r.Errs)
	}
}
