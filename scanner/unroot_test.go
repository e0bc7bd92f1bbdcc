package scanner

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/shellout"
)

func goEnvValue(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func TestPathsText(t *testing.T) {
	root := filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "db")
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	// shown is p as it must read: under the longest of the temp directory
	// ($TMPDIR, or ${TMPDIR:-/tmp} when unset) and home (~), wherever HOME
	// lies (HOME=/tmp in some containers); a shell reads it back as p.
	shown := func(p string) string {
		best, marker := "", ""
		tmp := "$TMPDIR"
		if os.Getenv("TMPDIR") == "" {
			tmp = "${TMPDIR:-/tmp}"
		}
		// On a tie (HOME=/tmp) the temp directory's marker wins.
		for _, d := range [][2]string{{os.TempDir(), tmp}, {home, "~"}} {
			dir, m := d[0], d[1]
			if strings.HasPrefix(p, dir+"/") && len(dir) > len(best) {
				best, marker = dir, m
			}
		}
		if best == "" {
			return p
		}
		return marker + strings.TrimPrefix(p, best)
	}
	p := NewPaths(root, db)
	for _, tc := range []struct{ in, want string }{
		{root + "/sub/x.go:1:2: err", "sub/x.go:1:2: err"},
		{"stat " + root + ": denied", "stat .: denied"},
		{"open " + db + "/govulncheck/index/modules.json", "open " + shown(db) + "/govulncheck/index/modules.json"},
		{"open " + db[1:] + "/osv-scanner/PyPI/all.zip", "open " + shown(db) + "/osv-scanner/PyPI/all.zip"},
		// osv-scalibr drops the leading slash.
		{"scan " + root[1:] + "/requirements.txt failed", "scan requirements.txt failed"},
		{goEnvValue(t, "GOMODCACHE") + "/golang.org/x/text@v0.3.6/a.go", "$GOMODCACHE/golang.org/x/text@v0.3.6/a.go"},
		{"failed to initialize build cache at " + goEnvValue(t, "GOCACHE") + ": mkdir", "failed to initialize build cache at $GOCACHE: mkdir"},
		{goEnvValue(t, "GOROOT") + "/src/fmt/print.go:10", "$GOROOT/src/fmt/print.go:10"},
		{filepath.Join(os.TempDir(), "scangate-osv-1/x.toml"), shown(filepath.Join(os.TempDir(), "scangate-osv-1/x.toml"))},
		{filepath.Join(home, ".netrc"), shown(filepath.Join(home, ".netrc"))}, // ~/.netrc unless HOME is the temp directory
		// A longer name that only starts with a known path is another path.
		{home + "x/file", shown(home + "x/file")},
		{root + "-other/a.go", shown(root + "-other/a.go")},
	} {
		got := p.Text(tc.in)
		if got != tc.want {
			t.Errorf("Text(%q)\n = %q\nwant %q", tc.in, got, tc.want)
		}
		// A path shown under the temp or home directory pastes back: a
		// shell expands it to the path.
		if strings.HasPrefix(got, "$TMPDIR") || strings.HasPrefix(got, "~") || strings.HasPrefix(got, "/") {
			back := got
			if rest, ok := strings.CutPrefix(got, "~"); ok {
				back = home + rest
			}
			out, err := exec.Command("sh", "-c", `printf %s "`+back+`"`).Output()
			if err != nil || string(out) != tc.in {
				t.Errorf("Text(%q) = %q reads back in sh as %q (%v)", tc.in, got, out, err)
			}
		}
	}
}

// The C compiler's report of an "#include" of a file outside the root, as
// go list printed it on this machine (gcc 12): the outside file's line
// appears in the message and, without a position, as the echoed source.
const cgoListError = `# example.com/r
./c.go:8:20: could not determine what C.int refers to
cgo: 
gcc errors for preamble:
In file included from ./c.go:4:
../outside/secret.env:1:23: error: 'wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETLINE' undeclared here (not in a function)
    1 | AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETLINE
      |                       ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
cgo-generated-wrapper:1: error: expected ',' or ';' at end of input
./c.go:9:1: error: 'ghp_macroFromOutside' undeclared`

