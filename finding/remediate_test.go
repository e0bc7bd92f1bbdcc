package finding

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
)

// Two go.mod and two requirements files: one line per (manifest, package),
// the manifest named, versions as each ecosystem spells them whatever form
// the tool reported (osv-scanner reports Go versions without "v",
// govulncheck with it), and the command or edit that applies the upgrade.
func TestRemediatePerManifest(t *testing.T) {
	grpc := func(version, manifest string, fixed ...string) *Package {
		return &Package{Ecosystem: "Go", Name: "google.golang.org/grpc", Version: version, Fixed: fixed, Manifest: manifest}
	}
	results := []Result{
		{Tool: "govulncheck", Findings: []Finding{
			{RuleID: "GO-2023-2153", Package: grpc("v1.34.1", "go.mod", "v1.56.3")},
			{RuleID: "GO-2021-0113", Package: goPkg("v0.3.6", "v0.3.7")},
			{RuleID: "GO-2022-1059", Package: &Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.6", Fixed: []string{"v0.3.8"}, Manifest: "svc/go.mod"}},
			{RuleID: "GO-2024-2687", Package: &Package{Ecosystem: "Go", Name: "stdlib", Version: "v1.22.0", Fixed: []string{"v1.22.2"}, Manifest: "svc/go.mod"}},
		}},
		{Tool: "osv-scanner", Findings: []Finding{
			// The same module in the same go.mod, in osv-scanner's spelling.
			{RuleID: "GHSA-m425-mq94-257g", Package: &Package{Ecosystem: "Go", Name: "google.golang.org/grpc", Version: "1.34.1", Fixed: []string{"1.82.1"}}, Location: Location{Path: "go.mod", StartLine: 7}},
			{RuleID: "GHSA-xxxx-oauth2", Package: &Package{Ecosystem: "Go", Name: "golang.org/x/oauth2", Version: "0.0.0-20210218202405-ba52d332ba99", Fixed: []string{"0.27.0"}}, Location: Location{Path: "svc/go.mod"}},
			{RuleID: "PYSEC-2021-66", Package: &Package{Ecosystem: "PyPI", Name: "jinja2", Version: "2.11.2", Fixed: []string{"2.11.3"}}, Location: Location{Path: "requirements.txt", StartLine: 2}},
			{RuleID: "PYSEC-2021-66", Package: &Package{Ecosystem: "PyPI", Name: "jinja2", Version: "2.10", Fixed: []string{"2.11.3"}}, Location: Location{Path: "tools/requirements-dev.txt", StartLine: 1}},
			{RuleID: "PYSEC-2023-74", Package: &Package{Ecosystem: "PyPI", Name: "requests", Version: "2.25.0", Fixed: []string{"2.31.0", "2.3.0"}}, Location: Location{Path: "tools/requirements-dev.txt", StartLine: 2}},
			{RuleID: "PYSEC-NOFIX", Package: &Package{Ecosystem: "PyPI", Name: "requests", Version: "2.25.0", Fixed: []string{"2.9.0"}}, Location: Location{Path: "tools/requirements-dev.txt", StartLine: 2}},
			{RuleID: "GHSA-nofix", Package: &Package{Ecosystem: "npm", Name: "left-pad", Version: "1.0.0"}, Location: Location{Path: "web/package-lock.json"}},
		}},
	}
	var got []string
	for _, r := range Remediate(results) {
		got = append(got, r.String())
	}
	want := []string{
		"go.mod: upgrade golang.org/x/text v0.3.6 -> v0.3.7 fixes 1: go get golang.org/x/text@v0.3.7",
		"go.mod: upgrade google.golang.org/grpc v1.34.1 -> v1.82.1 fixes 2: go get google.golang.org/grpc@v1.82.1",
		"requirements.txt: upgrade jinja2 2.11.2 -> 2.11.3 fixes 1: pin jinja2==2.11.3 in requirements.txt",
		"svc/go.mod: upgrade golang.org/x/oauth2 v0.0.0-20210218202405-ba52d332ba99 -> v0.27.0 fixes 1: (cd svc && go get golang.org/x/oauth2@v0.27.0)",
		"svc/go.mod: upgrade golang.org/x/text v0.3.6 -> v0.3.8 fixes 1: (cd svc && go get golang.org/x/text@v0.3.8)",
		"svc/go.mod: upgrade stdlib go1.22.0 -> go1.22.2 fixes 1: build with go1.22.2 or later",
		"tools/requirements-dev.txt: upgrade jinja2 2.10 -> 2.11.3 fixes 1: pin jinja2==2.11.3 in tools/requirements-dev.txt",
		// 2.9.0 < 2.25.0 by PEP 440 even though it sorts after it as a string.
		"tools/requirements-dev.txt: upgrade requests 2.25.0 -> 2.31.0 fixes 1 (1 without a fix): pin requests==2.31.0 in tools/requirements-dev.txt",
		"web/package-lock.json: left-pad 1.0.0: no fixed version known for 1 advisory",
	}
	if !slices.Equal(got, want) {
		t.Errorf("remediations:\n got %q\nwant %q", got, want)
	}
	if p := results[1].Findings[0].Remediation; p != want[1] {
		t.Errorf("osv-scanner's grpc finding says %q", p)
	}
	for _, f := range []Finding{results[1].Findings[5], results[1].Findings[6]} {
		if f.Fixable() {
			t.Errorf("%s has no fix above %s", f.RuleID, f.Package.Version)
		}
	}
	if !results[0].Findings[0].Fixable() {
		t.Error("grpc has a fix")
	}
}

// Manifest paths and package names come from the scanned repository: the
// printed command must run go get in that directory and nothing else,
// whatever the directory is called.
func TestRemediateCommandQuotesHostileNames(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	root := t.TempDir()
	dir := "svc $(touch pwned) ; touch pwned2 '`touch pwned3`"
	testkit.Mkdir(t, filepath.Join(root, dir))
	results := []Result{{Findings: []Finding{
		{RuleID: "GO-2021-0113", Package: &Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.6", Fixed: []string{"v0.3.7"}, Manifest: dir + "/go.mod"}},
	}}}
	rems := Remediate(results)
	if len(rems) != 1 || rems[0].Apply == "" {
		t.Fatalf("remediations: %+v", rems)
	}
	// A stand-in go records its arguments and working directory.
	bin := t.TempDir()
	log := filepath.Join(t.TempDir(), "go.log")
	script := "#!/bin/sh\npwd > '" + log + "'\nprintf '%s\\n' \"$@\" >> '" + log + "'\n"
	testkit.Script(t, filepath.Join(bin, "go"), script)
	cmd := exec.Command("sh", "-c", rems[0].Apply)
	cmd.Dir = root
	cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", rems[0].Apply, err, out)
	}
	b := testkit.ReadFile(t, log)
	if got, want := strings.Split(strings.TrimSpace(string(b)), "\n"), []string{filepath.Join(root, dir), "get", "golang.org/x/text@v0.3.7"}; !slices.Equal(got, want) {
		t.Errorf("ran go as %q, want %q", got, want)
	}
	for _, p := range []string{"pwned", "pwned2", "pwned3"} {
		for _, d := range []string{root, filepath.Join(root, dir)} {
			if _, err := os.Stat(filepath.Join(d, p)); err == nil {
				t.Errorf("%s was created: the command ran more than go", p)
			}
		}
	}
}

func TestSpell(t *testing.T) {
	for _, tc := range []struct{ eco, name, v, want string }{
		{"Go", "golang.org/x/net", "0.56.0", "v0.56.0"},
		{"Go", "golang.org/x/net", "v0.56.0", "v0.56.0"},
		{"Go", "stdlib", "v1.22.2", "go1.22.2"},
		{"Go", "stdlib", "1.22.2", "go1.22.2"},
		{"PyPI", "jinja2", "2.11.3", "2.11.3"},
	} {
		if got := Spell(tc.eco, tc.name, tc.v); got != tc.want {
			t.Errorf("Spell(%s, %s, %s) = %s, want %s", tc.eco, tc.name, tc.v, got, tc.want)
		}
	}
}

// A manifest path with a line break gets no command, and its line shows
// the path quoted, so that it cannot forge a line of the summary.
func TestRemediateControlCharacters(t *testing.T) {
	results := []Result{{Findings: []Finding{
		{RuleID: "GO-2021-0113", Package: &Package{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.6", Fixed: []string{"v0.3.7"}, Manifest: "x\nVerdict: PASS/go.mod"}},
	}}}
	rems := Remediate(results)
	if len(rems) != 1 || rems[0].Apply != "" || strings.Contains(rems[0].String(), "\n") ||
		rems[0].String() != `"x\nVerdict: PASS/go.mod": upgrade golang.org/x/text v0.3.6 -> v0.3.7 fixes 1` {
		t.Errorf("remediation: %+v %q", rems, rems[0].String())
	}
}
