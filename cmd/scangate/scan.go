package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/internal/pathglob"
	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/pipeline"
	"github.com/scangate/scangate/policy"
	"github.com/scangate/scangate/report"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanners/registry"
	"github.com/scangate/scangate/vulndb"
)

// scanOptions is the effective configuration of one scan: the flags are
// bound to its fields, and resolve sets every field from the defaults, then
// .scangate.yml, then the flags the user gave.
type scanOptions struct {
	path            string
	scanners        []string // empty: every scanner that applies
	failOn          string
	timeout         time.Duration
	allowIncomplete bool
	failOnCalled    bool
	ignoreUnfixed   bool
	sarifOut        string
	keepIncomplete  bool // --sarif-keep-incomplete
	jsonOut         string
	markdownOut     string
	gitlabSAST      string // --gitlab-sast
	gitlabDeps      string // --gitlab-dependency-scanning
	junitOut        string // --junit
	gitlabSecrets   string // --gitlab-secret-detection
	cyclonedxOut    string // --cyclonedx
	validateSecrets bool   // --validate-secrets
	quiet           bool
	tests           bool
	tags            []string
	exclude         []string
	cgo             bool // let the go command run cgo on the tree (trusted sources only)
	offline         bool
	db              string
	category        string
	configFile      string // --config; "" looks for .scangate.yml at the root
	baseline        string // --baseline
	newFromRev      string // --new-from-rev: compare with the merge-base of this revision and HEAD
	ignoreFile      string // --ignore-file
	cacheDir        string // --cache-dir; "" is $SCANGATE_CACHE_DIR or the user cache dir
	noCache         bool   // --no-cache

	// Set by resolve.
	cfg      *config.Config // the effective configuration, with sources
	narrowed bool           // --scanners picked some scanners for this run
	base     *policy.Baseline
	ignore   *policy.Ignore

	shard      *pipeline.ShardSpec // --shard K/N (shard.go)
	mergeFiles []string            // scangate merge: the shards' JSON reports

	scanRoot string // the scanned path relative to the repository root (reporoot.go)
	repoRoot string // the repository root, absolute (reporoot.go)
	short    bool   // hook mode: verdict, failing findings, how to see more (hook.go)
	// The pull request comment (prcomment.go): scan flags only.
	prComment       bool
	prCommentKey    string
	prCommentAuthor string
	reportHint      string // the command that shows the full report, in short mode
}

const scanExamples = `  # Scan the current directory; fail on high or critical findings.
  scangate scan

  # Scan a checkout offline against a local vulnerability database and write SARIF.
  scangate scan --offline --db ~/.cache/scangate/db --sarif scangate.sarif ./repo

  # Leave out every directory named legacy and the generated code under
  # internal/gen, for every scanner (globs: docs/policy.md).
  scangate scan --exclude legacy --exclude 'internal/gen/**'

  # In a pull request: fail only on what the change introduces.
  scangate scan --new-from-rev origin/main

  # Only gosec and govulncheck, fail on anything medium or worse, all reports.
  scangate scan --scanners gosec,govulncheck --fail-on medium \
      --sarif out.sarif --json out.json --markdown out.md`

const exitCodesHelp = `
Exit codes:
  0  pass: no unsuppressed finding at or above --fail-on
  1  the gate failed: at least one such finding
  2  usage or configuration error (bad flag, missing path, unknown scanner, ...)
  3  no finding over the threshold, but a scanner that applied could not
     complete (error, timeout, nothing analyzed); --allow-incomplete turns
     this into 0`