func TestDiagnostics(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	testkit.Write(t, root, "c.go", "package main\n\nvar n int = \"three\"\n")
	testkit.Write(t, base, "outside/secret.env", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETLINE\n")
	p := NewPaths(root, "")

	got, dropped := p.Diagnostics(cgoListError, root, true)
	want := "# example.com/r\nc.go:8:20: could not determine what C.int refers to\nc.go:9:1: error: … undeclared"
	if got != want || dropped != 7 {
		t.Errorf("strict Diagnostics = %q (%d dropped), want %q (7 dropped)", got, dropped, want)
	}
	// A quote the line itself holds is the repository's own text.
	got, _ = p.Diagnostics("./c.go:3:13: cannot use \"three\" (untyped string constant) as int value", root, false)
	if want := "c.go:3:13: cannot use \"three\" (untyped string constant) as int value"; got != want {
		t.Errorf("Diagnostics = %q, want %q", got, want)
	}
	// Without cgo no C compiler runs: unpositioned lines are the go
	// command's own and stay, but positions outside the root still go.
	got, _ = p.Diagnostics("go: updates to go.mod needed\n"+root+"/c.go:3:2: cannot use x (constant \"ghp_fromOutside\" of type string) as int value\n../outside/secret.env:1:1: bad", root, false)
	want = "go: updates to go.mod needed\nc.go:3:2: cannot use x (constant … of type string) as int value"
	if got != want {
		t.Errorf("Diagnostics = %q, want %q", got, want)
	}
}

// The one filter for a child's output: a tree whose go.mod and
// requirements.txt are links to files outside it. A child's line holding
// a word of those files is dropped (Diagnostics, Stderr); a composed
// message has the word cut (Clean, Apply). Short words, words inside
// longer ones and a tree without such links are left alone, and a link to
// an endless file does not stall.
func TestOutsideWordsFilter(t *testing.T) {
	const marker = "LeakMarkQ7zx"
	base := t.TempDir()
	root := filepath.Join(base, "root")
	testkit.Write(t, root, "main.go", "package main\n")
	testkit.Write(t, base, "outside/gomod", "module example.com/r\n\n"+marker+" directive\n")
	testkit.Write(t, base, "outside/req", "requirement\npw=shrt\n")
	for link, target := range map[string]string{"go.mod": "outside/gomod", "requirements.txt": "outside/req", "zero": "/dev/zero"} {
		if !filepath.IsAbs(target) {
			target = filepath.Join(base, target)
		}
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	p := NewPaths(root, "")

	child := "go: errors parsing go.mod:\ngo.mod:3: unknown directive: " + marker + "\nunknown directive " + strings.ToLower(marker) + " (quoted lower-cased)\n" +
		"see requirements.txt\npw=shrt\nLeakMarkQ7zxLonger stays"
	got, dropped := p.Diagnostics(child, root, false)
	want := "go: errors parsing go.mod:\nsee requirements.txt\npw=shrt\nLeakMarkQ7zxLonger stays"
	if got != want || dropped != 2 {
		t.Errorf("Diagnostics = %q (%d dropped), want %q (2 dropped)", got, dropped, want)
	}
	out := &shellout.Output{Stderr: []byte(child)}
	if got := p.Stderr(out, root, 2, false); got != "pw=shrt\nLeakMarkQ7zxLonger stays (2 more lines about files outside the scanned root, or quoting source, left out)" {
		t.Errorf("Stderr = %q", got)
	}
	if got := p.Clean("bandit: key " + marker + ": not applied\nline two"); got != "bandit: key …: not applied\nline two (1 word(s) of a file outside the scanned root cut)" {
		t.Errorf("Clean = %q", got)
	}
	res := &finding.Result{Notifications: []finding.Notification{{Message: "safety: " + marker}}}
	_, err := p.Apply(res, errors.New("failed: "+marker))
	if strings.Contains(res.Notifications[0].Message, marker) || strings.Contains(err.Error(), marker) {
		t.Errorf("Apply kept the marker: %q, %v", res.Notifications[0].Message, err)
	}

	clean := NewPaths(t.TempDir(), "")
	if got, dropped := clean.Diagnostics(child, root, false); dropped != 1 || strings.Contains(got, "go.mod:3") {
		// Only the positioned line about a file outside that root goes.
		t.Errorf("without outside links: %q (%d dropped)", got, dropped)
	}
}

// Every message built from a child's stderr goes through the filter: no
// program code reads Output.StderrTail, which is unfiltered.
func TestNoUnfilteredStderr(t *testing.T) {
	var bad []string
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), ".StderrTail(") {
			bad = append(bad, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Errorf("unfiltered stderr in messages (use scanner.Paths.Stderr): %v", bad)
	}
}

func TestInside(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	testkit.Write(t, root, "a/ok.go", "package a\n")
	testkit.Write(t, base, "outside/secret.go", "package a\n")
	for link, target := range map[string]string{
		"a/leak.go": filepath.Join(base, "outside/secret.go"),
		"linkdir":   filepath.Join(base, "outside"),
		"a/same.go": filepath.Join(root, "a/ok.go"),
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	p := NewPaths(root, "")
	for rel, want := range map[string]bool{
		"a/ok.go": true, "a/same.go": true, "a/new.go": true, "": true, "go.mod": true,
		"a/leak.go": false, "linkdir/secret.go": false, "linkdir/not-there.go": false,
		"../outside/secret.go": false, "a/../../outside/secret.go": false, "/etc/passwd": false,
	} {
		if got := p.Inside(rel); got != want {
			t.Errorf("Inside(%q) = %v, want %v", rel, got, want)
		}
	}
}

// Run drops what any scanner reports outside the root, with one counted
// notification and no path, and keeps the rest.
func TestRunConfinesFindings(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	testkit.Write(t, root, "app.py", "x = 1\n")
	testkit.Write(t, base, "secret.py", "AWS_SECRET_ACCESS_KEY='x'\n")
	if err := os.Symlink(filepath.Join(base, "secret.py"), filepath.Join(root, "leak.py")); err != nil {
		t.Fatal(err)
	}
	s := fakeScanner{name: "py", applies: true, scan: func(context.Context, *Request) (*finding.Result, error) {
		return &finding.Result{Findings: []finding.Finding{
			{RuleID: "B1", Location: finding.Location{Path: "app.py", StartLine: 1}},
			{RuleID: "B2", Location: finding.Location{Path: "leak.py", StartLine: 1, Snippet: "AWS_SECRET_ACCESS_KEY='x'"}},
			{RuleID: "B3", Location: finding.Location{Path: "../secret.py", StartLine: 1}},
			{RuleID: "V1", Location: finding.Location{Path: "app.py"}, Package: &finding.Package{Manifest: "../../x/requirements.txt"}},
		}, Notifications: []finding.Notification{{Level: finding.LevelWarning, Message: "odd", Location: finding.Location{Path: "leak.py"}}}}, nil
	}}
	res := Run(context.Background(), Request{Root: root}, []Scanner{s}, Options{})[0]
	if len(res.Findings) != 1 || res.Findings[0].RuleID != "B1" {
		t.Fatalf("findings = %+v, want only B1", res.Findings)
	}
	var msgs []string
	for _, n := range res.Notifications {
		if n.Location.Path != "" {
			t.Errorf("notification kept a location outside the root: %+v", n)
		}
		msgs = append(msgs, n.Message)
	}
	all := strings.Join(msgs, "\n")
	if !strings.Contains(all, "py: 3 findings located outside the scanned root") || strings.Contains(all, "secret") || strings.Contains(all, base) {
		t.Errorf("notifications = %q", all)
	}
	if res.State != finding.Completed {
		t.Errorf("state %s: findings outside the root are not the repository's, the scan is complete", res.State)
	}
}
