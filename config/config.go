// Package config reads .scangate.yml: which scanners run and with what
// options, the gate, baseline and suppression settings, and the outputs.
// The scanners section derives from the registry: each scanner's keys,
// defaults and checks are its Descriptor.Options' struct tags, and the
// JSON Schema's scanners section is generated from them (go generate).
// Every problem in the file is reported with file:line:column and, where the
// value comes from a fixed set, the allowed values. Each effective value
// remembers where it came from (default, file position or flag) so that
// `scangate config print` can show it.
package config

import (
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanners/registry"
)

// FileName is the configuration file looked for at the scanned root.
const FileName = ".scangate.yml"

// IgnoreFileName and BaselineFileName are the default suppression and
// baseline files at the scanned root.
const (
	IgnoreFileName   = ".scangate-ignore.yml"
	BaselineFileName = ".scangate-baseline.json"
)

// Struct tags drive the loader, the printer and the schema:
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
//	rules:""          a scanner's rule ID, from its Descriptor.Rules (on a scanner's own keys)
//	follows:"key"     a scanner option that takes the scan-wide key's value unless set
//	doc:"text"        the key's description in the schema
//	ref:"name"        the schema definition that describes the key

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
	Scanners     Scanners          `yaml:"scanners" doc:"Per-scanner settings. Every scanner is enabled unless it says enabled: false."`

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

// Scanners holds each scanner's settings in registry order: the keys of
// the scanners section are the names of registry.All.
type Scanners []*Section

// Section is one scanner's settings: those every scanner has, and its
// adapter's own (Descriptor.Options, whose yaml-tagged fields are the
// section's other keys).
type Section struct {
	Common
	// Options is this configuration's copy of Descriptor.Options.
	Options    any
	Descriptor *scanner.Descriptor
}

// Name is the scanner's name, the section's key.
func (s *Section) Name() string { return s.Descriptor.Name }

// Common are the settings every scanner has.
type Common struct {
	// Enabled is nil when nothing said otherwise; Default sets it to true.
	Enabled *bool `yaml:"enabled" ref:"enabled"`
	// Required makes a skipped or failed run an incomplete scan.
	Required bool `yaml:"required" ref:"required"`
	// Timeout overrides the scan-wide timeout; 0 means the scan-wide one.
	Timeout time.Duration `yaml:"timeout" ref:"scannerTimeout"`
	// FailOn overrides the scan-wide threshold for this scanner's findings; "" means the scan-wide one.
	FailOn string `yaml:"fail-on" enum:"critical,high,medium,low,none" ref:"scannerFailOn"`
}

// IsEnabled reports whether the scanner runs (nil counts as enabled).
func (c Common) IsEnabled() bool { return c.Enabled == nil || *c.Enabled }

// newSection is d's section with its defaults: enabled, and a copy of its
// options. The copy is shallow: the loader replaces lists and maps whole.
func newSection(d *scanner.Descriptor) *Section {
	on := true
	opts := reflect.New(reflect.TypeOf(d.Options).Elem())
	opts.Elem().Set(reflect.ValueOf(d.Options).Elem())
	return &Section{Common: Common{Enabled: &on}, Options: opts.Interface(), Descriptor: d}
}

func (s *Section) clone() *Section {
	cp := newSection(s.Descriptor)
	cp.Common = s.Common
	reflect.ValueOf(cp.Options).Elem().Set(reflect.ValueOf(s.Options).Elem())
	return cp
}

// Options is the options of the scanner whose Descriptor.Options is a *T
// (gosec.Config, ...), as c sets them; nil when no scanner has them.
func Options[T any](c *Config) *T {
	for _, s := range c.Scanners {
		if o, ok := s.Options.(*T); ok {
			return o
		}
	}
	return nil
}

// Defaults the rest of scangate shares: a scanner's time limit, and the
// reachability rule (an imported-only vulnerability loses one severity
// step, a required-only one two).
const DefaultTimeout = scanner.DefaultTimeout

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
		sources:      map[string]Source{},
	}
	for _, d := range registry.All {
		c.Scanners = append(c.Scanners, newSection(d))
	}
	return c
}

