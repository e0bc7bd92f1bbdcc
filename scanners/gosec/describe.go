package gosec

import (
	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
)

// Name is the scanner's name in results, --scanners and the configuration.
const Name = "gosec"

// Descriptor is the adapter as the registry lists it.
var Descriptor = &scanner.Descriptor{
	Name:    Name,
	Doc:     "Go source: gosec's rules and analyzers, embedded.",
	Kind:    finding.KindCode,
	Module:  "github.com/securego/gosec/v2",
	Options: &Config{MinConfidence: "low", Config: DefaultSettings},
	Rules:   RuleIDs(),
	New:     func(o any) scanner.Scanner { return New(o.(*Config).Options()) },
}

// Config is scanners.gosec in .scangate.yml.
type Config struct {
	Include       []string `yaml:"include" pattern:"^G[0-9]{3}$" rules:"" doc:"Run only these rules."`
	Exclude       []string `yaml:"exclude" pattern:"^G[0-9]{3}$" rules:"" doc:"Do not run these rules."`
	MinConfidence string   `yaml:"min-confidence" enum:"low,medium,high" doc:"Drop findings below this confidence."`
	// Config is gosec's own configuration, spelled as golangci-lint's
	// linters-settings.gosec.config (and gosec's -conf file) spell it, so
	// that a golangci-lint block can be copied as is.
	Config Settings `yaml:"config" doc:"gosec's own configuration, as golangci-lint's linters-settings.gosec.config spells it. Defaults are gosec v2.30.0's."`
}

// Options are the adapter's options as the configuration sets them.
func (c *Config) Options() Options {
	g := c.Config.Global
	conf := finding.Info // "" keeps everything
	if c.MinConfidence != "" {
		conf, _ = finding.ParseSeverity(c.MinConfidence) // validated by the loader
	}
	return Options{Include: c.Include, Exclude: c.Exclude, MinConfidence: conf,
		IgnoreNoSec: g.Nosec, NoSecTag: g.NosecTag, Audit: g.Audit, NoSecRequireRules: g.NosecRequireRules,
		NoSecRequireJustification: g.NosecRequireJustification, RuleConfig: c.Config.RuleConfig()}
}

// Settings holds gosec's global options and the settings of the rules that
// read any (gosec v2.30.0). Values gosec reads as strings (modes,
// thresholds) are kept as written: "0600" is octal, as gosec parses it.
type Settings struct {
	Global Global `yaml:"global"`
	G101   G101   `yaml:"G101" doc:"Hard-coded credentials."`
	// G104 adds functions whose unchecked error is not reported, by package
	// name or type as called ("fmt", "bytes.Buffer").
	G104 map[string][]string `yaml:"G104" keys:"^\\*?[A-Za-z_][A-Za-z0-9_./-]*$" pattern:"^[A-Za-z_][A-Za-z0-9_]*$" doc:"More functions whose unchecked error is not reported, by package name or type as called."`
	G111 G111                `yaml:"G111" doc:"Directory traversal through http.Dir."`
	G117 G117                `yaml:"G117" doc:"Secrets serialized by JSON/YAML/XML/TOML."`
	// The widest permission modes allowed.
	G301 string `yaml:"G301" scalar:"" pattern:"^0o?[0-7]{1,4}$" doc:"Widest mode for os.Mkdir and os.MkdirAll (default 0750)."`
	G302 string `yaml:"G302" scalar:"" pattern:"^0o?[0-7]{1,4}$" doc:"Widest mode for os.OpenFile and os.Chmod (default 0600)."`
	G306 string `yaml:"G306" scalar:"" pattern:"^0o?[0-7]{1,4}$" doc:"Widest mode for os.WriteFile (default 0600)."`
	G307 string `yaml:"G307" scalar:"" pattern:"^0o?[0-7]{1,4}$" doc:"Widest mode os.Create's 0666 is held to (default 0666: not reported)."`
}

