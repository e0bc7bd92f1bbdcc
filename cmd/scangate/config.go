package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/internal/intree"
	"github.com/scangate/scangate/internal/pathglob"
	"github.com/scangate/scangate/policy"
	"github.com/scangate/scangate/report"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanners/registry"
	"github.com/scangate/scangate/scanners/secrets"
)

// configOptions are the scanned path and the flags of every command that
// resolves the configuration (scan, merge, baseline create, config print
// and check), and what resolve makes of them.
type configOptions struct {
	path       string
	configFile string             // --config; "" looks for .scangate.yml at the root
	set        settingFlags       // the flags with a configuration key (flagKeys)
	outputs    map[string]*string // --sarif, --json, ...: one flag per report.Outputs
	// scanners is --scanners; after resolve, the enabled scanners when
	// not all are (empty: every scanner that applies).
	scanners []string
	// compare says the command compares with a base revision, whose
	// findings are the baseline: the default baseline file is not read.
	compare bool

	// Set by resolve.
	cfg        *config.Config // the effective configuration, with sources
	narrowed   bool           // --scanners picked some scanners for this run
	baseline   string         // the baseline file, "" for none
	ignoreFile string         // the ignore file
	base       *policy.Baseline
	ignore     *policy.Ignore

	// Set by validate (reporoot.go).
	scanRoot string // the scanned path relative to the repository root
	repoRoot string // the repository root, absolute
}

// settingFlags are the values of the flags that set a configuration key.
type settingFlags struct {
	failOn          string
	timeout         time.Duration
	allowIncomplete bool
	failOnCalled    bool
	ignoreUnfixed   bool
	tests           bool
	tags            []string
	exclude         []string
	cgo             bool // let the go command run cgo on the tree (trusted sources only)
	offline         bool
	db              string
	validateSecrets bool
	category        string
	baseline        string
	ignoreFile      string
}

// flagKey is a flag with a configuration key: the keys it sets and how; a
// flag the user gives overrides the file.
type flagKey struct {
	flag  string
	keys  []string
	apply func(o *configOptions, c *config.Config)
}

// flagKeys maps each flag that has a configuration key to the keys it sets;
// the outputs' come from report.Outputs.
var flagKeys = append([]flagKey{
	{"fail-on", []string{"fail-on"}, func(o *configOptions, c *config.Config) { c.FailOn = o.set.failOn }},
	{"timeout", []string{"timeout"}, func(o *configOptions, c *config.Config) { c.Timeout = o.set.timeout }},
	{"allow-incomplete", []string{"allow-incomplete"}, func(o *configOptions, c *config.Config) { c.AllowIncomplete = o.set.allowIncomplete }},
	{"fail-on-called", []string{"fail-on-called"}, func(o *configOptions, c *config.Config) { c.FailOnCalled = o.set.failOnCalled }},
	{"ignore-unfixed", []string{"ignore-unfixed"}, func(o *configOptions, c *config.Config) { c.IgnoreUnfixed = o.set.ignoreUnfixed }},
	{"tests", []string{"tests"}, func(o *configOptions, c *config.Config) { c.Tests = o.set.tests }}, // and the keys that follow it
	{"tags", []string{"tags"}, func(o *configOptions, c *config.Config) { c.Tags = o.set.tags }},
	{"exclude", []string{"exclude"}, func(o *configOptions, c *config.Config) { c.Exclude = o.set.exclude }},
	{"cgo", []string{"cgo"}, func(o *configOptions, c *config.Config) { c.Cgo = o.set.cgo }},
	{"offline", []string{"db.offline"}, func(o *configOptions, c *config.Config) { c.DB.Offline = o.set.offline }},
	{"db", []string{"db.dir"}, func(o *configOptions, c *config.Config) { c.DB.Dir = o.set.db }},
	{"validate-secrets", []string{"scanners.secrets.validate"}, func(o *configOptions, c *config.Config) {
		config.Options[secrets.Config](c).Validate = o.set.validateSecrets
	}},
	{"category", []string{"outputs.category"}, func(o *configOptions, c *config.Config) { c.Outputs.Category = o.set.category }},
	{"baseline", []string{"baseline"}, func(o *configOptions, c *config.Config) { c.Baseline = o.set.baseline }},
	{"ignore-file", []string{"suppressions.file"}, func(o *configOptions, c *config.Config) { c.Suppressions.File = o.set.ignoreFile }},
}, outputFlagKeys()...)

