package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/internal/intree"
	"github.com/scangate/scangate/policy"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanners/registry"
	"github.com/scangate/scangate/scanners/secrets"
)

// flagKeys maps each flag that has a configuration key to the keys it sets
// and how: a flag the user gives overrides the file.
var flagKeys = []struct {
	flag  string
	keys  []string
	apply func(o *scanOptions, c *config.Config)
}{
	{"fail-on", []string{"fail-on"}, func(o *scanOptions, c *config.Config) { c.FailOn = o.failOn }},
	{"timeout", []string{"timeout"}, func(o *scanOptions, c *config.Config) { c.Timeout = o.timeout }},
	{"allow-incomplete", []string{"allow-incomplete"}, func(o *scanOptions, c *config.Config) { c.AllowIncomplete = o.allowIncomplete }},
	{"fail-on-called", []string{"fail-on-called"}, func(o *scanOptions, c *config.Config) { c.FailOnCalled = o.failOnCalled }},
	{"ignore-unfixed", []string{"ignore-unfixed"}, func(o *scanOptions, c *config.Config) { c.IgnoreUnfixed = o.ignoreUnfixed }},
	{"tests", []string{"tests"}, func(o *scanOptions, c *config.Config) { c.Tests = o.tests }}, // and the keys that follow it
	{"tags", []string{"tags"}, func(o *scanOptions, c *config.Config) { c.Tags = o.tags }},
	{"exclude", []string{"exclude"}, func(o *scanOptions, c *config.Config) { c.Exclude = o.exclude }},
	{"cgo", []string{"cgo"}, func(o *scanOptions, c *config.Config) { c.Cgo = o.cgo }},
	{"offline", []string{"db.offline"}, func(o *scanOptions, c *config.Config) { c.DB.Offline = o.offline }},
	{"db", []string{"db.dir"}, func(o *scanOptions, c *config.Config) { c.DB.Dir = o.db }},
	{"validate-secrets", []string{"scanners.secrets.validate"}, func(o *scanOptions, c *config.Config) {
		config.Options[secrets.Config](c).Validate = o.validateSecrets
	}},
	{"sarif", []string{"outputs.sarif"}, func(o *scanOptions, c *config.Config) { c.Outputs.SARIF = o.sarifOut }},
	{"json", []string{"outputs.json"}, func(o *scanOptions, c *config.Config) { c.Outputs.JSON = o.jsonOut }},
	{"markdown", []string{"outputs.markdown"}, func(o *scanOptions, c *config.Config) { c.Outputs.Markdown = o.markdownOut }},
	{"category", []string{"outputs.category"}, func(o *scanOptions, c *config.Config) { c.Outputs.Category = o.category }},
	{"gitlab-sast", []string{"outputs.gitlab-sast"}, func(o *scanOptions, c *config.Config) { c.Outputs.GitLabSAST = o.gitlabSAST }},
	{"gitlab-dependency-scanning", []string{"outputs.gitlab-dependency-scanning"}, func(o *scanOptions, c *config.Config) { c.Outputs.GitLabDependencies = o.gitlabDeps }},
	{"gitlab-secret-detection", []string{"outputs.gitlab-secret-detection"}, func(o *scanOptions, c *config.Config) { c.Outputs.GitLabSecretDetection = o.gitlabSecrets }},
	{"junit", []string{"outputs.junit"}, func(o *scanOptions, c *config.Config) { c.Outputs.JUnit = o.junitOut }},
	{"cyclonedx", []string{"outputs.cyclonedx"}, func(o *scanOptions, c *config.Config) { c.Outputs.CycloneDX = o.cyclonedxOut }},
	{"baseline", []string{"baseline"}, func(o *scanOptions, c *config.Config) { c.Baseline = o.baseline }},
	{"ignore-file", []string{"suppressions.file"}, func(o *scanOptions, c *config.Config) { c.Suppressions.File = o.ignoreFile }},
}

// resolve builds the effective configuration (defaults, then .scangate.yml
// or --config, then the flags fs says the user gave), sets every option
// from it, and loads the baseline and ignore files, so that a mistake in any
// of them is a usage error before a long scan. A nil fs means no flag was given.
func (o *scanOptions) resolve(fs *pflag.FlagSet) error {
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
	o.cgo = c.Cgo

	o.failOn, o.timeout, o.allowIncomplete = c.FailOn, c.Timeout, c.AllowIncomplete
	o.failOnCalled, o.ignoreUnfixed = c.FailOnCalled, c.IgnoreUnfixed
	o.tests, o.tags, o.exclude = c.Tests, c.Tags, c.Exclude
	o.offline, o.db = c.DB.Offline, c.DB.Dir
	o.sarifOut, o.jsonOut, o.markdownOut, o.category = c.Outputs.SARIF, c.Outputs.JSON, c.Outputs.Markdown, c.Outputs.Category
	o.gitlabSAST, o.gitlabDeps, o.gitlabSecrets, o.junitOut = c.Outputs.GitLabSAST, c.Outputs.GitLabDependencies, c.Outputs.GitLabSecretDetection, c.Outputs.JUnit
	o.cyclonedxOut = c.Outputs.CycloneDX
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
	if def := filepath.Join(o.path, config.BaselineFileName); o.baseline == "" && !changed("baseline") && o.newFromRev == "" && fileExists(def) {
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

// display names a file relative to the scanned root when it is inside it:
// markers in reports must not carry machine paths.
func (o *scanOptions) display(file string) string {
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
	o := &scanOptions{}
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
	o := &scanOptions{}
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
