// Package config reads .scangate.yml: which scanners run and with what
// options, the gate, baseline and suppression settings, and the outputs.
// Every problem in the file is reported with file:line:column and, where the
// value comes from a fixed set, the allowed values. Each effective value
// remembers where it came from (default, file position or flag) so that
// `scangate config print` can show it.
package config

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"
)

// FileName is the configuration file looked for at the scanned root.
const FileName = ".scangate.yml"

// IgnoreFileName and BaselineFileName are the default suppression and
// baseline files at the scanned root.
const (
	IgnoreFileName   = ".scangate-ignore.yml"
	BaselineFileName = ".scangate-baseline.json"
)

// Struct tags drive the loader, the printer and the schema test:
//
//	yaml:"key"        the key in the file (",inline" merges an embedded struct)
//	enum:"a,b"        the only allowed values (for lists and maps: of each element)
//	pattern:"re"      a regular expression each value must match
//	range:"0,4"       bounds of an integer
//	path:""           a file path: relative values in the file are taken from the scanned root
//	                  (a file inside the scanned tree may only name paths inside it)
//	trust:"why"       a file inside the scanned tree may not set the key at all; why says
//	                  what the key would let the repository do
//	keys:"re"         a map's keys must match re (else they are rule or advisory IDs)
//	scalar:""         a string that may be written as a YAML number too ("0600", 0600, 80.0)
//	regexp:""         a Go regular expression (RE2), compiled at load time

// Config is the effective configuration of a scan.
type Config struct {
	Version         int           `yaml:"version" enum:"1"`
	FailOn          string        `yaml:"fail-on" enum:"critical,high,medium,low,none"`
	AllowIncomplete bool          `yaml:"allow-incomplete"`
	FailOnCalled    bool          `yaml:"fail-on-called"` // a called vulnerability fails whatever its severity
	IgnoreUnfixed   bool          `yaml:"ignore-unfixed"` // vulnerabilities without a fix do not fail
	Timeout         time.Duration `yaml:"timeout"`
	Tests           bool          `yaml:"tests"`
	Tags            []string      `yaml:"tags"`
	// Cgo lets the go command run cgo (and the C compiler) on the scanned tree.
	Cgo          bool              `yaml:"cgo" trust:"turn cgo on (the C compiler would read any file of this machine that the repository's #include lines name, and show it in the reports)"`
	Exclude      []string          `yaml:"exclude" glob:""`
	Severity     map[string]string `yaml:"severity" enum:"critical,high,medium,low,info"`
	Reachability Reachability      `yaml:"reachability"`
	Baseline     string            `yaml:"baseline" path:""`
	Suppressions Suppressions      `yaml:"suppressions"`
	DB           DB                `yaml:"db"`
	Outputs      Outputs           `yaml:"outputs"`
	Scanners     Scanners          `yaml:"scanners"`

	// File is the configuration file that was read, "" when none was.
	File string `yaml:"-"`
	// InTree says File lies inside the scanned tree: written by whoever
	// wrote the tree, so it may not name programs, secrets or paths
	// outside the tree.
	InTree  bool `yaml:"-"`
	sources map[string]Source
}

// Reachability is the severity step-down for vulnerabilities whose code is
// not called: how many steps an imported-only or a required-only
// vulnerability loses. In the file it is either a mapping or "off".
type Reachability struct {
	Off      bool `yaml:"-"`
	Imported int  `yaml:"imported" range:"0,4"`
	Required int  `yaml:"required" range:"0,4"`
}

// Suppressions configures the ignore file.
type Suppressions struct {
	File          string `yaml:"file" path:""`
	RequireExpiry bool   `yaml:"require-expiry"`
}

// DB configures the local vulnerability database.
type DB struct {
	Offline bool          `yaml:"offline"`
	Dir     string        `yaml:"dir" path:"" trust:"choose the vulnerability database (one from the tree could leave out any advisory)"`
	MaxAge  time.Duration `yaml:"max-age"`
}

// Outputs names the report files ("-" is stdout, "" is none).
type Outputs struct {
	SARIF    string `yaml:"sarif" path:""`
	JSON     string `yaml:"json" path:""`
	Markdown string `yaml:"markdown" path:""`
	Category string `yaml:"category"`
	// GitLab's report artifacts and JUnit, as the flags of the same names.
	GitLabSAST            string `yaml:"gitlab-sast" path:""`
	GitLabDependencies    string `yaml:"gitlab-dependency-scanning" path:""`
	GitLabSecretDetection string `yaml:"gitlab-secret-detection" path:""`
	JUnit                 string `yaml:"junit" path:""`
	CycloneDX             string `yaml:"cyclonedx" path:""` // an SBOM, as --cyclonedx
}

