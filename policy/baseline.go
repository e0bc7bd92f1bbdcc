package policy

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/jsonpos"
	"github.com/scangate/scangate/model"
)

// BaselineVersion is the format version of the baseline file.
const BaselineVersion = 1

// Baseline is the set of known findings a team accepted when adopting the
// gate: only findings missing from it count.
type Baseline struct {
	Version  int             `json:"version"`
	Findings []BaselineEntry `json:"findings"`
}

// BaselineEntry records one finding by what identifies it, never by line:
// the fingerprint, plus enough to read the file and to match a dependency
// finding that another tool reports next time.
type BaselineEntry struct {
	Tool        string `json:"tool"`
	Rule        string `json:"rule"`
	Path        string `json:"path,omitempty"`
	Package     string `json:"package,omitempty"` // name@version, for dependency findings
	Fingerprint string `json:"fingerprint"`
	// Suppressed entries were suppressed when recorded: they match only a
	// finding that is still suppressed, so that a suppression that expires
	// or is removed brings its finding back as new.
	Suppressed bool `json:"suppressed,omitempty"`
	// Count is how many findings share the fingerprint (the same flagged
	// code twice in one file); omitted when 1.
	Count int `json:"count,omitempty"`
	// Line and Message are known when the entry was taken from findings (a
	// scan, a SARIF or JSON report), not from a baseline file, which keeps
	// no lines: only for showing a fixed entry, never for matching.
	Line    int    `json:"-"`
	Message string `json:"-"`
	// Reachable, when known, is how the vulnerable code was reached when
	// recorded: a finding reached more strongly (imported, now called) does
	// not match. Only a base revision's scan records it (RevisionBaseline).
	Reachable finding.Reachability `json:"reachable,omitzero"`
}

func (e BaselineEntry) count() int { return max(e.Count, 1) }

// NewBaseline records the findings of a scan, suppressed ones marked so.
func NewBaseline(results []finding.Result) *Baseline {
	b := &Baseline{Version: BaselineVersion, Findings: []BaselineEntry{}}
	for _, r := range results {
		for _, f := range r.Findings {
			b.Findings = append(b.Findings, entryOf(&f))
		}
	}
	b.normalize()
	return b
}

// RevisionBaseline records the findings of a base revision's scan
// (--new-from-rev) with their reachability: a vulnerable function the
// change newly calls is new, although its fingerprint (advisory, module
// version, manifest) is the base's.
func RevisionBaseline(results []finding.Result) *Baseline {
	b := &Baseline{Version: BaselineVersion, Findings: []BaselineEntry{}}
	for _, r := range results {
		for _, f := range r.Findings {
			e := entryOf(&f)
			e.Reachable = f.Reachable
			b.Findings = append(b.Findings, e)
		}
	}
	b.normalize()
	return b
}

func entryOf(f *finding.Finding) BaselineEntry {
	e := BaselineEntry{Tool: f.Tool, Rule: f.RuleID, Path: f.Location.Path, Fingerprint: f.Fingerprint, Suppressed: f.Suppressed(),
		Line: f.Location.StartLine, Message: f.Message}
	if p := f.Package; p != nil {
		e.Package = p.Name + "@" + p.Version
	}
	return e
}

// normalize sorts the entries and folds duplicates into counts, so that the
// file is the same for the same findings whatever the scan order.
func (b *Baseline) normalize() {
	slices.SortFunc(b.Findings, func(x, y BaselineEntry) int {
		return cmp.Or(cmp.Compare(x.Path, y.Path), cmp.Compare(x.Tool, y.Tool), cmp.Compare(x.Rule, y.Rule),
			cmp.Compare(x.Package, y.Package), cmp.Compare(x.Fingerprint, y.Fingerprint), finding.CompareBool(x.Suppressed, y.Suppressed),
			cmp.Compare(x.Reachable, y.Reachable), cmp.Compare(x.Line, y.Line)) // a folded entry shows its first line
	})
	out := b.Findings[:0]
	for _, e := range b.Findings {
		if n := len(out); n > 0 && sameEntry(out[n-1], e) {
			out[n-1].Count = out[n-1].count() + e.count()
			continue
		}
		out = append(out, e)
	}
	b.Findings = out
}

// sameEntry compares what identifies an entry: the count is folded, and a
// line or message (shown only) does not make two entries different.
func sameEntry(x, y BaselineEntry) bool {
	x.Count, y.Count = 0, 0
	x.Line, y.Line, x.Message, y.Message = 0, 0, "", ""
	return x == y
}

// Write writes the baseline with one finding per line, so that a change in
// the findings is a change of as many lines in a diff.
func (b *Baseline) Write(w io.Writer) error {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "{\n  \"version\": %d,\n  \"findings\": [", b.Version)
	for i, e := range b.Findings {
		line, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n    ")
		buf.Write(line)
	}
	if len(b.Findings) > 0 {
		buf.WriteString("\n  ")
	}
	buf.WriteString("]\n}\n")
	_, err := w.Write(buf.Bytes())
	return err
}

// Len is the number of findings the baseline holds, suppressed ones included.
func (b *Baseline) Len() int {
	n := 0
	for _, e := range b.Findings {
		n += e.count()
	}
	return n
}

// LoadBaseline reads a baseline file, or a SARIF file or JSON report
// written by scangate.
func LoadBaseline(file string) (*Baseline, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("baseline %s: does not exist (create it with scangate baseline create)", file)
		}
		return nil, fmt.Errorf("baseline %s: %w", file, err)
	}
	return ParseBaseline(file, data)
}

