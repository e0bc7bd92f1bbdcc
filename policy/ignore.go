package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/pathglob"
	"github.com/scangate/scangate/internal/yamlerr"
)

// Ignore is a parsed .scangate-ignore.yml: findings the team accepted, each
// with a reason and, preferably, a date by which to look again.
//
//	suppressions:
//	  - rule: G101                      # rule or advisory ID, or any alias
//	    path: internal/store/admin.go   # a glob, as --exclude (docs/policy.md)
//	    package: golang.org/x/text      # name or name@version
//	    fingerprint: 3f2a…              # one exact finding
//	    reason: test credential for the local console
//	    expires: 2027-01-31             # optional; the entry stops suppressing after this day (UTC)
//
// An entry matches a finding when every matcher it gives matches.
type Ignore struct {
	// File is the ignore file as it appears in markers and notes.
	File    string
	Entries []IgnoreEntry
}

// IgnoreEntry is one suppression.
type IgnoreEntry struct {
	Rule        string
	Path        string
	Package     string
	Fingerprint string
	Reason      string
	Expires     time.Time // zero: no expiry date
	Line        int
}

// IgnoreOptions tune parsing.
type IgnoreOptions struct {
	// RequireExpiry rejects entries without an expires date.
	RequireExpiry bool
}

// IgnoreError lists every problem of an ignore file, each as file:line:col.
type IgnoreError struct{ Problems []string }

func (e *IgnoreError) Error() string { return strings.Join(e.Problems, "\n") }

// LoadIgnore reads an ignore file; display is the name used in markers,
// notes and errors (the path relative to the scanned root, usually).
func LoadIgnore(file, display string, opt IgnoreOptions) (*Ignore, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("ignore file %s: does not exist", display)
		}
		return nil, fmt.Errorf("ignore file %s: %w", display, err)
	}
	return ParseIgnore(display, data, opt)
}

var ignoreKeys = []string{"rule", "path", "package", "fingerprint", "reason", "expires"}

var fingerprintRE = regexp.MustCompile(`^[0-9a-f]{8,64}$`)

// ParseIgnore parses an ignore file; name is used in markers and errors.
func ParseIgnore(name string, data []byte, opt IgnoreOptions) (*Ignore, error) {
	ig := &Ignore{File: name}
	var probs []string
	errf := func(n *yaml.Node, format string, args ...any) {
		if len(probs) < 50 {
			probs = append(probs, fmt.Sprintf("%s:%d:%d: %s", name, n.Line, n.Column, fmt.Sprintf(format, args...)))
		}
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return ig, nil
		}
		return nil, &IgnoreError{Problems: []string{yamlerr.Format(name, err)}}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &IgnoreError{Problems: []string{fmt.Sprintf("%s:%d:%d: a second YAML document; the file must hold one", name, extra.Line, extra.Column)}}
	} else if !errors.Is(err, io.EOF) {
		return nil, &IgnoreError{Problems: []string{yamlerr.Format(name, err)}}
	}
	if len(doc.Content) == 0 || yamlerr.IsNull(doc.Content[0]) {
		return ig, nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		errf(top, "want a mapping with the key suppressions, got %s", yamlerr.Kind(top))
		return nil, &IgnoreError{Problems: probs}
	}
	var list *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch {
		case k.Value != "suppressions":
			errf(k, "unknown key %q at the top level (allowed: suppressions)", k.Value)
		case list != nil:
			errf(k, "suppressions: duplicate key")
		default:
			list = v
		}
	}
	if list != nil && !yamlerr.IsNull(list) {
		if list.Kind != yaml.SequenceNode {
			errf(list, "suppressions: want a list of entries, got %s", yamlerr.Kind(list))
		} else {
			for i, item := range list.Content {
				if e, ok := parseEntry(item, fmt.Sprintf("suppressions[%d]", i), opt, errf); ok {
					ig.Entries = append(ig.Entries, e)
				}
			}
		}
	}
	if len(probs) > 0 {
		return nil, &IgnoreError{Problems: probs}
	}
	return ig, nil
}

