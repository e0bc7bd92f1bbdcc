package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/pipeline"
	"github.com/scangate/scangate/report/reporttest"
	"github.com/scangate/scangate/scanners/registry"
)

const cacheGo = `package cache

import "crypto/md5"

func Key(data []byte) [16]byte {
	return md5.Sum(data)
}
`

// project is a small module gosec flags (G501 and G401). Its go directive
// is the fixtures' 1.21: gosec pins the Go version once per process.
func project(t *testing.T) string {
	dir := t.TempDir()
	testkit.Write(t, dir, "go.mod", "module example.com/shop\n\ngo 1.21\n")
	testkit.Write(t, dir, filepath.Join("cache", "cache.go"), cacheGo)
	return dir
}

func TestMalformedConfigExits2(t *testing.T) {
	dir := project(t)
	for _, tc := range []struct{ name, doc, want string }{
		{"unknown key", "fail-on: high\nfailon: low\n",
			`/.scangate.yml:2:1: unknown key "failon" at the top level (did you mean "fail-on"?) (allowed: version, fail-on,`},
		{"wrong type", "scanners:\n  gosec:\n    exclude: G104\n",
			`/.scangate.yml:3:14: scanners.gosec.exclude: want a list of strings, got the string "G104"`},
		{"bad value", "scanners:\n  govulncheck:\n    scan-level: function\n",
			`/.scangate.yml:3:17: scanners.govulncheck.scan-level: invalid value "function" (allowed: symbol, package, module)`},
		// A well-formed ID gosec does not have would make the scan incomplete.
		{"unknown gosec rule", "scanners:\n  gosec:\n    include: [G101, G999]\n",
			`/.scangate.yml:3:21: scanners.gosec.include: unknown gosec rule "G999" (known: G101, G102,`},
		{"unknown bandit test", "scanners:\n  bandit:\n    skips: [B999]\n",
			`/.scangate.yml:3:13: scanners.bandit.skips: unknown bandit rule "B999" (known: B101, B102,`},
	} {
		testkit.Write(t, dir, ".scangate.yml", tc.doc)
		for _, args := range [][]string{{"scan", dir}, {"config", "print", dir}, {"config", "check", dir}, {"baseline", "create", dir}} {
			code, _, stderr := runCLI(t, args...)
			if code != exitUsage || !strings.Contains(stderr, "scangate: invalid configuration:\n"+dir+tc.want) {
				t.Errorf("%s: %v: exit %d, stderr:\n%s\nwant: %s", tc.name, args, code, stderr, tc.want)
			}
		}
	}
	// The same through --config, from anywhere.
	other := filepath.Join(t.TempDir(), "ci.yml")
	testkit.WriteFile(t, other, "timeout: 5\n")
	code, _, stderr := runCLI(t, "scan", "--config", other, project(t))
	if code != exitUsage || !strings.Contains(stderr, other+":1:10: timeout: want a positive duration such as 90s, 5m, 1h30m or 7d, got the integer 5") {
		t.Errorf("--config: exit %d\n%s", code, stderr)
	}
	code, _, stderr = runCLI(t, "scan", "--config", filepath.Join(dir, "none.yml"), dir)
	if code != exitUsage || !strings.Contains(stderr, "none.yml: does not exist") {
		t.Errorf("missing --config: exit %d\n%s", code, stderr)
	}
}

