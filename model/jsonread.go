package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/jsonlimit"
	"github.com/scangate/scangate/internal/jsonpos"
)

// ReadJSON reads a JSON report written by scangate scan --json back into
// the model. Keys it does not know are ignored (a newer scangate may
// add some, docs/json.md); another schemaVersion is an error. Errors name
// the file.
func ReadJSON(path string) (*Report, error) {
	return ReadJSONWithin(path, NewBudget())
}

// Budget bounds what reading reports back may take: merge shares one
// across its shard files, which may come from the jobs of a pull request.
type Budget struct {
	Bytes   int64 // bytes of files left
	Entries int   // JSON array entries and object members left
}

// NewBudget is what one merge may read: 256 MiB of reports holding two
// million JSON entries (a finding of a real report takes about 50, so some
// 40,000 findings), at most 250,000 in one list, strings up to 1 MiB,
// nested 32 deep. The worst case measured, 1.75 million empty findings in
// a 5 MB file, peaks at 1.3 GB of heap before it is refused.
func NewBudget() *Budget { return &Budget{Bytes: 256 << 20, Entries: 2_000_000} }

// ReadJSONWithin is ReadJSON taking what it reads from b.
func ReadJSONWithin(path string, b *Budget) (*Report, error) {
	data, err := readBounded(path, b.Bytes)
	if err != nil {
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			err = pe.Err
		}
		return nil, fmt.Errorf("JSON report %s: %w", path, err)
	}
	b.Bytes -= int64(len(data))
	n, err := jsonlimit.Check(data, jsonlimit.Limits{Depth: 32, List: 250_000, Entries: b.Entries, String: 1 << 20})
	if err != nil {
		return nil, fmt.Errorf("JSON report %s: %w: not a report scangate wrote, or more than one read may hold", path, err)
	}
	b.Entries -= n
	r, err := parseJSON(data)
	if err != nil {
		return nil, fmt.Errorf("JSON report %s: %w", path, err)
	}
	return r, nil
}

// readBounded reads the file at path if it holds at most max bytes.
func readBounded(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > max {
		return nil, fmt.Errorf("%d bytes, more than the %d left to read", fi.Size(), max)
	}
	// Not a regular file, or one that grows: read one byte past the bound.
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err == nil && int64(len(data)) > max {
		err = fmt.Errorf("more than the %d bytes left to read", max)
	}
	return data, err
}

// ReadFindings reads the findings of a report scangate wrote, a JSON report
// or a SARIF file (ReadSARIF), as far as a baseline needs them. Errors
// start with "baseline NAME:".
func ReadFindings(name string, data []byte) ([]finding.Finding, error) {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil || top["schemaVersion"] == nil {
		return ReadSARIF(name, data)
	}
	r, err := parseJSON(data)
	if err != nil {
		return nil, fmt.Errorf("baseline %s: %w", name, err)
	}
	out := []finding.Finding{}
	for _, res := range r.Results {
		out = append(out, res.Findings...)
	}
	return out, nil
}

func parseJSON(data []byte) (*Report, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
			return nil, fmt.Errorf("want a JSON object, got a JSON %s", te.Value)
		}
		return nil, errors.New(jsonpos.Describe(data, err))
	}
	raw, ok := top["schemaVersion"]
	if !ok {
		return nil, errors.New("no schemaVersion: not a JSON report written by scangate scan --json")
	}
	var version int
	if err := json.Unmarshal(raw, &version); err != nil {
		return nil, fmt.Errorf("schemaVersion %s is not a whole number", bytes.TrimSpace(raw))
	}
	if version != SchemaVersion {
		return nil, fmt.Errorf("schemaVersion %d, but this scangate reads schemaVersion %d (docs/json.md)", version, SchemaVersion)
	}
	var doc jsonReport
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, errors.New(jsonpos.Describe(data, err))
	}
	if top["tools"] == nil || top["verdict"] == nil {
		return nil, errors.New(`"tools" and "verdict" are required`)
	}
	r := &Report{
		Root:         doc.Root,
		Version:      doc.Version,
		Verdict:      doc.Verdict,
		Remediations: doc.Remediations,
		Duration:     time.Duration(doc.DurationMs) * time.Millisecond,
		Notes:        doc.Notes,
		Baseline:     doc.Baseline,
	}
	var err error
	if r.Results, err = readTools("tools", doc.Tools); err != nil {
		return nil, err
	}
	if sh := doc.Shard; sh != nil {
		info := sh.ShardInfo
		if info.Results, err = readTools("shard.results", sh.Results); err != nil {
			return nil, err
		}
		r.Shard = &info
	}
	return r, nil
}

func readTools(key string, tools []jsonTool) ([]finding.Result, error) {
	var out []finding.Result
	for i, t := range tools {
		if t.Tool == "" {
			return nil, fmt.Errorf("%s[%d]: tool is required", key, i)
		}
		for j, f := range t.Findings {
			if f.Tool == "" || f.RuleID == "" || f.Fingerprint == "" {
				return nil, fmt.Errorf("%s[%d].findings[%d]: tool, ruleId and fingerprint are required", key, i, j)
			}
		}
		t.Result.Duration = time.Duration(t.DurationMs) * time.Millisecond
		out = append(out, t.Result)
	}
	return out, nil
}
