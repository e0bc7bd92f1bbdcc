package govulncheck

import (
	"context"
	"debug/buildinfo"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/scangate/scangate/internal/shellout"
	"github.com/scangate/scangate/scanner"
)

// Companion is the program the adapter prefers as its child process when it
// sits beside the scangate binary: cmd/scangate-govulncheck, which links
// nothing but govulncheck. scangate itself costs about 55 MiB just to start
// (the package initialisation of gosec's and osv-scanner's dependencies), a
// cost the child would pay again on top of govulncheck's own; the companion
// starts in about 10 MiB, as standalone govulncheck does.
const Companion = "scangate-govulncheck"

// ProtocolQuery is the argument that makes the companion print its
// protocol and exit.
const ProtocolQuery = "__govulncheck-protocol"

// protocol names the contract between the adapter and its child: the
// arguments after Subcommand, the output and the exit codes of RunChild.
// Change it with that contract, so that a companion built before the change
// is not used. A variable so that tests can build a companion of another
// protocol (-ldflags -X).
var protocol = "scangate-govulncheck/1"

// Protocol is the child protocol this build speaks.
func Protocol() string { return protocol }

// childProgram returns the program to run as the child for a scangate
// binary at self: the companion beside it (self's symlinks resolved) when
// it runs the same govulncheck (same Go release, same versions of every
// module it links) and speaks our protocol, else self. A companion that is
// there but unusable is worth a warning: the scan still runs, at
// scangate's start-up cost.
func childProgram(ctx context.Context, self string) (exe, warning string) {
	dir := filepath.Dir(self)
	if real, err := filepath.EvalSymlinks(self); err == nil {
		dir = filepath.Dir(real)
	}
	name := Companion
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	comp := filepath.Join(dir, name)
	fi, err := os.Stat(comp)
	if err != nil {
		return self, ""
	}
	unusable := func(why string) (string, string) {
		return self, fmt.Sprintf("%s beside scangate is not used: %s; govulncheck runs in scangate itself (reinstall both programs to fix this)", name, why)
	}
	if !fi.Mode().IsRegular() || (runtime.GOOS != "windows" && fi.Mode().Perm()&0o111 == 0) {
		return unusable("not an executable file")
	}
	theirs, err := buildinfo.ReadFile(comp)
	if err != nil {
		return unusable(fmt.Sprintf("not a Go program (%v)", err))
	}
	ours, _ := debug.ReadBuildInfo()
	if why := mismatch(ours, theirs); why != "" {
		return unusable(why)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := shellout.Run(ctx, shellout.Cmd{Program: comp, Args: []string{ProtocolQuery}, MaxStdout: 1 << 10})
	if err != nil {
		return unusable(fmt.Sprintf("asking for its protocol: %v", err))
	}
	if got := strings.TrimSpace(string(out.Stdout)); out.ExitCode != 0 || got != protocol {
		if got == "" {
			got = fmt.Sprintf("nothing (exit %d)", out.ExitCode)
		}
		return unusable(fmt.Sprintf("it speaks protocol %s, scangate %s", got, protocol))
	}
	return comp, ""
}

// mismatch says why the companion's build information shows another
// govulncheck than ours, or returns "": it must link golang.org/x/vuln,
// be built by the same Go release (go/types and the standard library's
// sources shape the analysis), and every module it links must have the
// version ours has. Which commit of scangate built it does not matter;
// protocol covers our own side of the contract. A build of ours that lists
// no modules (a test binary) is compared on the x/vuln version only.
func mismatch(ours, theirs *debug.BuildInfo) string {
	tv, ok := scanner.ModuleVersion(theirs, "golang.org/x/vuln")
	if !ok {
		return "it does not link golang.org/x/vuln"
	}
	if ours == nil || len(ours.Deps) == 0 {
		if tv != vulnVersion {
			return fmt.Sprintf("it links golang.org/x/vuln %s, scangate %s", tv, vulnVersion)
		}
		return ""
	}
	if theirs.GoVersion != ours.GoVersion {
		return fmt.Sprintf("it is built with %s, scangate with %s", theirs.GoVersion, ours.GoVersion)
	}
	for _, d := range theirs.Deps {
		tv, _ := scanner.ModuleVersion(theirs, d.Path)
		ov, ok := scanner.ModuleVersion(ours, d.Path)
		if !ok {
			ov = "nothing"
		}
		if tv != ov {
			return fmt.Sprintf("it links %s %s, scangate %s", d.Path, tv, ov)
		}
	}
	return ""
}
