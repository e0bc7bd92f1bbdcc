package govulncheck

import (
	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
)

// Descriptor is the adapter as the registry lists it.
var Descriptor = &scanner.Descriptor{
	Name:    Name,
	Doc:     "Go modules' known vulnerabilities, with whether the code calls them: golang.org/x/vuln, embedded.",
	Kind:    finding.KindDependencies,
	Module:  "golang.org/x/vuln",
	Options: &Config{ScanLevel: "symbol"},
	New: func(o any) scanner.Scanner {
		return New(Options{ScanLevel: o.(*Config).ScanLevel, Executable: Executable})
	},
}

// Config is scanners.govulncheck in .scangate.yml. Tags and Test follow
// the scan-wide tags and tests unless set.
type Config struct {
	Tags      []string `yaml:"tags" follows:"tags" doc:"Go build tags for govulncheck (default: the scan-wide tags)."`
	Test      bool     `yaml:"test" follows:"tests" doc:"Analyze test files (default: the scan-wide tests)."`
	ScanLevel string   `yaml:"scan-level" enum:"symbol,package,module" doc:"symbol (call graph), package (imports) or module (requirements)."`
}

// Executable is the program configured scans run govulncheck in; "" lets
// the adapter choose (Options.Executable). Tests set it to a companion
// built once, so that in-process scans do not run govulncheck in the
// race-instrumented test binary.
var Executable string
