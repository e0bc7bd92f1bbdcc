package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/scangate/scangate/ghactions"
	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/pipeline"
	"github.com/scangate/scangate/report"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/vulndb"
)

// runOptions are the options of every command that runs the pipeline
// (scan, merge, baseline create): the configuration's, and how this run
// shows progress, uses the cache and writes SARIF.
type runOptions struct {
	configOptions
	keepIncomplete bool // --sarif-keep-incomplete
	quiet          bool
	cacheDir       string // --cache-dir; "" is $SCANGATE_CACHE_DIR or the user cache dir
	noCache        bool   // --no-cache
}

// scanOptions are scan's: a run, compared with a revision or sharded, and
// its summary and pull request comment.
type scanOptions struct {
	runOptions
	newFromRev string              // --new-from-rev: compare with the merge-base of this revision and HEAD
	shard      *pipeline.ShardSpec // --shard K/N (shard.go)
	summary    summaryOptions      // --short (hook.go)
	pr         prCommentOptions    // --pr-comment (prcomment.go)
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
			o.path = pathArg(args)
			o.compare = o.newFromRev != ""
			if err := o.resolve(cmd.Flags()); err != nil {
				return err
			}
			if err := o.setShard(shard); err != nil {
				return err
			}
			return o.scan(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addRunFlags(cmd.Flags(), &o.runOptions)
	cmd.Flags().StringVar(&o.newFromRev, "new-from-rev", "", "count only findings the change introduces: scan the merge-base of `REV` and HEAD too, and compare (needs its history: actions/checkout with fetch-depth: 0)")
	addSummaryFlags(cmd.Flags(), &o.summary)              // hook.go
	addPRCommentFlags(cmd.Flags(), &o.pr)                 // prcomment.go
	cmd.Flags().StringVar(&shard, "shard", "", shardFlag) // shard.go
	return cmd
}

// addRunFlags defines the flags of every command that runs the pipeline:
// those of the configuration, and how this run shows progress and uses
// the cache.
func addRunFlags(f *pflag.FlagSet, o *runOptions) {
	addConfigFlags(f, &o.configOptions)
	f.BoolVar(&o.keepIncomplete, "sarif-keep-incomplete", false, "also write the SARIF runs of scanners that could not complete (executionSuccessful: false); left out by default, since code scanning would close the alerts they miss")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no progress output; the summary is still printed")
	f.StringVar(&o.cacheDir, "cache-dir", "", "keep the result cache in `DIR` (default: $"+resultcache.EnvDir+", else the user cache dir, e.g. ~/.cache/scangate/results)")
	f.BoolVar(&o.noCache, "no-cache", false, "neither read nor write the result cache")
}

// checkNewFromRev refuses --new-from-rev with --shard, and with a baseline
// file: the base revision's findings are the baseline, and two baselines
// would count a finding fixed in both twice. A baseline set in
// .scangate.yml is dropped with --baseline= on the command line.
func (o *scanOptions) checkNewFromRev() error {
	if o.newFromRev != "" && o.shard != nil {
		// A shard's findings are gated by merge, which has no base to compare with.
		return usageErr("--new-from-rev and --shard cannot be combined")
	}
	if o.newFromRev == "" || o.baseline == "" {
		return nil
	}
	from := "--baseline"
	if s := o.cfg.Source("baseline"); !s.IsDefault() && s.Flag == "" {
		from = "baseline (" + s.String() + ")"
	}
	return usageErr("--new-from-rev and %s cannot be combined: --new-from-rev compares with the base revision's own scan (to drop a configured baseline, pass --baseline=)", from)
}

// scan is the scan command: plan, run, write, publish, exit code.
func (o *scanOptions) scan(ctx context.Context, stdout, stderr io.Writer) error {
	if err := o.validate(o.checkNewFromRev); err != nil {
		return err
	}
	files := o.files()
	var sink *ghactions.Sink
	if o.shard != nil {
		o.shardOutputs(files, stderr)
	} else { // a shard's findings are published by merge
		sink = ghactions.Start(os.Getenv, stderr)
		defer sink.Stop()
	}
	plan := o.plan(stderr)
	plan.Shard = o.shard
	if o.newFromRev != "" {
		plan.NewFrom = &pipeline.NewFrom{Rev: o.newFromRev, RepoRoot: o.repoRoot, ScanRoot: o.scanRoot}
	}
	rep, err := o.run(ctx, plan, stderr)
	if err != nil {
		return err
	}
	text := report.TextOptions{Short: o.summary.short, FullReportHint: o.summary.fullReportHint(o.path)}
	written, err := o.write(rep, files, text, stdout, stderr)
	if err != nil {
		return err
	}
	if o.shard != nil {
		fmt.Fprintf(stderr, "scangate: shard %d/%d written to %s; scangate merge applies the gate to all %d shards\n",
			o.shard.Index, o.shard.Count, o.display(files["json"]), o.shard.Count)
		return nil
	}
	return o.publish(ctx, sink, rep, files, written, o.pr)
}

// write prints the summary and writes the reports. The summary comes
// first so that a report that cannot be written never hides what the
// scan found.
func (o *runOptions) write(rep *model.Report, files report.Files, text report.TextOptions, stdout, stderr io.Writer) (report.Written, error) {
	text.Color = useColor(stderr)
	if err := report.Text(stderr, rep, text); err != nil {
		return report.Written{}, &exitError{code: exitIncomplete, err: err}
	}
	written, err := o.writeReports(rep, files, stdout)
	if err != nil {
		return written, err
	}
	if len(written.LeftOut) > 0 {
		fmt.Fprintf(stderr, "scangate: the SARIF report leaves out %s (could not complete), so that code scanning keeps their alerts as the last complete scan left them; --sarif-keep-incomplete writes them\n",
			strings.Join(written.LeftOut, ", "))
	}
	return written, nil
}

// writeReports writes the reports files names.
func (o *runOptions) writeReports(rep *model.Report, files report.Files, stdout io.Writer) (report.Written, error) {
	written, err := report.Write(rep, files, stdout, report.WriteOptions{ScanRoot: o.scanRoot, Name: rootName(o.path),
		Category: o.cfg.Outputs.Category, KeepIncomplete: o.keepIncomplete})
	if err != nil {
		return written, &exitError{code: exitIncomplete, err: err}
	}
	return written, nil
}

// publish hands the report to the GitHub sink, and gives the exit code.
func (o *runOptions) publish(ctx context.Context, sink *ghactions.Sink, rep *model.Report, files report.Files, written report.Written, pr prCommentOptions) error {
	err := sink.Publish(ctx, rep, ghactions.Publication{ScanRoot: o.scanRoot, SARIFFile: files["sarif"], Written: written,
		PRComment: pr.comment(os.Getenv)})
	if err != nil {
		return &exitError{code: exitIncomplete, err: err}
	}
	if code := rep.Verdict.ExitCode(); code != exitPass {
		return &exitError{code: code}
	}
	return nil
}

func (o *configOptions) selected(all []scanner.Scanner) []scanner.Scanner {
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

// run runs the plan: Ctrl-C stops it, and progress goes to stderr.
func (o *runOptions) run(ctx context.Context, plan pipeline.Plan, stderr io.Writer) (*model.Report, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	var prog *progress
	if !o.quiet {
		prog = newProgress(stderr, isTerminal(stderr))
		plan.OnEvent = prog.event
	}
	rep, err := pipeline.Run(ctx, plan)
	if prog != nil {
		prog.close()
	}
	var ie *pipeline.IncompleteError
	if errors.As(err, &ie) {
		return nil, &exitError{code: exitIncomplete, err: err}
	}
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return rep, nil
}

// plan is the pipeline's plan for the resolved options.
func (o *runOptions) plan(stderr io.Writer) pipeline.Plan {
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
		p.Scanners = o.selected(testAdapters(&o.configOptions))
	}
	if o.base != nil {
		p.Baseline, p.BaselineName = o.base, o.display(o.baseline)
	}
	if !o.quiet {
		p.Logf = func(format string, args ...any) {
			fmt.Fprintln(stderr, report.TermLine(fmt.Sprintf(format, args...)))
		}
	}
	return p
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

// rootName names the scanned directory in the SBOM when no Go module at
// its root does: its last element, never the machine's path to it.
func rootName(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return filepath.Base(p)
}
