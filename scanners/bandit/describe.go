package bandit

import (
	"maps"
	"slices"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
)

// Name is the scanner's name in results, --scanners and the configuration.
const Name = "bandit"

// Descriptor is the adapter as the registry lists it.
var Descriptor = &scanner.Descriptor{
	Name:    Name,
	Doc:     "Python source: bandit's checks, run as an external program when installed.",
	Kind:    finding.KindCode,
	Options: &Config{MinConfidence: "low"},
	Rules:   slices.Sorted(maps.Keys(checkNames)),
	Program: "program",
	New: func(o any) scanner.Scanner {
		c := o.(*Config)
		return New(Options{Program: c.Program, Skips: c.Skips, MinConfidence: c.MinConfidence})
	},
}

// Config is scanners.bandit in .scangate.yml.
type Config struct {
	Skips         []string `yaml:"skips" pattern:"^B[0-9]{3}$" rules:"" doc:"bandit test IDs not to run."`
	MinConfidence string   `yaml:"min-confidence" enum:"low,medium,high" doc:"Drop findings below this confidence."`
	// Program is the bandit executable; "" means bandit on PATH, skipped
	// when absent (a named program must exist).
	Program string `yaml:"program" trust:"name a program" doc:"The bandit executable (name on PATH or path)."`
}
