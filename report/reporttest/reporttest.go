// Package reporttest reads scangate's report files in tests, as a consumer
// reads them: SARIF results, GitLab security reports checked against their
// schemas, JUnit XML. Only tests import it.
package reporttest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/scangate/scangate/internal/testkit"
)

// Hit is one SARIF result: its run's tool, its rule, its properties and
// its baseline state.
type Hit struct {
	Tool, Rule string
	Props      map[string]any
	Baseline   string
}

// SARIF reads a SARIF file, valid against SARIF 2.1.0, as its results.
func SARIF(t testing.TB, path string) []Hit {
	t.Helper()
	rep, err := sarif.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Validate(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var hits []Hit
	for _, run := range rep.Runs {
		for _, r := range run.Results {
			h := Hit{Tool: *run.Tool.Driver.Name, Rule: *r.RuleID}
			if r.Properties != nil {
				h.Props = r.Properties.Properties
			}
			if r.BaselineState != nil {
				h.Baseline = *r.BaselineState
			}
			hits = append(hits, h)
		}
	}
	return hits
}

// Count is how many hits have the rule, and the last of them.
func Count(hits []Hit, rule string) (n int, h Hit) {
	for _, x := range hits {
		if x.Rule == rule {
			n++
			h = x
		}
	}
	return n, h
}

// GitLab is what the tests read of a GitLab security report.
type GitLab struct {
	Scan struct {
		Type     string `json:"type"`
		Status   string `json:"status"`
		Messages []struct {
			Level string `json:"level"`
			Value string `json:"value"`
		} `json:"messages"`
	} `json:"scan"`
	Vulnerabilities []struct {
		ID          string `json:"id"`
		Identifiers []struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		} `json:"identifiers"`
		Location struct {
			File       string `json:"file"`
			Dependency *struct {
				Package struct {
					Name string `json:"name"`
				} `json:"package"`
			} `json:"dependency"`
		} `json:"location"`
	} `json:"vulnerabilities"`
	DependencyFiles []struct {
		Path string `json:"path"`
	} `json:"dependency_files"`
}

// ReadGitLab reads a GitLab report and validates it against our schemas
// for its type (testdata/gitlab-schemas) and, when $SCANGATE_GITLAB_SCHEMAS
// names a directory holding them, GitLab's published files.
func ReadGitLab(t testing.TB, path string) GitLab {
	t.Helper()
	b := testkit.ReadFile(t, path)
	var d GitLab
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	ours, theirs := map[string]string{"sast": "sast.schema.json", "dependency_scanning": "dependency-scanning.schema.json", "secret_detection": "secret-detection.schema.json"},
		map[string]string{"sast": "sast-report-format.json", "dependency_scanning": "dependency-scanning-report-format.json", "secret_detection": "secret-detection-report-format.json"}
	schemas := []string{filepath.Join(testkit.Root(), "testdata", "gitlab-schemas", ours[d.Scan.Type])}
	if dir := os.Getenv("SCANGATE_GITLAB_SCHEMAS"); dir != "" {
		schemas = append(schemas, filepath.Join(dir, theirs[d.Scan.Type]))
	}
	for _, p := range schemas {
		sch, err := jsonschema.NewCompiler().Compile(p)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s does not validate against %s: %v", path, p, err)
		}
	}
	return d
}

// JUnit is what the tests read of a JUnit report.
type JUnit struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Suites   []struct {
		Name    string `xml:"name,attr"`
		Skipped int    `xml:"skipped,attr"`
		Cases   []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
			Error   *struct{} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// ReadJUnit reads a JUnit report, well-formed to its last token.
func ReadJUnit(t testing.TB, path string) JUnit {
	t.Helper()
	b := testkit.ReadFile(t, path)
	var j JUnit
	if err := WellFormedXML(string(b)); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := xml.Unmarshal(b, &j); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return j
}

// WellFormedXML reads every token of doc.
func WellFormedXML(doc string) error {
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		if _, err := d.Token(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}