func parseEntry(n *yaml.Node, at string, opt IgnoreOptions, errf func(*yaml.Node, string, ...any)) (IgnoreEntry, bool) {
	e := IgnoreEntry{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		errf(n, "%s: want a mapping with %s, got %s", at, strings.Join(ignoreKeys, ", "), yamlerr.Kind(n))
		return e, false
	}
	ok := true
	bad := func(node *yaml.Node, format string, args ...any) {
		errf(node, format, args...)
		ok = false
	}
	seen := map[string]bool{}
	var expiresNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		if !slices.Contains(ignoreKeys, key) || k.Kind != yaml.ScalarNode {
			bad(k, "%s: unknown key %q (allowed: %s)", at, key, strings.Join(ignoreKeys, ", "))
			continue
		}
		if seen[key] {
			bad(k, "%s.%s: duplicate key", at, key)
			continue
		}
		seen[key] = true
		if key == "expires" {
			expiresNode = v
			if v.Kind != yaml.ScalarNode || (v.ShortTag() != "!!timestamp" && v.ShortTag() != "!!str") {
				bad(v, "%s.expires: want a date such as 2027-01-31, got %s", at, yamlerr.Kind(v))
				continue
			}
			t, err := time.Parse(time.DateOnly, v.Value)
			if err != nil {
				bad(v, "%s.expires: invalid date %q (want YYYY-MM-DD, such as 2027-01-31)", at, v.Value)
				continue
			}
			e.Expires = t
			continue
		}
		// IDs such as 1234 (safety) are integers to YAML; every other value must be a string.
		if v.Kind != yaml.ScalarNode || (v.ShortTag() != "!!str" && !(key == "rule" && v.ShortTag() == "!!int")) {
			bad(v, "%s.%s: want a string, got %s", at, key, yamlerr.Kind(v))
			continue
		}
		s := strings.TrimSpace(v.Value)
		if s == "" {
			bad(v, "%s.%s: empty", at, key)
			continue
		}
		switch key {
		case "rule":
			e.Rule = s
		case "path":
			if err := pathglob.Check(s); err != nil {
				bad(v, "%s.path: invalid %v", at, err)
				continue
			}
			e.Path = strings.TrimPrefix(s, "./")
		case "package":
			e.Package = s
		case "fingerprint":
			if !fingerprintRE.MatchString(s) {
				bad(v, "%s.fingerprint: invalid value %q (want the hexadecimal fingerprint from a report)", at, s)
				continue
			}
			e.Fingerprint = s
		case "reason":
			e.Reason = s
		}
	}
	if !ok {
		return e, false
	}
	if e.Rule == "" && e.Path == "" && e.Package == "" && e.Fingerprint == "" {
		errf(n, "%s: matches everything; give at least one of rule, path, package or fingerprint", at)
		return e, false
	}
	if !seen["reason"] {
		errf(n, "%s: reason is required: say why this finding is accepted", at)
		return e, false
	}
	if opt.RequireExpiry && expiresNode == nil {
		errf(n, "%s: expires is required by the configuration (suppressions.require-expiry); add a date such as expires: %s",
			at, time.Now().AddDate(0, 3, 0).Format(time.DateOnly))
		return e, false
	}
	return e, true
}

// String describes the entry as its matchers.
func (e IgnoreEntry) String() string {
	var parts []string
	for _, p := range [][2]string{{"rule", e.Rule}, {"path", e.Path}, {"package", e.Package}, {"fingerprint", e.Fingerprint}} {
		if p[1] != "" {
			parts = append(parts, p[0]+" "+p[1])
		}
	}
	return strings.Join(parts, ", ")
}

// Expired reports whether the entry no longer suppresses on day now: an
// entry is valid through its expiry date, in UTC.
func (e IgnoreEntry) Expired(now time.Time) bool {
	return !e.Expires.IsZero() && !now.UTC().Before(e.Expires.AddDate(0, 0, 1))
}

// Matches reports whether every matcher the entry gives matches f.
func (e IgnoreEntry) Matches(f *finding.Finding) bool {
	if e.Fingerprint != "" && e.Fingerprint != f.Fingerprint {
		return false
	}
	if e.Rule != "" && !hasID(f, e.Rule) {
		return false
	}
	if e.Path != "" && !pathglob.Match([]string{e.Path}, f.Location.Path) {
		return false
	}
	if e.Package != "" {
		p := f.Package
		if p == nil {
			return false
		}
		name, version := splitPackage(e.Package)
		if finding.NormalizeName(p.Ecosystem, name) != finding.NormalizeName(p.Ecosystem, p.Name) {
			return false
		}
		if version != "" && finding.NormalizeVersion(p.Ecosystem, version) != finding.NormalizeVersion(p.Ecosystem, p.Version) {
			return false
		}
	}
	return true
}

