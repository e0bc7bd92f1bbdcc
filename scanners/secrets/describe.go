package secrets

import (
	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
)

// Descriptor is the adapter as the registry lists it.
var Descriptor = &scanner.Descriptor{
	Name:    Name,
	Doc:     "Committed credentials in every text file and path of the tree: osv-scalibr's Veles detectors, embedded.",
	Kind:    finding.KindSecrets,
	Module:  "github.com/google/osv-scalibr",
	Options: &Config{},
	New:     func(o any) scanner.Scanner { return New(Options{Validate: o.(*Config).Validate}) },
}

// Config is scanners.secrets in .scangate.yml.
type Config struct {
	// Validate asks each provider whether a found secret is live
	// (--validate-secrets); refused offline.
	Validate bool `yaml:"validate" trust:"send the secrets found to their providers" doc:"Ask each provider whether a secret found is live (--validate-secrets); needs the network, refused with db.offline."`
}
