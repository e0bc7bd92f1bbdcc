// Package scannertest runs one adapter on a fixture tree the way the
// runner would, for the adapter tests (the -short tier), as analysistest
// does for go/analysis analyzers: the request, the scan settled as
// scanner.Settle settles it, scans shared by several tests, and findings
// compared with a golden file. Writing and copying trees and putting
// fixture modules in the module cache are internal/testkit's. Only tests
// import it.
package scannertest

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
)

var update = flag.Bool("update", false, "rewrite the adapter tests' golden files from what the adapters report")

// Repo returns the path of rel (its elements joined) in the repository.
func Repo(rel ...string) string {
	return filepath.Join(append([]string{testkit.Root()}, rel...)...)
}

// Testdata returns the path of the repository's testdata/<rel...>.
func Testdata(rel ...string) string { return Repo(append([]string{"testdata"}, rel...)...) }

// Request returns a request for root that discards the adapter's progress;
// Run collects it.
func Request(root string) *scanner.Request {
	return &scanner.Request{Root: root, Logf: func(string, ...any) {}}
}

// Outcome is what one scan ended in.
type Outcome struct {
	// Res is the result Scan returned (nil if it returned none), settled:
	// its State set, its gaps and a skip's reason noted, its messages named
	// and cleaned of machine paths.
	Res *finding.Result
	// Err is the error of a scan that failed or was skipped, cleaned of
	// machine paths; a partly analyzed scan's gaps are in Res, as the
	// runner puts them.
	Err error
	// Logs is what the adapter logged through Request.Log, in order.
	Logs []string
}

// Run runs s on req (which it does not change) and settles the outcome
// with scanner.Settle, as the runner does.
func Run(t testing.TB, s scanner.Scanner, req *scanner.Request) Outcome {
	t.Helper()
	return RunContext(context.Background(), t, s, req)
}

// RunContext is Run under ctx.
func RunContext(ctx context.Context, t testing.TB, s scanner.Scanner, req *scanner.Request) Outcome {
	t.Helper()
	var o Outcome
	var mu sync.Mutex
	r := *req
	r.Logf = func(format string, args ...any) {
		mu.Lock()
		o.Logs = append(o.Logs, fmt.Sprintf(format, args...))
		mu.Unlock()
		req.Log(format, args...)
	}
	if r.Paths == nil {
		r.Paths = scanner.NewPaths(r.Root, r.DB) // as Run sets it
	}
	o.Res, o.Err = s.Scan(ctx, &r)
	if o.Res != nil {
		o.Err = scanner.Settle(o.Res, o.Err, r.Paths)
	} else {
		_, o.Err = r.Paths.Apply(nil, o.Err)
	}
	mu.Lock()
	defer mu.Unlock()
	return o
}

// Scan is Run for a scan that must not fail: it ends the test if Scan
// failed or returned no result, and returns the settled result.
func Scan(t testing.TB, s scanner.Scanner, req *scanner.Request) *finding.Result {
	t.Helper()
	o := Run(t, s, req)
	if o.Err != nil {
		t.Fatalf("%s: %v", s.Name(), o.Err)
	}
	if o.Res == nil {
		t.Fatalf("%s returned no result", s.Name())
	}
	return o.Res
}

// Shared holds scans several tests read, each made once per test binary.
// Its zero value is ready to use.
type Shared struct {
	mu    sync.Mutex
	scans map[string]*sharedScan
}

type sharedScan struct {
	once sync.Once
	o    Outcome
}

// Get returns the outcome of the scan named key, running scan the first
// time key is asked for. Tests that read it must not change it.
func (s *Shared) Get(key string, scan func() Outcome) Outcome {
	s.mu.Lock()
	if s.scans == nil {
		s.scans = map[string]*sharedScan{}
	}
	sc := s.scans[key]
	if sc == nil {
		sc = &sharedScan{}
		s.scans[key] = sc
	}
	s.mu.Unlock()
	sc.once.Do(func() { sc.o = scan() })
	return sc.o
}

// Line is a finding as a golden file holds it: "path:line:col: rule
// severity", what places it in a report and what a gate reads.
func Line(f finding.Finding) string {
	return fmt.Sprintf("%s:%d:%d: %s %s", f.Location.Path, f.Location.StartLine, f.Location.StartColumn, f.RuleID, f.Severity)
}

// Lines returns the Line of every finding of res, in the order of path,
// line, column and rule.
func Lines(res *finding.Result) []string {
	fs := slices.Clone(res.Findings)
	slices.SortStableFunc(fs, func(a, b finding.Finding) int {
		return cmp.Or(cmp.Compare(a.Location.Path, b.Location.Path), cmp.Compare(a.Location.StartLine, b.Location.StartLine),
			cmp.Compare(a.Location.StartColumn, b.Location.StartColumn), cmp.Compare(a.RuleID, b.RuleID))
	})
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = Line(f)
	}
	return out
}

// Golden compares res's findings (Lines) with the golden file, a path
// relative to the test's package; with -update it writes them there
// instead.
func Golden(t testing.TB, golden string, res *finding.Result) {
	t.Helper()
	got := Lines(res)
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", golden)
		return
	}
	want := ReadGolden(t, golden)
	if slices.Equal(got, want) {
		return
	}
	var b strings.Builder
	for _, w := range want {
		if !slices.Contains(got, w) {
			fmt.Fprintf(&b, "\n- %s", w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			fmt.Fprintf(&b, "\n+ %s", g)
		}
	}
	if b.Len() == 0 { // the same findings, one of them more or fewer times
		fmt.Fprintf(&b, "\ngot  %q\nwant %q", got, want)
	}
	t.Errorf("findings differ from %s (- missing, + new; go test -update rewrites it):%s", golden, b.String())
}

// ReadGolden returns the lines of a golden file.
func ReadGolden(t testing.TB, golden string) []string {
	t.Helper()
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}
