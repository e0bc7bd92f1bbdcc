package osv

import (
	"context"
	"log/slog"
	"strings"
	"sync"

	"github.com/google/osv-scanner/v2/pkg/osvscanner"
)

// osv-scanner logs through process-global loggers (osvscanner.SetLogger sets
// both its own and osv-scalibr's), and an ERROR record is the only sign of
// some failures (a database that cannot be loaded stops matching and
// DoScan still returns nil). So scans run one at a time under scanMu, and
// the records of the running scan go to its sink.
var (
	scanMu     sync.Mutex
	sinkMu     sync.Mutex
	sink       *logSink
	loggerOnce sync.Once
)

// includeFailed starts osv-scalibr's warning for an include it could not
// open (extractor/filesystem/language/python/requirements).
const includeFailed = "openAndExtractFromFile("

type logRecord struct {
	level slog.Level
	msg   string
}

type logSink struct {
	mu      sync.Mutex
	records []logRecord
	logf    func(format string, args ...any)
}

func (s *logSink) add(r slog.Record) {
	s.mu.Lock()
	s.records = append(s.records, logRecord{r.Level, r.Message})
	s.mu.Unlock()
	if r.Level >= slog.LevelWarn && s.logf != nil {
		// The runner puts the scanner's name before every progress line.
		s.logf("%s", r.Message)
	}
}

func (s *logSink) errors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.records {
		// osv-scalibr's requirements extractor only warns when a -r or -c
		// include cannot be read: the pins in it are then silently missing.
		if r.level >= slog.LevelError || strings.HasPrefix(r.msg, includeFailed) {
			out = append(out, r.msg)
		}
	}
	return out
}

// capture routes osv-scanner's log records to s until the returned
// function is called. The caller holds scanMu.
func capture(s *logSink) (restore func()) {
	loggerOnce.Do(func() { osvscanner.SetLogger(handler{}) })
	sinkMu.Lock()
	sink = s
	sinkMu.Unlock()
	return func() {
		sinkMu.Lock()
		sink = nil
		sinkMu.Unlock()
	}
}

// handler forwards to the current sink; outside a scan records are dropped.
type handler struct{}

func (handler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (handler) Handle(_ context.Context, r slog.Record) error {
	sinkMu.Lock()
	s := sink
	sinkMu.Unlock()
	if s != nil {
		s.add(r)
	}
	return nil
}

func (h handler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h handler) WithGroup(string) slog.Handler      { return h }
