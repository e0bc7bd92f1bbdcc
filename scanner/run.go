package scanner

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/scangate/scangate/finding"
)

// Run runs every scanner that applies, concurrently, and returns one Result
// per scanner in the order given. It never fails: errors, gaps, panics and
// timeouts become error notifications in that scanner's Result, named
// after it and without machine paths, and decide its State.
func Run(ctx context.Context, req Request, list []Scanner, opt Options) []finding.Result {
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.Grace <= 0 {
		opt.Grace = 5 * time.Second
	}
	emit := func(e Event) {
		if opt.OnEvent != nil {
			opt.OnEvent(e)
		}
	}
	if req.Paths == nil {
		req.Paths = NewPaths(req.Root, req.DB)
	}
	// The walk for outside links (every message waits for it) overlaps
	// the scanners' start: 1.5 s on a tree of 100,000 entries.
	go req.Paths.outsideWords()
	out := make([]finding.Result, len(list))
	var wg sync.WaitGroup
	for i, s := range list {
		name := s.Name()
		r := req
		r.Logf = func(format string, args ...any) {
			emit(Event{Kind: Progress, Scanner: name, Message: req.Paths.Clean(fmt.Sprintf(format, args...))})
		}
		if sh := opt.Shard; sh != nil {
			if !sh.Runs(name) {
				out[i] = finding.Result{Tool: name, State: finding.Skipped}
				out[i].Notifications = append(out[i].Notifications, finding.Notification{
					Level: finding.LevelNote, Message: fmt.Sprintf("%s: none of its units is in shard %d/%d", name, sh.Index, sh.Count)})
				emit(Event{Kind: Finished, Scanner: name, State: out[i].State})
				continue
			}
			r.Keep = sh.Keeper(name)
		}
		if !applies(s, &r) {
			out[i] = finding.Result{Tool: name, State: finding.Skipped}
			out[i].Notifications = append(out[i].Notifications, finding.Notification{
				Level: finding.LevelNote, Message: name + ": nothing to scan here"})
			if opt.Required[name] {
				out[i].State = finding.Incomplete
				out[i].Errorf("%s: required by the configuration but found nothing to scan", name)
			}
			emit(Event{Kind: Finished, Scanner: name, State: out[i].State})
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			emit(Event{Kind: Started, Scanner: name})
			start := time.Now()
			res := runOne(ctx, s, &r, opt)
			res.Duration = time.Since(start)
			if res.State == finding.Skipped && opt.Required[name] {
				res.State = finding.Incomplete
				res.Errorf("%s: required by the configuration but skipped", name)
			}
			out[i] = res
			emit(Event{Kind: Finished, Scanner: name, Duration: res.Duration, Findings: len(res.Findings), State: res.State})
		}()
	}
	wg.Wait()
	return out
}

func applies(s Scanner, req *Request) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = true // let Scan fail visibly rather than hide the scanner
		}
	}()
	return s.Applies(req)
}

type outcome struct {
	res *finding.Result
	err error
}

func runOne(ctx context.Context, s Scanner, req *Request, opt Options) finding.Result {
	name := s.Name()
	timeout, raise := opt.Timeout, "--timeout"
	if t := opt.Timeouts[name]; t > 0 {
		timeout, raise = t, "scanners."+name+".timeout in the configuration"
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errTimeout)
	defer cancel()

	done := make(chan outcome, 1)
	if _, ok := s.(DBReader); ok && req.Offline && req.DBErr != nil {
		// Nothing it would do can stand in for the database.
		res := &finding.Result{Tool: name}
		if v, ok := s.(Versioner); ok {
			res.Version = v.Version()
		}
		done <- outcome{res, req.DBErr}
	} else {
		go scan(ctx, s, req, done)
	}

	var o outcome
	select {
	case o = <-done:
	case <-ctx.Done():
		// Give a well-behaved scanner the chance to return partial results.
		select {
		case o = <-done:
		case <-time.After(opt.Grace):
			o = outcome{err: context.Cause(ctx)}
		}
	}

	o.res, o.err = req.Paths.Apply(o.res, o.err)
	res := finding.Result{Tool: name}
	if o.res != nil {
		res = *o.res
		if res.Tool == "" {
			res.Tool = name
		}
	}
	if res.Findings == nil {
		res.Findings = []finding.Finding{}
	}
	report(name, &res, o.err, req.Paths)
	confine(req.Paths, &res)
	if err := settle(name, &res, o.err, req.Paths); err != nil {
		msg := err.Error()
		if errors.Is(context.Cause(ctx), errTimeout) && ctx.Err() != nil {
			msg = fmt.Sprintf("timed out after %s (raise %s): %s", timeout, raise, msg)
		} else if errors.Is(err, context.Canceled) {
			msg = "cancelled: " + msg
		}
		res.Errorf("%s", named(name, msg))
	}
	return res
}

