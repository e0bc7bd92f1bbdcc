package main

import (
	"fmt"
	"io"
	"os"
	"regexp"

	"github.com/spf13/cobra"

	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/pipeline"
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
	if o.jsonOut == "" {
		return usageErr("--shard %s needs --json FILE: scangate merge reads the shards' JSON reports", v)
	}
	o.shard = &pipeline.ShardSpec{Index: k, Count: n, Commit: ciCommit(os.Getenv)}
	return nil
}

var commitRE = regexp.MustCompile(`^[0-9a-f]{40}([0-9a-f]{24})?$`)

// ciCommit is the commit the CI checked out (GitHub Actions, GitLab CI), ""
// elsewhere. scangate reads nothing under .git (the tree is hostile), so the
// shards' trees are compared by their units too.
func ciCommit(getenv func(string) string) string {
	for _, k := range []string{"GITHUB_SHA", "CI_COMMIT_SHA"} {
		if v := getenv(k); commitRE.MatchString(v) {
			return v
		}
	}
	return ""
}

// shardOutputs drops the reports a shard does not write: each would hold
// part of the findings (a partial SARIF would make code scanning close the
// other shards' alerts). merge writes them.
func (o *scanOptions) shardOutputs(stderr io.Writer) {
	for _, out := range []struct {
		flag string
		path *string
	}{{"--sarif", &o.sarifOut}, {"--markdown", &o.markdownOut}, {"--gitlab-sast", &o.gitlabSAST},
		{"--gitlab-dependency-scanning", &o.gitlabDeps}, {"--gitlab-secret-detection", &o.gitlabSecrets}, {"--junit", &o.junitOut},
		{"--cyclonedx", &o.cyclonedxOut}} {
		if *out.path != "" {
			fmt.Fprintf(stderr, "scangate: shard %d/%d: %s %s is not written (it would hold this shard's findings only): give it to scangate merge\n",
				o.shard.Index, o.shard.Count, out.flag, o.display(*out.path))
			*out.path = ""
		}
	}
	if s := o.cfg.Source("baseline"); s.Flag != "" {
		fmt.Fprintf(stderr, "scangate: shard %d/%d: %s %s is applied by scangate merge, which gates: give it to merge\n",
			o.shard.Index, o.shard.Count, s.Flag, o.display(o.baseline))
	}
	if o.prComment {
		fmt.Fprintf(stderr, "scangate: shard %d/%d: no pull request comment (it would hold this shard's findings only): give --pr-comment to scangate merge\n",
			o.shard.Index, o.shard.Count)
		o.prComment = false
	}
}

func newMergeCmd() *cobra.Command {
	o := &scanOptions{}
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
			o.mergeFiles = args
			return runScan(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVar(&root, "root", ".", "the scanned `PATH` the shards scanned, in a checkout of the same commit")
	addScanFlags(cmd.Flags(), o)
	addPRCommentFlags(cmd.Flags(), o) // prcomment.go
	// The settings come from the shards: their flags are accepted (a CI
	// step may give every job the same ones) but not offered.
	for _, fk := range flagKeys {
		if !mergeFlags[fk.flag] {
			cmd.Flags().MarkHidden(fk.flag)
		}
	}
	for _, f := range []string{"scanners", "cache-dir", "no-cache"} {
		cmd.Flags().MarkHidden(f)
	}
	return cmd
}

// mergeFlags are the flags with a configuration key that merge itself uses.
var mergeFlags = map[string]bool{"sarif": true, "json": true, "markdown": true, "category": true,
	"gitlab-sast": true, "gitlab-dependency-scanning": true, "gitlab-secret-detection": true, "junit": true,
	"baseline": true, "ignore-file": true}

// merge reads the shards' reports and merges them with the plan's settings.
func (o *scanOptions) merge(plan pipeline.Plan) (*model.Report, error) {
	if len(o.mergeFiles) > scanner.MaxShards {
		return nil, usageErr("merge: %d files, but a scan has at most %d shards", len(o.mergeFiles), scanner.MaxShards)
	}
	var shards []pipeline.Shard
	budget := model.NewBudget() // shared: the files may come from a pull request's jobs
	for _, f := range o.mergeFiles {
		r, err := model.ReadJSONWithin(f, budget)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		shards = append(shards, pipeline.Shard{Name: f, Report: r})
	}
	plan.Commit = ciCommit(os.Getenv)
	r, err := pipeline.Merge(plan, shards)
	if err != nil {
		return nil, usageErr("merge: %v", err)
	}
	return r, nil
}
