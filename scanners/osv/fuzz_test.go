package osv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"
	"github.com/scangate/scangate/finding"
	"google.golang.org/protobuf/encoding/protojson"
)

// osvResults is osv-scanner's JSON output (`--format json`), the fields
// the converter is given.
type osvResults struct {
	Results []struct {
		Source struct {
			Path string `json:"path"`
		} `json:"source"`
		Packages []struct {
			Package struct {
				Name, Version, Ecosystem string
			} `json:"package"`
			Vulnerabilities []json.RawMessage `json:"vulnerabilities"`
			Groups          []struct {
				IDs         []string `json:"ids"`
				Aliases     []string `json:"aliases"`
				MaxSeverity string   `json:"max_severity"`
			} `json:"groups"`
		} `json:"packages"`
	} `json:"results"`
}

// addResults gives the converter osv-scanner's results as the adapter
// gives it its own: per lockfile.
func addResults(c *converter, data []byte) error {
	var vr osvResults
	if err := json.Unmarshal(data, &vr); err != nil {
		return err
	}
	for _, src := range vr.Results {
		var pvs []pkgVulns
		for _, p := range src.Packages {
			pv := pkgVulns{Name: p.Package.Name, Version: p.Package.Version, Ecosystem: p.Package.Ecosystem}
			for _, raw := range p.Vulnerabilities {
				v := &osvpb.Vulnerability{}
				if err := protojson.Unmarshal(raw, v); err != nil {
					return fmt.Errorf("proto: %w", err)
				}
				pv.Vulns = append(pv.Vulns, v)
			}
			for _, g := range p.Groups {
				pv.Groups = append(pv.Groups, group{IDs: g.IDs, Aliases: g.Aliases, MaxSeverity: g.MaxSeverity})
			}
			pvs = append(pvs, pv)
		}
		c.add(src.Source.Path, pvs)
	}
	return nil
}

// FuzzConvert: whatever results osv-scanner hands back, in the JSON shape
// it prints them (`--format json`), the converter never
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
		res := &finding.Result{Tool: Name}
		c := &converter{root: root, res: res, files: manifests{}}
		if err := addResults(c, data); err != nil {
			if json.Valid(data) && !strings.Contains(err.Error(), "json") && !strings.Contains(err.Error(), "proto") {
				t.Fatalf("error names no problem: %v", err)
			}
			return
		}
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
	res := &finding.Result{Tool: Name}
	(&converter{root: root, res: res, files: manifests{}}).add(outside, []pkgVulns{{
		Name: "jinja2", Version: "2.4.1", Ecosystem: "PyPI", Groups: []group{{IDs: []string{"A"}}},
	}})
	if len(res.Findings) != 0 || len(res.Notifications) != 1 || !strings.Contains(res.Notifications[0].Message, "outside the scanned root") {
		t.Fatalf("findings %+v, notifications %+v", res.Findings, res.Notifications)
	}
	if strings.Contains(res.Notifications[0].Message, "SECRET-LINE") || strings.Contains(res.Notifications[0].Message, filepath.Dir(outside)) {
		t.Errorf("notification leaks: %s", res.Notifications[0].Message)
	}
}