func TestFlagsOverrideTheFileAndPrintShowsSources(t *testing.T) {
	t.Parallel()
	dir := project(t)
	testkit.Write(t, dir, ".scangate.yml", "fail-on: medium\ntimeout: 5m\nscanners:\n  gosec:\n    timeout: 1m\n")
	code, out, stderr := runCLI(t, "config", "print", "--fail-on", "critical", "--tags", "integration", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	cfgFile := filepath.Join(dir, ".scangate.yml")
	for _, re := range []string{
		`(?m)^fail-on: critical +# flag --fail-on$`,
		`(?m)^timeout: 5m +# ` + regexp.QuoteMeta(cfgFile) + `:2:10$`,
		`(?m)^allow-incomplete: false +# default$`,
		`(?m)^tags: \[integration\] +# flag --tags$`,
		`(?m)^    tags: \[integration\] +# flag --tags$`, // govulncheck follows
		`(?m)^    timeout: 1m +# ` + regexp.QuoteMeta(cfgFile) + `:5:14$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("config print does not match %s:\n%s", re, out)
		}
	}
	// The printed configuration is a valid file that gives the same result.
	printed := filepath.Join(t.TempDir(), "printed.yml")
	testkit.WriteFile(t, printed, out)
	if code, _, stderr := runCLI(t, "config", "check", "--config", printed, dir); code != 0 {
		t.Errorf("printed config does not check: %s", stderr)
	}

	// The file's fail-on: medium fails on the medium G401; the flag wins over it.
	if code, _, _ := runCLI(t, "scan", "-q", dir); code != exitFail {
		t.Errorf("fail-on from the file: exit %d, want 1", code)
	}
	if code, _, _ := runCLI(t, "scan", "-q", "--fail-on", "high", dir); code != exitPass {
		t.Errorf("--fail-on high over the file: exit %d, want 0", code)
	}
	// A per-scanner threshold applies to that scanner's findings.
	testkit.Write(t, dir, ".scangate.yml", "fail-on: low\nscanners:\n  gosec:\n    fail-on: critical\n")
	if code, _, stderr := runCLI(t, "scan", "-q", dir); code != exitPass {
		t.Errorf("scanners.gosec.fail-on: exit %d\n%s", code, stderr)
	}
	// Outputs in the file are written under the scanned root.
	testkit.Write(t, dir, ".scangate.yml", "fail-on: none\noutputs:\n  json: reports/scan.json\n  junit: reports/junit.xml\n"+
		"  gitlab-sast: reports/sast.json\n  gitlab-dependency-scanning: reports/deps.json\n  gitlab-secret-detection: reports/secrets.json\n")
	os.Mkdir(filepath.Join(dir, "reports"), 0o755)
	code, _, stderr = runCLI(t, "scan", "-q", dir)
	for _, f := range []string{"scan.json", "junit.xml", "sast.json", "deps.json", "secrets.json"} {
		if code != exitPass || !fileExists(filepath.Join(dir, "reports", f)) {
			t.Errorf("outputs: reports/%s: exit %d\n%s", f, code, stderr)
		}
	}
	// config print shows them, from the file.
	_, out, _ = runCLI(t, "config", "print", dir)
	for _, want := range []string{"junit: .*reports/junit.xml", "gitlab-sast: .*reports/sast.json", "gitlab-dependency-scanning: .*reports/deps.json", "gitlab-secret-detection: .*reports/secrets.json"} {
		if !regexp.MustCompile(`(?m)^  ` + want + ` +# .*\.scangate\.yml:`).MatchString(out) {
			t.Errorf("config print: no %q:\n%s", want, out)
		}
	}
}

// The gosec section of the configuration reaches the adapter.
func TestGosecOptionsFromConfig(t *testing.T) {
	t.Parallel()
	dir := project(t)
	testkit.Write(t, dir, ".scangate.yml", "fail-on: low\nscanners:\n  gosec:\n    exclude: [G401]\n")
	code, _, stderr := runCLI(t, "scan", "-q", dir)
	if code != exitFail || strings.Contains(stderr, "G401") || !strings.Contains(stderr, "G501") {
		t.Errorf("exclude: exit %d\n%s", code, stderr)
	}
	testkit.Write(t, dir, ".scangate.yml", "fail-on: low\nscanners:\n  gosec:\n    include: [G101]\n")
	if code, _, stderr := runCLI(t, "scan", "-q", dir); code != exitPass || !strings.Contains(stderr, "0 findings") {
		t.Errorf("include: exit %d\n%s", code, stderr)
	}
	// G101 fires with low confidence on the fixture's token.
	fx := fixtureCopy(t)
	testkit.Write(t, fx, ".scangate.yml", "scanners:\n  gosec:\n    min-confidence: medium\n")
	if _, _, stderr := runCLI(t, "scan", "-q", fx); strings.Contains(stderr, "G101") || !strings.Contains(stderr, "G401") {
		t.Errorf("min-confidence: the low-confidence G101 must go, the rest stay:\n%s", stderr)
	}
}

