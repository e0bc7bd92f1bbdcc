package scanner

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scangate/scangate/finding"
)

// These scanners exercise the runner's isolation; real adapters are tested
// in their own packages.
type fakeScanner struct {
	name    string
	applies bool
	scan    func(ctx context.Context, req *Request) (*finding.Result, error)
}

func (f fakeScanner) Name() string          { return f.name }
func (f fakeScanner) Applies(*Request) bool { return f.applies }
func (f fakeScanner) Scan(ctx context.Context, req *Request) (*finding.Result, error) {
	return f.scan(ctx, req)
}

func good() Scanner {
	return fakeScanner{name: "good", applies: true, scan: func(ctx context.Context, req *Request) (*finding.Result, error) {
		req.Logf("working on %s", "x")
		return &finding.Result{Findings: []finding.Finding{{Tool: "good", RuleID: "R1"}}}, nil
	}}
}

func TestRunIsolatesFailures(t *testing.T) {
	hangDone := make(chan struct{})
	list := []Scanner{
		good(),
		fakeScanner{name: "panics", applies: true, scan: func(context.Context, *Request) (*finding.Result, error) {
			var m map[string]int
			m["boom"]++ // a real nil-map panic, not a panic(string)
			return nil, nil
		}},
		fakeScanner{name: "hangs", applies: true, scan: func(context.Context, *Request) (*finding.Result, error) {
			<-hangDone // ignores its context entirely
			return nil, nil
		}},
		fakeScanner{name: "fails", applies: true, scan: func(context.Context, *Request) (*finding.Result, error) {
			return &finding.Result{Findings: []finding.Finding{{RuleID: "partial"}}}, errors.New("load ./broken: syntax error")
		}},
		fakeScanner{name: "absent", applies: true, scan: func(context.Context, *Request) (*finding.Result, error) {
			return nil, Skip("not installed: pip install absent")
		}},
		fakeScanner{name: "elsewhere", applies: false},
	}
	defer close(hangDone)
	var mu sync.Mutex
	var events []Event
	start := time.Now()
	res := Run(context.Background(), Request{Root: t.TempDir()}, list, Options{
		Timeout: 200 * time.Millisecond, Grace: 100 * time.Millisecond,
		OnEvent: func(e Event) { mu.Lock(); events = append(events, e); mu.Unlock() },
	})
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Run waited %s for a hung scanner", d)
	}
	want := []struct {
		tool  string
		state finding.State
		note  string
		n     int
	}{
		{"good", finding.Completed, "", 1},
		{"panics", finding.Incomplete, "panics: panic: assignment to entry in nil map", 0},
		{"hangs", finding.Incomplete, "hangs: timed out after 200ms", 0},
		{"fails", finding.Incomplete, "fails: load ./broken: syntax error", 1},
		{"absent", finding.Skipped, "absent: skipped: not installed: pip install absent", 0},
		{"elsewhere", finding.Skipped, "elsewhere: nothing to scan here", 0},
	}
	for i, w := range want {
		r := res[i]
		if r.Tool != w.tool || r.State != w.state || len(r.Findings) != w.n {
			t.Errorf("result %d: got %s %s with %d findings, want %s %s with %d", i, r.Tool, r.State, len(r.Findings), w.tool, w.state, w.n)
		}
		if w.note != "" && (len(r.Notifications) == 0 || !strings.HasPrefix(r.Notifications[0].Message, w.note)) {
			t.Errorf("%s: notifications %+v, want prefix %q", w.tool, r.Notifications, w.note)
		}
	}
	var sawProgress, sawFinish bool
	for _, e := range events {
		sawProgress = sawProgress || (e.Kind == Progress && e.Scanner == "good" && e.Message == "working on x")
		sawFinish = sawFinish || (e.Kind == Finished && e.Scanner == "good" && e.Findings == 1)
	}
	if !sawProgress || !sawFinish {
		t.Errorf("missing progress events: %+v", events)
	}
}

func TestRunRequiredSkippedIsIncomplete(t *testing.T) {
	list := []Scanner{
		fakeScanner{name: "absent", applies: true, scan: func(context.Context, *Request) (*finding.Result, error) {
			return nil, Skip("not installed")
		}},
		fakeScanner{name: "elsewhere", applies: false},
	}
	res := Run(context.Background(), Request{}, list, Options{Required: map[string]bool{"absent": true, "elsewhere": true}})
	for _, r := range res {
		if r.State != finding.Incomplete {
			t.Errorf("%s: required scanner skipped must be incomplete, got %s", r.Tool, r.State)
		}
	}
}

func TestRunCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	list := []Scanner{fakeScanner{name: "polite", applies: true, scan: func(ctx context.Context, _ *Request) (*finding.Result, error) {
		<-ctx.Done()
		return &finding.Result{Findings: []finding.Finding{{RuleID: "partial"}}}, ctx.Err()
	}}}
	res := Run(ctx, Request{}, list, Options{})
	if res[0].State != finding.Incomplete || len(res[0].Findings) != 1 {
		t.Fatalf("a cancelled scanner's partial findings must be kept: %+v", res[0])
	}
	if !strings.Contains(res[0].Notifications[0].Message, "cancelled") {
		t.Errorf("notification: %q", res[0].Notifications[0].Message)
	}
}

func TestExcluded(t *testing.T) {
	for _, tc := range []struct {
		glob, path string
		want       bool
	}{
		{"internal/gen/**", "internal/gen/a/b.go", true},
		{"internal/gen", "internal/gen/a/b.go", true},
		{"internal/gen/", "internal/gen/b.go", true},
		{"**/*_test.go", "a/b/c_test.go", true},
		{"**/*_test.go", "c_test.go", true},
		{"*.go", "main.go", true},
		{"*.go", "sub/main.go", true},
		{"/*.go", "sub/main.go", false},
		{"legacy", "svc/legacy/db.go", true},
		{"./docs/*", "docs/x.md", true},
		{"internal/gen/**", "internal/generate.go", false},
	} {
		if got := Excluded([]string{tc.glob}, tc.path); got != tc.want {
			t.Errorf("Excluded(%q, %q) = %v, want %v", tc.glob, tc.path, got, tc.want)
		}
	}
}

func TestPanicStackHasNoMachinePaths(t *testing.T) {
	res := Run(context.Background(), Request{}, []Scanner{fakeScanner{name: "p", applies: true, scan: func(context.Context, *Request) (*finding.Result, error) {
		panic("boom")
	}}}, Options{})
	msg := res[0].Notifications[0].Message
	if !strings.Contains(msg, "scanner/run_test.go:") {
		t.Errorf("stack should keep package/file:line: %s", msg)
	}
	for _, l := range strings.Split(msg, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "/") {
			t.Errorf("absolute path in stack line %q", l)
		}
	}
}
