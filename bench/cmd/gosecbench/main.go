// Command gosecbench runs scangate's embedded gosec adapter on a directory,
// the way bench/gosec.sh compares it with the standalone gosec binary.
// It prints a one-line summary on stderr and, with -json, the findings.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/scangate/scangate/bench/internal/benchcli"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanners/gosec"
)

func main() {
	tests := flag.Bool("tests", false, "scan test files too")
	tags := flag.String("tags", "", "comma-separated build tags")
	asJSON := flag.Bool("json", false, "print the result as JSON on stdout")
	verbose := flag.Bool("v", false, "print progress on stderr")
	root := benchcli.Root("gosecbench [-tests] [-tags a,b] [-json] [-v] DIR")
	req := &scanner.Request{Root: root, Tests: *tests, Logf: func(string, ...any) {}}
	if *tags != "" {
		req.Tags = strings.Split(*tags, ",")
	}
	if *verbose {
		req.Logf = benchcli.Logf
	}
	start := time.Now()
	res, err := gosec.New(gosec.Options{}).Scan(context.Background(), req)
	fmt.Fprintf(os.Stderr, "gosecbench: %d findings, %d notifications, state %s, %s\n",
		len(res.Findings), len(res.Notifications), res.State, time.Since(start).Round(time.Millisecond))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gosecbench:", err)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err != nil {
		os.Exit(1)
	}
}
