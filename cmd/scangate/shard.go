package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/scangate/scangate/ghactions"
	"github.com/scangate/scangate/pipeline"
	"github.com/scangate/scangate/report"
	"github.com/scangate/scangate/scanner"
)

// A sharded scan: N jobs of the CI's own matrix each run
// `scan --shard K/N --json shard-K.json` on the same commit, and one job runs
// `scangate merge shard-*.json` with the same settings, which writes the
// reports and applies the gate as one unsharded scan would.

// shardFlag is --shard's help.
const shardFlag = "scan part `K/N` of the tree's work units (Go modules, lockfiles, Python trees), balanced by size, for N CI jobs; needs --json FILE, which scangate merge reads, and exits 0 whatever it found: merge applies the gate"

// setShard parses --shard into the options.
func (o *scanOptions) setShard(v string) error {
	if v == "" {
		return nil
	}
	k, n, err := scanner.ParseShard(v)
	if err != nil {
		return usageErr("--shard: %v", err)
	}
	if o.files()["json"] == "" {
		return usageErr("--shard %s needs --json FILE: scangate merge reads the shards' JSON reports", v)
	}
	o.shard = &pipeline.ShardSpec{Index: k, Count: n, Commit: pipeline.CICommit(os.Getenv)}
	return nil
}

// shardOutputs drops from files the reports a shard does not write
// (report.Output.Partial), and says what else merge does instead.
func (o *scanOptions) shardOutputs(files report.Files, stderr io.Writer) {
	for _, w := range report.Outputs {
		if path := files[w.Name]; path != "" && !w.Partial {
			fmt.Fprintf(stderr, "scangate: shard %d/%d: --%s %s is not written (it would hold this shard's findings only): give it to scangate merge\n",
				o.shard.Index, o.shard.Count, w.Name, o.display(path))
			delete(files, w.Name)
		}
	}
	if s := o.cfg.Source("baseline"); s.Flag != "" {
		fmt.Fprintf(stderr, "scangate: shard %d/%d: %s %s is applied by scangate merge, which gates: give it to merge\n",
			o.shard.Index, o.shard.Count, s.Flag, o.display(o.baseline))
	}
	if o.pr.on {
		fmt.Fprintf(stderr, "scangate: shard %d/%d: no pull request comment (it would hold this shard's findings only): give --pr-comment to scangate merge\n",
			o.shard.Index, o.shard.Count)
		o.pr.on = false
	}
}

// mergeOptions are merge's: a run whose results come from the shards'
// reports, and its pull request comment.
type mergeOptions struct {
	runOptions
	pr prCommentOptions
}

func newMergeCmd() *cobra.Command {
	o := &mergeOptions{}
	var root string
	cmd := &cobra.Command{
		Use:   "merge [flags] SHARD.json...",
		Short: "Merge the JSON reports of a sharded scan into one scan's reports and verdict",
		Long: `Merge the JSON reports that N jobs wrote with scan --shard K/N --json FILE
into the reports, summary and verdict one unsharded scan of the tree would
give: each scanner's results are joined, the same vulnerability found in two
shards (say a module's govulncheck run in one and its go.mod's osv-scanner
run in another) becomes one finding, and then remediations, suppressions,
the baseline and the gate apply once, as in scan.

merge takes the scan's settings (the gate's threshold, exclusions, the
scanners, severity overrides, ...) from the shards, which must agree, and
needs no vulnerability database: the shards carry its answers. Its flags
choose the outputs, and the baseline and ignore file it reads from a
checkout of the same commit at --root. A setting flag given to merge must
repeat the shards' value. A missing or duplicated shard, or shards of
another commit, tree, settings, database or scangate version, is an error
(exit 2) naming what differs, never a pass.
` + exitCodesHelp,
		Example: `  # In each of 4 matrix jobs (K = 1..4), on the same commit:
  scangate scan --shard K/4 --json shard-K.json
  # Then, in one job with the four files:
  scangate merge --sarif scangate.sarif shard-1.json shard-2.json shard-3.json shard-4.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.path = root
			if err := o.resolve(cmd.Flags()); err != nil {
				return err
			}
			return o.merge(cmd.Context(), args, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVar(&root, "root", ".", "the scanned `PATH` the shards scanned, in a checkout of the same commit")
	addRunFlags(cmd.Flags(), &o.runOptions)
	addPRCommentFlags(cmd.Flags(), &o.pr) // prcomment.go
	// The settings come from the shards: their flags are accepted (a CI
	// step may give every job the same ones) but not offered; merge's own
	// choose the outputs and the files it reads.
	for _, fk := range flagKeys {
		if !slices.Contains(fk.keys, "outputs."+fk.flag) && !mergeFlags[fk.flag] {
			cmd.Flags().MarkHidden(fk.flag)
		}
	}
	for _, f := range []string{"scanners", "cache-dir", "no-cache"} {
		cmd.Flags().MarkHidden(f)
	}
	return cmd
}

// mergeFlags are the flags with a configuration key, beside the outputs,
// that merge itself uses.
var mergeFlags = map[string]bool{"category": true, "baseline": true, "ignore-file": true}

// merge is the merge command: plan, merge, write, publish, exit code.
func (o *mergeOptions) merge(ctx context.Context, files []string, stdout, stderr io.Writer) error {
	if err := o.validate(); err != nil {
		return err
	}
	sink := ghactions.Start(os.Getenv, stderr)
	defer sink.Stop()
	plan := o.plan(stderr)
	plan.Commit = pipeline.CICommit(os.Getenv)
	rep, err := pipeline.MergeFiles(plan, files)
	if err != nil {
		return usageErr("%v", err)
	}
	outs := o.files()
	written, err := o.write(rep, outs, report.TextOptions{}, stdout, stderr)
	if err != nil {
		return err
	}
	return o.publish(ctx, sink, rep, outs, written, o.pr)
}
