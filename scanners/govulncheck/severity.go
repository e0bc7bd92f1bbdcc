package govulncheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/scangate/scangate/finding"
)

// advisorySeverity is an advisory's severity and where it came from.
type advisorySeverity struct {
	severity finding.Severity
	score    float64
	source   string // "cvss", "label" or "default"
}

// advisorySeverity rates an advisory by finding.AdvisorySeverity: its CVSS
// vectors, else its severity label, else finding.DefaultVulnSeverity.
// Reachability is recorded on the finding, not applied here: the policy
// stage steps Imported and Required down.
//
// govulncheck's JSON stream drops the OSV "severity" field, so it is read
// from the database file itself (offline); the public Go database has no
// CVSS vectors, so online scans get the default unless correlation with
// osv-scanner brings a score.
func (sc *scan) advisorySeverity(e *entry) advisorySeverity {
	if s, ok := sc.severity[e.ID]; ok {
		return s
	}
	vectors, label := entryVectors(e)
	if len(vectors) == 0 && label == "" && sc.dbDir != "" {
		if raw := readEntry(sc.dbDir, e.ID); raw != nil {
			vectors, label = entryVectors(raw)
		}
	}
	s := advisorySeverity{source: "default"}
	s.severity, s.score = finding.AdvisorySeverity(vectors, label)
	if s.score > 0 {
		s.source = "cvss"
	} else if _, ok := finding.SeverityFromLabel(label); ok {
		s.source = "label"
	}
	sc.severity[e.ID] = s
	return s
}

func entryVectors(e *entry) (vectors []string, label string) {
	for _, s := range e.Severity {
		if strings.HasPrefix(s.Type, "CVSS_") {
			vectors = append(vectors, s.Score)
		}
	}
	return vectors, e.DatabaseSpecific.Severity
}

// readEntry reads an advisory from a govulncheck file database: ID/<id>.json
// in the v1 layout, <id>.json in a flat directory. A file that cannot be
// read gives nil: govulncheck already read it, so the scan stands and only
// the severity falls back to the default.
func readEntry(dbDir, id string) *entry {
	if strings.ContainsAny(id, `/\`) || strings.Contains(id, "..") {
		return nil
	}
	for _, p := range []string{filepath.Join(dbDir, "ID", id+".json"), filepath.Join(dbDir, id+".json")} {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var e entry
		if json.Unmarshal(data, &e) == nil && e.ID == id {
			return &e
		}
	}
	return nil
}
