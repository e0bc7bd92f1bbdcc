// Package reporttest reads scangate's report files in tests, as a consumer
// reads them: SARIF results and logs, GitLab security reports checked
// against their schemas, JUnit XML, and JSON documents against a JSON
// Schema. Only tests import it.
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

// Log is a SARIF file as the tests read it, in plain values where the
// SARIF library has pointers: the fields some test reads.
type Log struct {
	Runs []Run `json:"runs"`
}

// Run is one run of a Log.
type Run struct {
	Tool struct {
		Driver struct {
			Name  string `json:"name"`
			Rules []struct {
				ID         string         `json:"id"`
				Properties map[string]any `json:"properties"`
			} `json:"rules"`
		} `json:"driver"`
	} `json:"tool"`
	AutomationDetails struct {
		ID string `json:"id"`
	} `json:"automationDetails"`
	Invocations []struct {
		ExecutionSuccessful        bool `json:"executionSuccessful"`
		ToolExecutionNotifications []struct {
			Message Message `json:"message"`
		} `json:"toolExecutionNotifications"`
	} `json:"invocations"`
	Results []Result `json:"results"`
}

// Result is one result of a Run.
type Result struct {
	RuleID        string     `json:"ruleId"`
	Level         string     `json:"level"`
	Message       Message    `json:"message"`
	BaselineState string     `json:"baselineState"`
	Locations     []Location `json:"locations"`
	Properties    struct {
		Tools   []string `json:"tools"`
		Aliases []string `json:"aliases"`
	} `json:"properties"`
}

// Message is a result's or a notification's message.
type Message struct {
	Text      string   `json:"text"`
	Arguments []string `json:"arguments"`
}

// Location is a result's location in a file.
type Location struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region struct {
			StartLine int `json:"startLine"`
		} `json:"region"`
	} `json:"physicalLocation"`
}

// Counts counts the results by tool and rule ("gosec G101").
func (l Log) Counts() map[string]int {
	n := map[string]int{}
	for _, r := range l.Runs {
		for _, res := range r.Results {
			n[r.Tool.Driver.Name+" "+res.RuleID]++
		}
	}
	return n
}

// URIs lists the URIs of the results' locations.
func (l Log) URIs() []string {
	var out []string
	for _, r := range l.Runs {
		for _, res := range r.Results {
			for _, loc := range res.Locations {
				out = append(out, loc.PhysicalLocation.ArtifactLocation.URI)
			}
		}
	}
	return out
}

// DecodeLog decodes a SARIF file's content; it fails the test if data is
// no JSON.
func DecodeLog(t testing.TB, data []byte) Log {
	t.Helper()
	var l Log
	if err := json.Unmarshal(data, &l); err != nil {
		t.Fatalf("SARIF: %v", err)
	}
	return l
}

// ReadLog reads the SARIF file at path.
func ReadLog(t testing.TB, path string) Log {
	t.Helper()
	return DecodeLog(t, testkit.ReadFile(t, path))
}

// CompileSchema compiles the JSON Schema doc, named name, with its formats
// asserted.
func CompileSchema(t testing.TB, name string, doc []byte) *jsonschema.Schema {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(name, v); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(name)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// ValidateJSON validates the JSON document data against sch; it fails the
// test if data is no JSON.
func ValidateJSON(t testing.TB, sch *jsonschema.Schema, data []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return sch.Validate(inst)
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
		if err := ValidateJSON(t, sch, b); err != nil {
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
