package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/pipeline"
)

// The JSON report gives [] for an empty list, for a skipped scanner as for
// one that found nothing, and for a scan with no scanner.
func TestJSONEmptyListsAreArrays(t *testing.T) {
	t.Parallel()
	s := &pipeline.Report{Version: "test", Root: "repo", Results: []finding.Result{
		{Tool: "bandit", State: finding.Skipped, Notifications: []finding.Notification{{Level: finding.LevelNote, Message: "bandit: skipped: not installed"}}},
		{Tool: "gosec", State: finding.Completed, Findings: []finding.Finding{}},
	}}
	var doc struct {
		Tools []struct {
			Tool     string           `json:"tool"`
			Findings *json.RawMessage `json:"findings"`
		} `json:"tools"`
		Remediations json.RawMessage `json:"remediations"`
	}
	var buf bytes.Buffer
	if err := JSON(&buf, s); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Tools) != 2 {
		t.Fatalf("tools: %s", buf.String())
	}
	for _, tl := range doc.Tools {
		if tl.Findings == nil || string(*tl.Findings) != "[]" {
			t.Errorf("%s: findings %s, want []", tl.Tool, rawOrAbsent(tl.Findings))
		}
	}
	if string(doc.Remediations) != "[]" {
		t.Errorf("remediations %s, want []", doc.Remediations)
	}

	buf.Reset()
	if err := JSON(&buf, &pipeline.Report{Version: "test"}); err != nil {
		t.Fatal(err)
	}
	var empty struct {
		Tools json.RawMessage `json:"tools"`
	}
	if err := json.Unmarshal(buf.Bytes(), &empty); err != nil || string(empty.Tools) != "[]" {
		t.Errorf("no scanner: tools %s (%v), want []", empty.Tools, err)
	}
}

func rawOrAbsent(m *json.RawMessage) string {
	if m == nil {
		return "null or absent"
	}
	return string(*m)
}
