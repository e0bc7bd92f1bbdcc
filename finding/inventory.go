package finding

import (
	"cmp"
	"slices"
)

// Component is one package a scanner found in the tree, vulnerable or
// not: the inventory an SBOM lists.
type Component struct {
	Ecosystem string `json:"ecosystem"` // OSV ecosystem name: Go, PyPI, npm, ...
	Name      string `json:"name"`
	// Version is spelled as findings spell it (Go: v0.3.6, go1.22.4); ""
	// for a module of the tree itself.
	Version string `json:"version,omitempty"`
	PURL    string `json:"purl,omitempty"` // package URL, when the ecosystem has a type
	// Manifest is the go.mod or lockfile (relative to the root) that
	// brings the package in.
	Manifest string `json:"manifest"`
	// Main: a module of the scanned tree itself (a Go main module), not a
	// dependency.
	Main bool `json:"main,omitempty"`
	// Dev: only in the lockfile's development group (npm's dev, Maven's
	// test, ...).
	Dev bool `json:"dev,omitempty"`
}

// MaxPackages bounds one result's inventory: a report (and a shard's JSON
// that merge reads back) stays far below the budget merge reads within.
const MaxPackages = 100_000

// SortPackages puts an inventory in one order (by manifest, ecosystem,
// name, version) and drops repeated entries, so that a cached, sharded or
// merged scan lists the same packages the same way.
func SortPackages(ps []Component) []Component {
	slices.SortFunc(ps, func(a, b Component) int {
		return cmp.Or(cmp.Compare(a.Manifest, b.Manifest), cmp.Compare(a.Ecosystem, b.Ecosystem),
			cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version), cmp.Compare(a.PURL, b.PURL),
			CompareBool(a.Main, b.Main), CompareBool(a.Dev, b.Dev))
	})
	return slices.Compact(ps)
}

// CompareBool orders false before true, as cmp.Compare orders numbers.
func CompareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
