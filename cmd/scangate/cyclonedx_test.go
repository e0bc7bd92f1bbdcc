package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/cdxtest"
	"github.com/scangate/scangate/internal/testkit"
)

// readBOM validates a CycloneDX file against the official 1.6 schema and
// returns it with its components and vulnerabilities as comparable text
// (the serial number and timestamp, which differ per run, left out).
func readBOM(t *testing.T, path string) (*cdxtest.BOM, string) {
	t.Helper()
	b := testkit.ReadFile(t, path)
	bom, err := cdxtest.Validate(b)
	if err != nil {
		t.Fatalf("%s: %v\n%s", path, err, b)
	}
	var d struct {
		Components      []any `json:"components"`
		Vulnerabilities []any `json:"vulnerabilities"`
	}
	json.Unmarshal(b, &d)
	text, _ := json.MarshalIndent(d, "", " ")
	return bom, string(text)
}

// The example project through --cyclonedx: every package of its go.mod
// (the build list, with the standard library) and requirements.txt, and a
// VEX analysis per vulnerability as govulncheck's reachability says.
func TestCycloneDXEndToEnd(t *testing.T) {
	t.Parallel()
	bomPath := filepath.Join(t.TempDir(), "bom.cdx.json")
	code, _, stderr := runCLI(t, "scan", "-q", "--offline", "--db", "../../examples/vulndb", "--cyclonedx", bomPath, "../../examples/project")
	if code != exitFail {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	bom, _ := readBOM(t, bomPath)
	if bom.Metadata.Component.Name != "example.com/scangate-example" {
		t.Errorf("the BOM's subject is %+v, want the root's Go module", bom.Metadata.Component)
	}
	purls := map[string]cdxtest.Component{}
	for _, c := range bom.Components {
		purls[c.PURL] = c
	}
	for purl, manifest := range map[string]string{
		"pkg:golang/golang.org/x/text@v0.3.6":                               "examples/project/go.mod",
		"pkg:golang/golang.org/x/crypto@v0.0.0-20220722155217-630584e8d5aa": "examples/project/go.mod",
		"pkg:pypi/jinja2@2.11.2":                                            "examples/project/requirements.txt",
		"pkg:pypi/requests@2.25.0":                                          "examples/project/requirements.txt",
	} {
		c, ok := purls[purl]
		if !ok || len(c.Evidence.Occurrences) != 1 || c.Evidence.Occurrences[0].Location != manifest {
			t.Errorf("component %s: %+v, want one found in %s (from the repository root)", purl, c, manifest)
		}
	}
	std := slices.IndexFunc(bom.Components, func(c cdxtest.Component) bool { return c.Name == "stdlib" })
	if std < 0 || !strings.HasPrefix(bom.Components[std].PURL, "pkg:golang/stdlib@v1.") || !strings.HasPrefix(bom.Components[std].Version, "go1.") {
		t.Errorf("no standard library component: %+v", bom.Components)
	}

	type want struct{ state, justification, ref, detail string }
	wants := map[string]want{
		"GO-2021-0113":  {"exploitable", "", "pkg:golang/golang.org/x/text@v0.3.6", "golang.org/x/text/language.Parse"},
		"GO-2022-1059":  {"not_affected", "code_not_reachable", "pkg:golang/golang.org/x/text@v0.3.6", "imported"},
		"GO-2023-2402":  {"not_affected", "code_not_present", "pkg:golang/golang.org/x/crypto@v0.0.0-20220722155217-630584e8d5aa", "required"},
		"PYSEC-2021-66": {"in_triage", "", "pkg:pypi/jinja2@2.11.2", "osv-scanner"},
		"PYSEC-2023-74": {"in_triage", "", "pkg:pypi/requests@2.25.0", "osv-scanner"},
	}
	seen := map[string]bool{}
	for _, v := range bom.Vulnerabilities {
		w, ok := wants[v.ID]
		if !ok {
			continue // the advisories' aliases found on their own, if any
		}
		seen[v.ID] = true
		a := v.Analysis
		if a.State != w.state || a.Justification != w.justification || len(v.Affects) != 1 || v.Affects[0].Ref != w.ref || !strings.Contains(a.Detail, w.detail) {
			t.Errorf("%s: analysis %+v affecting %+v, want %+v", v.ID, a, v.Affects, w)
		}
	}
	for id := range wants {
		if !seen[id] {
			t.Errorf("%s is not among the BOM's vulnerabilities", id)
		}
	}
}

// Package names and versions of a hostile lockfile are data in the SBOM
// (JSON strings, whatever they hold); a requirements include or a
// symlinked lockfile leading out of the tree lists nothing from there; a
// lockfile whose ecosystem has no advisories is still inventoried, and
// the BOM says it is incomplete.
func TestHostileCycloneDX(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	root, outside := filepath.Join(parent, "root"), filepath.Join(parent, "outside")
	testkit.WriteFiles(t, outside, map[string]string{"requirements.txt": "secretpkg-outside==1.0\n"})
	testkit.WriteFiles(t, root, map[string]string{
		"requirements.txt": "-r ../outside/requirements.txt\nflask==0.12\n",
		"web/package-lock.json": `{"name":"x","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{
"":{"name":"x","version":"1.0.0"},
"node_modules/evil\"</script>\n\u001b[31mname":{"version":"1.0.0\"}, {\"x\":\"../../../etc/passwd"},
"node_modules/@scope/../../../../etc/passwd":{"version":"2.0.0"},
"node_modules/left-pad":{"version":"1.3.0","dev":true}}}`,
	})
	if err := os.Symlink(filepath.Join("..", "..", "outside", "requirements.txt"), filepath.Join(root, "web", "requirements-dev.txt")); err != nil {
		t.Fatal(err)
	}
	bomPath := filepath.Join(t.TempDir(), "bom.json")
	code, _, stderr := runCLI(t, "scan", "-q", "--offline", "--db", "../../examples/vulndb", "--scanners", "osv-scanner", "--cyclonedx", bomPath, root)
	if code != exitIncomplete { // no npm advisories
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	raw := testkit.ReadFile(t, bomPath)
	bom, _ := readBOM(t, bomPath)
	byName := map[string]cdxtest.Component{}
	for _, c := range bom.Components {
		byName[c.Name] = c
	}
	if c, ok := byName["script>\n\x1b[31mname"]; !ok || c.Version != `1.0.0"}, {"x":"../../../etc/passwd` {
		t.Errorf("the hostile package is not listed as the data it is: %+v", bom.Components)
	}
	if c := byName["left-pad"]; c.Scope != "optional" || c.PURL != "pkg:npm/left-pad@1.3.0" {
		t.Errorf("left-pad (a dev dependency): %+v", c)
	}
	if _, ok := byName["flask"]; !ok {
		t.Errorf("flask is missing: %+v", bom.Components)
	}
	testkit.ContainsNone(t, "the SBOM", string(raw), "secretpkg-outside", outside, parent)
	if !strings.Contains(string(raw), `"aggregate": "incomplete"`) {
		t.Errorf("the SBOM of a scan that could not complete does not say it is incomplete:\n%s", raw)
	}
}
