package finding

import (
	"cmp"
	"slices"
	"strings"
)

// Unit is a part of the tree a tool analyzed on its own (a Go module, a
// lockfile) and how that analysis ended, so that one failed unit does not
// make the others' findings untrustworthy.
type Unit struct {
	Kind  string `json:"kind"`  // "go-module", "lockfile", ...
	Path  string `json:"path"`  // relative to the scanned root, "/"-separated; "." for the root
	State State  `json:"state"` // Completed or Incomplete
}

// SettleUnits makes the units agree with the run's state: a completed run
// completed every unit; an incomplete run that names no incomplete unit
// could not say where its gap is, so no unit counts as complete. It also
// puts them in one order (the root, then by path), whatever order an adapter
// or the shards of a merge listed them in, so every report is the same.
func (r *Result) SettleUnits() {
	slices.SortStableFunc(r.Units, func(a, b Unit) int {
		return cmp.Or(rootFirst(a.Path, b.Path), strings.Compare(a.Path, b.Path), strings.Compare(a.Kind, b.Kind))
	})
	located := false
	for _, u := range r.Units {
		located = located || u.State == Incomplete
	}
	for i := range r.Units {
		switch {
		case r.State == Completed:
			r.Units[i].State = Completed
		case r.State == Incomplete && !located:
			r.Units[i].State = Incomplete
		}
	}
}

func rootFirst(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == ".":
		return -1
	case b == ".":
		return 1
	}
	return 0
}

// UnitOf is the index in units of the deepest unit holding f (its
// manifest, else its file, or one of their directories), -1 when none does.
func UnitOf(units []Unit, f *Finding) int {
	return UnitOfPath(units, f.UnitPath(), func(u Unit) string { return u.Path })
}

// UnitPath is the path that places f in a unit: its manifest, else its file.
func (f *Finding) UnitPath() string {
	if f.Package != nil && f.Package.Manifest != "" {
		return f.Package.Manifest
	}
	return f.Location.Path
}

// UnitOfPath is the index of the deepest of units whose path (pathOf) is
// p or one of its directories; "." holds every path. -1 when none does.
func UnitOfPath[U any](units []U, p string, pathOf func(U) string) int {
	best, depth := -1, -1
	for i, u := range units {
		up := pathOf(u)
		d := len(up)
		if up == "." {
			d = 0 // shallower than any directory, "a" included
		}
		if (up == p || up == "." || strings.HasPrefix(p, up+"/")) && d > depth {
			best, depth = i, d
		}
	}
	return best
}

// UnitComplete reports whether f lies in a unit r completed: in a unit of
// r.Units that completed, or, for a run without units, in a completed run.
func (r *Result) UnitComplete(f *Finding) bool {
	if len(r.Units) == 0 {
		return r.State == Completed
	}
	i := UnitOf(r.Units, f)
	if i < 0 {
		return r.State == Completed
	}
	return r.Units[i].State == Completed
}
