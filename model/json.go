package model

import (
	_ "embed"
	"encoding/json"
	"io"
	"slices"

	"github.com/scangate/scangate/finding"
)

// SchemaVersion is the version of the JSON report's contract (docs/json.md):
// additive changes keep it, renames and removals bump it.
const SchemaVersion = 1

//go:embed scangate-report.schema.json
var schema []byte

// Schema is the JSON Schema (draft 2020-12) of the JSON report.
func Schema() []byte { return slices.Clone(schema) }

// jsonReport is the JSON report's top level, as WriteJSON writes it and
// ReadJSON reads it back.
type jsonReport struct {
	SchemaVersion int             `json:"schemaVersion"`
	Version       string          `json:"scangateVersion"`
	Root          string          `json:"root"`
	Verdict       finding.Verdict `json:"verdict"`
	ExitCode      int             `json:"exitCode"`
	DurationMs    int64           `json:"durationMs"`
	Baseline      string          `json:"baseline,omitempty"`
	// NewFrom is the base revision compared against (--new-from-rev).
	NewFrom *jsonNewFrom `json:"newFrom,omitempty"`
	Notes   []string     `json:"notes,omitempty"`
	Tools   []jsonTool   `json:"tools"`
	// Remediations: one per vulnerable package and manifest.
	Remediations []finding.Remediation `json:"remediations"`
	// Shard: a shard's report (scan --shard), what scangate merge reads.
	Shard *jsonShard `json:"shard,omitempty"`
}

// jsonShard is a shard's section: its results are written as the tools
// list is, each with its duration.
type jsonShard struct {
	ShardInfo
	Results []jsonTool `json:"results"`
}

type jsonNewFrom struct {
	Comparison
	Description string `json:"description"`
}

// jsonTool is one tool's result with its duration in milliseconds; its
// findings are [] when it has none, never null.
type jsonTool struct {
	finding.Result
	DurationMs int64 `json:"durationMs"`
}

// WriteJSON writes the machine-readable report, whose contract is
// scangate-report.schema.json.
func WriteJSON(w io.Writer, s *Report) error {
	doc := jsonReport{
		SchemaVersion: SchemaVersion,
		Version:       s.Version,
		Root:          s.Root,
		Verdict:       s.Verdict,
		ExitCode:      s.Verdict.ExitCode(),
		DurationMs:    s.Duration.Milliseconds(),
		Baseline:      s.Baseline,
		Notes:         s.Notes,
		Remediations:  s.Remediations,
	}
	if c := s.NewFrom; c != nil {
		doc.NewFrom = &jsonNewFrom{Comparison: *c, Description: c.String()}
	}
	// Every list the schema requires is [] when empty, never null: a
	// skipped scanner's findings included, so that readers need no null check.
	if doc.Verdict.BySeverity == nil {
		doc.Verdict.BySeverity = map[finding.Severity]int{}
	}
	if doc.Remediations == nil {
		doc.Remediations = []finding.Remediation{}
	}
	doc.Tools = jsonTools(s.Results)
	if sh := s.Shard; sh != nil {
		doc.Shard = &jsonShard{ShardInfo: *sh, Results: jsonTools(sh.Results)}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "->" in remediations, not "-\u003e": the report is no HTML
	return enc.Encode(doc)
}

func jsonTools(results []finding.Result) []jsonTool {
	out := []jsonTool{}
	for _, r := range results {
		if r.Findings == nil {
			r.Findings = []finding.Finding{}
		}
		out = append(out, jsonTool{Result: r, DurationMs: r.Duration.Milliseconds()})
	}
	return out
}
