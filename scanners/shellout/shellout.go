// Package shellout is the one place scangate runs another program: argument
// lists only (never a shell), the program looked up on PATH or given as an
// explicit path, a timeout from the context that kills the whole process
// group, a cap on stdout, and the tail of stderr kept for error messages.
//
// Outcomes a caller can tell apart:
//   - *NotInstalledError: the program is not on PATH (or not at its explicit
//     path); adapters turn this into a skip with an install hint.
//   - an error wrapping context.Cause(ctx): the context ended first; the
//     process group was killed.
//   - ErrOutputTooLarge: stdout passed the cap; the process group was killed
//     and Output holds the first MaxStdout bytes.
//   - nil error with any exit code: the program ran to its end. A non-zero
//     exit is not an error here (bandit exits 1 and safety 64 when they find
//     something), so callers interpret Output.ExitCode per tool.
package shellout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultMaxStdout caps a program's stdout when Cmd.MaxStdout is zero.
const DefaultMaxStdout = 256 << 20

// stderrTail is how much of stderr is kept: enough for an error message.
const stderrTail = 16 << 10

// waitDelay bounds how long Run waits for the output pipes to close after the
// program has exited or been killed: a grandchild that inherited them must not
// hold the scan hostage.
const waitDelay = 3 * time.Second

// Cmd describes one run of a program.
type Cmd struct {
	// Program is a name looked up on PATH ("bandit") or a path to the
	// program ("/opt/tools/bandit", "./bin/bandit"); a relative path is
	// resolved against the current directory, not Dir.
	Program string
	Args    []string // arguments, passed as they are
	Dir     string   // working directory; "" means the current one
	Env     []string // nil means the current environment
	// Stdin is the program's input; nil means /dev/null, so a tool that
	// prompts (safety 3 asking for a login) reads end-of-file instead of
	// waiting forever.
	Stdin     io.Reader
	MaxStdout int64 // stdout cap in bytes; 0 means DefaultMaxStdout
}

// Output is what a finished program left behind.
type Output struct {
	Stdout   []byte
	Stderr   []byte // the last 16 KiB
	ExitCode int    // -1 when the program was killed by a signal
	Signal   string // the signal that ended the program, "" when it exited
	Duration time.Duration
}

// StderrTail returns the last non-empty lines of stderr, for error messages.
func (o *Output) StderrTail(lines int) string {
	var keep []string
	for _, l := range strings.Split(string(o.Stderr), "\n") {
		if l = strings.TrimRight(l, " \t\r"); l != "" {
			keep = append(keep, l)
		}
	}
	if len(keep) > lines {
		keep = keep[len(keep)-lines:]
	}
	return strings.Join(keep, "\n")
}

// Status describes how the program ended, for messages: "exit status 2" or
// "killed by signal killed".
func (o *Output) Status() string {
	if o.Signal != "" {
		return "killed by signal " + o.Signal
	}
	return fmt.Sprintf("exit status %d", o.ExitCode)
}

// NotInstalledError says the program is not on PATH, or not at the explicit
// path it was given.
type NotInstalledError struct {
	Program  string
	Explicit bool // Program was a path, not a name to look up
	Err      error
}

func (e *NotInstalledError) Error() string {
	if e.Explicit {
		return fmt.Sprintf("%s: no such program", e.Program)
	}
	return fmt.Sprintf("%s is not installed (not found on PATH)", e.Program)
}

func (e *NotInstalledError) Unwrap() error { return e.Err }

// ErrOutputTooLarge is returned when stdout passes the cap; the process group
// is killed.
var ErrOutputTooLarge = errors.New("output larger than the cap")

