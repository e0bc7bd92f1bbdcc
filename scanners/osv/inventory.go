package osv

import (
	"slices"

	"github.com/google/osv-scalibr/extractor"
	"github.com/ossf/osv-schema/bindings/go/osvconstants"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner/golang"
)

// packagesOf lists the packages read from the lockfiles, vulnerable or not,
// named and spelled as the findings name them.
func packagesOf(read []extracted) []finding.Component {
	var out []finding.Component
	for _, x := range read {
		for _, p := range x.pkgs {
			eco := p.Ecosystem()
			c := finding.Component{Ecosystem: eco.String(), Name: reportName(p), Manifest: x.lf.Rel,
				Dev: isDevGroup(eco.Ecosystem, p)}
			c.Version = finding.Spell(c.Ecosystem, c.Name, p.Version)
			switch {
			case eco.Ecosystem == osvconstants.EcosystemGo:
				c.PURL = golang.PURL(p.Name, p.Version) // with govulncheck's v
			case p.PURL() != nil:
				c.PURL = p.PURL().String()
			}
			out = append(out, c)
		}
	}
	return finding.SortPackages(out)
}

// isDevGroup is osv-scanner's depgroup.IsDevGroup: the package is in the
// ecosystem's development group.
func isDevGroup(eco osvconstants.Ecosystem, p *extractor.Package) bool {
	dg, ok := p.Metadata.(interface{ DepGroups() []string })
	if !ok {
		return false
	}
	dev := ""
	switch eco {
	case osvconstants.EcosystemPackagist, osvconstants.EcosystemNPM, osvconstants.EcosystemPyPI, osvconstants.EcosystemPub:
		dev = "dev"
	case osvconstants.EcosystemConanCenter:
		dev = "build-requires"
	case osvconstants.EcosystemMaven:
		dev = "test"
	default:
		return false
	}
	return slices.Contains(dg.DepGroups(), dev)
}