// File is the file of the output keyed name under outputs: (as
// report.Outputs names it), nil for a key that names no file: the CLI
// reaches every output through its name, not a field of its own.
func (o *Outputs) File(name string) *string {
	v := reflect.ValueOf(o).Elem()
	for _, f := range fieldsOf(v.Type()) {
		if f.key == name && f.path {
			return v.FieldByIndex(f.index).Addr().Interface().(*string)
		}
	}
	return nil
}

// Scanners holds each scanner's settings; the keys are the scanner names.
type Scanners struct {
	Gosec       Gosec       `yaml:"gosec"`
	Govulncheck Govulncheck `yaml:"govulncheck"`
	OSV         OSV         `yaml:"osv-scanner"`
	Bandit      Bandit      `yaml:"bandit"`
	Safety      Safety      `yaml:"safety"`
	Secrets     Secrets     `yaml:"secrets"`
}

// Common are the settings every scanner has.
type Common struct {
	// Enabled is nil when nothing said otherwise; Default sets it to true.
	Enabled *bool `yaml:"enabled"`
	// Required makes a skipped or failed run an incomplete scan.
	Required bool `yaml:"required"`
	// Timeout overrides the scan-wide timeout; 0 means the scan-wide one.
	Timeout time.Duration `yaml:"timeout"`
	// FailOn overrides the scan-wide threshold for this scanner's findings; "" means the scan-wide one.
	FailOn string `yaml:"fail-on" enum:"critical,high,medium,low,none"`
}

// IsEnabled reports whether the scanner runs (nil counts as enabled).
func (c Common) IsEnabled() bool { return c.Enabled == nil || *c.Enabled }

// Gosec options for the gosec adapter.
type Gosec struct {
	Common        `yaml:",inline"`
	Include       []string `yaml:"include" pattern:"^G[0-9]{3}$" rules:"gosec"`
	Exclude       []string `yaml:"exclude" pattern:"^G[0-9]{3}$" rules:"gosec"`
	MinConfidence string   `yaml:"min-confidence" enum:"low,medium,high"`
	// Config is gosec's own configuration, spelled as golangci-lint's
	// linters-settings.gosec.config (and gosec's -conf file) spell it, so
	// that a golangci-lint block can be copied as is.
	Config GosecConfig `yaml:"config"`
}

// GosecConfig holds gosec's global options and the settings of the rules
// that read any (gosec v2.30.0). Values gosec reads as strings (modes,
// thresholds) are kept as written: "0600" is octal, as gosec parses it.
type GosecConfig struct {
	Global GosecGlobal `yaml:"global"`
	G101   GosecG101   `yaml:"G101"`
	// G104 adds functions whose unchecked error is not reported, by
	// package name or type as called ("fmt", "bytes.Buffer").
	G104 map[string][]string `yaml:"G104" keys:"^\\*?[A-Za-z_][A-Za-z0-9_./-]*$" pattern:"^[A-Za-z_][A-Za-z0-9_]*$"`
	G111 GosecPattern        `yaml:"G111"`
	G117 GosecPattern        `yaml:"G117"`
	// The widest permission modes allowed: os.Mkdir(All), os.OpenFile and
	// os.Chmod, os.WriteFile, and what os.Create's 0666 is held to.
	G301 string `yaml:"G301" scalar:"" pattern:"^0o?[0-7]{1,4}$"`
	G302 string `yaml:"G302" scalar:"" pattern:"^0o?[0-7]{1,4}$"`
	G306 string `yaml:"G306" scalar:"" pattern:"^0o?[0-7]{1,4}$"`
	G307 string `yaml:"G307" scalar:"" pattern:"^0o?[0-7]{1,4}$"`
}

// GosecGlobal are gosec's global options. An in-tree file may set them:
// like exclude or fail-on they are the repository's policy (see
// docs/security.md); none runs or reads anything.
type GosecGlobal struct {
	// Nosec true ignores #nosec, //gosec:disable and //nolint:gosec.
	Nosec bool `yaml:"nosec"`
	// NosecTag is a tag that works as #nosec does, besides it.
	NosecTag string `yaml:"#nosec" pattern:"^#?[A-Za-z][A-Za-z0-9_-]{0,63}$"`
	// ShowIgnored changes nothing: scangate always reports a suppressed
	// finding, marked suppressed, and never fails on it.
	ShowIgnored bool `yaml:"show-ignored"`
	// Audit turns on gosec's audit checks (G104 then reports `_ = f()`).
	Audit bool `yaml:"audit"`
	// A #nosec or //gosec:disable without a rule ID, or without a reason
	// after "--", suppresses nothing and is reported.
	NosecRequireRules         bool `yaml:"nosec-require-rules"`
	NosecRequireJustification bool `yaml:"nosec-require-justification"`
}

