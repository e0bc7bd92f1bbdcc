package pipeline

import (
	"fmt"
	"time"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/policy"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanners/registry"
)

// PolicyOf is the gate the configuration describes.
func PolicyOf(c *config.Config) (policy.Policy, error) {
	th, err := policy.ParseThreshold(c.FailOn)
	if err != nil {
		return policy.Policy{}, fmt.Errorf("fail-on: %w", err)
	}
	p := policy.Policy{FailOn: th, AllowIncomplete: c.AllowIncomplete,
		FailOnCalled: c.FailOnCalled, IgnoreUnfixed: c.IgnoreUnfixed}
	if !c.Reachability.Off {
		p.Reachability = policy.Reachability{Imported: c.Reachability.Imported, Required: c.Reachability.Required}
	}
	for _, n := range registry.Names() {
		if f := c.Scanner(n).FailOn; f != "" {
			t, err := policy.ParseThreshold(f)
			if err != nil {
				return policy.Policy{}, fmt.Errorf("scanners.%s.fail-on: %w", n, err)
			}
			if p.PerTool == nil {
				p.PerTool = map[string]policy.Threshold{}
			}
			p.PerTool[n] = t
		}
	}
	for id, s := range c.Severity {
		sev, err := finding.ParseSeverity(s)
		if err != nil {
			return policy.Policy{}, fmt.Errorf("severity.%s: %w", id, err)
		}
		if p.Severity == nil {
			p.Severity = map[string]finding.Severity{}
		}
		p.Severity[id] = sev
	}
	return p, nil
}

// RunOptionsOf are the scanner runner's settings from the configuration.
func RunOptionsOf(c *config.Config) scanner.Options {
	opt := scanner.Options{Timeout: c.Timeout}
	for _, n := range registry.Names() {
		s := c.Scanner(n)
		if s.Required {
			if opt.Required == nil {
				opt.Required = map[string]bool{}
			}
			opt.Required[n] = true
		}
		if s.Timeout > 0 {
			if opt.Timeouts == nil {
				opt.Timeouts = map[string]time.Duration{}
			}
			opt.Timeouts[n] = s.Timeout
		}
	}
	return opt
}

// requestOf is what every scanner of the scan receives, from the configuration.
func requestOf(root string, c *config.Config) scanner.Request {
	return scanner.Request{Root: root, Tests: c.Tests, Tags: c.Tags, Exclude: c.Exclude,
		Offline: c.DB.Offline, DB: c.DB.Dir, DBMaxAge: c.DB.MaxAge, Cgo: c.Cgo}
}
