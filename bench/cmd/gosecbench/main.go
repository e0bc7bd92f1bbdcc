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
	"path/filepath"
	"strings"
	"time"

	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanners/gosec"
)

func main() {
	tests := flag.Bool("tests", false, "scan test files too")
	tags := flag.String("tags", "", "comma-separated build tags")
	asJSON := flag.Bool("json", false, "print the result as JSON on stdout")
	verbose := flag.Bool("v", false, "print progress on stderr")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gosecbench [-tests] [-tags a,b] [-json] [-v] DIR")
		os.Exit(2)
	}
	root, err := filepath.Abs(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	req := &scanner.Request{Root: root, Tests: *tests, Logf: func(string, ...any) {}}
	if *tags != "" {
		req.Tags = strings.Split(*tags, ",")
	}
	if *verbose {
		req.Logf = func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
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