// Clone is a copy of c that shares nothing with it.
func (c *Config) Clone() *Config {
	cp := *c
	cp.Scanners = make(Scanners, len(c.Scanners))
	for i, s := range c.Scanners {
		cp.Scanners[i] = s.clone()
	}
	cp.Tags, cp.Exclude, cp.Severity = slices.Clone(c.Tags), slices.Clone(c.Exclude), maps.Clone(c.Severity)
	cp.sources = maps.Clone(c.sources)
	return &cp
}

// Build builds the named scanners (every one when names is empty) with
// their options, in registry order.
func (c *Config) Build(names []string) []scanner.Scanner {
	var out []scanner.Scanner
	for _, s := range c.Scanners {
		if len(names) == 0 || slices.Contains(names, s.Name()) {
			out = append(out, s.Descriptor.New(s.Options))
		}
	}
	return out
}

// Scanner returns the common settings of the named scanner, or nil.
func (c *Config) Scanner(name string) *Common {
	if s := c.section(name); s != nil {
		return &s.Common
	}
	return nil
}

func (c *Config) section(name string) *Section {
	for _, s := range c.Scanners {
		if s.Name() == name {
			return s
		}
	}
	return nil
}

// Enabled lists the scanners that run, in registry order.
func (c *Config) Enabled() []string {
	var out []string
	for _, s := range c.Scanners {
		if s.IsEnabled() {
			out = append(out, s.Name())
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

// SetSource records where key's value came from; the CLI calls it for
// flags. A flag sets the keys that follow key too (Resolve copies it).
func (c *Config) SetSource(key string, s Source) {
	if c.sources == nil {
		c.sources = map[string]Source{}
	}
	c.sources[key] = s
	if s.Flag != "" {
		for _, fl := range c.followers() {
			if fl.leader == key {
				delete(c.sources, fl.key)
			}
		}
	}
}

// Resolve fills the values that default to another one (an option tagged
// follows:"tags" takes the scan-wide tags unless set) and checks what
// involves several keys. Call it after flags are applied.
func (c *Config) Resolve() error {
	top := reflect.ValueOf(c).Elem()
	for _, fl := range c.followers() {
		if !c.Source(fl.key).IsDefault() {
			continue
		}
		i := slices.IndexFunc(fieldsOf(top.Type()), func(f field) bool { return f.key == fl.leader })
		v := top.FieldByIndex(fieldsOf(top.Type())[i].index)
		if v.Kind() == reflect.Slice && !v.IsNil() {
			cp := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			reflect.Copy(cp, v)
			v = cp
		}
		fl.value.Set(v)
		c.SetSource(fl.key, c.Source(fl.leader))
	}
	var probs []Problem
	for _, s := range c.Scanners {
		if s.Required && !s.IsEnabled() {
			n := s.Name()
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

// follower is a scanner option that takes a scan-wide key's value unless set.
type follower struct {
	key, leader string
	value       reflect.Value
}

func (c *Config) followers() []follower {
	var out []follower
	for _, s := range c.Scanners {
		for _, f := range sectionFields(s.Descriptor) {
			if f.follows != "" {
				out = append(out, follower{"scanners." + s.Name() + "." + f.key, f.follows, s.field(f)})
			}
		}
	}
	return out
}

// Programs are the external programs the configuration names, as
// scanners.NAME.KEY settings (Descriptor.Program); one left empty (the
// adapter looks for its tool on PATH) is not listed.
func (c *Config) Programs() []Setting {
	var out []Setting
	for _, s := range c.Scanners {
		for _, f := range sectionFields(s.Descriptor) {
			if f.key == s.Descriptor.Program && f.index[0] == 1 {
				if p := s.field(f).String(); p != "" {
					out = append(out, Setting{"scanners." + s.Name() + "." + f.key, p})
				}
			}
		}
	}
	return out
}

// SetJobLocal sets the scanner settings that belong to the job running
// the scan rather than to the repository's policy, to src's (the zero value
// for a scanner src lacks): the time limits, the programs and the options
// tagged path (files of this machine).
func (c *Config) SetJobLocal(src *Config) {
	for _, s := range c.Scanners {
		from := newSection(s.Descriptor)
		reflect.ValueOf(from.Options).Elem().SetZero()
		from.Common = Common{}
		if o := src.section(s.Name()); o != nil {
			from = o
		}
		s.Timeout = from.Timeout
		for _, f := range sectionFields(s.Descriptor) {
			if f.index[0] == 1 && (f.path || f.key == s.Descriptor.Program) {
				s.field(f).Set(from.field(f))
			}
		}
	}
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
