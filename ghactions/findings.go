package ghactions

import (
	"fmt"
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

// FromFindings turns findings, most severe first (model.Report.Ranked), into
// annotations. scanRoot is the scanned root relative to the repository root
// ("" when it is the root): annotations name files from the repository root,
// as the SARIF report does (report.RepoPath), our findings from the scanned
// root.
func FromFindings(findings []finding.Finding, scanRoot string) []Annotation {
	anns := make([]Annotation, 0, len(findings))
	for _, f := range findings {
		l := f.Location
		file := report.RepoPath(scanRoot, l.Path)
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
			Title:     fmt.Sprintf("%s %s (%s)", strings.ToUpper(f.SeverityLabel()), f.RuleID, tools),
			Message:   report.Message(f),
		})
	}
	return anns
}