// ParseBaseline reads a scangate baseline ({"version", "findings"}), or a
// SARIF 2.1.0 file or JSON report written by scangate (model.ReadFindings);
// name is used in errors. The findings of a report are recorded as a
// baseline file records them: by the same fingerprint.
func ParseBaseline(name string, data []byte) (*Baseline, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("baseline %s: want a JSON object, got a JSON %s", name, te.Value)
		}
		return nil, fmt.Errorf("baseline %s: %s", name, jsonpos.Describe(data, err))
	}
	switch {
	case top["runs"] != nil || top["schemaVersion"] != nil:
		fs, err := model.ReadFindings(name, data)
		if err != nil {
			return nil, err
		}
		b := &Baseline{Version: BaselineVersion, Findings: []BaselineEntry{}}
		for i := range fs {
			b.Findings = append(b.Findings, entryOf(&fs[i]))
		}
		// A report's entries must read back from the baseline file they make.
		if err := b.check(name); err != nil {
			return nil, err
		}
		b.normalize()
		return b, nil
	case top["findings"] != nil:
	default:
		return nil, fmt.Errorf("baseline %s: neither a scangate baseline (no \"findings\"), a SARIF file (no \"runs\") nor a JSON report (no \"schemaVersion\")", name)
	}
	var b Baseline
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("baseline %s: %s", name, jsonpos.Describe(data, err))
	}
	if b.Version != BaselineVersion {
		return nil, fmt.Errorf("baseline %s: unsupported version %d (this scangate reads version %d)", name, b.Version, BaselineVersion)
	}
	if err := b.check(name); err != nil {
		return nil, err
	}
	if b.Findings == nil {
		b.Findings = []BaselineEntry{}
	}
	b.normalize()
	return &b, nil
}

func (b *Baseline) check(name string) error {
	for i, e := range b.Findings {
		switch {
		case e.Fingerprint == "" || strings.ContainsAny(e.Fingerprint, " \t\n"):
			return fmt.Errorf("baseline %s: findings[%d]: missing or invalid fingerprint", name, i)
		case e.Tool == "" || e.Rule == "":
			return fmt.Errorf("baseline %s: findings[%d]: tool and rule are required", name, i)
		case e.Count < 0:
			return fmt.Errorf("baseline %s: findings[%d]: negative count", name, i)
		}
	}
	return nil
}

// MarkFixed sets StatusBaseline on the findings the baseline holds and
// returns the entries no longer found, each with Count set to how many of
// it are gone. A finding matches an entry with its
// fingerprint; a dependency finding also matches an entry for the same
// package version, manifest and advisory (any alias), so that a finding
// keeps its baseline when another tool reports it first. An entry of a tool
// that did not complete is unknown, not fixed.
func (b *Baseline) MarkFixed(results []finding.Result) (fixed []BaselineEntry) {
	left := make([]int, len(b.Findings))
	byFP := map[string][]int{}
	for i, e := range b.Findings {
		left[i] = e.count()
		byFP[e.Fingerprint] = append(byFP[e.Fingerprint], i)
	}
	risen := map[string]bool{} // fingerprints found reached more strongly than recorded
	take := func(f *finding.Finding, match func(e BaselineEntry) bool, candidates []int) bool {
		for _, i := range candidates {
			if e := b.Findings[i]; e.Reachable != finding.ReachUnknown && f.Reachable > e.Reachable && match(e) {
				risen[e.Fingerprint] = true
				continue
			}
			if left[i] > 0 && (!b.Findings[i].Suppressed || f.Suppressed()) && match(b.Findings[i]) {
				left[i]--
				f.Status = finding.StatusBaseline
				return true
			}
		}
		return false
	}
	all := make([]int, len(b.Findings))
	for i := range all {
		all[i] = i
	}
	var rest []*finding.Finding
	for r := range results {
		for i := range results[r].Findings {
			f := &results[r].Findings[i]
			if !take(f, func(BaselineEntry) bool { return true }, byFP[f.Fingerprint]) && f.Package != nil {
				rest = append(rest, f)
			}
		}
	}
	for _, f := range rest {
		pkg := f.Package.Name + "@" + f.Package.Version
		take(f, func(e BaselineEntry) bool {
			return e.Package != "" && samePackage(e.Package, pkg, f.Package.Ecosystem) && e.Path == f.Location.Path && hasID(f, e.Rule)
		}, all)
	}
	completed := map[string]bool{}
	present := map[string]bool{}
	for _, r := range results {
		completed[r.Tool] = r.State == finding.Completed
		for _, f := range r.Findings {
			present[f.Fingerprint] = true
		}
	}
	for i, e := range b.Findings {
		// A suppressed entry whose finding is back unsuppressed is not fixed: the finding is new.
		// Nor is one whose finding is now reached more strongly: it is new.
		if left[i] > 0 && completed[e.Tool] && !(e.Suppressed && present[e.Fingerprint]) && !risen[e.Fingerprint] {
			e.Count = left[i]
			fixed = append(fixed, e)
		}
	}
	return fixed
}

func samePackage(a, b, ecosystem string) bool {
	an, av := splitPackage(a)
	bn, bv := splitPackage(b)
	return finding.NormalizeName(ecosystem, an) == finding.NormalizeName(ecosystem, bn) &&
		finding.NormalizeVersion(ecosystem, av) == finding.NormalizeVersion(ecosystem, bv)
}

// splitPackage splits name@version at the last "@" that is not the first
// character, so that npm's "@scope/name@1.0.0" keeps its scope.
func splitPackage(s string) (name, version string) {
	if i := strings.LastIndex(s, "@"); i > 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}
