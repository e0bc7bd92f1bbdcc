package scanners

import (
	"strings"

	gopurl "github.com/google/osv-scalibr/extractor/filesystem/language/golang/purl"

	"github.com/scangate/scangate/finding"
)

// GoPURL is the package URL of a Go module at a version in either
// spelling (v1.2.3 or 1.2.3; go1.22.4 for the standard library), built as
// osv-scalibr builds it, with the v that govulncheck's module versions
// carry: the same module from go.mod (osv-scanner) and from the build list
// (govulncheck) has one package URL. The standard library is
// pkg:golang/stdlib@v1.22.4, as govulncheck's OpenVEX names it.
func GoPURL(module, version string) string {
	if version != "" {
		version = "v" + strings.TrimPrefix(strings.TrimPrefix(version, "go"), "v")
	}
	return gopurl.MakePackageURL(module, version).String()
}

// confinePackages drops inventory entries whose manifest lies outside the
// root, and bounds the inventory at finding.MaxPackages with a warning.
func confinePackages(p *Paths, res *finding.Result) {
	kept := res.Packages[:0]
	for _, c := range res.Packages {
		if p.Inside(c.Manifest) {
			kept = append(kept, c)
		}
	}
	if n := len(res.Packages) - len(kept); n > 0 {
		res.Warnf("%s: %d packages of manifests outside the scanned root not listed", res.Tool, n)
	}
	res.Packages = finding.SortPackages(kept)
	if n := len(res.Packages); n > finding.MaxPackages {
		res.Packages = res.Packages[:finding.MaxPackages]
		res.Warnf("%s: %d packages found, the first %d (by manifest and name) listed: the SBOM is incomplete", res.Tool, n, finding.MaxPackages)
	}
}
