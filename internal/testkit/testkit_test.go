package testkit

import (
	"slices"
	"testing"
)

func TestContainsAllAndNone(t *testing.T) {
	r := &Recorder{TB: t}
	ContainsAll(r, "out", "alpha beta", "alpha", "gamma", "beta", "delta")
	ContainsNone(r, "out", "alpha beta", "beta", "gamma")
	want := []string{
		"out lacks \"gamma\":\nalpha beta",
		"out lacks \"delta\":\nalpha beta",
		"out holds \"beta\":\nalpha beta",
	}
	if !slices.Equal(r.Errs, want) {
		t.Errorf("reported %q, want %q", r.Errs, want)
	}
}