func outputFlagKeys() []flagKey {
	var out []flagKey
	for _, w := range report.Outputs {
		out = append(out, flagKey{w.Name, []string{"outputs." + w.Name}, func(o *configOptions, c *config.Config) {
			*c.Outputs.File(w.Name) = *o.outputs[w.Name]
		}})
	}
	return out
}

// files are the reports the configuration asks for.
func (o *configOptions) files() report.Files {
	fs := report.Files{}
	for _, w := range report.Outputs {
		fs[w.Name] = *o.cfg.Outputs.File(w.Name)
	}
	return fs
}

// resolve builds the effective configuration (defaults, then .scangate.yml
// or --config, then the flags fs says the user gave), sets the options
// resolved from it, and loads the baseline and ignore files, so that a
// mistake in any of them is a usage error before a long scan. A nil fs
// means no flag was given.
func (o *configOptions) resolve(fs *pflag.FlagSet) error {
	changed := func(name string) bool { return fs != nil && fs.Changed(name) }
	if st, err := os.Stat(o.path); err != nil {
		return usageErr("scan path %s: does not exist", o.path)
	} else if !st.IsDir() {
		return usageErr("scan path %s: is a file, not a directory", o.path)
	}
	file := o.configFile
	if file == "" {
		if p := filepath.Join(o.path, config.FileName); fileExists(p) {
			file = p
		}
	}
	c := config.Default(o.path)
	if file != "" {
		var err error
		if c, err = config.Load(file, o.path); err != nil {
			var ce *config.Error
			if errors.As(err, &ce) {
				return usageErr("invalid configuration:\n%v", err)
			}
			return usageErr("%v", err)
		}
	}
	for _, fk := range flagKeys {
		if changed(fk.flag) {
			fk.apply(o, c)
			for _, k := range fk.keys {
				c.SetSource(k, config.FlagSource("--"+fk.flag))
			}
		}
	}
	o.narrowed = changed("scanners")
	if o.narrowed {
		if err := checkScanners(o.scanners); err != nil {
			return err
		}
		for _, n := range registry.Names() {
			on := slices.Contains(o.scanners, n)
			c.Scanner(n).Enabled = &on
			c.SetSource("scanners."+n+".enabled", config.FlagSource("--scanners"))
		}
	}
	if err := c.Resolve(); err != nil {
		return usageErr("invalid configuration:\n%v", err)
	}
	if err := checkPrograms(c, o.path); err != nil {
		return err
	}
	if config.Options[secrets.Config](c).Validate && c.DB.Offline {
		return usageErr("--validate-secrets (scanners.secrets.validate) asks each provider over the network: not with --offline (db.offline)")
	}
	o.cfg = c
	o.baseline, o.ignoreFile = c.Baseline, c.Suppressions.File
	if !o.narrowed {
		o.scanners = nil
		if en := c.Enabled(); len(en) < len(registry.All) {
			o.scanners = en
		}
	}

	// The baseline at its default place is read when present, as the
	// ignore file is; --new-from-rev compares with the base instead, and
	// --baseline= reads none (docs/policy.md).
	if def := filepath.Join(o.path, config.BaselineFileName); o.baseline == "" && !changed("baseline") && !o.compare && fileExists(def) {
		if !intree.Contains(o.path, def) {
			return usageErr("baseline %s: a symbolic link to a file outside the scanned root: not read (pass --baseline FILE, or --baseline= for none)", o.display(def))
		}
		o.baseline, c.Baseline = def, def
	}
	o.base, o.ignore = nil, nil
	if o.baseline != "" {
		b, err := policy.LoadBaseline(o.baseline)
		if err != nil {
			return usageErr("%v", err)
		}
		o.base = b
	}
	// The ignore file at its default place is optional; one named elsewhere must exist.
	if filepath.Clean(o.ignoreFile) == filepath.Join(o.path, config.IgnoreFileName) && !fileExists(o.ignoreFile) {
		return nil
	}
	ig, err := policy.LoadIgnore(o.ignoreFile, o.display(o.ignoreFile), policy.IgnoreOptions{RequireExpiry: c.Suppressions.RequireExpiry})
	if err != nil {
		var ie *policy.IgnoreError
		if errors.As(err, &ie) {
			return usageErr("invalid ignore file:\n%v", err)
		}
		return usageErr("%v", err)
	}
	o.ignore = ig
	return nil
}

