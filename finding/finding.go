// Package finding is what every scanner adapter produces and every later
// stage consumes: findings, each tool's result with its units, and what
// works on them alone (correlation across tools, remediation, CVSS, the
// package inventory, the Verdict). It imports no other package of ours.
package finding

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Severity orders findings for the gate. The zero value is Info so that a
// finding without any severity information never fails a gate by accident.
type Severity int

const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity accepts the names printed by String, case-insensitively.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Severity(i), nil
		}
	}
	return Info, fmt.Errorf("unknown severity %q (want one of %s)", s, strings.Join(severityNames[:], ", "))
}

// Score is the default numeric severity (GitHub's security-severity scale,
// 0.0-10.0) for a finding that has no CVSS score of its own: the midpoint of
// the band GitHub maps back to the same name.
func (s Severity) Score() float64 {
	switch s {
	case Critical:
		return 9.5
	case High:
		return 8.0
	case Medium:
		return 5.5
	case Low:
		return 2.0
	}
	return 0.0
}

// SeverityFromScore maps a CVSS base score to a severity using the CVSS v3
// qualitative bands, which GitHub also uses.
func SeverityFromScore(score float64) Severity {
	switch {
	case score >= 9.0:
		return Critical
	case score >= 7.0:
		return High
	case score >= 4.0:
		return Medium
	case score > 0:
		return Low
	}
	return Info
}

// Reachability says how strongly a vulnerable dependency is used.
type Reachability int

const (
	ReachUnknown Reachability = iota // the tool cannot tell (osv-scanner, safety, SAST findings)
	Required                         // the module is required, no vulnerable package imported
	Imported                         // a vulnerable package is imported, no vulnerable symbol called
	Called                           // a vulnerable symbol is reachable from our code
)

func (r Reachability) String() string {
	switch r {
	case Required:
		return "required"
	case Imported:
		return "imported"
	case Called:
		return "called"
	}
	return "unknown"
}

// Location is a position in the scanned tree. Path is relative to the scanned
// root with "/" separators; lines and columns are 1-based, 0 when unknown.
type Location struct {
	Path        string `json:"path"`
	StartLine   int    `json:"startLine,omitempty"`
	StartColumn int    `json:"startColumn,omitempty"`
	EndLine     int    `json:"endLine,omitempty"`
	EndColumn   int    `json:"endColumn,omitempty"`
	// Snippet is the flagged source text when the tool gives it; it feeds the
	// fingerprint so that findings survive line shifts.
	Snippet string `json:"snippet,omitempty"`
}

func (l Location) String() string {
	switch {
	case l.Path == "":
		return ""
	case l.StartLine == 0:
		return l.Path
	case l.StartColumn == 0:
		return fmt.Sprintf("%s:%d", l.Path, l.StartLine)
	}
	return fmt.Sprintf("%s:%d:%d", l.Path, l.StartLine, l.StartColumn)
}

// Package identifies the vulnerable dependency of a dependency finding.
type Package struct {
	Ecosystem string   `json:"ecosystem"` // OSV ecosystem name: Go, PyPI, npm, ...
	Name      string   `json:"name"`
	Version   string   `json:"version"`
	Fixed     []string `json:"fixed,omitempty"` // versions that fix this advisory, lowest first
	// Manifest is the go.mod, lockfile or requirements file (relative to the
	// root) that brings the package in; Correlate joins findings per manifest
	// directory so that two projects in one repository stay apart.
	Manifest string `json:"manifest,omitempty"`
}

// Frame is one step of a call stack from our code into a vulnerable symbol.
type Frame struct {
	Function string   `json:"function"`
	Package  string   `json:"package,omitempty"`
	Location Location `json:"location"`
	// External is true for frames in a dependency, whose paths are relative
	// to the dependency's module root rather than the scanned root.
	External bool `json:"external,omitempty"`
}

// Suppression records why a finding does not count for the gate.
type Suppression struct {
	Kind          string    `json:"kind"` // "inSource" or "external", as in SARIF
	Justification string    `json:"justification,omitempty"`
	Marker        string    `json:"marker,omitempty"` // "#nosec", "//nolint:gosec", ".scangate-ignore.yml", ...
	Expires       time.Time `json:"expires,omitzero"`
}

// Status is set by the policy stage.
type Status int

const (
	StatusNew        Status = iota // not in the baseline (or no baseline): counts for the gate
	StatusBaseline                 // already known: does not count
	StatusSuppressed               // suppressed in source or in the ignore file: does not count
)

