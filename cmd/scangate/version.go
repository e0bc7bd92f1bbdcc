package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanners/registry"
)

// version is set at release time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version from the build info is used.
var version = ""

func scangateVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// sarifModule is the one library `scangate version` lists that is not a scanner.
const sarifModule = "github.com/owenrumney/go-sarif/v3"

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print scangate's version and the versions of its embedded scanners",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "scangate %s (%s, %s/%s)\n", scangateVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			for _, d := range registry.All {
				fmt.Fprintf(out, "  %-12s %s\n", d.Name, d.Version())
			}
			sarif, ok := scanner.LinkedVersion(sarifModule)
			if !ok {
				sarif = "not linked"
			}
			fmt.Fprintf(out, "  %-12s %s\n", "go-sarif", sarif)
			return nil
		},
	}
}
