// Command scangate runs security scanners over a repository, merges their
// findings into one SARIF file and a summary, and applies a pass/fail gate.
//
// Each command has its own options type and reads the same way: parse the
// flags and resolve the configuration, build a pipeline.Plan, call the
// pipeline (Run or Merge), hand the report to the writers (report.Write)
// and the GitHub sink (ghactions.Sink), and exit with the verdict's code.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/report"
	"github.com/scangate/scangate/scanners/govulncheck"
	"github.com/scangate/scangate/scanners/osv"
)

// Exit codes, documented in the README and in `scangate scan --help`: the
// gate's outcomes are their own exit status; 2 is the CLI's, for usage errors.
const (
	exitPass       = int(finding.GatePass)
	exitFail       = int(finding.GateFail)
	exitUsage      = 2
	exitIncomplete = int(finding.GateIncomplete)
)

// exitError carries the process exit status of a command that did not
// succeed; err may be nil when the outcome is already reported.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	// The govulncheck adapter re-executes this binary to run govulncheck in a
	// child process it can kill, when scangate-govulncheck is not beside it
	// (see scanners/govulncheck); not a user command.
	if len(args) > 0 && args[0] == govulncheck.Subcommand {
		return govulncheck.RunChild(context.Background(), args[1:], stdout, stderr)
	}
	osv.SilenceExtractorLogs() // they echo scanned files to stderr unescaped
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitPass
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			// Errors quote config files and tool output of the scanned repository.
			fmt.Fprintf(stderr, "scangate: %s\n", report.TermText(ee.err.Error()))
		}
		return ee.code
	}
	// Anything else comes from cobra's own parsing: a usage error.
	fmt.Fprintf(stderr, "scangate: %s\nRun 'scangate --help' for usage.\n", report.TermText(err.Error()))
	return exitUsage
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "scangate",
		Short: "Run security scanners, merge their findings into SARIF, and gate the build",
		Long: `scangate runs security scanners over a repository (gosec, govulncheck and
osv-scanner embedded; bandit and safety when installed), merges what they find
into one SARIF 2.1.0 file and a summary, and passes or fails the build.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newScanCmd(), newVersionCmd(), newDBCmd(), newConfigCmd(), newBaselineCmd())
	root.AddCommand(newHookCmd(), newActionCmd(), newReportCmd(), newMergeCmd()) // hook.go, action.go, reportcmd.go, shard.go
	return root
}
