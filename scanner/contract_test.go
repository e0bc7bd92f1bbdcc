package scanner

import (
	"context"
	"errors"
	"fmt"
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
			res := result(finding.Completed)
			res.Warnf("an option was not applied")
			return res, Partial(GapAt("b.lock", "b.lock not scanned"), Gap{Err: errors.New("c.lock read in part"), Warn: true},
				Gap{Rel: "d.go", Line: 3, Column: 7, Err: errors.New("d.go:3:7: syntax error")})
		}},
		fakeScanner{name: "failed", applies: true, scan: func(context.Context, *Request) (*finding.Result, error) {
			return result(finding.Completed), WithGaps(errors.New("database unreadable"), []Gap{GapAt(".", "the root cannot be read")})
		}},
		fakeScanner{name: "absent", applies: true, scan: func(context.Context, *Request) (*finding.Result, error) {
			return result(finding.Completed), Skip("not installed")
		}},
	}
	out := Run(context.Background(), Request{}, list, Options{})
	// The scanner's own notifications, then its gaps at their places (the
	// root is no place), then why it failed: each named once.
	want := []struct {
		state finding.State
		notes []string
	}{
		{finding.Completed, nil},
		{finding.Incomplete, []string{"warning: partly: an option was not applied", "error: partly: b.lock not scanned @ b.lock:0:0",
			"warning: partly: c.lock read in part", "error: partly: d.go:3:7: syntax error @ d.go:3:7"}},
		{finding.Incomplete, []string{"error: failed: the root cannot be read", "error: failed: database unreadable"}},
		{finding.Skipped, []string{"note: absent: skipped: not installed"}},
	}
	for i, w := range want {
		r := out[i]
		if r.State != w.state {
			t.Errorf("%s: state %s, want %s", r.Tool, r.State, w.state)
		}
		var notes []string
		for _, n := range r.Notifications {
			note := string(n.Level) + ": " + n.Message
			if l := n.Location; l.Path != "" {
				note += fmt.Sprintf(" @ %s:%d:%d", l.Path, l.StartLine, l.StartColumn)
			}
			notes = append(notes, note)
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
	if err := Settle(res, Partial(), nil); err != nil || res.State != finding.Incomplete || len(res.Notifications) != 0 {
		t.Errorf("partial without reasons: err %v state %s notifications %+v", err, res.State, res.Notifications)
	}
	res = &finding.Result{Tool: "x"}
	boom := errors.New("boom")
	if err := Settle(res, boom, nil); err != boom || res.State != finding.Incomplete {
		t.Errorf("failure: err %v state %s", err, res.State)
	}
	res = &finding.Result{Tool: "x"}
	if err := Settle(res, WithGaps(boom, []Gap{GapAt("a", "a unread")}), nil); !errors.Is(err, boom) || len(res.Notifications) != 1 ||
		res.Notifications[0].Message != "x: a unread" {
		t.Errorf("failure after a gap: err %v notifications %+v", err, res.Notifications)
	}
	res = &finding.Result{Tool: "x"}
	if err := Settle(res, Skip("absent"), nil); err == nil || res.State != finding.Skipped {
		t.Errorf("skip: err %v state %s", err, res.State)
	}
	var r Request
	r.Log("no Logf: %d", 1) // must not panic
}

// WithGaps: nothing is complete, gaps alone are partial, a failure keeps
// the gaps left before it, and gaps add up whichever way they come.
func TestWithGaps(t *testing.T) {
	a, b := GapAt("a", "a"), GapAt("b", "b")
	boom := errors.New("boom")
	var p *PartialError
	if err := WithGaps(nil, nil); err != nil {
		t.Errorf("no gaps: %v", err)
	}
	if err := WithGaps(boom, nil); err != boom {
		t.Errorf("a failure alone: %v", err)
	}
	if err := WithGaps(nil, []Gap{a}); !errors.As(err, &p) || p.Err != nil || len(p.Gaps) != 1 || StateOf(err) != finding.Incomplete {
		t.Errorf("gaps alone: %v", err)
	}
	err := WithGaps(WithGaps(boom, []Gap{b}), []Gap{a})
	if !errors.As(err, &p) || !errors.Is(err, boom) || err.Error() != "boom" || len(p.Gaps) != 2 || p.Gaps[0] != a || p.Gaps[1] != b {
		t.Errorf("nested: %v %+v", err, p)
	}
	if err := WithGaps(Partial(), nil); !errors.As(err, &p) {
		t.Errorf("a partial run without gaps stays partial: %v", err)
	}
}

type dbScanner struct{ fakeScanner }

func (dbScanner) ReadsDB() {}

// The database's error is the runner's to report, once, for the scanners
// that read it: they do not run, the others do.
func TestRunRelaysDBError(t *testing.T) {
	ran := false
	reads := dbScanner{fakeScanner{name: "vuln", applies: true, scan: func(context.Context, *Request) (*finding.Result, error) {
		ran = true
		return &finding.Result{}, nil
	}}}
	req := Request{Offline: true, DBErr: errors.New("no vulnerability database at ~/db (does not exist)")}
	out := Run(context.Background(), req, []Scanner{reads, good(), dbScanner{fakeScanner{name: "elsewhere"}}}, Options{})
	if ran || out[0].State != finding.Incomplete || len(out[0].Notifications) != 1 ||
		out[0].Notifications[0].Message != "vuln: no vulnerability database at ~/db (does not exist)" {
		t.Errorf("reader: ran %v, %+v", ran, out[0])
	}
	if out[1].State != finding.Completed {
		t.Errorf("a scanner without the database: %+v", out[1])
	}
	if out[2].State != finding.Skipped {
		t.Errorf("a reader with nothing to scan is skipped, not failed: %+v", out[2])
	}
	req.Offline = false // online, the database is not read
	if out := Run(context.Background(), req, []Scanner{reads}, Options{}); !ran || out[0].State != finding.Completed {
		t.Errorf("online: ran %v, %+v", ran, out[0])
	}
}