// addConfigFlags defines the flags of every command that resolves the
// configuration. Their defaults are the configuration's; a flag the user
// gives overrides the file.
func addConfigFlags(f *pflag.FlagSet, o *configOptions) {
	def := config.Default(".")
	s := &o.set
	f.StringSliceVar(&o.scanners, "scanners", nil, "comma-separated scanners to run: "+strings.Join(registry.Names(), ", ")+" (default: all that apply)")
	f.StringVar(&s.failOn, "fail-on", def.FailOn, "lowest severity that fails the gate: critical, high, medium, low or none")
	durationVar(f, &s.timeout, "timeout", def.Timeout, "time limit for each scanner (90s, 10m, 1h30m, 1d)")
	f.BoolVar(&s.allowIncomplete, "allow-incomplete", false, "exit 0 instead of 3 when a scanner could not complete")
	f.BoolVar(&s.failOnCalled, "fail-on-called", def.FailOnCalled, "fail on a vulnerability whose code is called, whatever its severity (as govulncheck); =false gates it by severity")
	f.BoolVar(&s.ignoreUnfixed, "ignore-unfixed", false, "vulnerabilities with no fixed version do not fail the gate (still reported)")
	o.outputs = map[string]*string{}
	for _, w := range report.Outputs {
		o.outputs[w.Name] = f.String(w.Name, "", w.Help)
	}
	f.BoolVar(&s.validateSecrets, "validate-secrets", false, "ask each provider whether a secret found is live (needs the network; not with --offline)")
	f.BoolVar(&s.tests, "tests", false, "also analyze test files (Go _test.go files)")
	f.StringSliceVar(&s.tags, "tags", nil, "Go build tags, comma-separated")
	f.StringSliceVar(&s.exclude, "exclude", nil, "path globs no scanner scans or reports: a name at any depth ('legacy', '*_gen.go') or, with a '/', a path from PATH ('svc/legacy', 'internal/gen/**', '/tools')")
	f.BoolVar(&s.cgo, "cgo", false, "let the go command run cgo, and so the C compiler, on the scanned tree (only for trusted code: its #include lines can read any file); off, Go files that use cgo are not analyzed")
	f.BoolVar(&s.offline, "offline", false, "never use the network; vulnerability scanners read --db")
	f.StringVar(&s.db, "db", "", "local vulnerability database directory (default: the user cache dir, e.g. ~/.cache/scangate/db)")
	f.StringVar(&s.category, "category", def.Outputs.Category, "prefix of each SARIF run's automationDetails.id (code scanning category)")
	f.StringVar(&o.configFile, "config", "", "read the configuration from `FILE` (default: .scangate.yml at PATH when present)")
	f.StringVar(&s.baseline, "baseline", "", "count only findings missing from this baseline `FILE` (from scangate baseline create, or a previous scangate SARIF or JSON report)")
	f.StringVar(&s.ignoreFile, "ignore-file", "", "read suppressions from `FILE` (default: .scangate-ignore.yml at PATH when present)")
}

