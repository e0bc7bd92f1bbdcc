package osv

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/scannertest"
	"github.com/scangate/scangate/vulndb"
)

const (
	advisoriesDir = "../../testdata/osv/advisories"
	treeDir       = "../../testdata/osv/tree"
	examplesDB    = "../../examples/vulndb"
	examplesProj  = "../../examples/project"
)

// copyTree copies the fixture tree into a new directory under parent and
// adds what git cannot hold: a .git directory with a lockfile that must not
// be scanned.
func copyTree(t testing.TB, parent string) string {
	t.Helper()
	dst, err := os.MkdirTemp(parent, "tree-")
	if err != nil {
		t.Fatal(err)
	}
	testkit.CopyTree(t, treeDir, dst)
	testkit.Write(t, dst, ".git/requirements.txt", "jinja2==2.11.2\n")
	return dst
}

// importDB imports advisories (all of advisoriesDir but the skipped files)
// into a database.
func importDB(t testing.TB, src string, skip ...string) string {
	t.Helper()
	if len(skip) > 0 {
		tmp := t.TempDir()
		entries, _ := os.ReadDir(src)
		for _, e := range entries {
			if slices.Contains(skip, e.Name()) {
				continue
			}
			b, _ := os.ReadFile(filepath.Join(src, e.Name()))
			os.WriteFile(filepath.Join(tmp, e.Name()), b, 0o644)
		}
		src = tmp
	}
	dst := filepath.Join(t.TempDir(), "db")
	if _, err := vulndb.Import(src, dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

func scan(t testing.TB, s *Scanner, root, db string, offline bool) (*finding.Result, error) {
	t.Helper()
	abs, _ := filepath.Abs(root)
	req := scannertest.Request(abs)
	req.Offline, req.DB = offline, db
	o := scannertest.Run(t, s, req)
	return o.Res, o.Err
}

// One scan of the tree, shared by the tests that read it.
var (
	shared string // removed by TestMain
	tree   scannertest.Shared
)

func TestMain(m *testing.M) {
	var err error
	if shared, err = os.MkdirTemp("", "scangate-osv-test-"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(shared)
	os.Exit(code)
}

func treeScan(t *testing.T) *finding.Result {
	o := tree.Get("tree", func() scannertest.Outcome {
		db := filepath.Join(shared, "db")
		if _, err := vulndb.Import(advisoriesDir, db); err != nil {
			return scannertest.Outcome{Err: err}
		}
		// The fixtures are old: the age warning has its own test.
		req := scannertest.Request(copyTree(t, shared))
		req.Offline, req.DB = true, db
		return scannertest.Run(t, New(Options{MaxDBAge: -1}), req)
	})
	if o.Err != nil {
		t.Fatal(o.Err)
	}
	return o.Res
}

// row is what the tests compare of a finding.
type row struct {
	Path              string
	Line, Col, EndCol int
	Rule              string
	Aliases           []string
	Eco, Name, Ver    string
	Fixed             []string
	Severity          finding.Severity
	Score             float64
	Module            string
}

func rows(res *finding.Result) []row {
	var out []row
	for _, f := range res.Findings {
		out = append(out, row{f.Location.Path, f.Location.StartLine, f.Location.StartColumn, f.Location.EndColumn,
			f.RuleID, f.Aliases, f.Package.Ecosystem, f.Package.Name, f.Package.Version, f.Package.Fixed,
			f.Severity, f.Score, f.Module})
	}
	return out
}

var treeWant = []row{
	// Go versions spelled as Go does, as govulncheck's findings are.
	{"go.mod", 7, 2, 19, "GO-2021-0113", []string{"CVE-2021-38561", "GHSA-ppp9-7jff-5vj2"},
		"Go", "golang.org/x/text", "v0.3.6", []string{"v0.3.7"}, finding.High, 7.5, "."},
	// No CVSS vector and no GHSA label among this group: the default.
	{"py/requirements.txt", 3, 3, 9, "PYSEC-2021-66", []string{"CVE-2020-28493", "GHSA-g3rq-g295-4j3m"},
		"PyPI", "jinja2", "2.11.2", []string{"2.11.3"}, DefaultSeverity, 0, "py"},
	{"rb/Gemfile.lock", 4, 5, 9, "GHSA-j6w9-fv6q-3q52", []string{"CVE-2020-8184"},
		"RubyGems", "rack", "2.1.3", []string{"2.1.4", "2.2.3"}, finding.High, 7.5, "rb"},
	{"web/package-lock.json", 14, 19, 25, "GHSA-35jh-r3h4-6jhm", []string{"CVE-2021-23337"},
		"npm", "lodash", "4.17.20", []string{"4.17.21"}, finding.High, 7.2, "web"},
}

func TestScanTree(t *testing.T) {
	res := treeScan(t)
	if got := rows(res); !reflect.DeepEqual(got, treeWant) {
		t.Errorf("findings:\n got %+v\nwant %+v", got, treeWant)
	}
	if res.State != finding.Completed || res.Tool != "osv-scanner" || res.Version != "2.5.0" {
		t.Errorf("state %v tool %q version %q", res.State, res.Tool, res.Version)
	}
	// Only the osv-scanner.toml warning: nothing else went wrong.
	if len(res.Notifications) != 1 || res.Notifications[0].Level != finding.LevelWarning {
		t.Errorf("notifications: %+v", res.Notifications)
	}
	for _, f := range res.Findings {
		// osv-scanner's own spelling, as before Go versions were spelled with a v: baselines stay valid.
		raw := finding.NormalizeVersion(f.Package.Ecosystem, f.Package.Version)
		if f.Fingerprint != finding.Fingerprint("osv-scanner", f.RuleID, f.Location.Path, f.Package.Name+"@"+raw) {
			t.Errorf("%s: fingerprint %s", f.RuleID, f.Fingerprint)
		}
		if !strings.Contains(f.Message, f.Package.Name+" "+f.Package.Version+" is affected by "+f.RuleID) {
			t.Errorf("message %q", f.Message)
		}
	}
	r := res.Rule("GHSA-j6w9-fv6q-3q52")
	if r == nil || r.HelpURI != "https://osv.dev/vulnerability/GHSA-j6w9-fv6q-3q52" ||
		!slices.Contains(r.Tags, "external/cwe/cwe-784") || r.Short != "Percent-encoded cookies can be used to overwrite existing prefixed cookie names" ||
		r.Severity != finding.High || r.Score != 7.5 || r.Full == "" || r.Help == "" {
		t.Errorf("rule %+v", r)
	}
	// The GHSA member of the group gives the Go finding its CWE.
	if r := res.Rule("GO-2021-0113"); r == nil || !slices.Contains(r.Tags, "external/cwe/cwe-125") {
		t.Errorf("rule %+v", r)
	}
	if len(res.Rules) != 4 {
		t.Errorf("%d rules", len(res.Rules))
	}
}

func TestRepoConfigIgnoresAreReportedNotApplied(t *testing.T) {
	res := treeScan(t)
	want := "osv-scanner: py/osv-scanner.toml: [[IgnoredVulns]] PYSEC-2021-66: not applied; use .scangate-ignore.yml"
	if len(res.Notifications) == 0 || res.Notifications[0].Message != want {
		t.Errorf("notifications %+v, want %q", res.Notifications, want)
	}
	var jinja *finding.Finding
	for i := range res.Findings {
		if res.Findings[i].RuleID == "PYSEC-2021-66" {
			jinja = &res.Findings[i]
		}
	}
	if jinja == nil {
		t.Fatal("the finding the repository ignores is gone")
	}
	if got := jinja.Properties["osvScannerIgnore"]; got != "py/osv-scanner.toml ignores PYSEC-2021-66: urlize is never used on user input (not applied)" {
		t.Errorf("property %q", got)
	}
}

// Each osv-scanner.toml is named once, with what it would ignore: entries
// without a name, by ecosystem or by regexp too (which findings they would
// hide is TestGolden/repoconfig's).
func TestRepoConfigProbesWarned(t *testing.T) {
	res, err := scan(t, New(Options{MaxDBAge: -1}), "../../testdata/osv/repoconfig", importDB(t, "../../testdata/osv/real-advisories"), true)
	if err != nil {
		t.Fatal(err)
	}
	var warns []string
	for _, n := range res.Notifications {
		warns = append(warns, n.Message)
	}
	got := strings.Join(warns, "\n")
	testkit.ContainsAll(t, "warnings", got,
		"osv-scanner: catch-all/osv-scanner.toml: [[PackageOverrides]] ignoring every package: not applied",
		"osv-scanner: ecosystem-only/osv-scanner.toml: [[PackageOverrides]] ignoring every package (PyPI): not applied",
		"osv-scanner: regex/osv-scanner.toml: [[PackageOverrides]] ignoring /^url.*$/, req.*: not applied",
		"osv-scanner: ignore-until/osv-scanner.toml: [[IgnoredVulns]] PYSEC-2021-66, CVE-2023-32681, PYSEC-2023-212: not applied",
	)
	if len(warns) != 7 || res.State != finding.Completed {
		t.Errorf("state %v, %d warnings, want one per file:\n%s", res.State, len(warns), got)
	}
}

func TestMissingEcosystemDatabase(t *testing.T) {
	root := copyTree(t, t.TempDir())
	// No Go advisories, so no Go zip.
	db := importDB(t, advisoriesDir, "GO-2021-0113.json", "GHSA-ppp9-7jff-5vj2.json")
	res, err := scan(t, New(Options{MaxDBAge: -1}), root, db, true)
	if err != nil {
		t.Fatal(err)
	}
	var want []row
	for _, r := range treeWant {
		if r.Eco != "Go" {
			want = append(want, r)
		}
	}
	if got := rows(res); !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n got %+v\nwant %+v", got, want)
	}
	if res.State != finding.Incomplete {
		t.Errorf("state %v, want incomplete", res.State)
	}
	var errs []string
	for _, n := range res.Notifications {
		if n.Level == finding.LevelError {
			errs = append(errs, n.Message)
		}
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "no Go advisories in the vulnerability database: go.mod not scanned") {
		t.Errorf("errors %q", errs)
	}
}

func TestStaleDatabaseWarning(t *testing.T) {
	res, err := scan(t, New(Options{}), filepath.Join(treeDir, "rb"), importDB(t, advisoriesDir), true)
	if err != nil {
		t.Fatal(err)
	}
	var warns []string
	for _, n := range res.Notifications {
		warns = append(warns, n.Message)
	}
	// The newest fixture advisory was modified on 2024-05-20; the warning
	// names the ecosystem this scan used, not the database's others.
	if len(warns) != 1 || !strings.HasPrefix(warns[0], "osv-scanner: vulnerability database older than 7 days for 1 ecosystem: RubyGems ") ||
		!strings.HasSuffix(warns[0], " days old (data of 2024-05-20): run scangate db update, or import newer exports") {
		t.Errorf("notifications %q", warns)
	}
	if res.State != finding.Completed || len(res.Findings) != 1 {
		t.Errorf("a stale database is a warning only: state %v, %d findings", res.State, len(res.Findings))
	}
}

func emptyConfig(t testing.TB) string {
	p := filepath.Join(t.TempDir(), "osv-scanner.toml")
	os.WriteFile(p, nil, 0o644)
	return p
}

func TestUnknownFieldAdvisoryIsAnError(t *testing.T) {
	// Raw advisories given to --db are imported and checked first.
	bad := t.TempDir()
	b, _ := os.ReadFile("../../testdata/osv/corrupt/unknown-field/PYSEC-2021-66.json")
	os.WriteFile(filepath.Join(bad, "PYSEC-2021-66.json"), b, 0o644)
	_, err := scan(t, New(Options{}), filepath.Join(treeDir, "py"), bad, true)
	if err == nil || !strings.Contains(err.Error(), `PYSEC-2021-66.json: unknown field "database-specific"`) {
		t.Errorf("err = %v", err)
	}
}

func TestOfflineWithoutDatabase(t *testing.T) {
	none := filepath.Join(t.TempDir(), "none")
	// The path the user gave is the one tried, and named, as reports name
	// the temp directory; the runner puts the scanner's name in front.
	shown := scanner.TempMarker() + "/" + strings.TrimPrefix(none, os.TempDir()+"/")
	for db, want := range map[string]string{
		"":   "no vulnerability database",
		none: "vulnerability database (--db): no vulnerability database at " + shown + " (does not exist): run scangate db update, or without network build it with scangate db import SRC",
	} {
		res, err := scan(t, New(Options{}), treeDir, db, true)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("db %q: err = %v", db, err)
		}
		if res == nil || len(res.Findings) != 0 {
			t.Errorf("db %q: result %+v", db, res)
		}
	}
}

func TestCorruptDatabase(t *testing.T) {
	db := importDB(t, advisoriesDir)
	zip := filepath.Join(db, "osv-scanner", "osv-scalibr", "npm", "all.zip")
	b, _ := os.ReadFile(zip)
	os.WriteFile(zip, b[:len(b)-30], 0o644)
	_, err := scan(t, New(Options{}), treeDir, db, true)
	var ce *vulndb.CorruptError
	if !errors.As(err, &ce) || ce.File != "osv-scanner/osv-scalibr/npm/all.zip" {
		t.Errorf("err = %v, want a corrupt database error naming the npm zip", err)
	}
}

func TestSkipLockfiles(t *testing.T) {
	root := copyTree(t, t.TempDir())
	s := New(Options{SkipLockfiles: []string{"rb/Gemfile.lock", "package-lock.json", "*.mod"}})
	res, err := scan(t, s, root, importDB(t, advisoriesDir), true)
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(res); len(got) != 1 || got[0].Rule != "PYSEC-2021-66" {
		t.Errorf("findings %+v, want only the requirements.txt one", got)
	}
	all := New(Options{SkipLockfiles: []string{"*.lock", "*.json", "*.txt", "go.mod"}})
	if all.Applies(&scanner.Request{Root: root}) {
		t.Error("applies to a tree whose lockfiles are all skipped")
	}
}

func TestDiscover(t *testing.T) {
	root := t.TempDir()
	want := map[string]string{
		"go.mod":                             "Go",
		"app/requirements-dev.txt":           "PyPI",
		"app/poetry.lock":                    "PyPI",
		"app/Pipfile.lock":                   "PyPI",
		"app/uv.lock":                        "PyPI",
		"web/package-lock.json":              "npm",
		"web/yarn.lock":                      "npm",
		"web/pnpm-lock.yaml":                 "npm",
		"rb/Gemfile.lock":                    "RubyGems",
		"rs/Cargo.lock":                      "crates.io",
		"php/composer.lock":                  "Packagist",
		"java/pom.xml":                       "Maven",
		"java/gradle.lockfile":               "Maven",
		"cs/packages.lock.json":              "NuGet",
		"dart/pubspec.lock":                  "Pub",
		"ex/mix.lock":                        "Hex",
		"r/renv.lock":                        "CRAN",
		"swift/Package.resolved":             "SwiftURL",
		".github/workflows/requirements.txt": "PyPI",
	}
	others := []string{"README.md", "app/setup.py", "web/package.json", "vendor/x/go.mod",
		"web/node_modules/a/package-lock.json", "testdata/requirements.txt", ".git/requirements.txt", "notes.txt"}
	for _, f := range append(slices.Collect(maps.Keys(want)), others...) {
		p := filepath.Join(root, filepath.FromSlash(f))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x"), 0o644)
	}
	got, gaps, err := discover(root, nil, false)
	if err != nil || gaps != nil {
		t.Fatal(err, gaps)
	}
	gotMap := map[string]string{}
	for _, l := range got {
		gotMap[l.Rel] = l.Ecosystem
	}
	if !reflect.DeepEqual(gotMap, want) {
		t.Errorf("discovered %v\nwant %v", gotMap, want)
	}
	if len(extractors()) != len(kinds) {
		t.Errorf("%d of %d extractors could be built", len(extractors()), len(kinds))
	}
	empty := t.TempDir()
	os.MkdirAll(filepath.Join(empty, "vendor"), 0o755)
	os.WriteFile(filepath.Join(empty, "vendor", "requirements.txt"), []byte("a==1\n"), 0o644)
	if New(Options{}).Applies(&scanner.Request{Root: empty}) {
		t.Error("applies to a tree with only vendored lockfiles")
	}
}

func TestExamplesProject(t *testing.T) {
	res, err := scan(t, New(Options{MaxDBAge: -1}), examplesProj, examplesDB, true)
	if err != nil {
		t.Fatal(err)
	}
	var py []row
	for _, r := range rows(res) {
		if r.Eco == "PyPI" {
			py = append(py, r)
		}
	}
	want := []row{
		{"requirements.txt", 2, 1, 7, "PYSEC-2021-66", []string{"CVE-2020-28493", "GHSA-g3rq-g295-4j3m"},
			"PyPI", "jinja2", "2.11.2", []string{"2.11.3"}, finding.Medium, 5.3, "."},
		{"requirements.txt", 3, 1, 9, "PYSEC-2023-74", []string{"CVE-2023-32681", "GHSA-j8r2-6x86-q33q"},
			"PyPI", "requests", "2.25.0", []string{"2.31.0"}, finding.Medium, 6.1, "."},
	}
	if !reflect.DeepEqual(py, want) {
		t.Errorf("PyPI findings:\n got %+v\nwant %+v", py, want)
	}
	if r := res.Rule("PYSEC-2023-74"); r == nil || !slices.Contains(r.Tags, "external/cwe/cwe-200") ||
		r.Short != "Unintended leak of Proxy-Authorization header in requests" {
		t.Errorf("rule %+v", r)
	}

	// The Go module and its GO- advisories belong to the govulncheck side
	// of the example; whatever they are, golang.org/x/text is reported at
	// its require line, under the GHSA form this side ships.
	gomod := filepath.Join(examplesProj, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		t.Skip("no Go module in the example yet")
	}
	line := 0
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, "golang.org/x/text ") {
			line = i + 1
		}
	}
	found := false
	for _, f := range res.Findings {
		if f.Location.Path == "go.mod" && f.Package.Name == "golang.org/x/text" &&
			(f.RuleID == "GHSA-ppp9-7jff-5vj2" || slices.Contains(f.Aliases, "GHSA-ppp9-7jff-5vj2")) {
			found = true
			if f.Location.StartLine != line || f.Severity != finding.High || f.Score != 7.5 {
				t.Errorf("x/text finding %+v, want line %d, high 7.5", f.Location, line)
			}
		}
	}
	if !found {
		t.Errorf("no GHSA-ppp9-7jff-5vj2 finding on golang.org/x/text in go.mod: %+v", rows(res))
	}
}