// Lookup resolves a program the way Run does and returns its absolute path.
// A name without a path separator is looked up on PATH; a name found only
// through a relative PATH entry (".") is refused, so that a scanned
// repository can never supply the program that scans it.
func Lookup(program string) (string, error) {
	if program == "" {
		return "", errors.New("no program given")
	}
	if strings.ContainsRune(program, '/') || strings.ContainsRune(program, filepath.Separator) {
		abs, err := filepath.Abs(program)
		if err != nil {
			return "", fmt.Errorf("%s: %w", program, err)
		}
		st, err := os.Stat(abs)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "", &NotInstalledError{Program: program, Explicit: true, Err: err}
		case err != nil:
			return "", fmt.Errorf("%s: %w", program, err)
		case st.IsDir():
			return "", fmt.Errorf("%s: is a directory, not a program", program)
		case st.Mode()&0o111 == 0:
			return "", fmt.Errorf("%s: not executable", program)
		}
		return abs, nil
	}
	p, err := exec.LookPath(program)
	if errors.Is(err, exec.ErrDot) {
		return "", fmt.Errorf("%s: found only through a relative PATH entry (%s); refusing to run it", program, p)
	}
	if err != nil {
		return "", &NotInstalledError{Program: program, Err: err}
	}
	if !filepath.IsAbs(p) {
		return "", fmt.Errorf("%s: resolved to a relative path %s; refusing to run it", program, p)
	}
	return p, nil
}

// Run runs c and waits for it. When ctx ends first, the process group is
// killed and the error wraps context.Cause(ctx). Whatever the outcome, no
// process of the group survives Run: background processes the program left
// behind are killed once it has exited.
func Run(ctx context.Context, c Cmd) (*Output, error) {
	path, err := Lookup(c.Program)
	if err != nil {
		return nil, err
	}
	name := filepath.Base(path)
	if err := context.Cause(ctx); err != nil {
		return nil, fmt.Errorf("%s not started: %w", name, err)
	}
	max := c.MaxStdout
	if max <= 0 {
		max = DefaultMaxStdout
	}

	cmd := exec.CommandContext(ctx, path, c.Args...)
	cmd.Dir = c.Dir
	cmd.Env = c.Env
	cmd.Stdin = c.Stdin
	setProcessGroup(cmd)
	// Killing only the direct child would leave grandchildren running and
	// holding the pipes open.
	var cancelled atomic.Bool
	cmd.Cancel = func() error {
		cancelled.Store(true)
		killGroup(cmd)
		return nil
	}
	cmd.WaitDelay = waitDelay
	stdout := &capBuffer{max: max, onOverflow: func() { killGroup(cmd) }}
	stderr := &tailBuffer{max: stderrTail}
	cmd.Stdout = stdout
	cmd.Stderr = stderr

	start := time.Now()
	if err := cmd.Start(); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &NotInstalledError{Program: c.Program, Err: err}
		}
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	waitErr := cmd.Wait()
	killGroup(cmd) // stragglers that outlived the program

	o := &Output{Stdout: stdout.buf, Stderr: stderr.buf, Duration: time.Since(start), ExitCode: -1}
	if ps := cmd.ProcessState; ps != nil {
		o.ExitCode = ps.ExitCode()
		o.Signal = signalOf(ps)
	}
	switch {
	case cancelled.Load():
		return o, fmt.Errorf("%s killed after %s: %w", name, o.Duration.Round(time.Millisecond), context.Cause(ctx))
	case stdout.overflow:
		return o, fmt.Errorf("%s: %w (%d bytes); the process was stopped", name, ErrOutputTooLarge, max)
	case errors.Is(waitErr, exec.ErrWaitDelay):
		return o, fmt.Errorf("%s exited but background processes kept its output open for %s; they were killed: %w", name, waitDelay, waitErr)
	}
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		return o, fmt.Errorf("%s: %w", name, waitErr)
	}
	return o, nil
}

// capBuffer keeps up to max bytes and reports overflow once; the write that
// overflows fails, which stops the copy from the pipe.
type capBuffer struct {
	buf        []byte
	max        int64
	overflow   bool
	onOverflow func()
}

func (b *capBuffer) Write(p []byte) (int, error) {
	if b.overflow {
		return 0, ErrOutputTooLarge
	}
	room := b.max - int64(len(b.buf))
	if int64(len(p)) <= room {
		b.buf = append(b.buf, p...)
		return len(p), nil
	}
	b.buf = append(b.buf, p[:room]...)
	b.overflow = true
	b.onOverflow()
	return int(room), ErrOutputTooLarge
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

// Env returns the current environment with the given "KEY=value" entries
// added or replacing existing ones.
func Env(kv ...string) []string {
	env := os.Environ()
	for _, e := range kv {
		k, _, _ := strings.Cut(e, "=")
		out := env[:0]
		for _, x := range env {
			if xk, _, _ := strings.Cut(x, "="); xk != k {
				out = append(out, x)
			}
		}
		env = append(out, e)
	}
	return env
}
