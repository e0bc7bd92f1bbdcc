package scanner

import (
	"runtime/debug"
	"strings"
	"sync"
)

// buildInfo is read once: every adapter asks it for its library's version.
var buildInfo = sync.OnceValue(func() *debug.BuildInfo {
	bi, _ := debug.ReadBuildInfo()
	return bi
})

// LinkedVersion returns the version of the module at path that this binary
// links; false when its build information does not list the module (test
// binaries list none, so adapters keep the version go.mod pins as a fallback).
func LinkedVersion(path string) (string, bool) { return ModuleVersion(buildInfo(), path) }

// ModuleVersion returns the version of the module at path in bi, with its
// replacement ("v1.9.0 => ../vuln" for a local directory) when it has one.
func ModuleVersion(bi *debug.BuildInfo, path string) (string, bool) {
	if bi == nil {
		return "", false
	}
	for _, d := range bi.Deps {
		if d.Path != path {
			continue
		}
		if r := d.Replace; r != nil {
			if r.Version != "" && r.Path == d.Path {
				return r.Version, true
			}
			return strings.TrimSpace(d.Version + " => " + r.Path + " " + r.Version), true
		}
		return d.Version, true
	}
	return "", false
}