// GosecG101 configures G101 (hard-coded credentials).
type GosecG101 struct {
	Pattern          string `yaml:"pattern" regexp:""`
	IgnoreEntropy    bool   `yaml:"ignore_entropy"`
	EntropyThreshold string `yaml:"entropy_threshold" scalar:"" pattern:"^[0-9]{1,6}(\\.[0-9]{1,6})?$"`
	PerCharThreshold string `yaml:"per_char_threshold" scalar:"" pattern:"^[0-9]{1,6}(\\.[0-9]{1,6})?$"`
	Truncate         string `yaml:"truncate" scalar:"" pattern:"^[0-9]{1,6}$"`
	MinEntropyLength string `yaml:"min_entropy_length" scalar:"" pattern:"^[0-9]{1,6}$"`
}

// GosecPattern configures a rule that matches a regular expression (G111:
// the http.Dir call text; G117: the field or key name of a secret).
type GosecPattern struct {
	Pattern string `yaml:"pattern" regexp:""`
}

// Gosec v2.30.0's own defaults, so that `config print` shows what runs;
// scanners/gosec's tests hold them equal to the library's.
var DefaultGosecConfig = GosecConfig{
	G101: GosecG101{
		Pattern:          `(?i)passwd|pass|password|pwd|secret|token|pw|apiKey|bearer|cred`,
		EntropyThreshold: "80.0",
		PerCharThreshold: "3.0",
		Truncate:         "16",
		MinEntropyLength: "8",
	},
	G111: GosecPattern{Pattern: `http\.Dir\("\/"\)|http\.Dir\('\/'\)`},
	G117: GosecPattern{Pattern: `(?i)\b((?:api|access|auth|bearer|client|oauth|private|refresh|session|jwt)[_-]?(?:key|secret|token)s?|password|passwd|pwd|pass|secret|cred|jwt)\b`},
	G301: "0750",
	G302: "0600",
	G306: "0600",
	G307: "0666",
}