// validate checks everything that can be checked before a long scan;
// more are the command's own checks, before the repository root is found.
func (o *configOptions) validate(more ...func() error) error {
	c := o.cfg
	st, err := os.Stat(o.path)
	if err != nil {
		return usageErr("scan path %s: does not exist", o.path)
	}
	if !st.IsDir() {
		return usageErr("scan path %s: is a file, not a directory", o.path)
	}
	if err := checkScanners(o.scanners); err != nil {
		return err
	}
	if _, err := policy.ParseThreshold(c.FailOn); err != nil {
		return usageErr("--fail-on: %v", err)
	}
	for _, g := range c.Exclude {
		if err := pathglob.Check(g); err != nil {
			return usageErr("--exclude: %v", err)
		}
	}
	if c.Timeout <= 0 {
		return usageErr("--timeout must be positive, got %s", c.Timeout)
	}
	if err := o.files().Check(); err != nil {
		return usageErr("%v", err)
	}
	for _, check := range more {
		if err := check(); err != nil {
			return err
		}
	}
	return o.findScanRoot()
}

// display names a file relative to the scanned root when it is inside it:
// markers in reports must not carry machine paths.
func (o *configOptions) display(file string) string {
	root, err1 := filepath.Abs(o.path)
	abs, err2 := filepath.Abs(file)
	if err1 != nil || err2 != nil {
		return filepath.ToSlash(file)
	}
	if rel := scanner.RelPath(root, abs); filepath.IsLocal(rel) {
		return rel
	}
	return filepath.Base(abs)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show, check and describe the configuration (.scangate.yml)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newConfigPrintCmd(), newConfigCheckCmd(), newConfigSchemaCmd())
	return cmd
}

func newConfigPrintCmd() *cobra.Command {
	o := &configOptions{}
	cmd := &cobra.Command{
		Use:   "print [PATH]",
		Short: "Print the effective configuration and where each value came from",
		Long: `Print the configuration a scan of PATH (default ".") would use: the defaults,
overridden by .scangate.yml at PATH (or --config FILE), overridden by the
flags given here. Each value is followed by a comment naming its source:
default, file:line:column, or the flag. The output is itself a valid
.scangate.yml.`,
		Example: `  scangate config print
  scangate config print --fail-on medium ./service`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.path = pathArg(args)
			if err := o.resolve(cmd.Flags()); err != nil {
				return err
			}
			return o.cfg.Print(cmd.OutOrStdout())
		},
	}
	addConfigFlags(cmd.Flags(), o)
	return cmd
}

func newConfigCheckCmd() *cobra.Command {
	o := &configOptions{}
	cmd := &cobra.Command{
		Use:   "check [PATH]",
		Short: "Check the configuration, baseline and ignore files without scanning",
		Long: `Check .scangate.yml (or --config FILE), the baseline and the ignore file a
scan of PATH would read. Exit 0 when they are valid, 2 with every problem
(file:line:column) when not.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.path = pathArg(args)
			if err := o.resolve(cmd.Flags()); err != nil {
				return err
			}
			if err := o.validate(); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			src := "no configuration file, defaults"
			if o.cfg.File != "" {
				src = o.cfg.File
			}
			fmt.Fprintf(out, "configuration: %s: ok\n", src)
			if o.base != nil {
				fmt.Fprintf(out, "baseline: %s: ok, %d finding(s)\n", o.baseline, o.base.Len())
			}
			if o.ignore != nil {
				fmt.Fprintf(out, "ignore file: %s: ok, %d suppression(s)\n", o.ignoreFile, len(o.ignore.Entries))
			}
			fmt.Fprintf(out, "scanners: %s\n", strings.Join(o.cfg.Enabled(), ", "))
			return nil
		},
	}
	addConfigFlags(cmd.Flags(), o)
	return cmd
}

func newConfigSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of .scangate.yml",
		Long: `Print the JSON Schema (draft-07) of .scangate.yml, for editors: with the
YAML language server, put "# yaml-language-server: $schema=FILE" at the top
of the file.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write(config.Schema)
			return err
		},
	}
}

func pathArg(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return "."
}
