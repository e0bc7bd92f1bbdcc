package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/ghactions"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/report"
)

// ghRun is the GitHub Actions side of one scan; nil outside Actions, and
// every method is a no-op on nil.
type ghRun struct {
	getenv func(string) string
	stderr io.Writer
	resume func()
}

// startGitHubActions runs before anything of the scanned repository is
// printed. Inside GitHub Actions it stops the runner from reading workflow
// commands in our human output (progress, summary), where a crafted file
// name could otherwise inject one; finish resumes it.
func startGitHubActions(stderr io.Writer) *ghRun {
	if !ghactions.Enabled(os.Getenv) {
		return nil
	}
	return &ghRun{getenv: os.Getenv, stderr: stderr, resume: ghactions.StopCommands(stderr)}
}

// stop resumes command processing if finish did not run (an early error).
func (g *ghRun) stop() {
	if g != nil {
		g.resume()
	}
}

// finish writes, after the reports: the annotations (stderr, after the
// human output), the markdown summary to $GITHUB_STEP_SUMMARY and the step
// outputs to $GITHUB_OUTPUT. An unset file variable is skipped: the runner
// always sets both. sarifRuns is how many runs the SARIF report holds.
func (g *ghRun) finish(o *scanOptions, scan *model.Report, sarifRuns int) error {
	if g == nil {
		return nil
	}
	g.resume()
	var leftOut []string
	if o.sarifOut != "" && !o.keepIncomplete {
		leftOut = report.SARIFLeftOut(scan.Results, report.SARIFOptions{})
	}
	anns := append(toolProblems(scan.Results, leftOut), ghactions.FromFindings(scan.Ranked(), o.scanRoot)...)
	kept, dropped := ghactions.Cap(anns)
	for _, a := range kept {
		// The runner escapes nothing but its own separators: a control
		// character of a file name would reach the log viewer raw.
		fmt.Fprintln(g.stderr, report.TermLine(fmt.Sprint(a)))
	}
	if n := dropped[ghactions.Error] + dropped[ghactions.Warning] + dropped[ghactions.Notice]; n > 0 {
		fmt.Fprintf(g.stderr, "scangate: %d more findings are not annotated (GitHub shows %d annotations of each level per step); the step summary and the SARIF report list them\n",
			n, ghactions.PerLevel)
	}
	if path := g.getenv("GITHUB_STEP_SUMMARY"); path != "" {
		var md bytes.Buffer
		if err := report.Markdown(&md, scan); err != nil {
			return err
		}
		if err := ghactions.AppendSummary(path, md.Bytes()); err != nil {
			return err
		}
	}
	if path := g.getenv("GITHUB_OUTPUT"); path != "" {
		v := scan.Verdict
		outs := []ghactions.Output{
			{Name: "sarif-file", Value: o.sarifOut},
			{Name: "findings", Value: strconv.Itoa(v.New + v.Unchanged)},
			{Name: "new-findings", Value: strconv.Itoa(v.New)},
			{Name: "verdict", Value: v.Outcome.String()},
			{Name: "incomplete", Value: strings.Join(v.IncompleteTools, ",")},
			{Name: "sarif-runs", Value: strconv.Itoa(sarifRuns)},
		}
		if err := ghactions.SetOutputs(path, outs); err != nil {
			return err
		}
	}
	return nil
}

// toolProblems makes one error annotation per scanner that could not
// complete, first in line: an incomplete scan fails the step too. leftOut
// names the runs not in the SARIF report (report.SARIFLeftOut).
func toolProblems(results []finding.Result, leftOut []string) []ghactions.Annotation {
	var anns []ghactions.Annotation
	for _, r := range results {
		if r.State != finding.Incomplete {
			continue
		}
		var msgs []string
		for _, n := range r.Notifications {
			if n.Level == finding.LevelError {
				msgs = append(msgs, n.Message)
			}
		}
		if len(msgs) == 0 {
			msgs = append(msgs, r.Tool+" analyzed nothing or only part of the tree")
		}
		var out []string
		for _, name := range leftOut {
			if name == r.Tool || strings.HasPrefix(name, r.Tool+" (") {
				out = append(out, name)
			}
		}
		switch {
		case len(out) == 1 && out[0] == r.Tool:
			msgs = append(msgs, "Its run is left out of the SARIF report, so that code scanning keeps "+r.Tool+"'s alerts as the last complete scan left them.")
		case len(out) > 0:
			msgs = append(msgs, "Left out of the SARIF report, so that code scanning keeps their alerts as the last complete scan left them: "+
				strings.Join(out, ", ")+"; what "+r.Tool+" completed is in it.")
		}
		anns = append(anns, ghactions.Annotation{Level: ghactions.Error,
			Title: "scangate: " + r.Tool + " could not complete", Message: strings.Join(msgs, "\n")})
	}
	return anns
}
