package main

// Hostile-repository cases on the shape of the tree and of its text: symlink
// loops and links out of the root, file names that try to be workflow
// commands or terminal escapes, YAML alias bombs, and sizes far beyond a
// normal repository. docs/security.md states the promises they hold.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/report"
	"github.com/scangate/scangate/report/reporttest"
	"github.com/scangate/scangate/scanner"
)

// shellPy makes bandit report B602 with high severity and confidence.
const shellPy = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"

// wellFormed checks what every case must hold whatever the repository:
// SARIF and JSON are valid UTF-8 JSON, the runner would read no workflow
// command in stdout and, in stderr, only our stop-commands pair and
// annotations, and no terminal control character of the repository
// reaches stderr (the tests' stderr is not a terminal: no colour either).
func wellFormed(t *testing.T, o hostileOutputs) reporttest.Log {
	t.Helper()
	var doc reporttest.Log
	for name, text := range map[string]string{"SARIF": o.sarif, "JSON": o.json, "GitLab SAST": o.gitlabSAST, "GitLab dependency scanning": o.gitlabDeps} {
		if text == "" {
			continue
		}
		if !utf8.ValidString(text) || !json.Valid([]byte(text)) {
			t.Errorf("%s is not valid UTF-8 JSON", name)
		}
	}
	if o.junit != "" {
		if err := reporttest.WellFormedXML(o.junit); err != nil || !utf8.ValidString(o.junit) {
			t.Errorf("JUnit is not well-formed UTF-8 XML: %v", err)
		}
	}
	if o.sarif != "" {
		if err := json.Unmarshal([]byte(o.sarif), &doc); err != nil {
			t.Errorf("SARIF: %v", err)
		}
	}
	if cmds := runnerCommands(t, o.stdout); len(cmds) > 0 {
		t.Errorf("workflow commands on stdout: %+v", cmds)
	}
	stops := 0
	for _, c := range runnerCommands(t, o.stderr) {
		switch c.name {
		case "stop-commands":
			stops++
		case "resume", "error", "warning", "notice":
		default:
			t.Errorf("the runner would run %q from stderr: %+v", c.name, c)
		}
	}
	if stops > 1 {
		t.Errorf("%d stop-commands: commands were resumed in the middle of our output", stops)
	}
	if i := strings.IndexFunc(o.stderr, func(r rune) bool {
		return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0x202e
	}); i >= 0 {
		t.Errorf("stderr holds control character %q: %s", o.stderr[i], excerpt(o.stderr, o.stderr[i:i+1]))
	}
	if !utf8.ValidString(o.stderr) {
		t.Errorf("stderr is not valid UTF-8")
	}
	return doc
}

// outsideSecret writes, outside the root, a Python file and a requirements
// file holding a secret-looking line, and returns the directory and line.
func outsideSecret(t *testing.T) (dir, secret string) {
	t.Helper()
	dir = t.TempDir()
	secret = "AKIA" + "OUTSIDEROOT7SECRET"
	testkit.WriteFiles(t, dir, map[string]string{
		"secret.py":        "import pickle\npassword = '" + secret + "'\nexec(password)\n",
		"requirements.txt": "jinja2==2.11.2  # " + secret + "\n",
		"go.mod":           "module example.com/outside // " + secret + "\n\ngo 1.22\n",
		"main.go":          "package main\n\nimport \"crypto/md5\"\n\n// " + secret + "\nfunc main() { md5.Sum(nil) }\n",
		"ci.yml":           "jobs:\n  x:\n    steps:\n      - run: echo \"${{ github.head_ref || '" + secret + "' }}\"\n",
	})
	return dir, secret
}

