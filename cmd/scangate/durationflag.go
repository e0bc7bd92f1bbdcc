package main

import (
	"errors"
	"time"

	"github.com/spf13/pflag"

	"github.com/scangate/scangate/config"
)

// durationValue is a duration flag that also takes whole days ("7d"), as
// the configuration file does, and shows its default the same way.
type durationValue time.Duration

// durationVar defines a duration flag that accepts days.
func durationVar(f *pflag.FlagSet, p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	f.Var((*durationValue)(p), name, usage)
}

func (d *durationValue) Set(s string) error {
	v, err := config.ParseDuration(s)
	if err != nil {
		// Zero and negative values parse here; the command's own check
		// says whether it takes them.
		if v, err = time.ParseDuration(s); err != nil {
			return errors.New("want a duration such as 90s, 5m, 1h30m or 7d")
		}
	}
	*d = durationValue(v)
	return nil
}

func (d *durationValue) String() string { return config.FormatDuration(time.Duration(*d)) }

func (d *durationValue) Type() string { return "duration" }
