package shellout

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scangate/scangate/internal/testkit"
)

// These tests run only standard programs (sh, sleep, yes, head) so that they
// exercise the real process handling, not a mock of it.

func needUnix(t *testing.T) {
	t.Helper()
	testkit.SkipOnWindows(t, "sh and process groups")
}

// alive reports whether pid is a live process. A zombie counts as dead: it
// has been killed and only waits to be reaped by whoever adopted it.
func alive(t *testing.T, pid int) bool {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		t.Fatalf("unexpected /proc stat %q", s)
	}
	return s[i+2] != 'Z' && s[i+2] != 'X'
}

// waitDead polls until every pid is gone: SIGKILL is delivered
// asynchronously to processes Run did not wait for itself.
func waitDead(t *testing.T, pids []int) {
	t.Helper()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc to inspect processes")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var live []int
		for _, p := range pids {
			if alive(t, p) {
				live = append(live, p)
			}
		}
		if len(live) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes %v still alive after Run returned", live)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func pidsFrom(t *testing.T, out []byte) []int {
	t.Helper()
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		p, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("not a pid %q in %q", f, out)
		}
		pids = append(pids, p)
	}
	return pids
}

func TestNotInstalled(t *testing.T) {
	_, err := Run(context.Background(), Cmd{Program: "scangate-no-such-program-x1"})
	var ni *NotInstalledError
	if !errors.As(err, &ni) {
		t.Fatalf("err = %v, want *NotInstalledError", err)
	}
	if ni.Explicit || ni.Program != "scangate-no-such-program-x1" {
		t.Errorf("got %+v", ni)
	}
	if !strings.Contains(err.Error(), "not found on PATH") {
		t.Errorf("message %q does not say where it looked", err)
	}

	missing := filepath.Join(t.TempDir(), "bin", "bandit")
	_, err = Run(context.Background(), Cmd{Program: missing})
	if !errors.As(err, &ni) || !ni.Explicit {
		t.Fatalf("explicit path: err = %v, want explicit *NotInstalledError", err)
	}
	if !strings.Contains(err.Error(), missing) {
		t.Errorf("message %q does not name the path", err)
	}
}

func TestExplicitPathNotExecutable(t *testing.T) {
	needUnix(t)
	p := filepath.Join(t.TempDir(), "tool")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), Cmd{Program: p})
	var ni *NotInstalledError
	if err == nil || errors.As(err, &ni) || !strings.Contains(err.Error(), "not executable") {
		t.Fatalf("err = %v, want a 'not executable' error that is not NotInstalledError", err)
	}
}

func TestRelativePathEntryRefused(t *testing.T) {
	needUnix(t)
	dir := t.TempDir()
	testkit.Script(t, filepath.Join(dir, "evil-tool"), "#!/bin/sh\necho ran\n")
	t.Chdir(dir)
	t.Setenv("PATH", ".")
	out, err := Run(context.Background(), Cmd{Program: "evil-tool"})
	if err == nil || !strings.Contains(err.Error(), "relative PATH entry") {
		t.Fatalf("err = %v, output %v: want the relative PATH entry refused", err, out)
	}
}

