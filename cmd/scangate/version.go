package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
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

// embedded lists the libraries whose versions `scangate version` reports.
var embedded = []struct{ name, module string }{
	{"gosec", "github.com/securego/gosec/v2"},
	{"govulncheck", "golang.org/x/vuln"},
	{"osv-scanner", "github.com/google/osv-scanner/v2"},
	{"go-sarif", "github.com/owenrumney/go-sarif/v3"},
}

// depVersion returns the version of a module linked into this binary.
func depVersion(module string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, d := range bi.Deps {
		if d.Path == module {
			if d.Replace != nil {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	return "not linked"
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print scangate's version and the versions of its embedded scanners",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "scangate %s (%s, %s/%s)\n", scangateVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			for _, e := range embedded {
				fmt.Fprintf(out, "  %-12s %s\n", e.name, depVersion(e.module))
			}
			fmt.Fprintf(out, "  %-12s %s\n", "bandit", "external: run when installed")
			fmt.Fprintf(out, "  %-12s %s\n", "safety", "external: run when installed")
			return nil
		},
	}
}