func TestConfigWiring(t *testing.T) {
	dir := project(t)
	testkit.Write(t, dir, ".scangate.yml", `reachability: off
severity:
  G401: critical
scanners:
  gosec:
    required: true
    timeout: 90s
  bandit:
    enabled: false
`)
	o := &configOptions{path: dir}
	if err := o.resolve(nil); err != nil {
		t.Fatal(err)
	}
	opt := pipeline.RunOptionsOf(o.cfg)
	if !opt.Required["gosec"] || opt.Timeouts["gosec"] != 90*time.Second || opt.Timeout != 10*time.Minute {
		t.Errorf("run options %+v", opt)
	}
	p, err := pipeline.PolicyOf(o.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if p.Reachability.Imported != 0 || p.Severity["G401"] != finding.Critical {
		t.Errorf("policy %+v", p)
	}
	// Every scanner of the registry, in its order, but the disabled bandit.
	if want := slices.DeleteFunc(registry.Names(), func(n string) bool { return n == "bandit" }); !slices.Equal(o.scanners, want) {
		t.Errorf("scanners %v, want %v", o.scanners, want)
	}
	keys := config.Keys()
	for _, fk := range flagKeys {
		if newScanCmd().Flags().Lookup(fk.flag) == nil {
			t.Errorf("--%s is not a scan flag", fk.flag)
		}
		for _, k := range fk.keys {
			if !slices.Contains(keys, k) {
				t.Errorf("--%s sets %s, which is not a configuration key", fk.flag, k)
			}
		}
	}
	// --scanners narrows this run and says so in the sources.
	code, _, stderr := runCLI(t, "scan", "--scanners", "govulncheck", dir)
	if code != exitUsage || !strings.Contains(stderr, "scanners.gosec.required: scanner gosec is required but not enabled (set by flag --scanners)") {
		t.Errorf("required but not selected: exit %d\n%s", code, stderr)
	}
}

func readSARIF(t *testing.T, file string) (states []string) {
	t.Helper()
	for _, r := range reporttest.ReadLog(t, file).Runs {
		for _, res := range r.Results {
			pl := res.Locations[0].PhysicalLocation
			states = append(states, res.BaselineState+" "+pl.ArtifactLocation.URI)
		}
	}
	slices.Sort(states)
	return states
}

// The default baseline file, --baseline, baseline: in the configuration,
// and a previous SARIF as the baseline, on a small module gosec flags.
func TestBaselineFileAndSARIFBaseline(t *testing.T) {
	t.Parallel()
	dir := project(t)
	testkit.Write(t, dir, filepath.Join("legacy", "hash.go"), "package legacy\n\nimport \"crypto/md5\"\n\nfunc A(b []byte) { md5.Sum(b) }\n\nfunc B(b []byte) { md5.Sum(append(b, 1)) }\n")
	if code, _, _ := runCLI(t, "scan", "-q", "--fail-on", "medium", dir); code != exitFail {
		t.Fatalf("without a baseline the gate must fail, exit %d", code)
	}
	code, _, stderr := runCLI(t, "baseline", "create", "-q", dir)
	base := filepath.Join(dir, ".scangate-baseline.json")
	// G501 (the import) and G401 (each md5.Sum) in both files.
	if code != 0 || !strings.Contains(stderr, "wrote "+base+": 5 finding(s) (gosec 5, ") {
		t.Fatalf("baseline create: exit %d\n%s", code, stderr)
	}
	sarif := filepath.Join(t.TempDir(), "out.sarif")
	code, _, stderr = runCLI(t, "scan", "--fail-on", "medium", "--baseline", base, "--sarif", sarif, dir)
	if code != exitPass || !strings.Contains(stderr, "Findings: 0 new (none), 5 unchanged, 0 fixed since the baseline") {
		t.Fatalf("adopted baseline: exit %d\n%s", code, stderr)
	}
	if got := readSARIF(t, sarif); len(got) != 5 || slices.ContainsFunc(got, func(s string) bool { return !strings.HasPrefix(s, "unchanged ") }) {
		t.Errorf("SARIF baselineState: %v", got)
	}
	// The baseline at its default place is read without --baseline, and
	// named in the summary; --baseline= reads none.
	code, _, stderr = runCLI(t, "scan", "-q", "--fail-on", "medium", dir)
	if code != exitPass || !strings.Contains(stderr, "5 unchanged, 0 fixed since the baseline (.scangate-baseline.json)") {
		t.Errorf("default baseline: exit %d\n%s", code, stderr)
	}
	if code, _, stderr = runCLI(t, "scan", "-q", "--fail-on", "medium", "--baseline=", dir); code != exitFail || strings.Contains(stderr, "unchanged") {
		t.Errorf("--baseline= still reads the default baseline: exit %d\n%s", code, stderr)
	}

	// A previous scangate SARIF is a baseline too, and baseline: in the
	// configuration works like the flag (the tree's configuration may name
	// a baseline inside the tree only).
	prev := filepath.Join(dir, "prev.sarif")
	testkit.Write(t, dir, filepath.Join("api", "etag.go"), "package api\n\nimport \"crypto/md5\"\n\nfunc ETag(b []byte) [16]byte { return md5.Sum(b) }\n")
	runCLI(t, "scan", "-q", "--sarif", prev, dir)
	os.Remove(filepath.Join(dir, "legacy", "hash.go"))
	testkit.Write(t, dir, ".scangate.yml", "fail-on: medium\nbaseline: "+prev+"\n")
	code, _, stderr = runCLI(t, "scan", "-q", dir)
	if code != exitPass || !strings.Contains(stderr, "0 new (none), 4 unchanged, 3 fixed") {
		t.Fatalf("SARIF baseline from the configuration: exit %d\n%s", code, stderr)
	}
}

func TestMalformedBaselineAndIgnoreFilesExit2(t *testing.T) {
	dir := project(t)
	bad := filepath.Join(dir, "bad.json")
	testkit.WriteFile(t, bad, `{"version": 1, "findings": [{"tool": "gosec"}]}`)
	code, _, stderr := runCLI(t, "scan", "--baseline", bad, dir)
	if code != exitUsage || !strings.Contains(stderr, "scangate: baseline "+bad+": findings[0]: missing or invalid fingerprint") {
		t.Errorf("bad baseline: exit %d\n%s", code, stderr)
	}
	code, _, stderr = runCLI(t, "scan", "--baseline", filepath.Join(dir, "none.json"), dir)
	if code != exitUsage || !strings.Contains(stderr, "none.json: does not exist (create it with scangate baseline create)") {
		t.Errorf("missing baseline: exit %d\n%s", code, stderr)
	}
	testkit.Write(t, dir, ".scangate-ignore.yml", "suppressions:\n  - rule: G401\n    why: legacy\n")
	code, _, stderr = runCLI(t, "scan", dir)
	if code != exitUsage || !strings.Contains(stderr, "scangate: invalid ignore file:\n.scangate-ignore.yml:3:5: suppressions[0]: unknown key \"why\" (allowed: rule, path, package, fingerprint, reason, expires)") {
		t.Errorf("bad ignore file: exit %d\n%s", code, stderr)
	}
	code, _, stderr = runCLI(t, "scan", "--ignore-file", filepath.Join(dir, "nope.yml"), dir)
	if code != exitUsage || !strings.Contains(stderr, "ignore file nope.yml: does not exist") {
		t.Errorf("missing --ignore-file: exit %d\n%s", code, stderr)
	}
	// The configuration can require an expiry date.
	testkit.Write(t, dir, ".scangate-ignore.yml", "suppressions:\n  - rule: G401\n    reason: legacy\n")
	testkit.Write(t, dir, ".scangate.yml", "suppressions:\n  require-expiry: true\n")
	code, _, stderr = runCLI(t, "config", "check", dir)
	if code != exitUsage || !strings.Contains(stderr, ".scangate-ignore.yml:2:5: suppressions[0]: expires is required by the configuration") {
		t.Errorf("require-expiry: exit %d\n%s", code, stderr)
	}
}

func TestSuppressionsThroughTheCLI(t *testing.T) {
	t.Parallel()
	dir := project(t)
	testkit.Write(t, dir, filepath.Join("legacy", "hash.go"), "package legacy\n\nimport \"crypto/md5\"\n\nfunc A(b []byte) { md5.Sum(b) } // #nosec G401 -- checksum of a public file\n")
	ignore := filepath.Join(dir, ".scangate-ignore.yml")
	future := time.Now().AddDate(1, 0, 0).Format(time.DateOnly)
	testkit.WriteFile(t, ignore, "suppressions:\n  - rule: G401\n    path: cache/**\n    reason: cache keys, not security\n    expires: "+future+"\n"+
		"  - rule: G101\n    reason: console test password\n    expires: "+future+"\n"+
		"  - rule: G501\n    reason: md5 is imported for checksums\n    expires: "+future+"\n")
	md := filepath.Join(t.TempDir(), "summary.md")
	code, _, stderr := runCLI(t, "scan", "-q", "--fail-on", "low", "--markdown", md, dir)
	if code != exitPass {
		t.Fatalf("suppressed: exit %d\n%s", code, stderr)
	}
	testkit.ContainsAll(t, "summary", stderr,
		"Findings: 0 new (none), 4 suppressed",
		"G401                 cache/cache.go:6:9  by .scangate-ignore.yml:2: cache keys, not security (until "+future+")",
		"G401                 legacy/hash.go:5:20  by #nosec: checksum of a public file",
		"G501                 legacy/hash.go:3:8  by .scangate-ignore.yml:9: md5 is imported for checksums (until "+future+")",
		".scangate-ignore.yml:6: stale suppression (rule G101) matched no finding; remove it",
	)
	mdText, _ := os.ReadFile(md)
	if !strings.Contains(string(mdText), "| G401 | `cache/cache.go:6:9` | .scangate-ignore.yml:2: cache keys, not security (until "+future+") |") ||
		!strings.Contains(string(mdText), "| G401 | `legacy/hash.go:5:20` | #nosec: checksum of a public file |") {
		t.Errorf("markdown does not say which marker matched:\n%s", mdText)
	}
	// The stale check needs the whole scan: --scanners makes it partial.
	if _, _, stderr := runCLI(t, "scan", "-q", "--scanners", "gosec", dir); strings.Contains(stderr, "stale") {
		t.Errorf("partial scan reports stale entries:\n%s", stderr)
	}
}

func TestConfigSchemaCommand(t *testing.T) {
	code, out, _ := runCLI(t, "config", "schema")
	var v map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v["$schema"] == nil {
		t.Errorf("config schema: exit %d\n%.200s", code, out)
	}
}

// config print and check resolve the configuration and scan nothing: their
// help offers the configuration's flags, not how a scan runs.
func TestConfigCommandsOfferConfigFlags(t *testing.T) {
	for _, sub := range []string{"check", "print"} {
		_, out, _ := runCLI(t, "config", sub, "--help")
		testkit.ContainsAll(t, "config "+sub+" --help", out, "--fail-on", "--config", "--baseline", "--ignore-file", "--junit", "--exclude")
		// A scan's flags.
		testkit.ContainsNone(t, "config "+sub+" --help", out, "--quiet", "--cache-dir", "--no-cache", "--sarif-keep-incomplete")
	}
}

// These tests adopt scangate on a copy of the gosec fixture with the real,
// embedded gosec: its findings, fingerprints and in-source suppressions.

// fixtureCopy copies the gosec fixture into a temporary directory that the
// test may edit.
func fixtureCopy(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	testkit.CopyTree(t, gosecFixture, dst)
	return dst
}

func edit(t *testing.T, file, old, new string) {
	t.Helper()
	data := testkit.ReadFile(t, file)
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", file, old)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

var countsRE = regexp.MustCompile(`Findings: (\d+) new \([^)]*\), (\d+) unchanged, (\d+) fixed since the baseline`)

// counts runs a gated scan against the baseline and returns the exit code,
// the new, unchanged and fixed counts, and the summary.
func counts(t *testing.T, dir, base string, extra ...string) (code int, nw, unchanged, fixed string, summary string) {
	t.Helper()
	args := append([]string{"scan", "-q", "--scanners", "gosec", "--fail-on", "low", "--baseline", base}, extra...)
	code, _, stderr := runCLI(t, append(args, dir)...)
	m := countsRE.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no baseline counts in the summary (exit %d):\n%s", code, stderr)
	}
	return code, m[1], m[2], m[3], stderr
}

func TestBaselineWithGosec(t *testing.T) {
	t.Parallel()
	dir := fixtureCopy(t)
	main := filepath.Join(dir, "main.go")
	if code, _, stderr := runCLI(t, "scan", "-q", "--fail-on", "low", dir); code != exitFail {
		t.Fatalf("the fixture must fail the gate before adoption: exit %d\n%s", code, stderr)
	}
	base := filepath.Join(t.TempDir(), "baseline.json")
	code, _, stderr := runCLI(t, "baseline", "create", "-q", "--scanners", "gosec", "--output", base, dir)
	if code != 0 {
		t.Fatalf("baseline create: exit %d\n%s", code, stderr)
	}
	data, _ := os.ReadFile(base)
	recorded := strings.Count(string(data), `"tool":"gosec"`)
	// The #nosec G401 and the //nolint:gosec G306 are recorded as suppressed.
	if recorded < 10 || strings.Count(string(data), `"suppressed":true`) != 2 || strings.Contains(string(data), "line") {
		t.Fatalf("baseline of %d entries:\n%s", recorded, data)
	}

	// Adopting the baseline makes the gate pass.
	code, nw, unchanged, fixed, summary := counts(t, dir, base)
	if code != exitPass || nw != "0" || fixed != "0" {
		t.Fatalf("adopted: exit %d, %s new, %s unchanged, %s fixed\n%s", code, nw, unchanged, fixed, summary)
	}

	// Lines inserted above, a re-indented finding and a function moved to
	// the end of the file keep every fingerprint.
	edit(t, main, "const apiToken", "// The token of the local console.\n// It is rotated by the release script.\n\nconst apiToken")
	edit(t, main, "\treturn md5.Sum(data)\n", "\t\t\treturn md5.Sum(\n\t\t\t\tdata)\n")
	edit(t, main, "func runTool() error {\n\ttool := os.Getenv(\"TOOL\")\n\tcmd := exec.Command(tool, \"--version\")\n\treturn cmd.Run()\n}\n", "")
	f, _ := os.OpenFile(main, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("\nfunc runTool() error {\n\ttool := os.Getenv(\"TOOL\")\n\tcmd := exec.Command(tool, \"--version\")\n\treturn cmd.Run()\n}\n")
	f.Close()
	code, nw, unchanged2, fixed, summary := counts(t, dir, base)
	if code != exitPass || nw != "0" || fixed != "0" || unchanged2 != unchanged {
		t.Fatalf("moved code: exit %d, %s new, %s unchanged (was %s), %s fixed\n%s", code, nw, unchanged2, unchanged, fixed, summary)
	}

	// One new finding fails the gate, and it is the only one listed.
	os.WriteFile(filepath.Join(dir, "admin.go"), []byte("package main\n\nimport \"os/exec\"\n\nfunc shell(cmdline string) error {\n\treturn exec.Command(\"sh\", \"-c\", cmdline).Run()\n}\n"), 0o644)
	sarifOut := filepath.Join(t.TempDir(), "out.sarif")
	code, nw, _, fixed, summary = counts(t, dir, base, "--sarif", sarifOut)
	if code != exitFail || nw != "1" || fixed != "0" {
		t.Fatalf("new finding: exit %d, %s new, %s fixed\n%s", code, nw, fixed, summary)
	}
	listed := regexp.MustCompile(`(?m)^  (MEDIUM|HIGH|LOW) .*$`).FindAllString(summary, -1)
	if len(listed) != 1 || !strings.Contains(listed[0], "G204") || !strings.Contains(listed[0], "admin.go:6:") {
		t.Fatalf("want exactly the new G204 in admin.go listed, got %q\n%s", listed, summary)
	}
	states := readSARIF(t, sarifOut)
	if !slices.Contains(states, "new admin.go") || slices.ContainsFunc(states, func(s string) bool { return s != "new admin.go" && strings.HasPrefix(s, "new ") }) {
		t.Errorf("SARIF baselineState: %v", states)
	}
	os.Remove(filepath.Join(dir, "admin.go"))

	// Changing the flagged code is a new finding; the old one is fixed.
	edit(t, main, "return md5.Sum(\n\t\t\t\tdata)", "return md5.Sum(append(data, '\\n'))")
	code, nw, _, fixed, summary = counts(t, dir, base)
	if code != exitFail || nw != "1" || fixed != "1" || !strings.Contains(summary, "G401") {
		t.Fatalf("changed code: exit %d, %s new, %s fixed\n%s", code, nw, fixed, summary)
	}
}

func TestSuppressionsWithGosec(t *testing.T) {
	t.Parallel()
	dir := fixtureCopy(t)
	future := time.Now().AddDate(0, 6, 0).Format(time.DateOnly)
	// Accept every rule gosec reports except G101, which an expired entry covers.
	report := filepath.Join(t.TempDir(), "first.json")
	runCLI(t, "scan", "-q", "--json", report, dir)
	var doc struct {
		Tools []struct {
			Findings []struct {
				RuleID string `json:"ruleId"`
			} `json:"findings"`
		} `json:"tools"`
	}
	data, _ := os.ReadFile(report)
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.Tools) == 0 {
		t.Fatalf("first scan: %v\n%s", err, data)
	}
	var rules []string
	for _, f := range doc.Tools[0].Findings {
		if f.RuleID != "G101" && !slices.Contains(rules, f.RuleID) {
			rules = append(rules, f.RuleID)
		}
	}
	slices.Sort(rules)
	ignore := "suppressions:\n" +
		"  - rule: G101\n    path: main.go\n    reason: local console token\n    expires: 2026-01-31\n" +
		"  - rule: G107\n    reason: old HTTP client\n    expires: " + future + "\n"
	for _, r := range rules {
		ignore += "  - rule: " + r + "\n    reason: legacy fixture, reviewed\n    expires: " + future + "\n"
	}
	os.WriteFile(filepath.Join(dir, ".scangate-ignore.yml"), []byte(ignore), 0o644)
	code, _, stderr := runCLI(t, "scan", "-q", "--fail-on", "low", dir)
	if code != exitFail {
		t.Fatalf("an expired suppression must fail the gate: exit %d\n%s", code, stderr)
	}
	testkit.ContainsAll(t, "summary", stderr,
		".scangate-ignore.yml:2: suppression (rule G101, path main.go) expired on 2026-01-31: 1 finding(s) it matched count again",
		".scangate-ignore.yml:6: stale suppression (rule G107) matched no finding; remove it",
		": legacy fixture, reviewed (until "+future+")",
		"by #nosec: cache key only, never used for security",
		"by //nolint:gosec: reports are meant to be world-readable",
		"Findings: 1 new (high 1), ",
	)
	if listed := regexp.MustCompile(`(?m)^  HIGH +G101 +main\.go:\d+`).FindAllString(stderr, -1); len(listed) != 1 {
		t.Errorf("want G101 as the one counting finding:\n%s", stderr)
	}
	// Renewed, the entry suppresses again and the gate passes.
	os.WriteFile(filepath.Join(dir, ".scangate-ignore.yml"), []byte(strings.Replace(ignore, "2026-01-31", future, 1)), 0o644)
	if code, _, stderr := runCLI(t, "scan", "-q", "--fail-on", "low", dir); code != exitPass {
		t.Fatalf("renewed: exit %d\n%s", code, stderr)
	}
}

// leakyMain has a hard-coded credential, gosec's G101 (high).
const leakyMain = "package main\n\nimport \"fmt\"\n\nconst apiToken = \"f62e5bcda4fae4f82370da0c6f20697b8f8447ef\"\n\nfunc main() { fmt.Println(\"hello\", apiToken) }\n"

// The hook's short summary lists exactly the findings that fail the gate
// under the scanner's own fail-on, never the global threshold's, and never
// a FAIL verdict without a finding under it; the verdict names the
// thresholds the findings were measured against. The module has gosec's G101
// (high) and G401 and G501 (medium).
func TestShortSummaryUsesPerScannerFailOn(t *testing.T) {
	t.Parallel()
	dir := project(t)
	testkit.Write(t, dir, "main.go", leakyMain)
	listed := regexp.MustCompile(`(?m)^  \S+\s+(G\d{3}) `)
	for _, tc := range []struct {
		name, cfg, verdict string
		want               []string
	}{
		{"gosec stricter than the global", "fail-on: critical\nscanners:\n  gosec:\n    fail-on: high\n", "Verdict: FAIL: 1 new finding(s) at or above critical (gosec: high)\n", []string{"G101"}},
		{"gosec stricter still", "fail-on: critical\nscanners:\n  gosec:\n    fail-on: medium\n", "Verdict: FAIL: 3 new finding(s) at or above critical (gosec: medium)\n", []string{"G101", "G401", "G501"}},
		{"gosec laxer than the global", "fail-on: low\nscanners:\n  gosec:\n    fail-on: none\n", "Verdict: PASS: no new finding at or above low (gosec: none)\n", nil},
		{"gosec above its findings", "fail-on: medium\nscanners:\n  gosec:\n    fail-on: critical\n", "Verdict: PASS: no new finding at or above medium (gosec: critical)\n", nil},
	} {
		testkit.Write(t, dir, ".scangate.yml", tc.cfg)
		code, _, stderr := runCLI(t, "scan", "--short", "--scanners", "gosec", dir)
		var got []string
		for _, m := range listed.FindAllStringSubmatch(stderr, -1) {
			got = append(got, m[1])
		}
		slices.Sort(got)
		wantCode := 0
		if len(tc.want) > 0 {
			wantCode = 1
		}
		if code != wantCode || !strings.Contains(stderr, tc.verdict) || !slices.Equal(got, tc.want) {
			t.Errorf("%s: exit %d, listed %v, want exit %d, %s and %v:\n%s", tc.name, code, got, wantCode, tc.verdict, tc.want, stderr)
		}
	}
}

// One glob dialect for every scanner: the same --exclude glob drops the same
// tree for gosec, govulncheck, osv-scanner, bandit, safety and workflows (real runs;
// safety is a stand-in printing safety 2.3.5's exact JSON, as it cannot be
// installed here), and the ignore file's path: with the same glob
// suppresses exactly the findings --exclude drops.
func TestOneGlobDialectForEveryScanner(t *testing.T) {
	t.Parallel()
	testkit.NeedBandit(t)
	root := t.TempDir()
	// svc/legacy: the example project (Go with vendored x/text and
	// x/crypto, requirements) and the Python package fixture.
	testkit.CopyTree(t, "../../examples/project", filepath.Join(root, "svc", "legacy"))
	testkit.CopyTree(t, "../../testdata/python/pypkg", filepath.Join(root, "svc", "legacy", "py"))
	// Outside it, one thing for gosec, bandit, safety and workflows to see;
	// in it, an action for workflows.
	testkit.WriteFiles(t, root, map[string]string{
		"go.mod":           "module example.com/app\n\ngo 1.22\n",
		"main.go":          "package main\n\nimport (\n\t\"crypto/md5\"\n\t\"fmt\"\n)\n\nfunc main() { fmt.Println(md5.Sum([]byte(\"x\"))) }\n",
		"app.py":           "import subprocess\n\nsubprocess.call('ls', shell=True)\n",
		"requirements.txt": "six==1.16.0\n",
	})
	testkit.WriteFiles(t, root, map[string]string{
		".github/workflows/ci.yml":     "on: push\njobs:\n  x:\n    steps:\n      - uses: actions/checkout@v4\n",
		"svc/legacy/deploy/action.yml": "runs:\n  using: composite\n  steps:\n    - uses: actions/setup-go@v5\n",
	})

	// The stand-in prints the fixture's report when given the legacy
	// requirements, and the same report without vulnerabilities otherwise.
	report, _ := filepath.Abs("../../testdata/python/safety/check-2.3.5-pypkg.json")
	data := testkit.ReadFile(t, report)
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	doc["vulnerabilities"], doc["ignored_vulnerabilities"], doc["affected_packages"], doc["remediations"] = []any{}, []any{}, map[string]any{}, map[string]any{}
	meta := doc["report_meta"].(map[string]any)
	meta["scanned"] = []any{"requirements.txt"}
	meta["vulnerabilities_found"], meta["vulnerabilities_ignored"], meta["remediations_recommended"] = 0, 0, 0
	clean, _ := json.Marshal(doc)
	bin := t.TempDir()
	cleanReport := filepath.Join(bin, "clean.json")
	os.WriteFile(cleanReport, clean, 0o644)
	script := "#!/bin/sh\nif [ \"$1\" = \"--version\" ]; then echo 'safety, version 2.3.5'; exit 0; fi\n" +
		"case \"$*\" in *svc/legacy/py/requirements.txt*) cat '" + report + "'; exit 64;; esac\ncat '" + cleanReport + "'\nexit 0\n"
	testkit.Script(t, filepath.Join(bin, "safety"), script)
	sdb := t.TempDir()
	for _, f := range []string{"insecure.json", "insecure_full.json"} {
		os.WriteFile(filepath.Join(sdb, f), []byte("{}"), 0o644)
	}
	cfg := filepath.Join(t.TempDir(), "scangate.yml")
	// The stand-in is named by the (trusted, out-of-tree) configuration
	// rather than put on PATH, so that this test can run in parallel.
	os.WriteFile(cfg, []byte("scanners:\n  safety:\n    db: "+sdb+"\n    program: "+filepath.Join(bin, "safety")+"\n"), 0o644)
	ignore := filepath.Join(t.TempDir(), "ignore.yml")
	os.WriteFile(ignore, []byte("suppressions:\n  - path: legacy\n    reason: being rewritten\n"), 0o644)

	type hit struct{ tool, path string }
	scan := func(args ...string) (legacy, other, suppressed []hit) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "r.json")
		all := append([]string{"scan", "-q", "--offline", "--db", "../../examples/vulndb", "--config", cfg, "--json", out}, args...)
		code, _, stderr := runCLI(t, append(all, root)...)
		if code != exitPass && code != exitFail {
			t.Fatalf("%v: exit %d, want 0 or 1\n%s", args, code, stderr)
		}
		var rep struct {
			Tools []finding.Result `json:"tools"`
		}
		data := testkit.ReadFile(t, out)
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Tools {
			// Skipped is a scanner with nothing here; the checks below
			// hold the ones with something to it.
			if r.State == finding.Incomplete {
				t.Errorf("%v: %s %s: %+v", args, r.Tool, r.State, r.Notifications)
			}
			for _, f := range r.Findings {
				tools := f.Tools
				if len(tools) == 0 {
					tools = []string{f.Tool}
				}
				for _, tool := range tools {
					h := hit{tool, f.Location.Path}
					switch {
					case slices.ContainsFunc(f.Suppressions, func(s finding.Suppression) bool { return strings.Contains(s.Marker, "ignore.yml") }):
						if !strings.HasPrefix(h.path, "svc/legacy/") {
							t.Errorf("%v: path: legacy suppressed %+v", args, h)
						}
						suppressed = append(suppressed, h)
					case strings.HasPrefix(h.path, "svc/legacy/"):
						legacy = append(legacy, h)
					default:
						other = append(other, h)
					}
				}
			}
		}
		return legacy, other, suppressed
	}

	legacy, other, _ := scan()
	for _, tool := range []string{"gosec", "govulncheck", "osv-scanner", "bandit", "safety", "workflows"} {
		if !slices.ContainsFunc(legacy, func(h hit) bool { return h.tool == tool }) {
			t.Errorf("without exclusions %s reports nothing under svc/legacy: %+v", tool, legacy)
		}
	}
	for _, tool := range []string{"gosec", "bandit", "workflows"} {
		if !slices.ContainsFunc(other, func(h hit) bool { return h.tool == tool }) {
			t.Errorf("%s reports nothing outside svc/legacy: %+v", tool, other)
		}
	}
	for _, glob := range []string{"legacy", "**/legacy/**"} {
		gotLegacy, gotOther, _ := scan("--exclude", glob)
		if len(gotLegacy) > 0 {
			t.Errorf("--exclude %s leaves %+v", glob, gotLegacy)
		}
		if !slices.Equal(gotOther, other) {
			t.Errorf("--exclude %s changes what is outside it:\n got %+v\nwant %+v", glob, gotOther, other)
		}
	}
	gotLegacy, _, suppressed := scan("--ignore-file", ignore)
	if len(gotLegacy) > 0 || !slices.Equal(suppressed, legacy) {
		t.Errorf("path: legacy:\nsuppressed %+v\n      want %+v\nleft %+v", suppressed, legacy, gotLegacy)
	}
}
