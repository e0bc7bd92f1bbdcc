package main

import (
	"errors"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/internal/shellout"
)

// checkPrograms refuses, before a scan starts, a configured program that
// resolves inside the scanned tree, whoever configured it: the repository
// being scanned never supplies a program scangate runs. A program found on
// PATH by default is checked by its adapter, which then fails.
func checkPrograms(c *config.Config, root string) error {
	for _, p := range c.Programs() {
		var ue *shellout.UntrustedError
		if _, err := shellout.Lookup(p.Value, root); errors.As(err, &ue) {
			return usageErr("%s (%s): %v", p.Key, c.Source(p.Key), err)
		}
	}
	return nil
}