// Symlink loops (a -> b -> a, a directory linking to its parent) and links
// to / and to a directory outside the root: every scanner terminates, and
// nothing reached through a link appears, neither the outside files'
// content nor their findings nor their paths.
func TestHostileSymlinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks")
	}
	testkit.NeedBandit(t)
	outside, secret := outsideSecret(t)
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{
		"go.mod":           "module example.com/links\n\ngo 1.22\n",
		"main.go":          "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hi\") }\n",
		"app/tool.py":      shellPy,
		"requirements.txt": "jinja2==2.11.2\n",
	})
	for link, target := range map[string]string{
		"loop/a":               "b",
		"loop/b":               "a",
		"app/up":               "..",
		"self":                 ".",
		"slash":                "/",
		"out":                  outside,
		"app/secret.py":        filepath.Join(outside, "secret.py"),
		"requirements-out.txt": filepath.Join(outside, "requirements.txt"),
		"pkg/main.go":          filepath.Join(outside, "main.go"),
	} {
		p := filepath.Join(root, link)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	testkit.Symlink(t, filepath.Join(outside, "ci.yml"), filepath.Join(root, ".github/workflows/ci.yml"))
	start := time.Now()
	o := scanHostile(t, root, "--scanners", "gosec,osv-scanner,bandit,workflows", "--timeout", "2m")
	t.Logf("scan took %s, exit %d", time.Since(start).Round(time.Millisecond), o.code)
	doc := wellFormed(t, o)
	assertNowhere(t, o, secret, outside, "pickle", "B403", "B102")
	// Findings in files linked from outside are dropped, and counted.
	testkit.ContainsAll(t, "stderr", o.stderr, "bandit: 2 findings located outside the scanned root",
		"gosec: 2 findings located outside the scanned root")
	// workflows never reads through a link: it has nothing to drop.
	testkit.ContainsNone(t, "stderr", o.stderr, "workflows: 1 finding located outside")
	// The in-tree findings are there: links neither hide nor duplicate them.
	got := doc.Counts()
	if got["bandit B602"] != 1 || got["osv-scanner PYSEC-2021-66"] < 1 {
		t.Errorf("results %v; want bandit B602 once on app/tool.py and jinja2's advisory", got)
	}
	for _, u := range doc.URIs() {
		if strings.HasPrefix(u, "out/") || strings.HasPrefix(u, "slash/") || strings.HasPrefix(u, "app/up/") ||
			strings.HasPrefix(u, "self/") || u == "app/secret.py" || u == "requirements-out.txt" || u == "pkg/main.go" {
			t.Errorf("a result reached through a link: %s", u)
		}
	}
	if o.code != exitFail {
		t.Errorf("exit %d, want %d (the gate fails on the high B602)\n%s", o.code, exitFail, o.stderr)
	}
}

