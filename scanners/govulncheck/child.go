package govulncheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	vulnscan "golang.org/x/vuln/scan"
)

// Subcommand is the hidden first argument that makes our own binary act as
// the govulncheck child process. cmd/scangate registers it and calls RunChild
// with the remaining arguments.
const Subcommand = "__govulncheck"

// RunChild runs govulncheck with args (its own flags, without Subcommand)
// and returns the process exit status: 0 when the scan finished (findings
// or not), 2 for a usage error, 1 for any other failure, whose message goes
// to stderr.
//
// It is meant to run in a child process only: govulncheck v1.9.0
// dereferences nil when its context is cancelled during a symbol scan,
// from a goroutine no recover reaches, and a large scan uses gigabytes.
// So ctx is not passed on as a cancellation signal; the parent stops the
// child by killing its process group.
//
// The adapter relies on this contract (arguments, output, exit codes) in
// the Companion too: change protocol with it.
func RunChild(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runChild(context.WithoutCancel(ctx), args, stdout, stderr)
}

// runChild is RunChild with ctx honoured; the crash-isolation test uses it
// to make the real govulncheck crash inside a child.
func runChild(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// govulncheck runs "go env" with the process environment, not
	// Cmd.Env: a go.mod toolchain line must not make it fetch a toolchain.
	if err := os.Setenv("GOTOOLCHAIN", "local"); err != nil {
		fmt.Fprintf(stderr, "govulncheck: %v\n", err)
		return 1
	}
	cmd := vulnscan.Command(ctx, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Env = os.Environ()
	err := cmd.Start()
	if err == nil {
		err = cmd.Wait()
	}
	if err == nil {
		return 0
	}
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		if ec.ExitCode() != 0 {
			fmt.Fprintf(stderr, "govulncheck: %v\n", err)
		}
		return ec.ExitCode()
	}
	fmt.Fprintf(stderr, "%v\n", err)
	return 1
}
