package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/policy"
	"github.com/scangate/scangate/report"
)

func newBaselineCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "baseline",
		Short: "Record the current findings so that the gate counts only new ones",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newBaselineCreateCmd())
	return cmd
}

// baselineOptions are baseline create's: a run, and the file it writes.
type baselineOptions struct {
	runOptions
	output string
}

func newBaselineCreateCmd() *cobra.Command {
	o := &baselineOptions{}
	cmd := &cobra.Command{
		Use:   "create [PATH]",
		Short: "Scan PATH and record its findings in a baseline file",
		Long: `Scan PATH (default ".") exactly as scangate scan would, with the same
configuration, and record every finding in a baseline
file (default: .scangate-baseline.json at PATH, or the configuration's
baseline); findings suppressed now are marked so and match only while they
stay suppressed. Commit the file; then scangate scan --baseline FILE (or baseline:
in .scangate.yml) counts only findings missing from it.

The file holds one line per finding: tool, rule, path, package@version for
dependency findings, and the fingerprint; no line numbers or dates, so that
it changes only when findings do. A scan that could not complete does not
write a baseline (exit 3) unless --allow-incomplete is given.`,
		Example: `  scangate baseline create
  git add .scangate-baseline.json
  scangate scan --baseline .scangate-baseline.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.path = pathArg(args)
			if err := o.resolve(cmd.Flags()); err != nil {
				return err
			}
			if o.output == "" {
				o.output = cmp.Or(o.baseline, filepath.Join(o.path, config.BaselineFileName))
			}
			o.base, o.baseline = nil, "" // record everything, whatever the configuration compares with
			return o.create(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addRunFlags(cmd.Flags(), &o.runOptions)
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "write the baseline to `FILE` (default: .scangate-baseline.json at PATH)")
	cmd.Flags().MarkHidden("baseline")
	return cmd
}

// create is the baseline create command: plan, run, write the reports
// and the baseline.
func (o *baselineOptions) create(ctx context.Context, stdout, stderr io.Writer) error {
	output := o.output
	if err := o.validate(); err != nil {
		return err
	}
	if err := report.CheckWritable(output); err != nil {
		return usageErr("%v", err)
	}
	scan, err := o.run(ctx, o.plan(stderr), stderr)
	if err != nil {
		return err
	}
	if _, err := o.writeReports(scan, o.files(), stdout); err != nil {
		return err
	}
	if inc := scan.Verdict.IncompleteTools; len(inc) > 0 && !o.cfg.AllowIncomplete {
		report.Text(stderr, scan, report.TextOptions{Color: useColor(stderr)})
		return &exitError{code: exitIncomplete, err: fmt.Errorf(
			"baseline not written: %s could not complete, and a baseline without their findings would report them as new later (--allow-incomplete writes it anyway)",
			strings.Join(inc, ", "))}
	}
	b := policy.NewBaseline(scan.Results)
	if err := report.WriteFile(output, stdout, b.Write); err != nil {
		return &exitError{code: exitIncomplete, err: err}
	}
	summarizeBaseline(stderr, scan, b, output)
	return nil
}

func summarizeBaseline(w io.Writer, scan *model.Report, b *policy.Baseline, output string) {
	per := map[string]int{}
	suppressed := 0
	for _, e := range b.Findings {
		per[e.Tool] += max(e.Count, 1)
		if e.Suppressed {
			suppressed += max(e.Count, 1)
		}
	}
	var parts []string
	for _, r := range scan.Results {
		switch {
		case r.State == finding.Skipped:
			parts = append(parts, r.Tool+" skipped")
		case r.State == finding.Incomplete:
			parts = append(parts, fmt.Sprintf("%s %d (incomplete)", r.Tool, per[r.Tool]))
		default:
			parts = append(parts, fmt.Sprintf("%s %d", r.Tool, per[r.Tool]))
		}
	}
	fmt.Fprintf(w, "scangate: wrote %s: %d finding(s) (%s)", output, b.Len(), strings.Join(parts, ", "))
	if suppressed > 0 {
		fmt.Fprintf(w, ", %d of them suppressed", suppressed)
	}
	fmt.Fprintln(w)
	for _, n := range scan.Notes {
		fmt.Fprintf(w, "  %s\n", n)
	}
}