// Settle applies the Scanner contract to what Scan returned, as Run does:
// it names the scanner in the result's notifications, records each gap as
// an error notification at its place, a skip's reason as a note, and sets
// the result's State from err (StateOf). paths, when not nil, keeps machine
// paths out of the messages. It returns err when the scan failed or was
// skipped, nil when it completed or only left gaps: those are in its
// result. Callers of an adapter's Scan alone (tests) use it to see what Run
// would.
func Settle(res *finding.Result, err error, paths *Paths) error {
	if paths != nil {
		res, err = paths.Apply(res, err)
	}
	report(res.Tool, res, err, paths)
	if failed := settle(res.Tool, res, err, paths); failed != nil || res.State != finding.Skipped {
		return failed
	}
	return err
}

// report names the scanner in the notifications its Scan wrote and adds
// one for each gap err carries (see Gap), cleaned by paths.
func report(name string, res *finding.Result, err error, paths *Paths) {
	for i := range res.Notifications {
		res.Notifications[i].Message = named(name, res.Notifications[i].Message)
	}
	var partial *PartialError
	if !errors.As(err, &partial) {
		return
	}
	for _, g := range partial.Gaps {
		n := finding.Notification{Level: finding.LevelError, Message: named(name, paths.Clean(g.Err.Error()))}
		if g.Warn {
			n.Level = finding.LevelWarning
		}
		if g.Rel != "." {
			n.Location = finding.Location{Path: g.Rel, StartLine: g.Line, StartColumn: g.Column}
		}
		res.Notifications = append(res.Notifications, n)
	}
}

// settle sets the result's State from err, records a skip's reason as a
// note, and returns err when the scan failed, nil when it completed, was
// skipped or only left gaps.
func settle(name string, res *finding.Result, err error, paths *Paths) error {
	res.State = StateOf(err)
	res.SettleUnits()
	var skip *SkipError
	var partial *PartialError
	switch {
	case errors.As(err, &skip):
		res.Notifications = append(res.Notifications, finding.Notification{Level: finding.LevelNote, Message: name + ": skipped: " + paths.Clean(skip.Reason)})
		return nil
	case errors.As(err, &partial) && partial.Err == nil:
		return nil
	}
	return err
}

// named is msg with the scanner's name in front, once.
func named(name, msg string) string {
	if strings.HasPrefix(msg, name+":") {
		return msg
	}
	return name + ": " + msg
}

// scan runs s.Scan into done, a panic included.
func scan(ctx context.Context, s Scanner, req *Request, done chan<- outcome) {
	defer func() {
		if p := recover(); p != nil {
			done <- outcome{err: fmt.Errorf("panic: %v\n%s", p, firstFrames(debug.Stack(), 12))}
		}
	}()
	res, err := s.Scan(ctx, req)
	done <- outcome{res, err}
}

// firstFrames keeps a panic's stack short enough for a SARIF notification,
// with source paths cut to package directory and file so that no path of
// the building machine ends up in reports.
func firstFrames(stack []byte, lines int) string {
	s := strings.Split(string(stack), "\n")
	if len(s) > lines {
		s = s[:lines]
	}
	for i, l := range s {
		if strings.HasPrefix(l, "\t/") {
			file, rest, _ := strings.Cut(l[1:], " ")
			dir, base := filepath.Split(file)
			s[i] = "\t" + filepath.Base(dir) + "/" + base
			if rest != "" {
				s[i] += " " + rest
			}
		}
	}
	return strings.Join(s, "\n")
}
