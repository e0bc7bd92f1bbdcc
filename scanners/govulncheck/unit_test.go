package govulncheck

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/golang"
	"github.com/scangate/scangate/scanner/scannertest"
)

// Build tags and test files reach govulncheck: the only calls of x/text
// are in a file behind a build tag and in a test file.
func TestTagsAndTests(t *testing.T) {
	root := t.TempDir()
	sum := testkit.ReadFile(t, "../../examples/project/go.sum")
	var textSum []string
	for _, l := range strings.Split(string(sum), "\n") {
		if strings.HasPrefix(l, "golang.org/x/text ") || strings.HasPrefix(l, "golang.org/x/tools ") {
			textSum = append(textSum, l)
		}
	}
	testkit.WriteFiles(t, root, map[string]string{
		"go.mod":         "module example.com/tagged\n\ngo 1.22\n\nrequire golang.org/x/text v0.3.6\n",
		"go.sum":         strings.Join(textSum, "\n") + "\n",
		"tagged.go":      "package tagged\n\nfunc Name() string { return \"tagged\" }\n",
		"special.go":     "//go:build special\n\npackage tagged\n\nimport \"golang.org/x/text/language\"\n\nvar Default = language.MustParse(\"en\")\n",
		"tagged_test.go": "package tagged\n\nimport (\n\t\"testing\"\n\n\t\"golang.org/x/text/language\"\n)\n\nfunc TestParse(t *testing.T) {\n\tif _, err := language.Parse(\"en\"); err != nil {\n\t\tt.Fatal(err)\n\t}\n}\n",
	})
	db := exampleDB(t)
	s := newScanner()

	req := request(root, db)
	res := scannertest.Scan(t, s, req)
	if len(res.Findings) != 0 || res.State != finding.Completed {
		t.Fatalf("without tags and tests: state %v, findings %+v\n%s", res.State, res.Findings, notes(res))
	}

	req.Tags, req.Tests = []string{"special"}, true
	res = scannertest.Scan(t, s, req)
	f := byRule(res, "GO-2021-0113")
	if f == nil || f.Reachable != finding.Called {
		t.Fatalf("with tags and tests: findings %+v\n%s", res.Findings, notes(res))
	}
	// Two vulnerable symbols are called: the finding shows the first by
	// name and lists both.
	if f.Properties["calledSymbols"] != "language.MustParse, language.Parse" {
		t.Errorf("calledSymbols = %q", f.Properties["calledSymbols"])
	}
	if f.Location.Path != "special.go" || f.Location.StartLine != 7 || f.Trace[len(f.Trace)-1].Function != "MustParse" {
		t.Errorf("location %+v, trace %+v", f.Location, f.Trace)
	}
	checkCall(t, filepath.Join(root, "special.go"), f.Location.StartLine, f.Location.StartColumn, "language.MustParse")
}

func TestDecode(t *testing.T) {
	st, err := decodeBytes([]byte(`{"config":{"protocol_version":"v1.0.0","go_version":"go1.26.8","scan_level":"symbol"}}
{"osv":{"id":"GO-1","summary":"s","details":"d","affected":[]}}
{"finding":{"osv":"GO-1","trace":[{"module":"m","version":"v1.0.0","package":"m/p"}]}}`))
	if err != nil || st.config.GoVersion != "go1.26.8" || st.entries["GO-1"] == nil || len(st.findings) != 1 || st.findings[0].level() != finding.Imported {
		t.Fatalf("decode: %+v, %v", st, err)
	}
	for _, bad := range []string{`{"config":{}} {"finding":`, `{"finding":{"osv":"GO-1","trace":[]}}`, `[1,2]`} {
		if _, err := decodeBytes([]byte(bad)); err == nil {
			t.Errorf("decode %q: no error", bad)
		}
	}
}

