package safety

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner/python"
)

// scanReport is what `safety scan --output json --detailed-output` prints in
// safety 3.x: the safety_schemas v3.0 Report (meta, scan_results) dumped by
// pydantic, plus the "cve_details" list --detailed-output adds (safety 3.3
// and later), re-indented by rich. Only a vulnerability's id, ignored and
// vulnerable_spec are in the report proper; CVE, advisory and severity come
// from cve_details when present.
type scanReport struct {
	Meta *struct {
		ScanType      string `json:"scan_type"`
		SchemaVersion string `json:"schema_version"`
		Telemetry     struct {
			SafetyVersion string `json:"safety_version"`
		} `json:"telemetry"`
	} `json:"meta"`
	ScanResults *struct {
		Files    []scanFile `json:"files"`
		Projects []struct {
			Location string     `json:"location"`
			Files    []scanFile `json:"files"`
		} `json:"projects"`
	} `json:"scan_results"`
	CVEDetails []struct {
		Package         string            `json:"package"`
		AffectedVersion string            `json:"affected_version"`
		ID              string            `json:"safety_vulnerability_id"`
		CVE             []json.RawMessage `json:"CVE"` // the CVE name, then its cvssv2 and cvssv3 objects when known
		MoreInfo        string            `json:"more_info"`
		Advisory        string            `json:"advisory"`
		Severity        string            `json:"severity"`
	} `json:"cve_details"`
}

type scanFile struct {
	Location string `json:"location"`
	Type     string `json:"type"`
	Results  struct {
		Dependencies []struct {
			Name           string `json:"name"`
			Specifications []struct {
				Raw             string `json:"raw"`
				Vulnerabilities struct {
					Known []struct {
						ID      string `json:"id"`
						Ignored *struct {
							Code    string  `json:"code"`
							Reason  *string `json:"reason"`
							Expires *string `json:"expires"`
						} `json:"ignored"`
						VulnerableSpec string `json:"vulnerable_spec"`
					} `json:"known_vulnerabilities"`
					Remediation *struct {
						Recommended *string `json:"recommended"`
					} `json:"remediation"`
				} `json:"vulnerabilities"`
			} `json:"specifications"`
		} `json:"dependencies"`
	} `json:"results"`
}

// specRE splits a requirement string ("requests[socks]==2.25.0; marker").
var specRE = regexp.MustCompile(`^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:===?\s*([^\s,;]+)\s*(?:;.*)?)?`)

// parseScan turns a safety 3.x report into findings.
func parseScan(out []byte, root string, res *finding.Result) error {
	var rep scanReport
	if err := decodeJSON("safety", out, &rep, res); err != nil {
		return err
	}
	if rep.Meta == nil || rep.ScanResults == nil {
		return fmt.Errorf("safety's report lacks meta or scan_results: not a `safety scan --output json` report; it starts with %q", python.Excerpt(bytes.TrimSpace(out)))
	}
	type detail struct {
		aliases  []string
		score    float64
		vector   string
		severity string
		advisory string
		moreInfo string
	}
	details := map[string]detail{}
	for _, d := range rep.CVEDetails {
		dt := detail{advisory: d.Advisory, moreInfo: d.MoreInfo}
		if !strings.EqualFold(d.Severity, "unknown") {
			dt.severity = d.Severity
		}
		for _, raw := range d.CVE {
			var name string
			if json.Unmarshal(raw, &name) == nil {
				if name != "" {
					dt.aliases = append(dt.aliases, name)
				}
				continue
			}
			var c cvss
			if json.Unmarshal(raw, &c) == nil && c.BaseScore > 0 && (dt.score == 0 || strings.HasPrefix(c.VectorString, "CVSS:3")) {
				dt.score, dt.vector = c.BaseScore, c.VectorString
			}
		}
		details[d.ID+"\x00"+Normalize(d.Package)] = dt
	}
	if len(rep.CVEDetails) == 0 {
		res.Notifications = append(res.Notifications, finding.Notification{Level: finding.LevelNote,
			Message: "the report has no cve_details (safety before 3.3): its findings carry no CVE IDs, so they cannot be matched with other tools'"})
	}

	files := append([]scanFile{}, rep.ScanResults.Files...)
	for _, p := range rep.ScanResults.Projects {
		files = append(files, p.Files...)
	}
	loc := newLocator(root)
	seen := map[string]bool{}
	for _, f := range files {
		rel, ok := inRoot(root, f.Location)
		if !ok {
			// safety scans the root; a file elsewhere is not ours to read
			// (its lines would be quoted) nor to report.
			res.Warnf("results for a file outside the scanned root dropped (%s)", filepath.Base(f.Location))
			continue
		}
		for _, dep := range f.Results.Dependencies {
			for _, sp := range dep.Specifications {
				name, version := dep.Name, ""
				if m := specRE.FindStringSubmatch(sp.Raw); m != nil {
					if name == "" {
						name = m[1]
					}
					version = m[2]
				}
				for _, k := range sp.Vulnerabilities.Known {
					if k.ID == "" {
						return fmt.Errorf("safety's report: a vulnerability of %s in %s has no id", name, rel)
					}
					v := &vuln{id: k.ID, pkg: Normalize(name), version: version, spec: k.VulnerableSpec, file: rel, fixed: fixedFromSpec(k.VulnerableSpec)}
					if d, ok := details[k.ID+"\x00"+v.pkg]; ok {
						v.aliases, v.score, v.vector, v.sevName = d.aliases, d.score, d.vector, d.severity
						v.advisory, v.moreInfo = d.advisory, d.moreInfo
					}
					if k.Ignored != nil {
						sup := finding.Suppression{Kind: "external", Marker: "safety policy (" + k.Ignored.Code + ")"}
						if k.Ignored.Reason != nil {
							sup.Justification = *k.Ignored.Reason
						}
						if k.Ignored.Expires != nil {
							sup.Expires = parseExpiry(*k.Ignored.Expires)
						}
						v.ignored = &sup
					}
					if file, p, ok := loc.find(rel, v.pkg, v.version); ok {
						v.file, v.line, v.text = file, p.line, p.text
					}
					add(res, seen, v)
				}
			}
		}
	}
	return nil
}

// inRoot makes p (absolute, or relative to root) root-relative; ok is false
// when it is outside root.
func inRoot(root, p string) (rel string, ok bool) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(root, p)
	}
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// fixedFromSpec derives the fixed version from a vulnerable range with one
// exclusive upper bound ("<2.11.3", ">=2.3.0,<2.31.0" give 2.11.3 and
// 2.31.0): safety 3's report has no fixed versions of its own.
func fixedFromSpec(spec string) []string {
	var upper []string
	for _, c := range strings.Split(spec, ",") {
		c = strings.TrimSpace(c)
		switch {
		case strings.HasPrefix(c, "<="), strings.HasPrefix(c, "=="), strings.HasPrefix(c, "!="):
			return nil
		case strings.HasPrefix(c, "<"):
			upper = append(upper, strings.TrimSpace(c[1:]))
		}
	}
	if len(upper) != 1 || upper[0] == "" {
		return nil
	}
	return upper
}