func TestSeverity(t *testing.T) {
	mk := func(js string) *osvpb.Vulnerability {
		v := &osvpb.Vulnerability{}
		if err := protojson.Unmarshal([]byte(js), v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	// Synthetic advisories: only the severity fields matter here.
	plain := mk(`{"id":"PYSEC-0000-1"}`)
	high := mk(`{"id":"GHSA-xxxx-xxxx-xxx1","database_specific":{"severity":"HIGH"}}`)
	moderate := mk(`{"id":"GHSA-xxxx-xxxx-xxx2","database_specific":{"severity":"MODERATE"}}`)
	for _, tc := range []struct {
		max    string
		vulns  []*osvpb.Vulnerability
		sev    finding.Severity
		score  float64
		source string
	}{
		{"9.8", []*osvpb.Vulnerability{plain}, finding.Critical, 9.8, "cvss"},
		{"", []*osvpb.Vulnerability{plain, moderate, high}, finding.High, 0, "ghsa"},
		{"", []*osvpb.Vulnerability{moderate}, finding.Medium, 0, "ghsa"},
		{"", []*osvpb.Vulnerability{plain}, DefaultSeverity, 0, "default"},
	} {
		sev, score, source := severityOf(tc.max, tc.vulns)
		if sev != tc.sev || score != tc.score || source != tc.source {
			t.Errorf("severityOf(%q) = %v %v %s, want %v %v %s", tc.max, sev, score, source, tc.sev, tc.score, tc.source)
		}
	}
}

func TestFixedVersions(t *testing.T) {
	b := testkit.ReadFile(t, filepath.Join(advisoriesDir, "GHSA-j6w9-fv6q-3q52.json"))
	v := &osvpb.Vulnerability{}
	if err := protojson.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
	for version, want := range map[string][]string{
		"2.1.3":  {"2.1.4", "2.2.3"}, // lowest fix above the version first
		"2.2.1":  {"2.2.3"},          // 2.1.4 fixes an earlier line
		"1.6.13": {"2.1.4", "2.2.3"},
	} {
		if got := fixedVersions([]*osvpb.Vulnerability{v}, "RubyGems", "rack", version); !slices.Equal(got, want) {
			t.Errorf("rack %s: fixed %v, want %v", version, got, want)
		}
	}
}

func TestNameColumn(t *testing.T) {
	for _, tc := range []struct {
		base, line, name string
		col, end         int
	}{
		{"go.mod", "require golang.org/x/text v0.3.6", "golang.org/x/text", 9, 26},
		{"requirements.txt", "Foo_Bar==1.0", "foo-bar", 1, 8},
		{"package-lock.json", `    "node_modules/lodash-es/node_modules/lodash": {`, "lodash", 42, 48},
		{"Cargo.lock", `name = "x"`, "y", 1, 11},
	} {
		col, end := nameColumn(tc.base, tc.line, tc.name)
		if col != tc.col || end != tc.end {
			t.Errorf("%s %q: %d-%d, want %d-%d", tc.base, tc.line, col, end, tc.col, tc.end)
		}
	}
}

func TestBrokenLockfileKeepsTheOthers(t *testing.T) {
	root := copyTree(t, t.TempDir())
	os.MkdirAll(filepath.Join(root, "web2"), 0o755)
	os.WriteFile(filepath.Join(root, "web2", "package-lock.json"), []byte(`{"lockfileVersion": 3, "packages": {`), 0o644)
	res, err := scan(t, New(Options{MaxDBAge: -1}), root, importDB(t, advisoriesDir), true)
	// Read as osv-scanner's walk reads it: the error located on the file.
	located := false
	for _, n := range res.Notifications {
		located = located || n.Level == finding.LevelError && n.Location.Path == "web2/package-lock.json" && strings.Contains(n.Message, "web2/package-lock.json")
	}
	if err != nil || res.State != finding.Incomplete || !located {
		t.Errorf("err %v, state %v, notifications %+v: want an incomplete run with an error located on web2/package-lock.json", err, res.State, res.Notifications)
	}
	if got := rows(res); !reflect.DeepEqual(got, treeWant) {
		t.Errorf("findings:\n got %+v\nwant %+v", got, treeWant)
	}
	for _, n := range res.Notifications {
		if strings.Contains(n.Message, root) {
			t.Errorf("notification %q names the machine path", n.Message)
		}
	}
	t.Logf("err: %v\nnotifications: %+v", err, res.Notifications)
}

// A cancelled scan stops with the context's error; scans share no state,
// so several run at once (under -race) and each gives the one-scan answer.
func TestCancelAndConcurrentScans(t *testing.T) {
	db := importDB(t, advisoriesDir)
	root, _ := filepath.Abs(treeDir)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := New(Options{MaxDBAge: -1}).Scan(ctx, &scanner.Request{Root: root, Offline: true, DB: db}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled scan: err %v", err)
	}
	var wg sync.WaitGroup
	got := make([][]row, 4)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := New(Options{MaxDBAge: -1}).Scan(t.Context(), &scanner.Request{Root: root, Offline: true, DB: db})
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = rows(res)
		}()
	}
	wg.Wait()
	for i, g := range got {
		if !reflect.DeepEqual(g, treeWant) {
			t.Errorf("scan %d: %+v", i, g)
		}
	}
}
