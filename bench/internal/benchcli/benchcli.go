// Package benchcli holds what the bench commands share: their one argument
// and a progress log on stderr.
package benchcli

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// Arg parses the flags and returns the one argument, or exits 2 with usage.
func Arg(usage string) string {
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage:", usage)
		os.Exit(2)
	}
	return flag.Arg(0)
}

// Root is Arg made an absolute path: the tree to scan.
func Root(usage string) string {
	root, err := filepath.Abs(Arg(usage))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	return root
}

// Logf prints one line on stderr, as a scanner.Request's Logf.
func Logf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
