package report

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/model"
)

// rawRun is the part of a rendered run these tests read, as JSON has it.
type rawRun struct {
	Tool struct {
		Driver struct {
			Name string `json:"name"`
		} `json:"driver"`
	} `json:"tool"`
	OriginalURIBaseIDs map[string]map[string]any `json:"originalUriBaseIds"`
	Invocations        []struct {
		ExecutionSuccessful bool `json:"executionSuccessful"`
		Notifications       []struct {
			Locations []struct {
				PhysicalLocation rawPhysical `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"toolExecutionNotifications"`
	} `json:"invocations"`
	Results []struct {
		Locations []struct {
			PhysicalLocation rawPhysical `json:"physicalLocation"`
		} `json:"locations"`
		CodeFlows []struct {
			ThreadFlows []struct {
				Locations []struct {
					Location struct {
						PhysicalLocation rawPhysical `json:"physicalLocation"`
					} `json:"location"`
				} `json:"locations"`
			} `json:"threadFlows"`
		} `json:"codeFlows"`
	} `json:"results"`
}

type rawPhysical struct {
	ArtifactLocation struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId"`
	} `json:"artifactLocation"`
}

func (p rawPhysical) String() string {
	return p.ArtifactLocation.URIBaseID + " " + p.ArtifactLocation.URI
}

func rawRuns(t *testing.T, data []byte) []rawRun {
	t.Helper()
	var doc struct{ Runs []rawRun }
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Runs
}

// withNotice gives gosec a notification on a file, which must be located
// like the findings.
func withNotice() []finding.Result {
	results := sampleResults()
	results[0].Notifications = []finding.Notification{{Level: finding.LevelWarning, Message: "gosec: x", Location: finding.Location{Path: "a/b.go"}}}
	return results
}

func TestSARIFPathsFromRepositoryRoot(t *testing.T) {
	runs := rawRuns(t, render(t, mustSARIF(t, withNotice(), SARIFOptions{ScanRoot: "services/api", KeepIncomplete: true})))
	if len(runs) != 2 {
		t.Fatalf("%d runs", len(runs))
	}
	var got []string
	for _, run := range runs {
		for _, r := range run.Results {
			got = append(got, r.Locations[0].PhysicalLocation.String())
			for _, fl := range r.CodeFlows {
				for _, l := range fl.ThreadFlows[0].Locations {
					got = append(got, "flow: "+l.Location.PhysicalLocation.String())
				}
			}
		}
		for _, inv := range run.Invocations {
			for _, n := range inv.Notifications {
				for _, l := range n.Locations {
					got = append(got, "notification: "+l.PhysicalLocation.String())
				}
			}
		}
		src, scan := run.OriginalURIBaseIDs["%SRCROOT%"], run.OriginalURIBaseIDs[model.ScanRootBaseID]
		if _, hasURI := src["uri"]; src == nil || hasURI {
			t.Errorf("%s: %%SRCROOT%% must be declared, without a uri (a path of this machine): %v", run.Tool.Driver.Name, src)
		}
		if scan["uri"] != "services/api/" || scan["uriBaseId"] != "%SRCROOT%" {
			t.Errorf("%s: %s = %v", run.Tool.Driver.Name, model.ScanRootBaseID, scan)
		}
	}
	want := []string{
		"%SRCROOT% services/api/main.go",
		"%SRCROOT% services/api/main.go",
		"%SRCROOT% services/api/a/b.go",
		"notification: %SRCROOT% services/api/a/b.go",
		"%SRCROOT% services/api/main.go",
		"flow: %SRCROOT% services/api/main.go",
		"flow: %GOMODCACHE% golang.org/x/text@v0.3.6/language/parse.go",
	}
	if !slices.Equal(got, want) {
		t.Errorf("locations:\n got %q\nwant %q", got, want)
	}

	// The repository root scanned: paths as before, no %SCANROOT%.
	for _, run := range rawRuns(t, render(t, mustSARIF(t, withNotice(), SARIFOptions{ScanRoot: "."}))) {
		if _, ok := run.OriginalURIBaseIDs[model.ScanRootBaseID]; ok {
			t.Errorf("%s declared at the repository root", model.ScanRootBaseID)
		}
		if u := run.Results[0].Locations[0].PhysicalLocation.String(); u != "%SRCROOT% main.go" {
			t.Errorf("uri at the root: %s", u)
		}
	}
}

func TestSARIFLeavesOutIncompleteRuns(t *testing.T) {
	results := sampleResults() // gosec completed, govulncheck incomplete, bandit skipped
	runs := rawRuns(t, render(t, mustSARIF(t, results, SARIFOptions{})))
	if len(runs) != 1 || runs[0].Tool.Driver.Name != "gosec" || !runs[0].Invocations[0].ExecutionSuccessful {
		t.Errorf("want gosec's run alone: %+v", runs)
	}
	runs = rawRuns(t, render(t, mustSARIF(t, results, SARIFOptions{KeepIncomplete: true})))
	if len(runs) != 2 || runs[1].Tool.Driver.Name != "govulncheck" || runs[1].Invocations[0].ExecutionSuccessful {
		t.Errorf("KeepIncomplete: want govulncheck's run, unsuccessful: %+v", runs)
	}
	// Nothing complete: a valid document without runs.
	only := []finding.Result{results[1]}
	if doc := mustSARIF(t, only, SARIFOptions{}); len(doc.Runs) != 0 {
		t.Errorf("%d runs", len(doc.Runs))
	}
}

// oldSARIF is a document as scangate wrote it before URIs were relative to
// the repository root: relative to the scanned root, no %SCANROOT%.
const oldSARIF = `{"version": "2.1.0", "runs": [{
  "tool": {"driver": {"name": "gosec"}},
  "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The root of the scanned tree."}}},
  "results": [
    {"ruleId": "G401", "locations": [{"physicalLocation": {"artifactLocation": {"uri": "main.go", "uriBaseId": "%SRCROOT%"}}}],
     "partialFingerprints": {"scangate/v1": "fp1"}},
    {"ruleId": "G999", "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a%20b/c%25d%3Ae.go", "uriBaseId": "%SRCROOT%"}}}],
     "partialFingerprints": {"scangate/v1": "fp3"}}
  ]}]}`

func TestReadSARIFBothForms(t *testing.T) {
	results := sampleResults()
	results[0].Findings[2].Location.Path = "a b/c%d:e.go"
	var forms [][]finding.Finding
	for _, root := range []string{"", "services/api", "odd dir/x%y:z"} {
		data := render(t, mustSARIF(t, results, SARIFOptions{ScanRoot: root, KeepIncomplete: true}))
		fs, err := model.ReadSARIF("b.sarif", data)
		if err != nil {
			t.Fatalf("scan root %q: %v", root, err)
		}
		forms = append(forms, fs)
	}
	var want []string
	for _, r := range results[:2] {
		for _, f := range r.Findings {
			want = append(want, f.Tool+" "+f.RuleID+" "+f.Location.Path+" "+f.Fingerprint)
		}
	}
	for i, fs := range forms {
		var got []string
		for _, f := range fs {
			got = append(got, f.Tool+" "+f.RuleID+" "+f.Location.Path+" "+f.Fingerprint)
		}
		if !slices.Equal(got, want) {
			t.Errorf("form %d:\n got %q\nwant %q", i, got, want)
		}
	}
	old, err := model.ReadSARIF("old.sarif", []byte(oldSARIF))
	if err != nil {
		t.Fatal(err)
	}
	if len(old) != 2 || old[0].Location.Path != "main.go" || old[1].Location.Path != "a b/c%d:e.go" || old[1].Fingerprint != "fp3" {
		t.Errorf("old form: %+v", old)
	}
}

func TestReadSARIFBadScanRoot(t *testing.T) {
	for _, base := range []string{
		`{"uri": "services/api"}`,                           // no base, no slash
		`{"uri": "services/api", "uriBaseId": "%SRCROOT%"}`, // not a directory
		`{"uri": "bad%zz/", "uriBaseId": "%SRCROOT%"}`,
	} {
		doc := strings.Replace(oldSARIF, `"originalUriBaseIds": {`, `"originalUriBaseIds": {"%SCANROOT%": `+base+`, `, 1)
		_, err := model.ReadSARIF("b.sarif", []byte(doc))
		if err == nil || !strings.HasPrefix(err.Error(), `baseline b.sarif: runs[0].originalUriBaseIds["%SCANROOT%"]`) {
			t.Errorf("%s: %v", base, err)
		}
	}
}