// Global are gosec's global options. An in-tree file may set them: like
// exclude or fail-on they are the repository's policy (see
// docs/security.md); none runs or reads anything.
type Global struct {
	Nosec    bool   `yaml:"nosec" doc:"Ignore #nosec, //gosec:disable and //nolint:gosec: every finding counts."`
	NosecTag string `yaml:"#nosec" pattern:"^#?[A-Za-z][A-Za-z0-9_-]{0,63}$" doc:"A tag that works as #nosec does, besides it (\"#falsepositive\")."`
	// ShowIgnored changes nothing: scangate always reports a suppressed
	// finding, marked suppressed, and never fails on it.
	ShowIgnored               bool `yaml:"show-ignored" doc:"Accepted for golangci-lint's sake; scangate always reports suppressed findings, marked suppressed, and never fails on them."`
	Audit                     bool "yaml:\"audit\" doc:\"gosec's audit mode: more checks (G104 reports `_ = f()` too).\""
	NosecRequireRules         bool `yaml:"nosec-require-rules" doc:"A #nosec or //gosec:disable naming no rule suppresses nothing and is reported."`
	NosecRequireJustification bool `yaml:"nosec-require-justification" doc:"A #nosec or //gosec:disable without a reason after \"--\" suppresses nothing and is reported."`
}

// G101 configures G101 (hard-coded credentials).
type G101 struct {
	Pattern          string `yaml:"pattern" regexp:"" doc:"Names of variables and constants to check (Go regular expression)."`
	IgnoreEntropy    bool   `yaml:"ignore_entropy" doc:"Report every match, whatever the value's entropy."`
	EntropyThreshold string `yaml:"entropy_threshold" scalar:"" pattern:"^[0-9]{1,6}(\\.[0-9]{1,6})?$" doc:"Values with at least this entropy are reported."`
	PerCharThreshold string `yaml:"per_char_threshold" scalar:"" pattern:"^[0-9]{1,6}(\\.[0-9]{1,6})?$" doc:"Or with at least this entropy per character."`
	Truncate         string `yaml:"truncate" scalar:"" pattern:"^[0-9]{1,6}$" doc:"Entropy of the first N characters."`
	MinEntropyLength string `yaml:"min_entropy_length" scalar:"" pattern:"^[0-9]{1,6}$" doc:"Shorter values are not checked for entropy."`
}

// G111 configures G111 (directory traversal through http.Dir).
type G111 struct {
	Pattern string `yaml:"pattern" regexp:"" doc:"The call text to report (Go regular expression)."`
}

// G117 configures G117 (secrets serialized).
type G117 struct {
	Pattern string `yaml:"pattern" regexp:"" doc:"Field or key names that hold a secret (Go regular expression)."`
}

// DefaultSettings are gosec v2.30.0's own defaults, so that `config print`
// shows what runs; a test holds them equal to the library's.
var DefaultSettings = Settings{
	G101: G101{
		Pattern:          `(?i)passwd|pass|password|pwd|secret|token|pw|apiKey|bearer|cred`,
		EntropyThreshold: "80.0",
		PerCharThreshold: "3.0",
		Truncate:         "16",
		MinEntropyLength: "8",
	},
	G111: G111{Pattern: `http\.Dir\("\/"\)|http\.Dir\('\/'\)`},
	G117: G117{Pattern: `(?i)\b((?:api|access|auth|bearer|client|oauth|private|refresh|session|jwt)[_-]?(?:key|secret|token)s?|password|passwd|pwd|pass|secret|cred|jwt)\b`},
	G301: "0750",
	G302: "0600",
	G306: "0600",
	G307: "0666",
}

// RuleConfig is the per-rule part of c as gosec.Config holds it: what
// gosec's rules read, with the types they assert.
func (c Settings) RuleConfig() map[string]any {
	g := c.G101
	out := map[string]any{
		"G101": map[string]any{"pattern": g.Pattern, "ignore_entropy": g.IgnoreEntropy, "entropy_threshold": g.EntropyThreshold,
			"per_char_threshold": g.PerCharThreshold, "truncate": g.Truncate, "min_entropy_length": g.MinEntropyLength},
		"G111": map[string]any{"pattern": c.G111.Pattern},
		"G117": map[string]any{"pattern": c.G117.Pattern},
		"G301": c.G301, "G302": c.G302, "G306": c.G306, "G307": c.G307,
	}
	if len(c.G104) > 0 {
		funcs := map[string]any{}
		for pkg, fs := range c.G104 {
			list := make([]any, len(fs))
			for i, f := range fs {
				list[i] = f
			}
			funcs[pkg] = list
		}
		out["G104"] = funcs
	}
	return out
}
