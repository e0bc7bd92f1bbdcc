package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/scanners"
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

// versions lists every adapter of the binary: embedded ones say their
// version (scanners.Versioner), external ones are run when installed.
func versions(w io.Writer) {
	for _, s := range adapters(&scanOptions{cfg: config.Default(".")}) {
		v := "external: run when installed"
		if vs, ok := s.(scanners.Versioner); ok {
			v = vs.Version()
		}
		fmt.Fprintf(w, "  %-12s %s\n", s.Name(), v)
	}
	sarif, ok := scanners.LinkedVersion("github.com/owenrumney/go-sarif/v3")
	if !ok {
		sarif = "not linked"
	}
	fmt.Fprintf(w, "  %-12s %s\n", "go-sarif", sarif)
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print scangate's version and the versions of its embedded scanners",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "scangate %s (%s, %s/%s)\n", scangateVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			versions(out)
			return nil
		},
	}
}
