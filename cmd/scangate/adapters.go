package main

import (
	"os"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanners"
	"github.com/scangate/scangate/scanners/bandit"
	"github.com/scangate/scangate/scanners/gosec"
	"github.com/scangate/scangate/scanners/govulncheck"
	"github.com/scangate/scangate/scanners/osv"
	"github.com/scangate/scangate/scanners/safety"
)

// scannerNames is every scanner the binary has, in the order they run and
// report. The names are what --scanners and the config accept.
var scannerNames = []string{"gosec", "govulncheck", "osv-scanner", "bandit", "safety"}

// adapters builds the scanner list: every adapter of the binary is on this
// one screen, built with its options.
func adapters(o *scanOptions) []scanners.Scanner {
	sc := o.cfg.Scanners
	return []scanners.Scanner{
		gosec.New(gosec.Options{
			Include:       sc.Gosec.Include,
			Exclude:       sc.Gosec.Exclude,
			MinConfidence: severityOrInfo(sc.Gosec.MinConfidence),
		}),
		govulncheck.New(govulncheck.Options{ScanLevel: sc.Govulncheck.ScanLevel, Executable: govulncheckChild}),
		osv.New(osv.Options{SkipLockfiles: sc.OSV.SkipLockfiles, MaxDBAge: o.cfg.DB.MaxAge}),
		bandit.New(bandit.Options{
			Program:       sc.Bandit.Program,
			Skips:         sc.Bandit.Skips,
			MinConfidence: sc.Bandit.MinConfidence,
		}),
		safety.New(safety.Options{
			Program: sc.Safety.Program,
			DB:      sc.Safety.DB,
			Key:     keyFromEnv(sc.Safety.KeyEnv),
		}),
	}
}

// govulncheckChild is the program govulncheck runs in; "" lets the adapter
// choose (its companion beside scangate, else scangate itself). Tests set
// it to a companion built once, so that every in-process scan does not run
// govulncheck in the race-instrumented test binary.
var govulncheckChild string

// buildAdapters is adapters, replaceable in tests that need a scanner that
// panics or hangs next to the real ones.
var buildAdapters = adapters

// severityOrInfo reads a validated config value; "" keeps everything.
func severityOrInfo(s string) finding.Severity {
	if s == "" {
		return finding.Info
	}
	sev, _ := finding.ParseSeverity(s)
	return sev
}

// tuneRun lets tests give their own misbehaving scanners a short timeout
// while the real adapters keep theirs.
var tuneRun = func(*scanners.Options) {}

// keyFromEnv reads a secret from the variable the config names, so that the
// key itself never sits in a file.
func keyFromEnv(name string) string {
	if name == "" {
		return ""
	}
	return os.Getenv(name)
}
