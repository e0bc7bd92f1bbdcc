package testkit

import (
	"fmt"
	"slices"
	"testing"
)

// recorder keeps the errors a helper reports instead of failing the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestContainsAllAndNone(t *testing.T) {
	r := &recorder{TB: t}
	ContainsAll(r, "out", "alpha beta", "alpha", "gamma", "beta", "delta")
	ContainsNone(r, "out", "alpha beta", "beta", "gamma")
	want := []string{
		"out lacks \"gamma\":\nalpha beta",
		"out lacks \"delta\":\nalpha beta",
		"out holds \"beta\":\nalpha beta",
	}
	if !slices.Equal(r.errs, want) {
		t.Errorf("reported %q, want %q", r.errs, want)
	}
}