// File names that are workflow commands, hold a line break, invalid UTF-8
// or terminal escapes. Go cannot build a file whose name has a line break,
// so those are Python files (bandit) and requirements files (osv-scanner);
// gosec gets the names Go accepts.
func TestHostileFileNames(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file names")
	}
	testkit.NeedBandit(t)
	names := []string{
		"::error file=x.py,line=1::pwned",
		"a\n::error file=pwn.py::injected",
		"b\n::set-output name=verdict::pass",
		"c\n::add-mask::hidden",
		"d\n::stop-commands::tok",
		"e\r\n##[error]legacy",
		"bad\xff\xfeutf8",
		// Sorted first, so that GitHub's 10-per-level cap on annotations
		// (which the scanners' own errors share) never leaves it out.
		"0esc\x1b]0;title\x07\x1b[2J\x1b[31m",
		"bidi\u202egnp",
	}
	root := t.TempDir()
	files := map[string]string{
		"go.mod":  "module example.com/names\n\ngo 1.22\n",
		"main.go": "package main\n\nimport \"crypto/md5\"\n\nfunc main() { md5.Sum(nil) }\n",
	}
	wantOSV, wantGosec := 0, 1
	for i, n := range names {
		files[n+".py"] = shellPy
		files[fmt.Sprintf("broken-%d-%s.py", i, n)] = "def (:\n" // bandit names it in a notification
		// osv-scanner reports a pin once however many files hold it: one
		// version each. It cannot open a path that is not UTF-8 (Go's
		// io/fs, through which it reads the tree), and says so.
		files["requirements-"+n+".txt"] = fmt.Sprintf("jinja2==2.10.%d\n", i)
		if utf8.ValidString(n) {
			wantOSV++
		}
		// The go command refuses file names with a line break or invalid
		// UTF-8, or starting with a character other than a letter, digit,
		// '.', '_' or '/': those are not in the module.
		if !strings.ContainsAny(n, "\n\r") && utf8.ValidString(n) {
			files[fmt.Sprintf("x%s_%d.go", n, i)] = fmt.Sprintf("package main\n\nimport \"crypto/md5\"\n\nfunc f%d() { md5.Sum(nil) }\n", i)
			wantGosec++
		}
	}
	testkit.WriteFiles(t, root, files)

	o := scanHostile(t, root, "--scanners", "gosec,osv-scanner,bandit", "--timeout", "2m")
	doc := wellFormed(t, o)
	if o.code != exitFail {
		t.Errorf("exit %d, want %d\n%s", o.code, exitFail, o.stderr)
	}
	// osv-scanner once read "a:b" as parser a, file b in its working
	// directory: that directory must not show.
	wd, _ := os.Getwd()
	assertNowhere(t, o, wd)
	got := doc.Counts()
	// Every file is scanned and reported, whatever its name.
	if got["bandit B602"] != len(names) || got["osv-scanner PYSEC-2021-66"] != wantOSV || got["gosec G401"] != wantGosec {
		t.Errorf("results %v, want %d of bandit B602, %d of PYSEC-2021-66, %d of gosec G401", got, len(names), wantOSV, wantGosec)
	}
	// Names are shown as what they are, escaped, in the summary and in the
	// annotations; the one osv-scanner cannot open is named in an error.
	testkit.ContainsAll(t, "stderr", o.stderr,
		`0esc\x1b]0;title\x07\x1b[2J\x1b[31m.py:5`,
		`a\n::error file=pwn.py::injected.py:5`,
		`bidi\u202egnp.py:5`,
		`osv-scanner: requirements-bad\xff\xfeutf8.txt: cannot be opened: invalid argument`,
		"file=0esc\\x1b]0;title\\x07\\x1b[2J\\x1b[31m.py,line=5",
	)
	// The runner's reading of the annotations: each names its file as it
	// is in the tree (line breaks %-escaped by the annotation format).
	for _, c := range runnerCommands(t, o.stderr) {
		if c.name == "error" && c.props["title"] == "HIGH B602 (bandit)" && c.props["file"] == "a\n::error file=pwn.py::injected.py" {
			return
		}
	}
	t.Errorf("no annotation on the file whose name holds a line break")
}

// aliasBomb is a "billion laughs" document under key: nine levels of nine
// aliases, 9^9 strings once expanded.
func aliasBomb(key string) string {
	var b strings.Builder
	b.WriteString(key + ":\n  - &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		b.WriteString("  - &" + n + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ",") + "]\n")
		prev = n
	}
	b.WriteString("  - *i\n")
	return b.String()
}

// A YAML alias bomb as .scangate.yml or .scangate-ignore.yml is refused at
// once with file:line, without expanding it: the YAML is decoded into nodes
// (yaml.v3 expands aliases only when decoding into Go values, and limits
// that with its alias ratio check) and an alias is refused where a value
// is read.
func TestHostileAliasBomb(t *testing.T) {
	for _, tc := range []struct{ file, key, want string }{
		{".scangate.yml", "exclude", ".scangate.yml:11:5: exclude: YAML aliases are not supported"},
		{".scangate-ignore.yml", "suppressions", ".scangate-ignore.yml:11:5: suppressions[9]: want a mapping"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			root := t.TempDir()
			testkit.WriteFiles(t, root, map[string]string{
				tc.file:   aliasBomb(tc.key),
				"go.mod":  "module example.com/bomb\n\ngo 1.22\n",
				"main.go": "package main\n\nfunc main() {}\n",
			})
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			o := scanHostile(t, root, "--scanners", "gosec")
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			wellFormed(t, o)
			if o.code != exitUsage {
				t.Errorf("exit %d, want %d\n%s", o.code, exitUsage, o.stderr)
			}
			if !strings.Contains(o.stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, o.stderr)
			}
			if o.sarif != "" || o.json != "" || o.gitlabSAST != "" || o.gitlabDeps != "" || o.junit != "" {
				t.Errorf("a report was written for a refused configuration")
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; took > 5*time.Second || alloc > 64<<20 {
				t.Errorf("took %s and allocated %d MiB", took, alloc>>20)
			}
			t.Logf("refused in %s, %d KiB allocated", took.Round(time.Millisecond), (after.TotalAlloc-before.TotalAlloc)>>10)
		})
	}
}

