package bandit

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/scannertest"
)

// The tests in this file stand a misbehaving program in for bandit: a shell
// script that answers --version like bandit 1.6.2 and then hangs, prints
// garbage, prints nothing, floods stdout or fails. They test how the adapter
// copes with a broken tool, not bandit's format, which the tests running the
// real bandit cover.

// fakeBandit writes an executable named bandit whose scan behaviour is body.
func fakeBandit(t *testing.T, body string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs sh")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "bandit")
	script := "#!/bin/sh\nif [ \"$1\" = \"--version\" ]; then\n  echo 'bandit 1.6.2'\n  echo '  python version = 3.11.2'\n  exit 0\nfi\n" + body + "\n"
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// named gives a scanner another name so that Run's results tell them apart.
type named struct {
	scanner.Scanner
	name string
}

func (n named) Name() string { return n.name }

func procAlive(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && i+2 < len(s) && s[i+2] != 'Z' && s[i+2] != 'X'
}

// A hanging, a garbage-printing, a silent, a flooding and a failing bandit
// run next to the real one: each ends as documented, and the real bandit's
// findings are intact.
func TestFailureModesThroughRun(t *testing.T) {
	testkit.NeedBandit(t)
	pidFile := filepath.Join(t.TempDir(), "pids")
	hang := fakeBandit(t, "echo $$ > "+pidFile+"\nsleep 300 &\necho $! >> "+pidFile+"\nsleep 301 &\necho $! >> "+pidFile+"\nwait")
	garbage := fakeBandit(t, "echo 'Traceback (most recent call last):'\necho '  File \"/usr/bin/bandit\", line 33'\nexit 1")
	silent := fakeBandit(t, "exit 0")
	emptyDoc := fakeBandit(t, "echo '{}'\nexit 0")
	flood := fakeBandit(t, "exec yes '{\"results\": [],'")
	fails := fakeBandit(t, "echo '[main]\tINFO\tprofile include tests: None' >&2\necho '[main]\tERROR\tNo tests would be run, please check the profile.' >&2\nexit 2")

	list := []scanner.Scanner{
		New(Options{}),
		named{New(Options{Program: hang}), "bandit-hang"},
		named{New(Options{Program: garbage}), "bandit-garbage"},
		named{New(Options{Program: silent}), "bandit-silent"},
		named{New(Options{Program: emptyDoc}), "bandit-empty-document"},
		named{New(Options{Program: flood, MaxOutput: 64 << 10}), "bandit-flood"},
		named{New(Options{Program: fails}), "bandit-exit-2"},
	}
	const timeout = 8 * time.Second
	start := time.Now()
	results := scanner.Run(context.Background(), scanner.Request{Root: scannertest.Testdata("python", "banditapp")}, list, scanner.Options{Timeout: timeout})
	if d := time.Since(start); d > timeout+30*time.Second {
		t.Errorf("Run took %s with a %s timeout", d, timeout)
	}

	real := results[0]
	if real.State != finding.Completed || len(real.Findings) < len(goldenHits(t, banditappGolden))-1 || real.Tool != "bandit" {
		t.Errorf("the real bandit's result was not kept intact: state %s, %d findings, %+v", real.State, len(real.Findings), real.Notifications)
	}

	wants := map[string][]string{
		"bandit-hang":           {"timed out after 8s", "killed after"},
		"bandit-garbage":        {"bandit", "not valid JSON", "Traceback"},
		"bandit-silent":         {"bandit printed no report", "exit status 0"},
		"bandit-empty-document": {`bandit's report has no "results" array`},
		"bandit-flood":          {"bandit", "output larger than the cap", "65536"},
		"bandit-exit-2":         {"bandit failed (exit status 2)", "No tests would be run"},
	}
	for i, r := range results[1:] {
		name := list[i+1].Name()
		if r.State != finding.Incomplete {
			t.Errorf("%s: state %s, want incomplete", name, r.State)
		}
		var msgs []string
		for _, n := range r.Notifications {
			if n.Level == finding.LevelError {
				msgs = append(msgs, n.Message)
			}
		}
		if len(msgs) != 1 {
			t.Errorf("%s: error notifications %q, want one", name, msgs)
			continue
		}
		t.Logf("%s", msgs[0])
		for _, w := range wants[name] {
			if !strings.Contains(msgs[0], w) {
				t.Errorf("%s: message %q lacks %q", name, msgs[0], w)
			}
		}
		if !strings.HasPrefix(msgs[0], name+": ") || strings.Contains(msgs[0], "bandit: bandit") {
			t.Errorf("%s: message %q does not name the scanner once", name, msgs[0])
		}
	}

	// The hanging bandit and both of its children are gone.
	data := testkit.ReadFile(t, pidFile)
	var pids []int
	for _, f := range strings.Fields(string(data)) {
		p, err := strconv.Atoi(f)
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, p)
	}
	if len(pids) != 3 {
		t.Fatalf("pids %v", pids)
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, p := range pids {
		for procAlive(p) {
			if time.Now().After(deadline) {
				t.Fatalf("process %d of the hanging bandit survived", p)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func TestExitOneWithoutFindings(t *testing.T) {
	fake := fakeBandit(t, `printf '{"errors": [], "metrics": {"./a.py": {"loc": 1}}, "results": []}'
exit 1`)
	res := scannertest.Scan(t, New(Options{Program: fake}), scannertest.Request(t.TempDir()))
	if len(res.Notifications) != 1 || !strings.Contains(res.Notifications[0].Message, "exited 1") {
		t.Errorf("%+v", res.Notifications)
	}
}

func TestVersionGarbage(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs sh")
	}
	p := filepath.Join(t.TempDir(), "bandit")
	if err := os.WriteFile(p, []byte("#!/bin/sh\necho 'usage: something else'\nexit 2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := New(Options{Program: p}).Scan(context.Background(), scannertest.Request(t.TempDir()))
	if err == nil || !strings.Contains(err.Error(), "did not print a bandit version") {
		t.Fatalf("err = %v", err)
	}
}
