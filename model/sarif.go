package model

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/jsonpos"
)

// FingerprintKey names our partialFingerprints entry. GitHub computes its own
// primaryLocationLineHash, so ours lives under a namespaced key.
const FingerprintKey = "scangate/v1"

// ScanRootBaseID names, in a run's originalUriBaseIds, the scanned root
// relative to %SRCROOT%; a baseline reader uses it to go back to paths
// relative to the scanned root. Absent when the two are the same.
const ScanRootBaseID = "%SCANROOT%"

// sarifDoc is the part of a SARIF file a baseline needs.
type sarifDoc struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name string `json:"name"`
			} `json:"driver"`
		} `json:"tool"`
		OriginalURIBaseIDs map[string]struct {
			URI       string `json:"uri"`
			URIBaseID string `json:"uriBaseId"`
		} `json:"originalUriBaseIds"`
		Results []struct {
			RuleID  string `json:"ruleId"`
			Message struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
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
// whether it was suppressed, plus the line and message a fixed entry is
// shown with. Results already absent in that run are left
// out. Paths come back relative to the scanned root, from files whose URIs
// are relative to the repository root (with ScanRootBaseID) as from older
// ones relative to the scanned root. Errors start with "baseline NAME:".
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
		scanRoot := ""
		if b, ok := run.OriginalURIBaseIDs[ScanRootBaseID]; ok {
			p, err := url.PathUnescape(b.URI)
			if err != nil || b.URIBaseID != "%SRCROOT%" || !strings.HasSuffix(p, "/") {
				return nil, fmt.Errorf("baseline %s: runs[%d].originalUriBaseIds[%q]: want a directory uri under %%SRCROOT%%, got %q", name, i, ScanRootBaseID, b.URI)
			}
			scanRoot = p
		}
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
			f := finding.Finding{Tool: run.Tool.Driver.Name, RuleID: r.RuleID, Fingerprint: fp, Message: r.Message.Text}
			if len(r.Suppressions) > 0 {
				f.Suppressions = []finding.Suppression{{Kind: "external"}}
			}
			if len(r.Locations) > 0 {
				al := r.Locations[0].PhysicalLocation.ArtifactLocation
				p, err := url.PathUnescape(al.URI)
				if err != nil {
					return nil, fmt.Errorf("baseline %s: runs[%d].results[%d]: uri %q: %v", name, i, j, al.URI, err)
				}
				if al.URIBaseID == "%SRCROOT%" {
					p = strings.TrimPrefix(p, scanRoot)
				}
				f.Location.Path = p
				f.Location.StartLine = max(r.Locations[0].PhysicalLocation.Region.StartLine, 0)
			}
			if p := r.Properties.Package; p != nil && p.Name != "" {
				f.Package = &finding.Package{Name: p.Name, Version: p.Version}
			}
			out = append(out, f)
		}
	}
	return out, nil
}
