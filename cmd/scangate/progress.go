package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/report"
	"github.com/scangate/scangate/scanner"
)

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// useColor follows https://no-color.org and only colours terminals.
func useColor(w io.Writer) bool {
	return os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb" && isTerminal(w)
}

// progress prints scanner events to stderr: one line per event when stderr
// is not a terminal (CI logs), a redrawn status line when it is.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	animated bool
	running  map[string]time.Time
	last     map[string]string
	stop     chan struct{}
	done     chan struct{}
	drawn    bool
}

func newProgress(w io.Writer, animated bool) *progress {
	p := &progress{w: w, animated: animated, running: map[string]time.Time{}, last: map[string]string{}}
	if animated {
		p.stop, p.done = make(chan struct{}), make(chan struct{})
		go p.loop()
	}
	return p
}

func (p *progress) event(e scanner.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	switch e.Kind {
	case scanner.Started:
		p.running[e.Scanner] = time.Now()
		if !p.animated {
			fmt.Fprintf(p.w, "%s: started\n", e.Scanner)
		}
	case scanner.Progress:
		// Messages name files and modules of the scanned repository. The
		// line is prefixed here: drop the adapter's own prefix.
		p.last[e.Scanner] = report.TermLine(strings.TrimPrefix(e.Message, e.Scanner+": "))
		if !p.animated {
			fmt.Fprintf(p.w, "%s\n", report.Truncate(e.Scanner+": "+p.last[e.Scanner], maxProgressLine))
		}
	case scanner.Finished:
		delete(p.running, e.Scanner)
		switch e.State {
		case finding.Skipped:
			fmt.Fprintf(p.w, "%s: skipped\n", e.Scanner)
		default:
			// Counted before one tool's finding is merged into another's
			// (the summary's count): another word for another count.
			fmt.Fprintf(p.w, "%s: %s in %s, %d results before merging duplicates\n", e.Scanner, e.State, e.Duration.Round(time.Millisecond), e.Findings)
		}
	}
	p.draw()
}

// maxProgressLine keeps a CI log line readable: a command line of bandit's
// excludes alone is 800 characters.
const maxProgressLine = 199

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

func (p *progress) loop() {
	defer close(p.done)
	t := time.NewTicker(120 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			p.clear()
			p.draw()
			p.mu.Unlock()
		}
	}
}

func (p *progress) clear() {
	if p.animated && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[2K")
		p.drawn = false
	}
}

func (p *progress) draw() {
	if !p.animated || len(p.running) == 0 {
		return
	}
	names := make([]string, 0, len(p.running))
	for n := range p.running {
		names = append(names, n)
	}
	slices.Sort(names)
	var parts []string
	for _, n := range names {
		s := fmt.Sprintf("%s %s", n, time.Since(p.running[n]).Round(time.Second))
		if m := p.last[n]; m != "" {
			s += " (" + report.Truncate(m, 40) + ")"
		}
		parts = append(parts, s)
	}
	frame := spinner[time.Now().UnixMilli()/120%int64(len(spinner))]
	// A line longer than the terminal wraps, and "\r" then clears only its
	// last row: keep the status within one row.
	line := report.Truncate(fmt.Sprintf("%s running: %s", frame, strings.Join(parts, ", ")), termWidth(p.w)-1)
	fmt.Fprint(p.w, line)
	p.drawn = true
}

func (p *progress) close() {
	if p.animated {
		close(p.stop)
		<-p.done
		p.mu.Lock()
		p.clear()
		p.mu.Unlock()
	}
}

// termWidth is the terminal's width, 80 when it cannot be read.
func termWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 10 {
			return cols
		}
	}
	return 80
}
