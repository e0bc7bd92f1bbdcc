package finding

import (
	"strings"

	cvss30 "github.com/pandatix/go-cvss/30"
	cvss31 "github.com/pandatix/go-cvss/31"
	cvss40 "github.com/pandatix/go-cvss/40"
)

// ScoreFromVectors returns the highest CVSS base score among vectors that
// parse (v3.0, v3.1 or v4.0, as OSV "severity" entries carry them). ok is
// false when none parses.
func ScoreFromVectors(vectors []string) (score float64, ok bool) {
	for _, v := range vectors {
		s, good := scoreVector(strings.TrimSpace(v))
		if good && (!ok || s > score) {
			score, ok = s, true
		}
	}
	return score, ok
}

func scoreVector(v string) (float64, bool) {
	switch {
	case strings.HasPrefix(v, "CVSS:3.1/"):
		c, err := cvss31.ParseVector(v)
		if err == nil {
			return c.BaseScore(), true
		}
	case strings.HasPrefix(v, "CVSS:3.0/"):
		c, err := cvss30.ParseVector(v)
		if err == nil {
			return c.BaseScore(), true
		}
	case strings.HasPrefix(v, "CVSS:4.0/"):
		c, err := cvss40.ParseVector(v)
		if err == nil {
			return c.Score(), true
		}
	}
	return 0, false
}

// SeverityFromLabel maps a GitHub advisory's database_specific.severity
// (LOW, MODERATE, HIGH, CRITICAL) or a plain severity name.
func SeverityFromLabel(label string) (Severity, bool) {
	switch strings.ToUpper(strings.TrimSpace(label)) {
	case "CRITICAL":
		return Critical, true
	case "HIGH":
		return High, true
	case "MODERATE", "MEDIUM":
		return Medium, true
	case "LOW":
		return Low, true
	}
	return Info, false
}

// DefaultVulnSeverity applies to an advisory with neither a CVSS vector nor a
// severity label: a known vulnerability in a dependency is taken seriously
// but below what a scored High would be.
const DefaultVulnSeverity = Medium

// AdvisorySeverity is the documented order: the CVSS vectors' highest base
// score, else the label, else DefaultVulnSeverity. score is 0 when no vector
// gave one.
func AdvisorySeverity(vectors []string, label string) (sev Severity, score float64) {
	if s, ok := ScoreFromVectors(vectors); ok {
		return SeverityFromScore(s), s
	}
	if s, ok := SeverityFromLabel(label); ok {
		return s, 0
	}
	return DefaultVulnSeverity, 0
}
