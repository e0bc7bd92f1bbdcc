// Package registry is the one list of the scanners this binary has: each
// one's name, how it is built from the configuration, and the library it
// embeds. Flag validation, the scanners' order in reports and correlation,
// and `scangate version` all read this list; config keys are checked
// against it. Adding a scanner is a new adapter folder and one entry here
// (plus its options in config.Scanners).
package registry

import (
	"os"
	"slices"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanners/bandit"
	"github.com/scangate/scangate/scanners/gosec"
	"github.com/scangate/scangate/scanners/govulncheck"
	"github.com/scangate/scangate/scanners/osv"
	"github.com/scangate/scangate/scanners/safety"
	"github.com/scangate/scangate/scanners/secrets"
)

// Def describes one scanner. When it applies is the Scanner's own Applies.
type Def struct {
	// Name is what --scanners and the configuration's scanner.NAME accept.
	Name string
	// Module is the Go module of the embedded library whose linked version
	// `scangate version` shows; "" for an external program.
	Module string
	// New builds the scanner with its options from the configuration.
	New func(c *config.Config) scanner.Scanner
	// Kind is what it analyzes: code or dependencies.
	Kind finding.Kind
}

// All is every scanner of the binary, in the order they run and report. The
// order also ranks evidence when two report the same vulnerability: the
// earlier keeps the merged finding (govulncheck knows whether the code is
// called, osv-scanner the manifest line, safety neither).
var All = []Def{
	{Name: "gosec", Kind: finding.KindCode, Module: "github.com/securego/gosec/v2", New: func(c *config.Config) scanner.Scanner {
		o := c.Scanners.Gosec
		g := o.Config.Global
		return gosec.New(gosec.Options{Include: o.Include, Exclude: o.Exclude, MinConfidence: severityOrInfo(o.MinConfidence),
			IgnoreNoSec: g.Nosec, NoSecTag: g.NosecTag, Audit: g.Audit, NoSecRequireRules: g.NosecRequireRules,
			NoSecRequireJustification: g.NosecRequireJustification, RuleConfig: o.Config.RuleConfig()})
	}},
	{Name: "govulncheck", Kind: finding.KindDependencies, Module: "golang.org/x/vuln", New: func(c *config.Config) scanner.Scanner {
		return govulncheck.New(govulncheck.Options{ScanLevel: c.Scanners.Govulncheck.ScanLevel, Executable: GovulncheckExecutable})
	}},
	{Name: "osv-scanner", Kind: finding.KindDependencies, Module: "github.com/google/osv-scalibr", New: func(c *config.Config) scanner.Scanner {
		return osv.New(osv.Options{SkipLockfiles: c.Scanners.OSV.SkipLockfiles, MaxDBAge: c.DB.MaxAge})
	}},
	{Name: "bandit", Kind: finding.KindCode, New: func(c *config.Config) scanner.Scanner {
		o := c.Scanners.Bandit
		return bandit.New(bandit.Options{Program: o.Program, Skips: o.Skips, MinConfidence: o.MinConfidence})
	}},
	{Name: "safety", Kind: finding.KindDependencies, New: func(c *config.Config) scanner.Scanner {
		o := c.Scanners.Safety
		return safety.New(safety.Options{Program: o.Program, DB: o.DB, Key: keyFromEnv(o.KeyEnv)})
	}},
	{Name: secrets.Name, Kind: finding.KindSecrets, Module: "github.com/google/osv-scalibr", New: func(c *config.Config) scanner.Scanner {
		return secrets.New(secrets.Options{Validate: c.Scanners.Secrets.Validate})
	}},
}

// GovulncheckExecutable is the program govulncheck runs in; "" lets the
// adapter choose (its companion beside scangate, else scangate itself).
// Tests set it to a companion built once, so that in-process scans do not
// run govulncheck in the race-instrumented test binary.
var GovulncheckExecutable string

// Names are the scanners' names in registry order.
func Names() []string {
	out := make([]string, len(All))
	for i, d := range All {
		out[i] = d.Name
	}
	return out
}

// KindOf is what the named scanner analyzes; KindUnknown for a name the
// registry does not hold.
func KindOf(name string) finding.Kind {
	for _, d := range All {
		if d.Name == name {
			return d.Kind
		}
	}
	return finding.KindUnknown
}

// Known reports whether name is a scanner of the binary.
func Known(name string) bool {
	return slices.ContainsFunc(All, func(d Def) bool { return d.Name == name })
}

// Build builds the named scanners (every one when names is empty) from the
// configuration, in registry order.
func Build(c *config.Config, names []string) []scanner.Scanner {
	var out []scanner.Scanner
	for _, d := range All {
		if len(names) == 0 || slices.Contains(names, d.Name) {
			out = append(out, d.New(c))
		}
	}
	return out
}

// Version is the version the scanner reports in its results (the linked
// library's, read by scanner.LinkedVersion), or what an external
// program's version depends on.
func (d Def) Version() string {
	if v, ok := d.New(config.Default(".")).(scanner.Versioner); ok {
		return v.Version()
	}
	return "external: run when installed"
}

// severityOrInfo reads a validated config value; "" keeps everything.
func severityOrInfo(s string) finding.Severity {
	if s == "" {
		return finding.Info
	}
	sev, _ := finding.ParseSeverity(s)
	return sev
}

// keyFromEnv reads a secret from the variable the config names, so that the
// key itself never sits in a file.
func keyFromEnv(name string) string {
	if name == "" {
		return ""
	}
	return os.Getenv(name)
}
