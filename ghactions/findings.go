package ghactions

import (
	"fmt"
	"path"
	"strings"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/report"
)

// LevelOf maps a severity to an annotation level: critical and high are
// errors, medium is a warning, low and info are notices (the same split
// as the SARIF result level).
func LevelOf(s finding.Severity) Level {
	switch report.Level(s) {
	case "error":
		return Error
	case "warning":
		return Warning
	}
	return Notice
}

// FromFindings turns findings, most severe first (report.Scan.Ranked), into
// annotations. prefix is the scanned root relative to the repository root
// ("" when it is the root): annotations name files from the repository root,
// our findings from the scanned root.
func FromFindings(findings []finding.Finding, prefix string) []Annotation {
	anns := make([]Annotation, 0, len(findings))
	for _, f := range findings {
		l := f.Location
		file := l.Path
		if file != "" && prefix != "" {
			file = path.Join(prefix, file)
		}
		tools := f.Tool
		if len(f.Tools) > 1 {
			tools = strings.Join(f.Tools, "+")
		}
		anns = append(anns, Annotation{
			Level:     LevelOf(f.Severity),
			File:      file,
			Line:      l.StartLine,
			EndLine:   l.EndLine,
			Col:       l.StartColumn,
			EndColumn: l.EndColumn,
			Title:     fmt.Sprintf("%s %s (%s)", strings.ToUpper(f.Severity.String()), f.RuleID, tools),
			Message:   report.Message(f),
		})
	}
	return anns
}