func (s Status) String() string {
	switch s {
	case StatusBaseline:
		return "unchanged"
	case StatusSuppressed:
		return "suppressed"
	}
	return "new"
}

// Finding is one problem one tool (or several, after Correlate) reported.
type Finding struct {
	Tool     string   `json:"tool"`
	RuleID   string   `json:"ruleId"`
	Severity Severity `json:"severity"`
	Score    float64  `json:"score,omitempty"` // CVSS base score when the advisory has one
	// SeverityUnknown: neither the advisory nor any alias in the database
	// carries a CVSS vector or a severity label; Severity then holds
	// DefaultVulnSeverity so that thresholds still apply.
	SeverityUnknown bool `json:"severityUnknown,omitempty"`
	// SeverityFrom is the alias whose record gave the severity when the
	// finding's own advisory has none ("GHSA-ppp9-7jff-5vj2").
	SeverityFrom string   `json:"severityFrom,omitempty"`
	Confidence   string   `json:"confidence,omitempty"`
	Message      string   `json:"message"`
	Location     Location `json:"location"`
	// Module is the Go module path or project directory the finding belongs to.
	Module       string        `json:"module,omitempty"`
	Package      *Package      `json:"package,omitempty"`
	Aliases      []string      `json:"aliases,omitempty"`
	Reachable    Reachability  `json:"reachability,omitzero"`
	Trace        []Frame       `json:"trace,omitempty"`
	Tools        []string      `json:"tools,omitempty"` // every tool that reported it
	Fingerprint  string        `json:"fingerprint"`
	Suppressions []Suppression `json:"suppressions,omitempty"`
	Status       Status        `json:"status"`
	// Fails is set by the policy stage: this finding fails the gate.
	Fails bool `json:"fails,omitempty"`
	// Remediation is the upgrade that fixes this dependency finding, as
	// Remediate words it; "" when none is known.
	Remediation string `json:"remediation,omitempty"`
	// AdvisorySeverity is the advisory's own severity when the reachability
	// rule lowered Severity; nil when it did not.
	AdvisorySeverity *Severity `json:"advisorySeverity,omitempty"`
	// ToolSeverity is the tool's own severity when the configuration
	// overrode Severity; nil when it did not.
	ToolSeverity *Severity `json:"toolSeverity,omitempty"`
	// Properties carries tool-specific facts worth showing (Go version
	// assumed, ...), written by the adapter and only displayed; values
	// a later stage reads have their own field. Keys are camelCase: the
	// JSON report's schema holds them to it.
	Properties map[string]string `json:"properties,omitempty"`
}

// ReportedProperties are the properties SARIF shows: Properties plus the
// typed facts later stages added, under the names of their JSON fields
// ("remediation", "advisorySeverity", "toolSeverity").
func (f *Finding) ReportedProperties() map[string]string {
	if f.Remediation == "" && f.AdvisorySeverity == nil && f.ToolSeverity == nil {
		return f.Properties
	}
	out := make(map[string]string, len(f.Properties)+3)
	for k, v := range f.Properties {
		out[k] = v
	}
	if f.Remediation != "" {
		out["remediation"] = f.Remediation
	}
	if f.AdvisorySeverity != nil {
		out["advisorySeverity"] = f.AdvisorySeverity.String()
	}
	if f.ToolSeverity != nil {
		out["toolSeverity"] = f.ToolSeverity.String()
	}
	return out
}

// Rule describes a check or an advisory.
type Rule struct {
	ID           string   `json:"id"`
	Name         string   `json:"name,omitempty"`
	Short        string   `json:"shortDescription,omitempty"`
	Full         string   `json:"fullDescription,omitempty"`
	Help         string   `json:"help,omitempty"`
	HelpMarkdown string   `json:"helpMarkdown,omitempty"`
	HelpURI      string   `json:"helpUri,omitempty"`
	Tags         []string `json:"tags,omitempty"` // "external/cwe/cwe-78", ...
	Severity     Severity `json:"severity"`
	Score        float64  `json:"score,omitempty"`
	// SeverityUnknown: the advisory has no score or label (see Finding).
	SeverityUnknown bool `json:"severityUnknown,omitempty"`
}

// Level of a Notification, named as in SARIF.
type Level string

const (
	LevelError   Level = "error"
	LevelWarning Level = "warning"
	LevelNote    Level = "note"
)

// Notification is a message about the run itself, not about the code.
type Notification struct {
	Level    Level    `json:"level"`
	Message  string   `json:"message"`
	Location Location `json:"location,omitzero"`
}

// State is how a tool's run ended.
type State int

