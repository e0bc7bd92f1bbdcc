package safety

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/python"
)

// checkReport is what `safety check --json` prints in safety 2.x: the
// template of safety/formatters/json.py (render_vulnerabilities) at 2.3.5,
// with each vulnerability from safety/models.py Vulnerability.to_dict.
type checkReport struct {
	ReportMeta       *checkMeta                       `json:"report_meta"`
	AffectedPackages map[string]checkPackage          `json:"affected_packages"`
	Announcements    []struct{ Type, Message string } `json:"announcements"`
	Vulnerabilities  *[]checkVuln                     `json:"vulnerabilities"`
	Ignored          []checkVuln                      `json:"ignored_vulnerabilities"`
}

type checkMeta struct {
	PolicyFile     *string  `json:"policy_file"`
	SafetyVersion  string   `json:"safety_version"`
	PackagesFound  int      `json:"packages_found"`
	VulnsFound     int      `json:"vulnerabilities_found"`
	VulnsIgnored   int      `json:"vulnerabilities_ignored"`
	LocalDatabase  *string  `json:"local_database_path"`
	ScannedTargets []string `json:"scanned"`
}

type checkPackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Found   string `json:"found"`
}

type checkVuln struct {
	VulnerabilityID string          `json:"vulnerability_id"`
	PackageName     string          `json:"package_name"`
	Ignored         json.RawMessage `json:"ignored"` // true/false, or {} or null: safety evaluates `ignore_vulns and ...`
	IgnoredReason   *string         `json:"ignored_reason"`
	IgnoredExpires  *string         `json:"ignored_expires"`
	VulnerableSpec  json.RawMessage `json:"vulnerable_spec"` // a string; a list in some 2.x releases
	AnalyzedVersion string          `json:"analyzed_version"`
	Advisory        *string         `json:"advisory"`
	FixedVersions   []string        `json:"fixed_versions"`
	CVE             *string         `json:"CVE"`
	Severity        *struct {
		Source string `json:"source"`
		CVSSv2 *cvss  `json:"cvssv2"`
		CVSSv3 *cvss  `json:"cvssv3"`
	} `json:"severity"`
	MoreInfoURL string `json:"more_info_url"`
}

type cvss struct {
	BaseScore    float64 `json:"base_score"`
	BaseSeverity string  `json:"base_severity"`
	VectorString string  `json:"vector_string"`
}

// truthy reads safety 2.x's "ignored", which is a bool when an ignore list
// exists and otherwise the (empty) ignore list itself or null.
func truthy(raw json.RawMessage) bool {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) == nil {
		return len(m) > 0
	}
	return false
}

// specString reads vulnerable_spec, a string or a list of strings.
func specString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var l []string
	if json.Unmarshal(raw, &l) == nil {
		return strings.Join(l, " || ")
	}
	return ""
}