func newScanCmd() *cobra.Command {
	o := &scanOptions{}
	var shard string
	cmd := &cobra.Command{
		Use:   "scan [PATH]",
		Short: "Scan a tree with every scanner that applies and gate on the findings",
		Long: `Scan PATH (default ".") with every scanner that applies to it, concurrently:
gosec on Go modules, govulncheck on Go modules, osv-scanner on lockfiles and
manifests, bandit on Python sources and safety on Python requirements (the
last two only when installed). Findings are merged (the same vulnerability
reported by two tools appears once), written to the reports you ask for, and
summarized on stderr; the exit code says whether the gate passed.

Settings come from .scangate.yml at PATH (or --config FILE) and flags
override them; scangate config print shows the result. With --baseline only
findings missing from the baseline count; with --new-from-rev REV only
findings the change introduces relative to the merge-base of REV and HEAD
(that commit is scanned too, from the result cache when it was scanned
before). .scangate-ignore.yml at PATH holds accepted findings with a reason
and an expiry date.
` + exitCodesHelp,
		Example: scanExamples,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.path = "."
			if len(args) == 1 {
				o.path = args[0]
			}
			if err := o.resolve(cmd.Flags()); err != nil {
				return err
			}
			if err := o.setShard(shard); err != nil {
				return err
			}
			return runScan(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addScanFlags(cmd.Flags(), o)
	cmd.Flags().StringVar(&o.newFromRev, "new-from-rev", "", "count only findings the change introduces: scan the merge-base of `REV` and HEAD too, and compare (needs its history: actions/checkout with fetch-depth: 0)")
	addShortFlags(cmd.Flags(), o)                         // hook.go
	addPRCommentFlags(cmd.Flags(), o)                     // prcomment.go
	cmd.Flags().StringVar(&shard, "shard", "", shardFlag) // shard.go
	return cmd
}

// addScanFlags defines the flags of every command that scans: those of
// the configuration, and how this run shows progress and uses the cache.
func addScanFlags(f *pflag.FlagSet, o *scanOptions) {
	addConfigFlags(f, o)
	f.BoolVar(&o.keepIncomplete, "sarif-keep-incomplete", false, "also write the SARIF runs of scanners that could not complete (executionSuccessful: false); left out by default, since code scanning would close the alerts they miss")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no progress output; the summary is still printed")
	f.StringVar(&o.cacheDir, "cache-dir", "", "keep the result cache in `DIR` (default: $"+resultcache.EnvDir+", else the user cache dir, e.g. ~/.cache/scangate/results)")
	f.BoolVar(&o.noCache, "no-cache", false, "neither read nor write the result cache")
}

// addConfigFlags defines the flags of every command that resolves the
// configuration. Their defaults are the configuration's; a flag the user
// gives overrides the file.
func addConfigFlags(f *pflag.FlagSet, o *scanOptions) {
	def := config.Default(".")
	f.StringSliceVar(&o.scanners, "scanners", nil, "comma-separated scanners to run: "+strings.Join(registry.Names(), ", ")+" (default: all that apply)")
	f.StringVar(&o.failOn, "fail-on", def.FailOn, "lowest severity that fails the gate: critical, high, medium, low or none")
	durationVar(f, &o.timeout, "timeout", def.Timeout, "time limit for each scanner (90s, 10m, 1h30m, 1d)")
	f.BoolVar(&o.allowIncomplete, "allow-incomplete", false, "exit 0 instead of 3 when a scanner could not complete")
	f.BoolVar(&o.failOnCalled, "fail-on-called", def.FailOnCalled, "fail on a vulnerability whose code is called, whatever its severity (as govulncheck); =false gates it by severity")
	f.BoolVar(&o.ignoreUnfixed, "ignore-unfixed", false, "vulnerabilities with no fixed version do not fail the gate (still reported)")
	f.StringVar(&o.sarifOut, "sarif", "", "write SARIF 2.1.0 to `FILE` (- for stdout)")
	f.StringVar(&o.jsonOut, "json", "", "write the JSON report to `FILE` (- for stdout)")
	f.StringVar(&o.markdownOut, "markdown", "", "write the markdown summary to `FILE` (- for stdout)")
	f.StringVar(&o.gitlabSAST, "gitlab-sast", "", "write GitLab's SAST report (gosec, bandit) to `FILE` (- for stdout)")
	f.StringVar(&o.gitlabDeps, "gitlab-dependency-scanning", "", "write GitLab's dependency scanning report (govulncheck, osv-scanner, safety) to `FILE` (- for stdout)")
	f.StringVar(&o.gitlabSecrets, "gitlab-secret-detection", "", "write GitLab's secret detection report (secrets) to `FILE` (- for stdout)")
	f.BoolVar(&o.validateSecrets, "validate-secrets", false, "ask each provider whether a secret found is live (needs the network; not with --offline)")
	f.StringVar(&o.junitOut, "junit", "", "write JUnit XML to `FILE` (- for stdout): a test suite per scanner, a failed test per finding that fails the gate")
	f.StringVar(&o.cyclonedxOut, "cyclonedx", "", "write a CycloneDX 1.6 SBOM to `FILE` (- for stdout): every package found, each vulnerability with govulncheck's reachability as its VEX analysis")
	f.BoolVar(&o.tests, "tests", false, "also analyze test files (Go _test.go files)")
	f.StringSliceVar(&o.tags, "tags", nil, "Go build tags, comma-separated")
	f.StringSliceVar(&o.exclude, "exclude", nil, "path globs no scanner scans or reports: a name at any depth ('legacy', '*_gen.go') or, with a '/', a path from PATH ('svc/legacy', 'internal/gen/**', '/tools')")
	f.BoolVar(&o.cgo, "cgo", false, "let the go command run cgo, and so the C compiler, on the scanned tree (only for trusted code: its #include lines can read any file); off, Go files that use cgo are not analyzed")
	f.BoolVar(&o.offline, "offline", false, "never use the network; vulnerability scanners read --db")
	f.StringVar(&o.db, "db", "", "local vulnerability database directory (default: the user cache dir, e.g. ~/.cache/scangate/db)")
	f.StringVar(&o.category, "category", def.Outputs.Category, "prefix of each SARIF run's automationDetails.id (code scanning category)")
	f.StringVar(&o.configFile, "config", "", "read the configuration from `FILE` (default: .scangate.yml at PATH when present)")
	f.StringVar(&o.baseline, "baseline", "", "count only findings missing from this baseline `FILE` (from scangate baseline create, or a previous scangate SARIF or JSON report)")
	f.StringVar(&o.ignoreFile, "ignore-file", "", "read suppressions from `FILE` (default: .scangate-ignore.yml at PATH when present)")
}

// validate checks everything that can be checked before a long scan.
func (o *scanOptions) validate() error {
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
	if _, err := policy.ParseThreshold(o.failOn); err != nil {
		return usageErr("--fail-on: %v", err)
	}
	for _, g := range o.exclude {
		if err := pathglob.Check(g); err != nil {
			return usageErr("--exclude: %v", err)
		}
	}
	if o.timeout <= 0 {
		return usageErr("--timeout must be positive, got %s", o.timeout)
	}
	stdouts := 0
	for _, out := range []string{o.sarifOut, o.jsonOut, o.markdownOut, o.gitlabSAST, o.gitlabDeps, o.gitlabSecrets, o.junitOut, o.cyclonedxOut} {
		if out == "-" {
			stdouts++
		}
		if err := report.CheckWritable(out); err != nil {
			return usageErr("%v", err)
		}
	}
	if stdouts > 1 {
		return usageErr("only one of --sarif, --json, --markdown, --gitlab-sast, --gitlab-dependency-scanning, --gitlab-secret-detection, --junit and --cyclonedx can write to stdout (-)")
	}
	if err := o.checkNewFromRev(); err != nil {
		return err
	}
	return o.findScanRoot()
}

func (o *scanOptions) selected(all []scanner.Scanner) []scanner.Scanner {
	if len(o.scanners) == 0 {
		return all
	}
	var out []scanner.Scanner
	for _, s := range all {
		if slices.Contains(o.scanners, s.Name()) {
			out = append(out, s)
		}
	}
	return out
}

func runScan(ctx context.Context, o *scanOptions, stdout, stderr io.Writer) error {
	if err := o.validate(); err != nil {
		return err
	}
	if o.shard != nil {
		o.shardOutputs(stderr)
	}
	var gh *ghRun
	if o.shard == nil { // a shard's findings are annotated by merge
		gh = startGitHubActions(stderr) // GitHub Actions: annotations, summary, outputs (github.go)
	}
	defer gh.stop()
	scan, err := o.run(ctx, stderr)
	if err != nil {
		return err
	}
	// The summary comes first so that a report that cannot be written
	// never hides what the scan found.
	if err := report.Text(stderr, scan, report.TextOptions{Color: useColor(stderr), Short: o.short, FullReportHint: o.fullReportHint()}); err != nil {
		return &exitError{code: exitIncomplete, err: err}
	}
	sarifRuns, err := writeReports(o, scan, stdout)
	if err != nil {
		return &exitError{code: exitIncomplete, err: err}
	}
	if o.sarifOut != "" && !o.keepIncomplete {
		if out := report.SARIFLeftOut(scan.Results, report.SARIFOptions{}); len(out) > 0 {
			fmt.Fprintf(stderr, "scangate: the SARIF report leaves out %s (could not complete), so that code scanning keeps their alerts as the last complete scan left them; --sarif-keep-incomplete writes them\n",
				strings.Join(out, ", "))
		}
	}
	finishErr := gh.finish(o, scan, sarifRuns)
	// After the reports and the summary, so that a failed comment loses
	// neither; it never changes the exit code.
	o.postPRComment(ctx, scan, stderr, os.Getenv)
	if finishErr != nil {
		return &exitError{code: exitIncomplete, err: finishErr}
	}
	if o.shard != nil {
		fmt.Fprintf(stderr, "scangate: shard %d/%d written to %s; scangate merge applies the gate to all %d shards\n",
			o.shard.Index, o.shard.Count, o.display(o.jsonOut), o.shard.Count)
		return nil
	}
	if code := scan.Verdict.ExitCode(); code != exitPass {
		return &exitError{code: code}
	}
	return nil
}

// run builds the plan from the options and runs the pipeline.
func (o *scanOptions) run(ctx context.Context, stderr io.Writer) (*model.Report, error) {
	plan, err := o.plan(stderr)
	if err != nil {
		return nil, err
	}
	if o.mergeFiles != nil {
		return o.merge(plan)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.newFromRev != "" {
		// Scanned one after the other, base first: a scan's peak memory is
		// its scanners' (gigabytes for govulncheck on a large module), and
		// both scans would share the same cores; the base usually comes
		// from the result cache anyway. A base that cannot be had fails
		// before the long scan.
		release, err := o.prepareBase(ctx, &plan, stderr)
		defer release()
		if err != nil {
			return nil, err
		}
	}
	var prog *progress
	if !o.quiet {
		prog = newProgress(stderr, isTerminal(stderr))
		plan.OnEvent = prog.event
	}
	rep, err := pipeline.Run(ctx, plan)
	if prog != nil {
		prog.close()
	}
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return rep, nil
}

// plan is the pipeline's plan for the resolved options.
func (o *scanOptions) plan(stderr io.Writer) (pipeline.Plan, error) {
	if o.cfg == nil {
		if err := o.resolve(nil); err != nil {
			return pipeline.Plan{}, err
		}
	}
	p := pipeline.Plan{
		Root:     o.path,
		Config:   o.cfg,
		Ignore:   o.ignore,
		Narrowed: o.narrowed,
		Tune:     tuneRun,
		Version:  scangateVersion(),
	}
	p.Cache = pipeline.CacheOptions{Off: o.noCache, Dir: o.cacheDir, Build: cacheBuild, Display: displayCacheDir}
	if testAdapters != nil {
		p.Scanners = o.selected(testAdapters(o))
	}
	if o.base != nil {
		p.Baseline, p.BaselineName = o.base, o.display(o.baseline)
	}
	p.Shard = o.shard
	if !o.quiet {
		p.Logf = func(format string, args ...any) {
			fmt.Fprintln(stderr, report.TermLine(fmt.Sprintf(format, args...)))
		}
	}
	return p, nil
}

// displayCacheDir names the cache directory in reports as the database is
// named: under the home or temporary directory by marker, else as given.
func displayCacheDir(dir string) string {
	if rel, err := filepath.Rel(os.TempDir(), dir); err == nil && !strings.HasPrefix(rel, "..") {
		return scanner.TempMarker() + "/" + filepath.ToSlash(rel)
	}
	return vulndb.DisplayPath(dir)
}

// cacheBuild stands in for the running executable's identity in result
// cache keys when set: tests play two scangate builds with it.
var cacheBuild string

// writeReports writes the reports asked for; sarifRuns is how many runs
// the SARIF report holds.
func writeReports(o *scanOptions, scan *model.Report, stdout io.Writer) (sarifRuns int, err error) {
	if o.sarifOut != "" {
		doc, err := report.SARIF(scan.Results, report.SARIFOptions{Category: o.category, Baseline: o.base != nil || o.newFromRev != "",
			ScanRoot: o.scanRoot, KeepIncomplete: o.keepIncomplete})
		if err != nil {
			return 0, err
		}
		if err := report.WriteFile(o.sarifOut, stdout, doc.PrettyWrite); err != nil {
			return 0, err
		}
		sarifRuns = len(doc.Runs)
	}
	if o.jsonOut != "" {
		if err := report.WriteFile(o.jsonOut, stdout, func(w io.Writer) error { return report.JSON(w, scan) }); err != nil {
			return 0, err
		}
	}
	for _, out := range []struct {
		path   string
		render func(io.Writer, *model.Report) error
	}{
		{o.markdownOut, report.Markdown},
		{o.gitlabSAST, func(w io.Writer, s *model.Report) error { return report.GitLabSAST(w, s, o.scanRoot) }},
		{o.gitlabDeps, func(w io.Writer, s *model.Report) error { return report.GitLabDependencyScanning(w, s, o.scanRoot) }},
		{o.gitlabSecrets, func(w io.Writer, s *model.Report) error { return report.GitLabSecretDetection(w, s, o.scanRoot) }},
		{o.junitOut, report.JUnit},
		{o.cyclonedxOut, func(w io.Writer, s *model.Report) error {
			return report.CycloneDX(w, s, report.CycloneDXOptions{Name: rootName(o.path), ScanRoot: o.scanRoot})
		}},
	} {
		if out.path == "" {
			continue
		}
		if err := report.WriteFile(out.path, stdout, func(w io.Writer) error { return out.render(w, scan) }); err != nil {
			return 0, err
		}
	}
	return sarifRuns, nil
}

// rootName names the scanned directory in the SBOM when no Go module at
// its root does: its last element, never the machine's path to it.
func rootName(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return filepath.Base(p)
}