// Terminal escapes in the repository's text reach the terminal escaped:
// a .scangate.yml value quoted in an error, and file names in the summary
// (TestHostileFileNames) and in progress lines.
func TestHostileConfigEscapes(t *testing.T) {
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{
		".scangate.yml": "fail-on: \"\\e]0;pwned\\a\\e[2Jhigh\"\n",
		"go.mod":        "module example.com/esc\n\ngo 1.22\n",
	})
	o := scanHostile(t, root, "--scanners", "gosec")
	wellFormed(t, o)
	if o.code != exitUsage || !strings.Contains(o.stderr, ".scangate.yml:1:") || !strings.Contains(o.stderr, `\x1b]0;pwned`) {
		t.Errorf("exit %d, stderr:\n%s", o.code, o.stderr)
	}
}

// bigGoFile is a generated Go file of about lines lines: a 100,000-entry
// table, then small functions; a hard-coded credential (gosec G101, high)
// right after the table and an md5 call (G401, medium) in main, the last
// function. It returns the file and the lines of the two findings.
func bigGoFile(lines int) (src string, g101, g401 int) {
	var b strings.Builder
	n := 0
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, format+"\n", args...)
		n++
	}
	line("package main")
	line("")
	line("import (")
	line("\t\"crypto/md5\"")
	line("\t\"fmt\"")
	line(")")
	line("var table = []int{")
	for i := range 100_000 {
		line("\t%d,", i)
	}
	line("}")
	line("var secretKey = \"9b1c4e0d7a2f6b3e8c5d1a0f4e7b2c9d6a3f0e1b\"")
	g101 = n
	for i := 0; n < lines-3; i++ {
		line("func f%d(x int) int {\n\tif x > %d {\n\t\treturn x - %d\n\t}\n\treturn x + table[%d]\n}", i, i, i, i%100_000)
		n += 5
	}
	line("func main() {")
	line("\tfmt.Println(md5.Sum([]byte(secretKey)), f0(1))")
	g401 = n
	line("}")
	return b.String(), g101, g401
}

// A 200,000-line Go file: gosec loads and analyzes it and reports both
// findings at their lines; the gate fails on the high one.
func TestHostileHugeGoFile(t *testing.T) {
	src, g101, g401 := bigGoFile(200_000)
	if got := strings.Count(src, "\n"); got < 200_000 {
		t.Fatalf("generated %d lines", got)
	}
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{"go.mod": "module example.com/big\n\ngo 1.22\n", "big.go": src})
	start := time.Now()
	o := scanHostile(t, root, "--scanners", "gosec", "--timeout", "5m")
	t.Logf("200,000 lines scanned in %s", time.Since(start).Round(time.Millisecond))
	doc := wellFormed(t, o)
	if o.code != exitFail {
		t.Errorf("exit %d, want %d\n%s", o.code, exitFail, o.stderr)
	}
	var got []string
	for _, r := range doc.Runs {
		for _, res := range r.Results {
			l := res.Locations[0].PhysicalLocation
			got = append(got, fmt.Sprintf("%s %s:%d", res.RuleID, l.ArtifactLocation.URI, l.Region.StartLine))
		}
	}
	want := []string{fmt.Sprintf("G101 big.go:%d", g101), fmt.Sprintf("G401 big.go:%d", g401), "G501 big.go:4"}
	if fmt.Sprint(sorted(got)) != fmt.Sprint(want) {
		t.Errorf("results %v, want %v", got, want)
	}
	if !strings.Contains(o.stderr, "gosec        completed    3 findings") {
		t.Errorf("summary:\n%s", o.stderr)
	}
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	slices.Sort(s)
	return s
}

