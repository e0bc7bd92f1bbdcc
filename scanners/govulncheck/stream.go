package govulncheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/scangate/scangate/finding"
)

// The types below mirror the JSON stream of govulncheck v1.9.0
// (golang.org/x/vuln/internal/govulncheck and internal/osv, which cannot be
// imported): a sequence of objects with one key each.

type message struct {
	Config   *config   `json:"config,omitempty"`
	Progress *progress `json:"progress,omitempty"`
	SBOM     *sbom     `json:"SBOM,omitempty"`
	OSV      *entry    `json:"osv,omitempty"`
	Finding  *vuln     `json:"finding,omitempty"`
}

type config struct {
	ProtocolVersion string `json:"protocol_version"`
	ScannerName     string `json:"scanner_name,omitempty"`
	ScannerVersion  string `json:"scanner_version,omitempty"`
	DB              string `json:"db,omitempty"`
	GoVersion       string `json:"go_version,omitempty"`
	ScanLevel       string `json:"scan_level,omitempty"`
	ScanMode        string `json:"scan_mode,omitempty"`
}

type progress struct {
	Message string `json:"message,omitempty"`
}

type sbom struct {
	GoVersion string `json:"go_version,omitempty"`
	Modules   []struct {
		Path    string `json:"path,omitempty"`
		Version string `json:"version,omitempty"`
	} `json:"modules,omitempty"`
	Roots []string `json:"roots,omitempty"`
}

// entry is an OSV advisory as govulncheck re-encodes it. Severity is not in
// govulncheck's schema (it drops the field); it is filled from the database
// file when there is one.
type entry struct {
	ID       string   `json:"id"`
	Aliases  []string `json:"aliases,omitempty"`
	Summary  string   `json:"summary,omitempty"`
	Details  string   `json:"details"`
	Affected []struct {
		Package struct {
			Name      string `json:"name"`
			Ecosystem string `json:"ecosystem"`
		} `json:"package"`
		EcosystemSpecific struct {
			Imports []struct {
				Path    string   `json:"path,omitempty"`
				Symbols []string `json:"symbols,omitempty"`
			} `json:"imports,omitempty"`
		} `json:"ecosystem_specific"`
	} `json:"affected"`
	References []struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	} `json:"references,omitempty"`
	Severity []struct {
		Type  string `json:"type"`
		Score string `json:"score"`
	} `json:"severity,omitempty"`
	DatabaseSpecific struct {
		URL      string `json:"url,omitempty"`
		Severity string `json:"severity,omitempty"` // GHSA-style label, when present
	} `json:"database_specific"`
}

// vuln is govulncheck's "finding" message. Trace[0] is the vulnerable
// symbol, package or module; for a call finding the last frame is the
// entry point in the scanned module.
type vuln struct {
	OSV          string   `json:"osv,omitempty"`
	FixedVersion string   `json:"fixed_version,omitempty"`
	Trace        []*frame `json:"trace,omitempty"`
}

type frame struct {
	Module   string    `json:"module"`
	Version  string    `json:"version,omitempty"`
	Package  string    `json:"package,omitempty"`
	Function string    `json:"function,omitempty"`
	Receiver string    `json:"receiver,omitempty"`
	Position *position `json:"position,omitempty"`
}

type position struct {
	Filename string `json:"filename,omitempty"`
	Offset   int    `json:"offset"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
}

// level is how precise a finding is: Called when the vulnerable symbol is
// reachable, Imported when only its package is imported, Required when only
// the module is in the build.
func (v *vuln) level() finding.Reachability {
	if len(v.Trace) == 0 || v.Trace[0] == nil {
		return finding.ReachUnknown
	}
	switch t := v.Trace[0]; {
	case t.Function != "":
		return finding.Called
	case t.Package != "":
		return finding.Imported
	}
	return finding.Required
}

// symbol names trace[0] the way govulncheck prints it: "language.Parse",
// "Tag.String" for methods (pointer receivers without the star).
func (f *frame) symbol() string {
	name := f.Function
	if f.Receiver != "" {
		r := f.Receiver
		if r[0] == '*' {
			r = r[1:]
		}
		name = r + "." + name
	}
	return name
}

// stream is one module's decoded output.
type stream struct {
	config   config
	sbom     sbom
	entries  map[string]*entry
	findings []*vuln
}

// decode reads a govulncheck JSON stream.
func decode(r io.Reader) (*stream, error) {
	s := &stream{entries: map[string]*entry{}}
	dec := json.NewDecoder(r)
	for {
		var m message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return s, fmt.Errorf("decode govulncheck JSON output at byte %d: %w", dec.InputOffset(), err)
		}
		switch {
		case m.Config != nil:
			s.config = *m.Config
		case m.SBOM != nil:
			s.sbom = *m.SBOM
		case m.OSV != nil:
			s.entries[m.OSV.ID] = m.OSV
		case m.Finding != nil:
			if len(m.Finding.Trace) == 0 || m.Finding.Trace[0] == nil {
				return s, fmt.Errorf("govulncheck finding for %s has no trace", m.Finding.OSV)
			}
			if slices.Contains(m.Finding.Trace, nil) {
				return s, fmt.Errorf("govulncheck finding for %s has a null frame in its trace", m.Finding.OSV)
			}
			s.findings = append(s.findings, m.Finding)
		}
	}
	return s, nil
}

func decodeBytes(b []byte) (*stream, error) { return decode(bytes.NewReader(b)) }
