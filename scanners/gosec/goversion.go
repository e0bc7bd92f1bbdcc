package gosec

import (
	"fmt"
	"go/version"
	"os"
	"sync"

	securego "github.com/securego/gosec/v2"
)

// gosec reads the Go version its rules assume (G601 only fires below go1.22,
// G402 treats an unset TLS MinVersion as safe from go1.18) once per process:
// from $GOSECGOVERSION, else from `go list -m` in the process's working
// directory, which is not the scanned module. We pin it before the first
// rule runs instead, from the scanned modules' go directives.
const goVersionEnv = "GOSECGOVERSION"

var pin struct {
	sync.Mutex
	done   bool
	actual string // "go1.21": what gosec uses for the rest of the process
}

// pinGoVersion makes gosec assume want ("go1.21") unless the process already
// fixed a version (an earlier scan, or $GOSECGOVERSION set by the user), and
// returns the version gosec actually uses.
func pinGoVersion(want string) string {
	pin.Lock()
	defer pin.Unlock()
	if !pin.done {
		if _, set := os.LookupEnv(goVersionEnv); !set && want != "" {
			// Set only for gosec's one read, so that no child process
			// started later inherits it.
			_ = os.Setenv(goVersionEnv, want)
			defer os.Unsetenv(goVersionEnv)
		}
		pin.done = true
	}
	major, minor, _ := securego.GoVersion()
	pin.actual = fmt.Sprintf("go%d.%d", major, minor)
	return pin.actual
}

// moduleGoVersion is the language version a module is compiled with: its go
// directive, or go1.16 when it has none (the go command's own default).
func moduleGoVersion(directive string) string {
	if directive == "" {
		return "go1.16"
	}
	return "go" + directive
}

// chooseGoVersion picks the version to pin for a set of modules: the lowest
// one the local toolchain can build. The lowest keeps G601 live for old
// modules; its findings are then dropped for modules at go1.22 or later,
// where gosec itself would not report them (see versionNotes).
func chooseGoVersion(dirs []string, local string) string {
	low := ""
	for _, d := range dirs {
		v := moduleGoVersion(d)
		if local != "" && version.Compare(v, local) > 0 {
			continue // cannot load anyway
		}
		if low == "" || version.Compare(v, low) < 0 {
			low = v
		}
	}
	return low
}

// versionRules says how assuming pinned instead of the module's own version
// changes gosec's results: drop lists rules whose findings must be dropped
// for this module (gosec would not report them), warn explains what may be
// missing or extra.
func versionRules(pinned, module string) (drop map[string]bool, warn []string) {
	below := func(v, threshold string) bool { return version.Compare(v, threshold) < 0 }
	switch {
	case below(pinned, "go1.22") && !below(module, "go1.22"):
		// Exact: G601 reports nothing at go1.22+, so its findings here are
		// artefacts of the lower pinned version.
		drop = map[string]bool{"G601": true}
	case !below(pinned, "go1.22") && below(module, "go1.22"):
		warn = append(warn, fmt.Sprintf("G601 (implicit memory aliasing in range loops) was not checked: the module declares %s but gosec's Go version is fixed at %s for this process", module, pinned))
	}
	switch {
	case below(pinned, "go1.18") && !below(module, "go1.18"):
		warn = append(warn, fmt.Sprintf("G402 may report TLS configs without MinVersion as too low: the module declares %s (safe default) but gosec's Go version is fixed at %s for this process", module, pinned))
	case !below(pinned, "go1.18") && below(module, "go1.18"):
		warn = append(warn, fmt.Sprintf("G402 did not flag TLS configs without MinVersion: the module declares %s (TLS 1.0 default) but gosec's Go version is fixed at %s for this process", module, pinned))
	}
	return drop, warn
}