// decodeJSON decodes one JSON document from a tool's stdout. A line of
// text before the document (a banner) is tolerated and reported; anything
// else is an error quoting the start of the output.
func decodeJSON(tool string, out []byte, v any, res *finding.Result) error {
	data := bytes.TrimSpace(out)
	if len(data) == 0 {
		return fmt.Errorf("%s printed no report", tool)
	}
	if data[0] != '{' {
		if i := bytes.Index(data, []byte("\n{")); i >= 0 {
			res.Warnf("printed text before its JSON report, ignored: %q", python.Excerpt(data[:i]))
			data = data[i+1:]
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s's report is not valid JSON (%v); it starts with %q", tool, err, python.Excerpt(data))
	}
	// dec.More is false before a stray '}' or ']': look at the bytes left.
	if rest := bytes.TrimSpace(data[dec.InputOffset():]); len(rest) > 0 {
		return fmt.Errorf("%s's report has trailing data after the JSON document: %q", tool, python.Excerpt(rest))
	}
	return nil
}

// parseCheck turns a safety 2.x report into findings. files are the
// requirement files passed with -r, in order, root-relative.
func parseCheck(out []byte, root string, files []string, res *finding.Result) error {
	var rep checkReport
	if err := decodeJSON("safety", out, &rep, res); err != nil {
		return err
	}
	if rep.ReportMeta == nil || rep.Vulnerabilities == nil {
		return fmt.Errorf("safety's report lacks report_meta or vulnerabilities: not a `safety check --json` report; it starts with %q", python.Excerpt(bytes.TrimSpace(out)))
	}
	for _, a := range rep.Announcements {
		res.Notifications = append(res.Notifications, finding.Notification{Level: finding.LevelNote, Message: "announcement (" + a.Type + "): " + a.Message})
	}
	policy := ".safety-policy.yml"
	if p := rep.ReportMeta.PolicyFile; p != nil && *p != "" && *p != "-" {
		policy = scanner.RelPath(root, *p)
	}
	found := map[string]string{}
	for key, p := range rep.AffectedPackages {
		found[Normalize(key)] = p.Found
	}

	loc := newLocator(root)
	occurrence := map[string]int{}
	seen := map[string]bool{}
	all := append(append([]checkVuln{}, (*rep.Vulnerabilities)...), rep.Ignored...)
	for i, cv := range all {
		if cv.VulnerabilityID == "" || cv.PackageName == "" {
			return fmt.Errorf("safety's report: vulnerability %d has no vulnerability_id or package_name", i)
		}
		v := &vuln{
			id:       strings.TrimPrefix(cv.VulnerabilityID, "pyup.io-"),
			pkg:      Normalize(cv.PackageName),
			version:  cv.AnalyzedVersion,
			spec:     specString(cv.VulnerableSpec),
			fixed:    cv.FixedVersions,
			moreInfo: cv.MoreInfoURL,
		}
		if cv.Advisory != nil {
			v.advisory = strings.ReplaceAll(*cv.Advisory, "\r", "")
		}
		if cv.CVE != nil && *cv.CVE != "" {
			v.aliases = []string{*cv.CVE}
		}
		if s := cv.Severity; s != nil {
			switch {
			case s.CVSSv3 != nil && s.CVSSv3.BaseScore > 0:
				v.score, v.vector = s.CVSSv3.BaseScore, s.CVSSv3.VectorString
			case s.CVSSv2 != nil && s.CVSSv2.BaseScore > 0:
				v.score, v.vector = s.CVSSv2.BaseScore, s.CVSSv2.VectorString
			}
		}
		if truthy(cv.Ignored) {
			sup := finding.Suppression{Kind: "external", Marker: policy}
			if cv.IgnoredReason != nil {
				sup.Justification = *cv.IgnoredReason
			}
			if cv.IgnoredExpires != nil {
				sup.Expires = parseExpiry(*cv.IgnoredExpires)
			}
			v.ignored = &sup
		}

		// safety repeats a vulnerability for every file that lists the
		// package; the n-th repeat goes to the n-th file pinning it.
		var cands []struct {
			file string
			p    pin
		}
		for _, f := range files {
			if file, p, ok := loc.find(f, v.pkg, v.version); ok {
				cands = append(cands, struct {
					file string
					p    pin
				}{file, p})
			}
		}
		key := v.id + "\x00" + v.pkg + "\x00" + v.version
		switch {
		case len(cands) > 0:
			c := cands[occurrence[key]%len(cands)]
			v.file, v.line, v.text = c.file, c.p.line, c.p.text
		case found[v.pkg] != "" && foundIn(root, found[v.pkg]):
			v.file, _ = inRoot(root, found[v.pkg])
			res.Warnf("%s %s: no line in %s pins it", v.pkg, v.version, v.file)
		case len(files) > 0:
			v.file = files[0]
			res.Warnf("%s %s: no requirement file pins it", v.pkg, v.version)
		}
		occurrence[key]++
		add(res, seen, v)
	}
	if n := rep.ReportMeta.VulnsFound; n != len(*rep.Vulnerabilities) {
		res.Warnf("the report counts %d vulnerabilities but lists %d", n, len(*rep.Vulnerabilities))
	}
	return nil
}

func foundIn(root, p string) bool { _, ok := inRoot(root, p); return ok }
