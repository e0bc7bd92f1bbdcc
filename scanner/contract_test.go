package scanner

import (
	"context"
	"errors"
	"testing"

	"github.com/scangate/scangate/finding"
)

// The runner alone decides a run's state, from the error Scan returned;
// whatever State an adapter left in its result does not count.
func TestRunnerDecidesState(t *testing.T) {
	kept := []finding.Finding{{RuleID: "R1", Location: finding.Location{Path: "a.go"}}}
	result := func(st finding.State) *finding.Result {
		return &finding.Result{State: st, Findings: append([]finding.Finding(nil), kept...)}
	}
	list := []Scanner{
		fakeScanner{name: "done", applies: true, scan: func(context.Context, *Request) (*finding.Result, error) {
			return result(finding.Incomplete), nil // a stale State is overruled
		}},
		fakeScanner{name: "partly", applies: true, scan: func(context.Context, *Request) (*finding.Result, error) {
			return result(finding.Completed), Partial("b.lock not scanned", "partly: c.lock not scanned")
		}},
		fakeScanner{name: "failed", applies: true, scan: func(context.Context, *Request) (*finding.Result, error) {
			return result(finding.Completed), errors.New("database unreadable")
		}},
		fakeScanner{name: "absent", applies: true, scan: func(context.Context, *Request) (*finding.Result, error) {
			return result(finding.Completed), Skip("not installed")
		}},
	}
	out := Run(context.Background(), Request{}, list, Options{})
	want := []struct {
		state finding.State
		notes []string
	}{
		{finding.Completed, nil},
		{finding.Incomplete, []string{"error: partly: b.lock not scanned", "error: partly: c.lock not scanned"}},
		{finding.Incomplete, []string{"error: failed: database unreadable"}},
		{finding.Skipped, []string{"note: absent: skipped: not installed"}},
	}
	for i, w := range want {
		r := out[i]
		if r.State != w.state {
			t.Errorf("%s: state %s, want %s", r.Tool, r.State, w.state)
		}
		var notes []string
		for _, n := range r.Notifications {
			notes = append(notes, string(n.Level)+": "+n.Message)
		}
		if len(notes) != len(w.notes) {
			t.Errorf("%s: notifications %q, want %q", r.Tool, notes, w.notes)
			continue
		}
		for j := range notes {
			if notes[j] != w.notes[j] {
				t.Errorf("%s: notification %q, want %q", r.Tool, notes[j], w.notes[j])
			}
		}
		if len(r.Findings) != 1 {
			t.Errorf("%s: %d findings, want the one returned kept", r.Tool, len(r.Findings))
		}
	}
}

// Settle is what Run does with an outcome, for callers of Scan alone.
func TestSettle(t *testing.T) {
	res := &finding.Result{Tool: "x"}
	if err := Settle(res, Partial()); err != nil || res.State != finding.Incomplete || len(res.Notifications) != 0 {
		t.Errorf("partial without reasons: err %v state %s notifications %+v", err, res.State, res.Notifications)
	}
	res = &finding.Result{Tool: "x"}
	boom := errors.New("boom")
	if err := Settle(res, boom); err != boom || res.State != finding.Incomplete {
		t.Errorf("failure: err %v state %s", err, res.State)
	}
	var r Request
	r.Log("no Logf: %d", 1) // must not panic
}
