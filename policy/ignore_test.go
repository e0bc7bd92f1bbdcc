package policy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/policy"
	"github.com/scangate/scangate/scanners/registry"
)

var today = time.Date(2026, 8, 10, 15, 0, 0, 0, time.UTC)

const ignoreDoc = `# accepted findings, reviewed by the security team
suppressions:
  - rule: G101                      # line 3
    path: main.go
    reason: test credential for the local console
    expires: 2027-01-31
  - rule: CVE-2021-38561            # an alias of GO-2021-0113; line 7
    reason: ParseAcceptLanguage is never given user input
    expires: 2026-08-01
  - package: jinja2@2.10            # PEP 503 name; line 10
    reason: report tool runs offline on trusted templates
    expires: "2026-08-20"
  - path: "internal/**"             # line 13
    rule: G306
    reason: files are world-readable by design
  - rule: G107                      # matches nothing; line 16
    reason: was in the old HTTP client
    expires: 2027-06-30
`

func parseIgnore(t *testing.T, doc string) *policy.Ignore {
	t.Helper()
	ig, err := policy.ParseIgnore(".scangate-ignore.yml", []byte(doc), policy.IgnoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ig
}

func TestIgnoreSuppresses(t *testing.T) {
	ig := parseIgnore(t, ignoreDoc)
	results := finding.Correlate(scan(), registry.Names())
	rep := ig.Apply(results, today)
	policy.MarkSuppressed(results)
	v := policy.Evaluate(results, policy.Policy{FailOn: failOnLow})

	g101 := find(results, "gosec", "G101", 0)
	want := finding.Suppression{Kind: "external", Justification: "test credential for the local console",
		Marker: ".scangate-ignore.yml:3", Expires: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)}
	if len(g101.Suppressions) != 1 || g101.Suppressions[0] != want || g101.Status != finding.StatusSuppressed {
		t.Errorf("G101: %+v %v", g101.Suppressions, g101.Status)
	}
	if f := find(results, "osv-scanner", "PYSEC-2019-217", 0); !f.Suppressed() {
		t.Errorf("Jinja2 by package name not suppressed")
	}
	if f := find(results, "gosec", "G306", 0); !f.Suppressed() || f.Suppressions[0].Expires != (time.Time{}) {
		t.Errorf("G306 by path glob: %+v", f.Suppressions)
	}
	// The expired entry no longer suppresses GO-2021-0113, which fails the gate.
	if f := find(results, "govulncheck", "GO-2021-0113", 0); f.Suppressed() || f.Status != finding.StatusNew {
		t.Errorf("GO-2021-0113 suppressed by an expired entry: %+v", f.Suppressions)
	}
	if rep.Suppressed != 3 || v.Suppressed != 4 || v.New != 3 || v.Outcome != policy.Fail {
		t.Errorf("report %+v verdict %+v", rep, v)
	}
	notes := strings.Join(rep.Notes(false), "\n")
	testkit.ContainsAll(t, "notes", notes,
		".scangate-ignore.yml:7: suppression (rule CVE-2021-38561) expired on 2026-08-01: 1 finding(s) it matched count again",
		".scangate-ignore.yml:16: stale suppression (rule G107) matched no finding; remove it",
		".scangate-ignore.yml:13: suppression (rule G306, path internal/**) has no expires date; add one so that it is reviewed again",
		".scangate-ignore.yml:10: suppression (package jinja2@2.10) expires on 2026-08-20, in 10 day(s)",
	)
	if strings.Contains(strings.Join(rep.Notes(true), "\n"), "stale") {
		t.Errorf("a partial scan calls entries stale")
	}
}

// An expired suppression fails the gate that passed the day before.
func TestExpiredSuppressionFailsTheGate(t *testing.T) {
	doc := "suppressions:\n" +
		"  - rule: GO-2021-0113\n    reason: not reachable from handlers\n    expires: 2026-08-09\n" +
		"  - package: Jinja2\n    reason: offline tool\n" +
		"  - path: main.go\n    reason: legacy\n  - path: internal\n    reason: legacy\n"
	ig := parseIgnore(t, doc)
	for day, want := range map[time.Time]policy.Outcome{
		time.Date(2026, 8, 9, 23, 59, 0, 0, time.UTC): policy.Pass,
		time.Date(2026, 8, 10, 0, 0, 0, 0, time.UTC):  policy.Fail,
	} {
		results := finding.Correlate(scan(), registry.Names())
		ig.Apply(results, day)
		policy.MarkSuppressed(results)
		v := policy.Evaluate(results, policy.Policy{FailOn: failOnLow})
		if v.Outcome != want {
			t.Errorf("%s: %v, want %v (%+v)", day, v.Outcome, want, v)
		}
	}
}

