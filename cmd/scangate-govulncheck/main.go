// Command scangate-govulncheck is the child process scangate's govulncheck
// scanner runs, one per Go module, when this program is installed beside
// scangate (go install ./cmd/..., the Docker image).
// It links only govulncheck, so it starts in about a fifth of the memory
// scangate itself needs. Without it scangate re-executes itself instead,
// with the same results.
//
// It is not meant to be run by hand: run `scangate scan`.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/scangate/scangate/scanners/govulncheck"
)

func main() {
	args := os.Args[1:]
	if len(args) == 1 && args[0] == govulncheck.ProtocolQuery {
		fmt.Println(govulncheck.Protocol())
		return
	}
	if len(args) == 0 || args[0] != govulncheck.Subcommand {
		fmt.Fprintf(os.Stderr, "%s: scangate runs this program for its govulncheck scanner; run `scangate scan` instead\n", govulncheck.Companion)
		os.Exit(2)
	}
	os.Exit(govulncheck.RunChild(context.Background(), args[1:], os.Stdout, os.Stderr))
}