func TestExitPoint(t *testing.T) {
	fr := func(mod, fn string) *frame { return &frame{Module: mod, Function: fn} }
	for _, tc := range []struct {
		trace []*frame
		want  int
	}{
		{[]*frame{fr("dep", "V"), fr("me", "f"), fr("me", "main")}, 1},
		{[]*frame{fr("dep", "V"), fr("dep", "W"), fr("me", "f"), fr("other", "g"), fr("me", "main")}, 2},
		{[]*frame{fr("me", "V"), fr("me", "main")}, 1},
		{[]*frame{fr("dep", "V")}, 0},
	} {
		if got := exitPoint(tc.trace); got != tc.want {
			t.Errorf("exitPoint(%v) = %d, want %d", tc.trace, got, tc.want)
		}
	}
}

func TestGoTag(t *testing.T) {
	for in, want := range map[string]string{"v1.26.8": "go1.26.8", "v1.21.0": "go1.21", "v1.23.0-rc.1": "go1.23rc1", "": ""} {
		if got := goTag(in); got != want {
			t.Errorf("goTag(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGoFlags(t *testing.T) {
	dir := t.TempDir()
	if got := goFlags("-mod=mod -buildvcs=false", dir); got != "-buildvcs=false -mod=readonly" {
		t.Errorf("goFlags = %q", got)
	}
	testkit.WriteFiles(t, dir, map[string]string{"vendor/modules.txt": "# example.com/x v1.0.0\n"})
	if got := goFlags("-mod=mod", dir); got != "" {
		t.Errorf("goFlags with vendor = %q, want the go command's default", got)
	}
}

// The child gets the minimal environment: no credential, no PATH entry in
// the scanned tree (x/vuln runs "go env" with the child's own PATH).
func TestChildEnv(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "mod")
	t.Setenv("GITHUB_TOKEN", "ghs_secret")
	t.Setenv("ACTIONS_RUNTIME_TOKEN", "secret")
	t.Setenv("MY_API_KEY", "secret")
	t.Setenv("GOTOOLCHAIN", "auto")
	t.Setenv("PATH", filepath.Join(root, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	env := childEnv(&scanner.Request{Offline: true}, golang.Module{Root: root, Dir: dir})
	for _, want := range []string{"GOTOOLCHAIN=local", "GOPROXY=off", "GOWORK=off", "GOPACKAGESDRIVER=off", "CGO_ENABLED=0"} {
		if !slices.Contains(env, want) {
			t.Errorf("child env lacks %s", want)
		}
	}
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		if strings.Contains(v, "secret") || k == "GOTOOLCHAIN" && v != "local" {
			t.Errorf("child env has %s", e)
		}
		if k == "PATH" && strings.Contains(v, root) {
			t.Errorf("child PATH keeps the scanned tree: %s", v)
		}
	}
	// --cgo: the last CGO_ENABLED wins (os/exec keeps the last of duplicates).
	env = childEnv(&scanner.Request{Cgo: true}, golang.Module{Root: root, Dir: dir})
	if i, j := slices.Index(env, "CGO_ENABLED=0"), slices.Index(env, "CGO_ENABLED=1"); j < 0 || j < i {
		t.Errorf("with Cgo the child env must end with CGO_ENABLED=1: %v", env[max(0, len(env)-6):])
	}
}

func TestLocate(t *testing.T) {
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{"a/go.mod": `module example.com/a

go 1.22

toolchain go1.22.4

require example.com/single v1.0.0

require (
	example.com/old v1.0.0 // indirect
)

replace example.com/old => example.com/fork v1.2.0
`})
	gm, err := readGoMod(root, golang.Module{Dir: filepath.Join(root, "a"), Rel: "a"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mod  string
		std  bool
		line int
		col  int
	}{
		{"example.com/single", false, 7, 1},
		{"example.com/old", false, 10, 2},
		{"example.com/fork", false, 13, 1}, // govulncheck names the replacement
		{"example.com/unknown", false, 1, 1},
		{"stdlib", true, 5, 1},
	} {
		loc := gm.locate(tc.mod, tc.std)
		if loc.Path != "a/go.mod" || loc.StartLine != tc.line || loc.StartColumn != tc.col {
			t.Errorf("locate(%s) = %+v, want a/go.mod:%d:%d", tc.mod, loc, tc.line, tc.col)
		}
	}
	if got := gm.directives(); got != "go 1.22, toolchain go1.22.4" {
		t.Errorf("directives = %q", got)
	}
}

// The fallback version must follow go.mod.
func TestVulnVersionPinned(t *testing.T) {
	data := testkit.ReadFile(t, "../../go.mod")
	if !strings.Contains(string(data), "golang.org/x/vuln "+vulnVersion+"\n") {
		t.Errorf("go.mod does not pin golang.org/x/vuln %s", vulnVersion)
	}
}

func TestExclude(t *testing.T) {
	root := t.TempDir()
	testkit.WriteFiles(t, root, map[string]string{
		"a/go.mod": "module example.com/a\n\ngo 1.22\n",
		"a/a.go":   "package a\n\nimport \"example.com/a/missing\"\n",
		"b/go.mod": "module example.com/b\n\ngo 1.22\n",
		"b/b.go":   "package b\n\nimport \"example.com/b/missing\"\n",
	})
	db := exampleDB(t)
	s := newScanner()
	req := request(root, db)
	req.Exclude = []string{"a"}
	res := scannertest.Scan(t, s, req)
	if msgs := notes(res); strings.Contains(msgs, "example.com/a") || !strings.Contains(msgs, "module b (example.com/b)") {
		t.Errorf("with a excluded:\n%s", msgs)
	}
	req.Exclude = []string{"a", "b/**"}
	err := scannertest.Run(t, s, req).Err
	var skip *scanner.SkipError
	if !errors.As(err, &skip) || skip.Reason != "every Go module under the root is excluded" {
		t.Errorf("with every module excluded: err = %v", err)
	}
}

// A curated database may score a GO- record: the vector wins and the
// severity is known; the public records carry none and stay unknown.
func TestAdvisorySeverity(t *testing.T) {
	db := t.TempDir()
	rec := `{"id":"GO-2021-0113","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}]}`
	if err := os.MkdirAll(filepath.Join(db, "ID"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(db, "ID", "GO-2021-0113.json"), []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	sc := &scan{dbDir: db, severity: map[string]advisorySeverity{}}
	if s := sc.advisorySeverity(&entry{ID: "GO-2021-0113"}); s.source != "cvss" || s.score != 7.5 || s.severity != finding.High {
		t.Errorf("scored record: %+v", s)
	}
	if s := sc.advisorySeverity(&entry{ID: "GO-2022-1059"}); s.source != "default" || s.score != 0 {
		t.Errorf("unscored record: %+v", s)
	}
}

// Two modules of a tree may share a module path (copies, forks side by
// side): a trace through the module being scanned is located in that
// module's files, not in the first module of that path.
func TestTraceInTheScannedModuleOfASharedPath(t *testing.T) {
	root := t.TempDir()
	a := golang.Module{Root: root, Dir: filepath.Join(root, "svc", "a"), Rel: "svc/a", Path: "example.com/same"}
	b := golang.Module{Root: root, Dir: filepath.Join(root, "svc", "b"), Rel: "svc/b", Path: "example.com/same"}
	sc := &scan{req: &scanner.Request{Root: root}, mods: []golang.Module{a, b}}
	tr := sc.trace(b, []*frame{{Module: "example.com/same", Package: "example.com/same", Function: "main",
		Position: &position{Filename: "main.go", Line: 38, Column: 23}}})
	if len(tr) != 1 || tr[0].Location.Path != "svc/b/main.go" || tr[0].External {
		t.Errorf("trace %+v, want svc/b/main.go", tr)
	}
	if p := sc.framePath(b, &frame{Module: "example.com/same", Position: &position{Filename: "main.go"}}); p != "svc/b/main.go" {
		t.Errorf("framePath %q, want svc/b/main.go", p)
	}
}
