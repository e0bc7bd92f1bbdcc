// Package registry is the one list of the scanners this binary has. Each
// entry is an adapter's Descriptor: its name, kind, options and their
// defaults, rule catalogue and external program. Flag validation, the
// configuration's scanners.NAME keys and schema, the programs checked before
// a scan, the scanners' order in reports and correlation, and `scangate
// version` all read this list. Adding a scanner is a new adapter folder and
// one line here (CONTRIBUTING.md).
package registry

import (
	"slices"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanners/bandit"
	"github.com/scangate/scangate/scanners/gosec"
	"github.com/scangate/scangate/scanners/govulncheck"
	"github.com/scangate/scangate/scanners/osv"
	"github.com/scangate/scangate/scanners/safety"
	"github.com/scangate/scangate/scanners/secrets"
	"github.com/scangate/scangate/scanners/workflows"
)

// All is every scanner of the binary, in the order they run and report. The
// order also ranks evidence when two report the same vulnerability: the
// earlier keeps the merged finding (govulncheck knows whether the code is
// called, osv-scanner the manifest line, safety neither).
var All = []*scanner.Descriptor{
	gosec.Descriptor,
	govulncheck.Descriptor,
	osv.Descriptor,
	bandit.Descriptor,
	safety.Descriptor,
	secrets.Descriptor,
	workflows.Descriptor,
}

// Names are the scanners' names in registry order.
func Names() []string {
	out := make([]string, len(All))
	for i, d := range All {
		out[i] = d.Name
	}
	return out
}

// Lookup is the named scanner's descriptor, nil for a name the registry
// does not hold.
func Lookup(name string) *scanner.Descriptor {
	if i := slices.IndexFunc(All, func(d *scanner.Descriptor) bool { return d.Name == name }); i >= 0 {
		return All[i]
	}
	return nil
}

// KindOf is what the named scanner analyzes; KindUnknown for a name the
// registry does not hold.
func KindOf(name string) finding.Kind {
	if d := Lookup(name); d != nil {
		return d.Kind
	}
	return finding.KindUnknown
}

// Known reports whether name is a scanner of the binary.
func Known(name string) bool { return Lookup(name) != nil }
