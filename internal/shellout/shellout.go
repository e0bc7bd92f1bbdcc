// Package shellout is the one place scangate runs another program: argument
// lists only (never a shell), the program looked up on PATH or given as an
// explicit path but never inside the scanned tree, a minimal environment
// without the job's credentials (Env), a timeout from the context that kills
// the whole process group, a cap on stdout, and the tail of stderr kept for
// error messages.
//
// Outcomes a caller can tell apart:
//   - *UntrustedError: the program resolves inside the scanned tree.
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
	"cmp"
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
	// Env is the whole environment; nil means Env(Root), the minimal one.
	Env []string
	// Root is the scanned tree: the program may not resolve inside it, and
	// the default environment's PATH leaves it out. "" when the program
	// does not work on a scanned tree.
	Root string
	// Stdin is the program's input; nil means /dev/null, so a tool that
	// prompts (safety 3 asking for a login) reads end-of-file instead of
	// waiting forever.
	Stdin     io.Reader
	MaxStdout int64 // stdout cap in bytes; 0 means DefaultMaxStdout
	// Stdout, when set, receives stdout as it comes (still capped by
	// MaxStdout) instead of Output.Stdout: output too large to hold, such
	// as a tree of files. A write error stops the program.
	Stdout io.Writer
}

// Output is what a finished program left behind.
type Output struct {
	Stdout   []byte
	Stderr   []byte // the last 16 KiB
	ExitCode int    // -1 when the program was killed by a signal
	Signal   string // the signal that ended the program, "" when it exited
	Duration time.Duration
}

// StderrTail returns the last non-empty lines of stderr, unfiltered: for
// tests. A message shown to anyone takes a child's output through
// scanner.Paths (Stderr, Diagnostics), which drops what came from outside
// the scanned root.
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

// Lookup resolves a program the way Run does and returns its path. A name
// without a path separator is looked up in the absolute PATH entries
// outside root (the scanned tree, "" for none), like the child's own PATH
// (see Env); a path is taken from the current directory. A program that
// resolves inside root, after symbolic links, is refused with an
// *UntrustedError: the repository being scanned never supplies a program
// that scangate runs.
func Lookup(program, root string) (string, error) {
	if program == "" {
		return "", errors.New("no program given")
	}
	t := newTree(root)
	if strings.ContainsRune(program, '/') || strings.ContainsRune(program, filepath.Separator) {
		abs, err := filepath.Abs(program)
		if err != nil {
			return "", fmt.Errorf("%s: %w", program, err)
		}
		if t.contains(abs) {
			return "", &UntrustedError{Program: program, Rel: t.rel(abs)}
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
	var inside, relative string
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" || !filepath.IsAbs(dir) {
			if p, err := exec.LookPath(cmp.Or(dir, ".") + string(filepath.Separator) + program); err == nil && relative == "" {
				relative = p
			}
			continue
		}
		p, err := exec.LookPath(filepath.Join(dir, program))
		if err != nil {
			continue
		}
		if t.contains(p) {
			if inside == "" {
				inside = t.rel(p)
			}
			continue
		}
		return p, nil
	}
	switch {
	case inside != "":
		return "", &UntrustedError{Program: program, Rel: inside, OnPath: true}
	case relative != "":
		return "", fmt.Errorf("%s: found only through a relative PATH entry (%s); refusing to run it", program, relative)
	}
	return "", &NotInstalledError{Program: program, Err: exec.ErrNotFound}
}

// UntrustedError says a program resolves inside the scanned tree.
type UntrustedError struct {
	Program string
	Rel     string // where it resolves, relative to the scanned root
	OnPath  bool   // found through a PATH entry inside the tree
}

func (e *UntrustedError) Error() string {
	how := "resolves to"
	if e.OnPath {
		how = "is found on PATH at"
	}
	// The base name only: a path given by the user is a machine path.
	return fmt.Sprintf("%s %s %s, inside the scanned repository; refusing to run a program from the tree being scanned (install it outside the tree, or name one outside it)", filepath.Base(e.Program), how, e.Rel)
}

// Run runs c and waits for it. When ctx ends first, the process group is
// killed and the error wraps context.Cause(ctx). Whatever the outcome, no
// process of the group survives Run: background processes the program left
// behind are killed once it has exited.
func Run(ctx context.Context, c Cmd) (*Output, error) {
	path, err := Lookup(c.Program, c.Root)
	if err != nil {
		return nil, err
	}
	env := c.Env
	if env == nil {
		env = Env(c.Root)
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
	cmd.Env = env
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
	stdout := &capBuffer{max: max, onOverflow: func() { killGroup(cmd) }, to: c.Stdout}
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
	to         io.Writer // streams instead of keeping buf
	n          int64     // bytes streamed to to
}

func (b *capBuffer) Write(p []byte) (int, error) {
	if b.overflow {
		return 0, ErrOutputTooLarge
	}
	if b.to != nil {
		if room := b.max - b.n; int64(len(p)) > room {
			b.overflow = true
			b.onOverflow()
			return 0, ErrOutputTooLarge
		}
		n, err := b.to.Write(p)
		b.n += int64(n)
		return n, err
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

// CheckFirst is for libraries that start a program by name themselves
// (go/packages runs "go" with exec.Command): the program such a library
// starts, the first match on the process's PATH, must not resolve inside
// root. Lookup would skip a match inside the tree and take the next one;
// the library would not.
func CheckFirst(program, root string) error {
	p, err := exec.LookPath(program)
	if err != nil {
		return nil // the library reports that it cannot find the program
	}
	if t := newTree(root); t.contains(p) {
		return &UntrustedError{Program: program, Rel: t.rel(p), OnPath: true}
	}
	return nil
}