// A Python tree on which bandit prints 10,000 results: every one is
// counted and in the SARIF, which stays within GitHub's limits; the
// summary, the step summary and the annotations say how many they list
// and how many they leave to the reports.
func TestHostileTenThousandBanditResults(t *testing.T) {
	testkit.NeedBandit(t)
	root := t.TempDir()
	files := map[string]string{}
	for f := range 100 {
		var b strings.Builder
		b.WriteString("def check(x):\n")
		for i := range 100 {
			fmt.Fprintf(&b, "    assert x != %d\n", i)
		}
		files[fmt.Sprintf("pkg/m%03d.py", f)] = b.String()
	}
	testkit.WriteFiles(t, root, files)
	start := time.Now()
	o := scanHostile(t, root, "--scanners", "bandit", "--timeout", "5m")
	t.Logf("bandit's 10,000 results in %s, SARIF %d bytes", time.Since(start).Round(time.Millisecond), len(o.sarif))
	doc := wellFormed(t, o)
	if o.code != exitPass {
		t.Errorf("exit %d, want %d (B101 is low, under the default threshold)\n%s", o.code, exitPass, o.stderr)
	}
	if n := doc.Counts()["bandit B101"]; n != 10_000 {
		t.Errorf("SARIF has %d B101 results, want 10000", n)
	}
	rep, err := sarif.FromBytes([]byte(o.sarif))
	if err != nil {
		t.Fatal(err)
	}
	if bad := report.CheckLimits(rep, report.Limits{}); len(bad) > 0 {
		t.Errorf("SARIF over GitHub's limits: %q", bad)
	}
	var js struct {
		Tools []struct {
			Findings []json.RawMessage `json:"findings"`
		} `json:"tools"`
	}
	if err := json.Unmarshal([]byte(o.json), &js); err != nil || len(js.Tools) != 1 || len(js.Tools[0].Findings) != 10_000 {
		t.Errorf("JSON report: %v, %d tools", err, len(js.Tools))
	}
	annotated := 0
	for _, c := range runnerCommands(t, o.stderr) {
		if c.name == "notice" {
			annotated++
		}
	}
	testkit.ContainsAll(t, "stderr", o.stderr,
		"bandit       completed  10000 findings",
		"Findings: 10000 new (low 10000)",
		"… and 9990 more (see the SARIF, JSON or markdown report)",
		fmt.Sprintf("scangate: %d more findings are not annotated", 10_000-annotated),
	)
	if !strings.Contains(o.stepSummary, "| bandit | completed | 10000 |") {
		t.Errorf("step summary:\n%s", excerpt(o.stepSummary, "bandit"))
	}
	if !strings.Contains(o.stepOutput, "findings=10000") {
		t.Errorf("step outputs: %s", o.stepOutput)
	}
}

// Progress lines quote file and module names: both the CI form (a line per
// event) and the terminal status line show their control characters
// escaped, and print no other escape than the status line's own clear.
func TestHostileProgressEscapes(t *testing.T) {
	msg := "loading esc\x1b]0;pwned\x07\x1b[2J\r\nFAKE\u202e.py"
	for _, animated := range []bool{false, true} {
		var b strings.Builder
		p := newProgress(&b, animated)
		p.event(scanner.Event{Kind: scanner.Started, Scanner: "bandit"})
		p.event(scanner.Event{Kind: scanner.Progress, Scanner: "bandit", Message: msg})
		p.mu.Lock()
		p.clear()
		p.draw()
		p.mu.Unlock()
		p.close()
		out := strings.ReplaceAll(b.String(), "\r\x1b[2K", "") // the status line's own clear
		if strings.ContainsAny(out, "\x1b\x07\r\u202e") || strings.Contains(out, "\nFAKE") {
			t.Errorf("animated=%v: raw control characters in %q", animated, b.String())
		}
		if !strings.Contains(out, `loading esc\x1b]0;pwned\x07`) {
			t.Errorf("animated=%v: the message is not shown escaped: %q", animated, out)
		}
	}
}
