// Package shellout is the one place scangate runs another program: argument
// lists only (never a shell), a timeout that kills the whole process group,
// a cap on stdout and the tail of stderr kept for error messages.
package shellout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// DefaultMaxStdout caps a program's stdout when Cmd.MaxStdout is zero.
const DefaultMaxStdout = 256 << 20

// stderrTail is how much of stderr is kept: enough for an error message.
const stderrTail = 16 << 10

// Cmd describes one run of a program.
type Cmd struct {
	Program   string   // a name looked up on PATH, or a path
	Args      []string // arguments, passed as they are
	Dir       string
	Env       []string // nil means the current environment
	Stdin     io.Reader
	MaxStdout int64 // 0 means DefaultMaxStdout
}

// Output is what a finished program left behind. A non-zero exit status is
// not an error here: tools such as bandit exit 1 when they find something,
// so callers interpret ExitCode themselves.
type Output struct {
	Stdout   []byte
	Stderr   []byte // the last 16 KiB
	ExitCode int
	Duration time.Duration
}

// StderrTail returns the last non-empty lines of stderr, for error messages.
func (o *Output) StderrTail(lines int) string {
	s := strings.Split(strings.TrimSpace(string(o.Stderr)), "\n")
	if len(s) > lines {
		s = s[len(s)-lines:]
	}
	return strings.TrimSpace(strings.Join(s, "\n"))
}

// NotInstalledError says the program is not on PATH (or not at its path).
type NotInstalledError struct {
	Program string
	Err     error
}

func (e *NotInstalledError) Error() string {
	return fmt.Sprintf("%s is not installed (not found on PATH)", e.Program)
}

func (e *NotInstalledError) Unwrap() error { return e.Err }

// ErrOutputTooLarge is returned when stdout passes the cap; the program is killed.
var ErrOutputTooLarge = errors.New("output larger than the cap")

// Lookup resolves a program name the way Run does.
func Lookup(program string) (string, error) {
	p, err := exec.LookPath(program)
	if err != nil {
		return "", &NotInstalledError{Program: program, Err: err}
	}
	return p, nil
}

// Run runs c and waits for it. When ctx ends first the process group is
// killed and the error wraps context.Cause(ctx).
func Run(ctx context.Context, c Cmd) (*Output, error) {
	path, err := Lookup(c.Program)
	if err != nil {
		return nil, err
	}
	max := c.MaxStdout
	if max <= 0 {
		max = DefaultMaxStdout
	}
	cmd := exec.Command(path, c.Args...)
	cmd.Dir = c.Dir
	cmd.Env = c.Env
	cmd.Stdin = c.Stdin
	setProcessGroup(cmd)
	stderr := &tailBuffer{max: stderrTail}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, exec.ErrNotFound) {
			return nil, &NotInstalledError{Program: c.Program, Err: err}
		}
		return nil, fmt.Errorf("start %s: %w", filepath.Base(path), err)
	}

	// The watcher kills the group on cancel; killing only the direct child
	// would leave grandchildren holding the pipes open.
	stop := make(chan struct{})
	killed := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			killGroup(cmd)
			close(killed)
		case <-stop:
		}
	}()

	var out bytes.Buffer
	n, readErr := io.Copy(&out, io.LimitReader(stdout, max+1))
	tooLarge := n > max
	if tooLarge {
		killGroup(cmd)
		out.Truncate(int(max))
		_, _ = io.Copy(io.Discard, stdout)
	}
	waitErr := cmd.Wait()
	close(stop)
	o := &Output{Stdout: out.Bytes(), Stderr: stderr.Bytes(), Duration: time.Since(start), ExitCode: -1}
	if cmd.ProcessState != nil {
		o.ExitCode = cmd.ProcessState.ExitCode()
	}
	select {
	case <-killed:
		return o, fmt.Errorf("%s killed after %s: %w", filepath.Base(path), o.Duration.Round(time.Millisecond), context.Cause(ctx))
	default:
	}
	if tooLarge {
		return o, fmt.Errorf("%s: stdout %w of %d bytes; the process was stopped", filepath.Base(path), ErrOutputTooLarge, max)
	}
	if readErr != nil {
		return o, fmt.Errorf("%s: read stdout: %w", filepath.Base(path), readErr)
	}
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		return o, fmt.Errorf("%s: %w", filepath.Base(path), waitErr)
	}
	if exitErr != nil && o.ExitCode == -1 {
		return o, fmt.Errorf("%s: %s", filepath.Base(path), exitErr)
	}
	return o, nil
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

func (t *tailBuffer) Bytes() []byte { return t.buf }