// RuleConfig is the per-rule part of c as gosec.Config holds it: what
// gosec's rules read, with the types they assert.
func (c GosecConfig) RuleConfig() map[string]any {
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

// Govulncheck options for the govulncheck adapter. Tags and Test default to
// the scan-wide tags and tests.
type Govulncheck struct {
	Common    `yaml:",inline"`
	Tags      []string `yaml:"tags"`
	Test      bool     `yaml:"test"`
	ScanLevel string   `yaml:"scan-level" enum:"symbol,package,module"`
}

// OSV options for the osv-scanner adapter.
type OSV struct {
	Common `yaml:",inline"`
	// SkipLockfiles are path globs (relative to the root, as Exclude) of lockfiles and manifests not to scan.
	SkipLockfiles []string `yaml:"skip-lockfiles" glob:""`
}

// Bandit options for the bandit adapter.
type Bandit struct {
	Common        `yaml:",inline"`
	Skips         []string `yaml:"skips" pattern:"^B[0-9]{3}$" rules:"bandit"`
	MinConfidence string   `yaml:"min-confidence" enum:"low,medium,high"`
	// Program is the bandit executable; "" means bandit on PATH, skipped when absent.
	Program string `yaml:"program" trust:"name a program"`
}

// Safety options for the safety adapter.
type Safety struct {
	Common `yaml:",inline"`
	// Program is the safety executable; "" means safety on PATH, skipped when absent.
	Program string `yaml:"program" trust:"name a program"`
	DB      string `yaml:"db" path:"" trust:"choose the vulnerability database (one from the tree could leave out any advisory)"`
	// KeyEnv names the environment variable holding the API key; the key
	// itself never appears in a file. Its value is sent to safety's server.
	KeyEnv string `yaml:"key-env" pattern:"^[A-Za-z_][A-Za-z0-9_]*$" trust:"choose the environment variable sent to safety's server as its API key"`
}

// Secrets options for the secrets adapter.
type Secrets struct {
	Common `yaml:",inline"`
	// Validate asks each provider whether a found secret is live
	// (--validate-secrets); refused offline.
	Validate bool `yaml:"validate" trust:"send the secrets found to their providers"`
}

// Defaults the rest of scangate shares: a scanner's time limit, and the
// reachability rule (an imported-only vulnerability loses one severity
// step, a required-only one two).
const DefaultTimeout = 10 * time.Minute

var DefaultReachability = Reachability{Imported: 1, Required: 2}

// Default is the configuration without a file or flags. root is the scanned
// root as the user named it; default file paths are joined to it.
func Default(root string) *Config {
	c := &Config{
		Version:      1,
		FailOn:       "high",
		FailOnCalled: true,
		Timeout:      DefaultTimeout,
		Reachability: DefaultReachability,
		Suppressions: Suppressions{File: filepath.Join(root, IgnoreFileName)},
		DB:           DB{MaxAge: 7 * 24 * time.Hour},
		Outputs:      Outputs{Category: "scangate/"},
		Scanners: Scanners{
			Gosec:       Gosec{MinConfidence: "low", Config: DefaultGosecConfig},
			Govulncheck: Govulncheck{ScanLevel: "symbol"},
			// Program stays "" so that the adapter looks for the tool on PATH
			// and skips when it is absent; a named program must exist.
			Bandit: Bandit{MinConfidence: "low"},
			Safety: Safety{KeyEnv: "SAFETY_API_KEY"},
		},
		sources: map[string]Source{},
	}
	for _, n := range ScannerNames() {
		t := true
		c.Scanner(n).Enabled = &t
	}
	return c
}

// ScannerNames are the keys of the scanners section, in declaration order.
func ScannerNames() []string {
	var out []string
	for _, f := range fieldsOf(reflect.TypeFor[Scanners]()) {
		out = append(out, f.key)
	}
	return out
}

// Scanner returns the common settings of the named scanner, or nil: the
// field of Scanners whose key is name (the struct is config's one list).
func (c *Config) Scanner(name string) *Common {
	v := reflect.ValueOf(&c.Scanners).Elem()
	for i := range v.NumField() {
		if v.Type().Field(i).Tag.Get("yaml") == name {
			return v.Field(i).FieldByName("Common").Addr().Interface().(*Common)
		}
	}
	return nil
}

// Enabled lists the scanners that run, in declaration order.
func (c *Config) Enabled() []string {
	var out []string
	for _, n := range ScannerNames() {
		if c.Scanner(n).IsEnabled() {
			out = append(out, n)
		}
	}
	return out
}

// Source says where an effective value came from.
type Source struct {
	File      string // the config file, when the value is from it
	Line, Col int
	Flag      string // "--fail-on", when the value is from a flag
}

// FlagSource is the source of a value set by a command-line flag.
func FlagSource(flag string) Source { return Source{Flag: flag} }

func (s Source) String() string {
	switch {
	case s.Flag != "":
		return "flag " + s.Flag
	case s.File != "":
		return fmt.Sprintf("%s:%d:%d", s.File, s.Line, s.Col)
	}
	return "default"
}

// IsDefault reports whether neither the file nor a flag set the value.
func (s Source) IsDefault() bool { return s.File == "" && s.Flag == "" }

// Source returns where the value of key (dotted, as in Keys) came from.
// For a map entry pass "severity.G104"; for the whole map, "severity".
func (c *Config) Source(key string) Source { return c.sources[key] }

// SetSource records where key's value came from; the CLI calls it for flags.
func (c *Config) SetSource(key string, s Source) {
	if c.sources == nil {
		c.sources = map[string]Source{}
	}
	c.sources[key] = s
}

// Resolve fills the values that default to another one (govulncheck's tags
// and test flag follow the scan-wide ones) and checks what involves several
// keys. Call it after flags are applied.
func (c *Config) Resolve() error {
	g := &c.Scanners.Govulncheck
	if c.Source("scanners.govulncheck.tags").IsDefault() {
		g.Tags = slices.Clone(c.Tags)
		c.SetSource("scanners.govulncheck.tags", c.Source("tags"))
	}
	if c.Source("scanners.govulncheck.test").IsDefault() {
		g.Test = c.Tests
		c.SetSource("scanners.govulncheck.test", c.Source("tests"))
	}
	var probs []Problem
	for _, n := range ScannerNames() {
		s := c.Scanner(n)
		if s.Required && !s.IsEnabled() {
			key := "scanners." + n + ".required"
			src := c.Source(key)
			probs = append(probs, Problem{File: src.File, Line: src.Line, Col: src.Col,
				Msg: fmt.Sprintf("%s: scanner %s is required but not enabled (%s)", key, n, describe(c.Source("scanners."+n+".enabled")))})
		}
	}
	if len(c.Enabled()) == 0 {
		probs = append(probs, Problem{Msg: "no scanner is enabled"})
	}
	if len(probs) > 0 {
		return &Error{Problems: probs}
	}
	return nil
}

func describe(s Source) string {
	if s.IsDefault() {
		return "default"
	}
	return "set by " + s.String()
}

// Problem is one error in a configuration, ignore or baseline file.
type Problem struct {
	File      string
	Line, Col int
	Msg       string
}

func (p Problem) String() string {
	switch {
	case p.File == "":
		return p.Msg
	case p.Line == 0:
		return p.File + ": " + p.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
}

// Error lists every problem found in a file, in file order.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}
