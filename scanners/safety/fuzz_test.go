package safety

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
)

// Fuzzing the two report parsers: whatever a program answering as safety
// prints, they never panic, reject what is not the report they expect with
// an error naming safety, and give findings that have a rule and a path
// relative to the root. The root is the pypkg fixture, so that requirement
// lines are really looked up. Seeds: the documents in testdata/python/safety
// (written in safety's exact formats; safety cannot be installed here).

func fuzzSeeds(f *testing.F, name, root string) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "python", "safety", name))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(bytes.ReplaceAll(data, []byte("{{ROOT}}"), []byte(root)))
	f.Add([]byte("+==+ banner\n" + string(data)))
}

func checkParsed(t *testing.T, data []byte, res *finding.Result, err error) {
	t.Helper()
	if err != nil {
		if !strings.HasPrefix(err.Error(), "safety") {
			t.Fatalf("error does not name safety: %v", err)
		}
		return
	}
	if len(bytes.TrimSpace(data)) == 0 {
		t.Fatal("empty output accepted")
	}
	for _, f := range res.Findings {
		if f.RuleID == "" || filepath.IsAbs(f.Location.Path) || strings.HasPrefix(f.Location.Path, "../") {
			t.Fatalf("finding without rule or root-relative path: %+v", f)
		}
		if res.Rule(f.RuleID) == nil {
			t.Fatalf("finding %s has no rule", f.RuleID)
		}
	}
}

func FuzzParseCheck(f *testing.F) {
	root, err := filepath.Abs(filepath.Join("..", "..", "testdata", "python", "pypkg"))
	if err != nil {
		f.Fatal(err)
	}
	fuzzSeeds(f, "check-2.3.5-pypkg.json", root)
	f.Add([]byte(`{"report_meta":{"vulnerabilities_found":1},"vulnerabilities":[{"vulnerability_id":"1","package_name":"x","ignored":{},"vulnerable_spec":["<1"],"severity":{"cvssv3":{"base_score":9.8}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res := &finding.Result{}
		err := parseCheck(data, root, []string{"requirements.txt", "requirements-dev.txt"}, res)
		checkParsed(t, data, res, err)
	})
}

func FuzzParseScan(f *testing.F) {
	root, err := filepath.Abs(filepath.Join("..", "..", "testdata", "python", "pypkg"))
	if err != nil {
		f.Fatal(err)
	}
	fuzzSeeds(f, "scan-3.6.0-pypkg.json", root)
	f.Add([]byte(`{"meta":{},"scan_results":{"files":[{"location":"/etc/passwd","results":{"dependencies":[{"name":"","specifications":[{"raw":"x==1","vulnerabilities":{"known_vulnerabilities":[{"id":"9","ignored":{"code":"c"}}]}}]}]}}]},"cve_details":[{"CVE":["CVE-1",{"base_score":1}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res := &finding.Result{}
		err := parseScan(data, root, res)
		checkParsed(t, data, res, err)
	})
}