const (
	Completed  State = iota // the tool analyzed what applied
	Incomplete              // it applied but could not analyze everything (error, timeout, panic, nothing loaded)
	Skipped                 // it did not apply or is an optional tool that is not installed
)

func (s State) String() string {
	switch s {
	case Incomplete:
		return "incomplete"
	case Skipped:
		return "skipped"
	}
	return "completed"
}

// Kind is what a scanner analyzes, so that reports made of one kind
// (GitLab's SAST and dependency scanning) know which runs they cover.
type Kind int

const (
	KindUnknown      Kind = iota // a scanner the registry does not know
	KindCode                     // the sources themselves (gosec, bandit)
	KindDependencies             // known vulnerabilities of dependencies (govulncheck, osv-scanner, safety)
	KindSecrets                  // committed credentials (secrets)
)

// Result is one tool's run.
type Result struct {
	Tool string `json:"tool"`
	// Kind is set by the pipeline from the registry.
	Kind           Kind           `json:"-"`
	Version        string         `json:"version,omitempty"`
	InformationURI string         `json:"informationUri,omitempty"`
	Rules          []Rule         `json:"rules,omitempty"`
	Findings       []Finding      `json:"findings"`
	Notifications  []Notification `json:"notifications,omitempty"`
	State          State          `json:"state"`
	// Units are the parts of the tree the tool analyzed one by one, each
	// with its own state; nil for a tool that analyzes the tree as a whole.
	Units []Unit `json:"units,omitempty"`
	// Packages are the packages the tool found in its units, vulnerable
	// or not (the SBOM's components); nil for a tool that lists none.
	Packages []Component   `json:"packages,omitempty"`
	Duration time.Duration `json:"-"` // the JSON report has it in milliseconds
}

// Rule returns the rule with the given ID, or nil.
func (r *Result) Rule(id string) *Rule {
	for i := range r.Rules {
		if r.Rules[i].ID == id {
			return &r.Rules[i]
		}
	}
	return nil
}

// AddRule adds rule unless a rule with its ID is already present.
func (r *Result) AddRule(rule Rule) {
	if r.Rule(rule.ID) == nil {
		r.Rules = append(r.Rules, rule)
	}
}

// Errorf records an error notification.
func (r *Result) Errorf(format string, args ...any) {
	r.Notifications = append(r.Notifications, Notification{Level: LevelError, Message: fmt.Sprintf(format, args...)})
}

// Warnf records a warning notification.
func (r *Result) Warnf(format string, args ...any) {
	r.Notifications = append(r.Notifications, Notification{Level: LevelWarning, Message: fmt.Sprintf(format, args...)})
}

// Suppressed reports whether any suppression applies.
func (f *Finding) Suppressed() bool { return len(f.Suppressions) > 0 }

// SeverityLabel is the severity as outputs name it: "unknown" when the
// advisory gave none, whatever severity the gate treats it as.
func (f *Finding) SeverityLabel() string {
	if f.SeverityUnknown {
		return "unknown"
	}
	return f.Severity.String()
}

// Fingerprint hashes the parts of a finding that identify it independently
// of where it sits in a file: pass the tool, rule, path and either the
// normalized flagged code or package@version. Lines are deliberately absent.
func Fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// NormalizeCode folds whitespace so that re-indenting code keeps its fingerprint.
func NormalizeCode(code string) string {
	return strings.Join(strings.Fields(code), " ")
}

// Text forms keep JSON reports readable and stable.

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

func (r Reachability) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

func (r *Reachability) UnmarshalText(b []byte) error {
	return unmarshalText(r, b, "reachability", ReachUnknown, Required, Imported, Called)
}

func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Status) UnmarshalText(b []byte) error {
	return unmarshalText(s, b, "status", StatusNew, StatusBaseline, StatusSuppressed)
}

func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *State) UnmarshalText(b []byte) error {
	return unmarshalText(s, b, "state", Completed, Incomplete, Skipped)
}

// unmarshalText sets *p to the one of values whose text is b.
func unmarshalText[T fmt.Stringer](p *T, b []byte, what string, values ...T) error {
	for _, v := range values {
		if v.String() == string(b) {
			*p = v
			return nil
		}
	}
	return fmt.Errorf("unknown %s %q", what, b)
}

// SecurityScore is the finding's numeric severity (GitHub's 0.0-10.0
// security-severity): its CVSS score when that agrees with its severity
// (which reachability or the configuration may have changed), else the
// severity's default score.
func (f Finding) SecurityScore() float64 {
	if f.Score > 0 && SeverityFromScore(f.Score) == f.Severity {
		return f.Score
	}
	return f.Severity.Score()
}
