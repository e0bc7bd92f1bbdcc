package golang

import (
	"strings"

	gopurl "github.com/google/osv-scalibr/extractor/filesystem/language/golang/purl"
)

// PURL is the package URL of a Go module at a version in either
// spelling (v1.2.3 or 1.2.3; go1.22.4 for the standard library), built as
// osv-scalibr builds it, with the v that govulncheck's module versions
// carry: the same module from go.mod (osv-scanner) and from the build list
// (govulncheck) has one package URL. The standard library is
// pkg:golang/stdlib@v1.22.4, as govulncheck's OpenVEX names it.
func PURL(module, version string) string {
	if version != "" {
		version = "v" + strings.TrimPrefix(strings.TrimPrefix(version, "go"), "v")
	}
	return gopurl.MakePackageURL(module, version).String()
}
