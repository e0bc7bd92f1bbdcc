package osv

import (
	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
)

// Descriptor is the adapter as the registry lists it.
var Descriptor = &scanner.Descriptor{
	Name:    Name,
	Doc:     "Known vulnerabilities of the packages every lockfile and manifest names: osv-scanner's source scan on osv-scalibr, embedded.",
	Kind:    finding.KindDependencies,
	Module:  "github.com/google/osv-scalibr",
	Options: &Config{},
	New: func(o any) scanner.Scanner {
		return New(Options{SkipLockfiles: o.(*Config).SkipLockfiles})
	},
}

// Config is scanners.osv-scanner in .scangate.yml.
type Config struct {
	// SkipLockfiles are path globs (relative to the root, as exclude) of
	// lockfiles and manifests not to scan.
	SkipLockfiles []string `yaml:"skip-lockfiles" glob:"" doc:"Path globs of lockfiles and manifests not to scan."`
}