func TestExitCodesPassedThrough(t *testing.T) {
	needUnix(t)
	for _, code := range []int{0, 1, 2, 64, 69} {
		out, err := Run(context.Background(), Cmd{Program: "sh", Args: []string{"-c", "echo out; exit " + strconv.Itoa(code)}})
		if err != nil {
			t.Fatalf("exit %d: err = %v (a non-zero exit is not an error)", code, err)
		}
		if out.ExitCode != code || string(out.Stdout) != "out\n" || out.Signal != "" {
			t.Errorf("exit %d: got code %d stdout %q signal %q", code, out.ExitCode, out.Stdout, out.Signal)
		}
	}
	out, err := Run(context.Background(), Cmd{Program: "sh", Args: []string{"-c", "kill -9 $$"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.ExitCode != -1 || out.Signal != "killed" || out.Status() != "killed by signal killed" {
		t.Errorf("got code %d signal %q status %q", out.ExitCode, out.Signal, out.Status())
	}
}

func TestStderrTailKept(t *testing.T) {
	needUnix(t)
	script := `i=0; while [ $i -lt 3000 ]; do echo "line $i" >&2; i=$((i+1)); done; echo done; exit 3`
	out, err := Run(context.Background(), Cmd{Program: "sh", Args: []string{"-c", script}})
	if err != nil {
		t.Fatal(err)
	}
	if out.ExitCode != 3 || string(out.Stdout) != "done\n" {
		t.Errorf("code %d stdout %q", out.ExitCode, out.Stdout)
	}
	if len(out.Stderr) > stderrTail {
		t.Errorf("kept %d bytes of stderr, cap %d", len(out.Stderr), stderrTail)
	}
	if !bytes.HasSuffix(out.Stderr, []byte("line 2998\nline 2999\n")) {
		t.Errorf("stderr does not end with the last lines: ...%q", out.Stderr[max(0, len(out.Stderr)-40):])
	}
	if bytes.Contains(out.Stderr, []byte("line 0\n")) {
		t.Error("the start of stderr should have been dropped")
	}
	if got := out.StderrTail(2); got != "line 2998\nline 2999" {
		t.Errorf("StderrTail(2) = %q", got)
	}
}

func TestStdinIsEmpty(t *testing.T) {
	needUnix(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// head would wait forever on an inherited terminal; with no Stdin it
	// reads end-of-file at once.
	out, err := Run(ctx, Cmd{Program: "head", Args: []string{"-c", "10"}})
	if err != nil || len(out.Stdout) != 0 || out.ExitCode != 0 {
		t.Fatalf("err %v out %+v", err, out)
	}
	out, err = Run(ctx, Cmd{Program: "head", Args: []string{"-c", "5"}, Stdin: strings.NewReader("hello world")})
	if err != nil || string(out.Stdout) != "hello" {
		t.Fatalf("err %v stdout %q", err, out.Stdout)
	}
}

func TestTimeoutKillsProcessGroup(t *testing.T) {
	needUnix(t)
	cause := errors.New("scanner timeout")
	ctx, cancel := context.WithTimeoutCause(context.Background(), 500*time.Millisecond, cause)
	defer cancel()
	// Two grandchildren in the background and the shell itself: print all
	// three pids, then hang.
	script := `sleep 300 & echo $!; sleep 301 & echo $!; echo $$; wait`
	start := time.Now()
	out, err := Run(ctx, Cmd{Program: "sh", Args: []string{"-c", script}})
	if err == nil {
		t.Fatal("Run returned no error for a program that outlived its context")
	}
	if !errors.Is(err, cause) {
		t.Errorf("err = %v, want it to wrap the context's cause", err)
	}
	if !strings.Contains(err.Error(), "killed after") {
		t.Errorf("err = %q, want it to say the program was killed", err)
	}
	if time.Since(start) > 60*time.Second {
		t.Errorf("Run took %s: the kill did not end the wait", time.Since(start))
	}
	if out == nil {
		t.Fatal("no Output for a killed program")
	}
	pids := pidsFrom(t, out.Stdout)
	if len(pids) != 3 {
		t.Fatalf("want 3 pids in %q", out.Stdout)
	}
	waitDead(t, pids)
}

func TestCancelledBeforeStart(t *testing.T) {
	needUnix(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, Cmd{Program: "sh", Args: []string{"-c", "echo ran"}})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "not started") {
		t.Fatalf("err = %v", err)
	}
}

func TestOutputCap(t *testing.T) {
	needUnix(t)
	const limit = 1 << 20
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// The shell prints its pid and becomes yes, which never stops writing.
	out, err := Run(ctx, Cmd{Program: "sh", Args: []string{"-c", "echo $$; exec yes scangate"}, MaxStdout: limit})
	if !errors.Is(err, ErrOutputTooLarge) {
		t.Fatalf("err = %v, want ErrOutputTooLarge", err)
	}
	if ctx.Err() != nil {
		t.Fatal("the cap did not stop the program; the test timeout did")
	}
	if len(out.Stdout) != limit {
		t.Errorf("kept %d bytes, want exactly the cap %d", len(out.Stdout), limit)
	}
	first, rest, _ := bytes.Cut(out.Stdout, []byte("\n"))
	if !bytes.HasPrefix(rest, []byte("scangate\nscangate\n")) {
		t.Errorf("unexpected output start %q", out.Stdout[:40])
	}
	waitDead(t, pidsFrom(t, first))
}

func TestStragglerHoldingOutputIsKilled(t *testing.T) {
	needUnix(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// The shell exits at once; its background child keeps stdout open.
	out, err := Run(ctx, Cmd{Program: "sh", Args: []string{"-c", "sleep 300 & echo $!"}})
	if err == nil || !strings.Contains(err.Error(), "background processes") {
		t.Fatalf("err = %v, want the held-open output reported", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Run waited for the test timeout")
	}
	waitDead(t, pidsFrom(t, out.Stdout))
}

// Stdout streams to a writer, still under the cap.
func TestStdoutStreamed(t *testing.T) {
	needUnix(t)
	var buf bytes.Buffer
	out, err := Run(context.Background(), Cmd{Program: "sh", Args: []string{"-c", "echo one; echo two"}, Stdout: &buf})
	if err != nil || buf.String() != "one\ntwo\n" || len(out.Stdout) != 0 {
		t.Fatalf("streamed %q, kept %q, %v", buf.String(), out.Stdout, err)
	}
	buf.Reset()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, err = Run(ctx, Cmd{Program: "sh", Args: []string{"-c", "exec yes scangate"}, Stdout: &buf, MaxStdout: 1 << 16})
	if !errors.Is(err, ErrOutputTooLarge) || ctx.Err() != nil || buf.Len() > 1<<16 {
		t.Errorf("over the cap: %v, %d bytes streamed", err, buf.Len())
	}
}
