package osv

import (
	"path"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
)

// The inventory holds every package of every lockfile, the vulnerable ones
// among them as the findings name them, with a package URL of the
// lockfile's ecosystem: on real lockfiles of eight kinds.
func TestInventory(t *testing.T) {
	db := importDB(t, "../../testdata/osv/real-advisories")
	res, err := scan(t, New(Options{MaxDBAge: -1}), "../../testdata/osv/real", db, true)
	if err != nil {
		t.Fatal(err)
	}
	purlType := map[string]string{"go.mod": "pkg:golang/", "requirements.txt": "pkg:pypi/", "poetry.lock": "pkg:pypi/",
		"package-lock.json": "pkg:npm/", "pnpm-lock.yaml": "pkg:npm/", "Gemfile.lock": "pkg:gem/", "composer.lock": "pkg:composer/",
		"Cargo.lock": "pkg:cargo/"}
	perFile := map[string]int{}
	type key struct{ eco, name, version, manifest string }
	listed := map[key]bool{}
	for _, p := range res.Packages {
		perFile[p.Manifest]++
		listed[key{p.Ecosystem, p.Name, p.Version, p.Manifest}] = true
		if want := purlType[path.Base(p.Manifest)]; !strings.HasPrefix(p.PURL, want) {
			t.Errorf("%s in %s: purl %q, want %s...", p.Name, p.Manifest, p.PURL, want)
		}
		if p.Ecosystem == "Go" && !strings.Contains(p.PURL, "@v") {
			t.Errorf("Go purl %q without govulncheck's v", p.PURL)
		}
	}
	for _, u := range res.Units {
		if perFile[u.Path] == 0 {
			t.Errorf("lockfile %s: no package listed", u.Path)
		}
	}
	if len(res.Findings) == 0 {
		t.Fatal("no findings: the fixture tests nothing")
	}
	for _, f := range res.Findings {
		p := f.Package
		if !listed[key{p.Ecosystem, p.Name, p.Version, f.UnitPath()}] {
			t.Errorf("%s: vulnerable %s %s of %s is not in the inventory", f.RuleID, p.Name, p.Version, f.UnitPath())
		}
	}
	if got := finding.SortPackages(append([]finding.Component(nil), res.Packages...)); len(got) != len(res.Packages) {
		t.Errorf("the inventory repeats packages: %d listed, %d distinct", len(res.Packages), len(got))
	}
}
