package report

import (
	"encoding/json"
	"fmt"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/jsonpos"
)

// sarifDoc is the part of a SARIF file a baseline needs.
type sarifDoc struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name string `json:"name"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
				} `json:"physicalLocation"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Suppressions        []json.RawMessage `json:"suppressions"`
			BaselineState       string            `json:"baselineState"`
			Properties          struct {
				Package *struct {
					Name    string `json:"name"`
					Version string `json:"version"`
				} `json:"package"`
			} `json:"properties"`
		} `json:"results"`
	} `json:"runs"`
}

// ReadSARIF reads back the findings of a SARIF file scangate wrote, as far
// as a baseline needs them: tool, rule, path, package, fingerprint and
// whether it was suppressed. Results already absent in that run are left
// out. Errors start with "baseline NAME:".
func ReadSARIF(name string, data []byte) ([]finding.Finding, error) {
	var doc sarifDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("baseline %s: not a SARIF file: %s", name, jsonpos.Describe(data, err))
	}
	if doc.Version != "2.1.0" {
		return nil, fmt.Errorf("baseline %s: SARIF version %q, want 2.1.0", name, doc.Version)
	}
	out := []finding.Finding{}
	for i, run := range doc.Runs {
		for j, r := range run.Results {
			if r.BaselineState == "absent" { // already gone in that run
				continue
			}
			fp := r.PartialFingerprints[FingerprintKey]
			if fp == "" {
				return nil, fmt.Errorf("baseline %s: runs[%d].results[%d] has no partialFingerprints[%q]: not a SARIF file written by scangate", name, i, j, FingerprintKey)
			}
			if run.Tool.Driver.Name == "" || r.RuleID == "" {
				return nil, fmt.Errorf("baseline %s: runs[%d].results[%d]: tool name and ruleId are required", name, i, j)
			}
			f := finding.Finding{Tool: run.Tool.Driver.Name, RuleID: r.RuleID, Fingerprint: fp}
			if len(r.Suppressions) > 0 {
				f.Suppressions = []finding.Suppression{{Kind: "external"}}
			}
			if len(r.Locations) > 0 {
				f.Location.Path = r.Locations[0].PhysicalLocation.ArtifactLocation.URI
			}
			if p := r.Properties.Package; p != nil && p.Name != "" {
				f.Package = &finding.Package{Name: p.Name, Version: p.Version}
			}
			out = append(out, f)
		}
	}
	return out, nil
}
