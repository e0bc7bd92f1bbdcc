package workflows

import (
	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
)

// Descriptor is the adapter as the registry lists it.
var Descriptor = &scanner.Descriptor{
	Name:    Name,
	Doc:     "GitHub Actions workflows and composite actions: template injection, actions not pinned by commit, pull request code checked out by a privileged trigger, write-all permissions; embedded.",
	Kind:    finding.KindCode,
	Module:  module,
	Options: &Config{},
	Rules:   RuleIDs(),
	New: func(o any) scanner.Scanner {
		c := o.(*Config)
		return New(Options{Skips: c.Skips, RefPin: c.RefPin})
	},
}

// Config is scanners.workflows in .scangate.yml. An in-tree file may set
// it: like exclude, it is the repository's own policy.
type Config struct {
	Skips []string `yaml:"skips" rules:"" doc:"Rules not to run (template-injection, unpinned-uses, untrusted-checkout, excessive-permissions)."`
	// RefPin is zizmor's ref-pin policy for these actions; every other
	// action must be pinned by commit (zizmor's default since v1.20).
	RefPin []string `yaml:"ref-pin" pattern:"^[A-Za-z0-9_.-]+/(\\*|[A-Za-z0-9_.-]+)$" doc:"Actions and reusable workflows that may be pinned by a tag or branch instead of a commit SHA, as owner/* or owner/repo (zizmor's ref-pin policy)."`
}
