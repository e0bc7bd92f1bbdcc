// Command vulnadapter runs scangate's govulncheck adapter alone on one tree,
// for bench/vuln.sh, until `scangate scan` can run it: it registers the
// hidden child subcommand the way cmd/scangate does.
//
//	vulnadapter [-db DIR] ROOT
//
// With -db the scan is offline and reads DIR/govulncheck. It prints one line
// per finding on stdout and its own peak RSS (the parent, without the
// child) on stderr.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"syscall"

	"github.com/scangate/scangate/bench/internal/benchcli"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanners/govulncheck"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == govulncheck.Subcommand {
		os.Exit(govulncheck.RunChild(context.Background(), os.Args[2:], os.Stdout, os.Stderr))
	}
	db := flag.String("db", "", "offline database directory (holding govulncheck/)")
	level := flag.String("scan", "symbol", "govulncheck scan level")
	root := benchcli.Root("vulnadapter [-db DIR] [-scan LEVEL] ROOT")
	req := &scanner.Request{Root: root, Offline: *db != "", DB: *db, Logf: benchcli.Logf}
	res, err := govulncheck.New(govulncheck.Options{ScanLevel: *level}).Scan(context.Background(), req)
	for _, f := range res.Findings {
		fmt.Printf("%s %s %s %s\n", f.RuleID, f.Reachable, f.Location, f.Package.Name)
	}
	for _, n := range res.Notifications {
		fmt.Fprintf(os.Stderr, "%s: %s\n", n.Level, n.Message)
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		fmt.Fprintf(os.Stderr, "parent peak RSS: %d KiB\n", ru.Maxrss)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