func TestIgnoreMatchers(t *testing.T) {
	results := finding.Correlate(scan(), registry.Names())
	g204 := find(results, "gosec", "G204", 0)
	for _, tc := range []struct {
		entry policy.IgnoreEntry
		want  bool
	}{
		{policy.IgnoreEntry{Fingerprint: g204.Fingerprint}, true},
		{policy.IgnoreEntry{Fingerprint: g204.Fingerprint, Path: "other.go"}, false},
		{policy.IgnoreEntry{Rule: "g204"}, true},
		{policy.IgnoreEntry{Path: "*.go"}, true},
		{policy.IgnoreEntry{Path: "**/main.go"}, true},
		{policy.IgnoreEntry{Path: "cmd/**"}, false},
		{policy.IgnoreEntry{Package: "golang.org/x/text"}, false},
	} {
		if got := tc.entry.Matches(g204); got != tc.want {
			t.Errorf("%v matches G204: %v", tc.entry, got)
		}
	}
	text := find(results, "govulncheck", "GO-2021-0113", 0)
	for _, tc := range []struct {
		entry policy.IgnoreEntry
		want  bool
	}{
		{policy.IgnoreEntry{Rule: "GHSA-ppp9-7jff-5vj2"}, true}, // merged from osv-scanner
		{policy.IgnoreEntry{Package: "golang.org/x/text"}, true},
		{policy.IgnoreEntry{Package: "golang.org/x/text@0.3.5"}, true}, // OSV spells Go versions without v
		{policy.IgnoreEntry{Package: "golang.org/x/text@v0.3.6"}, false},
		{policy.IgnoreEntry{Package: "golang.org/x/text", Path: "tools/**"}, false},
	} {
		if got := tc.entry.Matches(text); got != tc.want {
			t.Errorf("%v matches GO-2021-0113: %v", tc.entry, got)
		}
	}
}

func TestMalformedIgnoreFile(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"no reason", "suppressions:\n  - rule: G101\n",
			`i.yml:2:5: suppressions[0]: reason is required: say why this finding is accepted`},
		{"no matcher", "suppressions:\n  - reason: all of it\n",
			`i.yml:2:5: suppressions[0]: matches everything; give at least one of rule, path, package or fingerprint`},
		{"unknown key", "suppressions:\n  - rule: G101\n    reason: x\n    until: 2027-01-01\n",
			`i.yml:4:5: suppressions[0]: unknown key "until" (allowed: rule, path, package, fingerprint, reason, expires)`},
		{"bad date", "suppressions:\n  - rule: G101\n    reason: x\n    expires: 31/01/2027\n",
			`i.yml:4:14: suppressions[0].expires: invalid date "31/01/2027" (want YYYY-MM-DD, such as 2027-01-31)`},
		{"impossible date", "suppressions:\n  - rule: G101\n    reason: x\n    expires: 2027-02-30\n",
			`i.yml:4:14: suppressions[0].expires: invalid date "2027-02-30" (want YYYY-MM-DD, such as 2027-01-31)`},
		{"wrong type", "suppressions:\n  - rule: [G101, G102]\n    reason: x\n",
			`i.yml:2:11: suppressions[0].rule: want a string, got a list`},
		{"bad glob", "suppressions:\n  - path: \"internal/[\"\n    reason: x\n",
			`i.yml:2:11: suppressions[0].path: invalid glob "internal/[": syntax error in pattern`},
		{"bad fingerprint", "suppressions:\n  - fingerprint: not-hex\n    reason: x\n",
			`i.yml:2:18: suppressions[0].fingerprint: invalid value "not-hex" (want the hexadecimal fingerprint from a report)`},
		{"top-level key", "suppression:\n  - rule: G101\n",
			`i.yml:1:1: unknown key "suppression" at the top level (allowed: suppressions)`},
		{"not a list", "suppressions:\n  rule: G101\n",
			`i.yml:2:3: suppressions: want a list of entries, got a mapping`},
		{"entry not a mapping", "suppressions:\n  - G101\n",
			`i.yml:2:5: suppressions[0]: want a mapping with rule, path, package, fingerprint, reason, expires, got the string "G101"`},
		{"syntax", "suppressions:\n  - rule: G101\n   reason: x\n",
			`i.yml:2: invalid YAML: did not find expected '-' indicator in the block that starts on this line`},
		{"empty reason", "suppressions:\n  - rule: G101\n    reason: \"  \"\n",
			`i.yml:3:13: suppressions[0].reason: empty`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policy.ParseIgnore("i.yml", []byte(tc.doc), policy.IgnoreOptions{})
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("got  %v\nwant %s", err, tc.want)
			}
		})
	}
	_, err := policy.ParseIgnore("i.yml", []byte("suppressions:\n  - rule: G101\n    reason: x\n"), policy.IgnoreOptions{RequireExpiry: true})
	if err == nil || !strings.HasPrefix(err.Error(), "i.yml:2:5: suppressions[0]: expires is required by the configuration (suppressions.require-expiry)") {
		t.Fatalf("require-expiry: %v", err)
	}
	// A safety advisory ID is a number to YAML; it is still a rule.
	ig, err := policy.ParseIgnore("i.yml", []byte("suppressions:\n  - rule: 39525\n    reason: x\n"), policy.IgnoreOptions{})
	if err != nil || ig.Entries[0].Rule != "39525" {
		t.Fatalf("numeric rule: %v %+v", err, ig)
	}
	for _, doc := range []string{"", "# nothing yet\n", "suppressions:\n", "suppressions: []\n"} {
		if ig, err := policy.ParseIgnore("i.yml", []byte(doc), policy.IgnoreOptions{}); err != nil || len(ig.Entries) != 0 {
			t.Errorf("%q: %v", doc, err)
		}
	}
	_, err = policy.LoadIgnore(filepath.Join(t.TempDir(), "nope.yml"), "nope.yml", policy.IgnoreOptions{})
	if err == nil || err.Error() != "ignore file nope.yml: does not exist" {
		t.Errorf("missing file: %v", err)
	}
	file := filepath.Join(t.TempDir(), ".scangate-ignore.yml")
	os.WriteFile(file, []byte(ignoreDoc), 0o644)
	if ig, err := policy.LoadIgnore(file, ".scangate-ignore.yml", policy.IgnoreOptions{}); err != nil || len(ig.Entries) != 5 {
		t.Errorf("load: %v", err)
	}
}
