package osv

import (
	"sync"

	scalibrlog "github.com/google/osv-scalibr/log"
)

// SilenceExtractorLogs drops what osv-scalibr logs through its default
// logger, which writes to the process's stderr unescaped: its extractors
// log lines of the scanned files (a pnpm dependency path, a Gemfile.lock
// spec line, a -r include's name), so a hostile lockfile could write
// terminal escapes or CI workflow commands into the job log. The adapter
// never reads that log: it finds what those lines are about itself and
// reports it, escaped (see losses). The binary calls this once at start;
// no scan depends on it.
func SilenceExtractorLogs() { silenceOnce.Do(func() { scalibrlog.SetLogger(discard{}) }) }

var silenceOnce sync.Once

type discard struct{}

func (discard) Errorf(string, ...any) {}
func (discard) Error(...any)          {}
func (discard) Warnf(string, ...any)  {}
func (discard) Warn(...any)           {}
func (discard) Infof(string, ...any)  {}
func (discard) Info(...any)           {}
func (discard) Debugf(string, ...any) {}
func (discard) Debug(...any)          {}