// hasID reports whether id names the finding's rule or one of its aliases.
func hasID(f *finding.Finding, id string) bool {
	if strings.EqualFold(f.RuleID, id) {
		return true
	}
	for _, a := range f.Aliases {
		if strings.EqualFold(a, id) {
			return true
		}
	}
	return false
}

// IgnoreReport says what an ignore file did to one scan.
type IgnoreReport struct {
	File       string
	Suppressed int           // findings suppressed by the file
	Expired    []IgnoreHit   // expired entries, with the findings they no longer suppress
	Stale      []IgnoreEntry // unexpired entries that matched nothing
	NoExpiry   []IgnoreEntry // entries without an expiry date
	Expiring   []IgnoreEntry // entries that expire within ExpiringWithin
	now        time.Time
}

// IgnoreHit is an entry and how many findings it matched.
type IgnoreHit struct {
	Entry    IgnoreEntry
	Findings int
}

// ExpiringWithin is how early the summary warns about an expiry.
const ExpiringWithin = 14 * 24 * time.Hour

// Apply suppresses the findings the file's unexpired entries match: each
// gets an external suppression with the entry's reason. Expired entries
// suppress nothing. Results are changed in place.
func (ig *Ignore) Apply(results []finding.Result, now time.Time) IgnoreReport {
	rep := IgnoreReport{File: ig.File, now: now}
	hits := make([]int, len(ig.Entries))
	for r := range results {
		for i := range results[r].Findings {
			f := &results[r].Findings[i]
			suppressed := false
			for j, e := range ig.Entries {
				if !e.Matches(f) {
					continue
				}
				hits[j]++
				if suppressed || e.Expired(now) {
					continue
				}
				f.Suppressions = append(f.Suppressions, finding.Suppression{
					Kind:          "external",
					Justification: e.Reason,
					Marker:        fmt.Sprintf("%s:%d", ig.File, e.Line),
					Expires:       e.Expires,
				})
				suppressed = true
			}
			if suppressed {
				rep.Suppressed++
			}
		}
	}
	for j, e := range ig.Entries {
		switch {
		case e.Expired(now):
			rep.Expired = append(rep.Expired, IgnoreHit{e, hits[j]})
			continue
		case hits[j] == 0:
			rep.Stale = append(rep.Stale, e)
		}
		if e.Expires.IsZero() {
			rep.NoExpiry = append(rep.NoExpiry, e)
		} else if e.Expires.Sub(now) < ExpiringWithin {
			rep.Expiring = append(rep.Expiring, e)
		}
	}
	return rep
}

// Notes are the summary lines for the report: expired entries (whose
// findings count again), entries that matched nothing, entries without an
// expiry date and entries that expire soon. Pass partial when the scan did
// not run every scanner to completion: an entry that matched nothing may
// then belong to a scanner that did not finish, so it is not called stale.
func (r IgnoreReport) Notes(partial bool) []string {
	var out []string
	for _, h := range r.Expired {
		what := "it matched no finding; remove or renew it"
		if h.Findings > 0 {
			what = fmt.Sprintf("%d finding(s) it matched count again", h.Findings)
		}
		out = append(out, fmt.Sprintf("%s:%d: suppression (%s) expired on %s: %s", r.File, h.Entry.Line, h.Entry, h.Entry.Expires.Format(time.DateOnly), what))
	}
	if !partial {
		for _, e := range r.Stale {
			out = append(out, fmt.Sprintf("%s:%d: stale suppression (%s) matched no finding; remove it", r.File, e.Line, e))
		}
	}
	for _, e := range r.NoExpiry {
		out = append(out, fmt.Sprintf("%s:%d: suppression (%s) has no expires date; add one so that it is reviewed again", r.File, e.Line, e))
	}
	for _, e := range r.Expiring {
		days := int(e.Expires.AddDate(0, 0, 1).Sub(r.now).Hours() / 24)
		out = append(out, fmt.Sprintf("%s:%d: suppression (%s) expires on %s, in %d day(s)", r.File, e.Line, e, e.Expires.Format(time.DateOnly), days))
	}
	return out
}
