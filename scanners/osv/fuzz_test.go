package osv

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/osv-scanner/v2/pkg/models"
	"github.com/scangate/scangate/finding"
)

// addResults gives the converter osv-scanner's results (its JSON output,
// decoded) as the adapter gives it its own: per lockfile.
func addResults(c *converter, vr models.VulnerabilityResults) {
	for _, src := range vr.Results {
		var pvs []pkgVulns
		for _, p := range src.Packages {
			pv := pkgVulns{Pkg: p.Package.Inventory, Name: p.Package.Name, Version: p.Package.Version,
				Ecosystem: p.Package.Ecosystem, Vulns: p.Vulnerabilities}
			for _, g := range p.Groups {
				pv.Groups = append(pv.Groups, group{IDs: g.IDs, Aliases: g.Aliases, MaxSeverity: g.MaxSeverity})
			}
			pvs = append(pvs, pv)
		}
		c.add(src.Source.Path, pvs)
	}
}

// FuzzConvert: whatever results osv-scanner hands back, in the JSON shape
// it prints them (`--format json`, which decodes into the same
// models.VulnerabilityResults the library returns), the converter never
// panics and gives findings with a rule, a package and a path relative to
// the root. The seed testdata/osv/captured/results-tree.json is osv-scanner
// v2.5.0's real result on testdata/osv/tree with the advisories of
// testdata/osv/advisories, encoded as its JSON output does ({{ROOT}} for the
// tree's absolute path).
func FuzzConvert(f *testing.F) {
	root, err := filepath.Abs(treeDir)
	if err != nil {
		f.Fatal(err)
	}
	data, err := os.ReadFile("../../testdata/osv/captured/results-tree.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(bytes.ReplaceAll(data, []byte("{{ROOT}}"), []byte(root)))
	f.Add([]byte(`{"results":[{"source":{"path":"../../etc/passwd","type":"lockfile"},"packages":[{"package":{"name":"x","version":"1","ecosystem":"PyPI"},` +
		`"vulnerabilities":[{"id":"A","affected":[{"package":{"name":"x","ecosystem":"PyPI"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2"}]}]}]}],` +
		`"groups":[{"ids":["A","B"],"aliases":["A","B"],"max_severity":"9.8"}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var vr models.VulnerabilityResults
		if err := json.Unmarshal(data, &vr); err != nil {
			if json.Valid(data) && !strings.Contains(err.Error(), "json") && !strings.Contains(err.Error(), "proto") {
				t.Fatalf("error names no problem: %v", err)
			}
			return
		}
		res := &finding.Result{Tool: Name}
		c := &converter{root: root, res: res, files: manifests{}}
		addResults(c, vr)
		for _, fd := range res.Findings {
			if res.Rule(fd.RuleID) == nil || fd.Package == nil {
				t.Fatalf("finding without rule or package: %+v", fd)
			}
			if p := fd.Location.Path; filepath.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") {
				t.Fatalf("finding located outside the root: %+v", fd.Location)
			}
		}
	})
}

// A result for a file outside the root is neither read nor reported.
func TestConvertOutsideRoot(t *testing.T) {
	root, _ := filepath.Abs(treeDir)
	outside := filepath.Join(t.TempDir(), "requirements.txt")
	if err := os.WriteFile(outside, []byte("jinja2==2.4.1 # SECRET-LINE\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	vr := models.VulnerabilityResults{Results: []models.PackageSource{{
		Source: models.SourceInfo{Path: outside, Type: "lockfile"},
		Packages: []models.PackageVulns{{
			Package:         models.PackageInfo{Name: "jinja2", Version: "2.4.1", Ecosystem: "PyPI"},
			Vulnerabilities: nil,
			Groups:          []models.GroupInfo{{IDs: []string{"A"}}},
		}},
	}}}
	res := &finding.Result{Tool: Name}
	addResults(&converter{root: root, res: res, files: manifests{}}, vr)
	if len(res.Findings) != 0 || len(res.Notifications) != 1 || !strings.Contains(res.Notifications[0].Message, "outside the scanned root") {
		t.Fatalf("findings %+v, notifications %+v", res.Findings, res.Notifications)
	}
	if strings.Contains(res.Notifications[0].Message, "SECRET-LINE") || strings.Contains(res.Notifications[0].Message, filepath.Dir(outside)) {
		t.Errorf("notification leaks: %s", res.Notifications[0].Message)
	}
}
