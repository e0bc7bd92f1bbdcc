package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/model"
)

// The JUnit XML elements CI systems read: Jenkins' xunit junit-10 schema
// (no skipped count on testsuites, no file on testcase: the plugin skips a
// file that has one), which GitLab reads too. The path is in the case's name.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitSkipped `xml:"skipped"`
	Error     *junitProblem `xml:"error"`
	Failure   *junitProblem `xml:"failure"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr,omitempty"`
}

// JUnit writes the scan as JUnit XML: a test suite per scanner, whose first
// test case is the scanner's run (an error when it could not complete,
// skipped when it did not run), then one failed test case per finding that
// fails the gate. A scanner that did not analyze everything is never a
// silent pass.
func JUnit(w io.Writer, s *model.Report) error {
	doc := junitSuites{Name: "scangate", Time: seconds(s.Duration.Seconds())}
	for _, r := range s.Results {
		suite := junitSuite{Name: r.Tool, Time: seconds(r.Duration.Seconds())}
		class := "scangate." + r.Tool
		run := junitCase{Name: r.Tool + " scan", Classname: class, Time: suite.Time}
		switch r.State {
		case finding.Incomplete:
			run.Error = &junitProblem{Message: r.Tool + " could not complete: its findings are partial", Type: "incomplete", Text: errorsOf(r)}
			suite.Errors++
		case finding.Skipped:
			run.Skipped = &junitSkipped{Message: strings.Trim(skipReason(r), "()")}
			suite.Skipped++
		}
		suite.Cases = append(suite.Cases, run)
		for _, f := range r.Findings {
			if !f.Fails {
				continue
			}
			suite.Cases = append(suite.Cases, junitFailure(f, class))
			suite.Failures++
		}
		suite.Tests = len(suite.Cases)
		doc.Suites = append(doc.Suites, suite)
		doc.Tests += suite.Tests
		doc.Failures += suite.Failures
		doc.Errors += suite.Errors
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitFailure(f finding.Finding, class string) junitCase {
	loc := f.Location.String()
	if f.Package != nil && f.Package.Manifest != "" && f.Location.Path == "" {
		loc = f.Package.Manifest
	}
	name := f.RuleID
	if loc != "" {
		name += " at " + loc
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Rule: %s\nSeverity: %s\n", f.RuleID, f.Severity)
	if loc != "" {
		fmt.Fprintf(&b, "Location: %s\n", loc)
	}
	if p := f.Package; p != nil {
		fmt.Fprintf(&b, "Package: %s %s\n", p.Name, p.Version)
	}
	if len(f.Aliases) > 0 {
		fmt.Fprintf(&b, "Aliases: %s\n", strings.Join(f.Aliases, ", "))
	}
	if f.Reachable != finding.ReachUnknown {
		fmt.Fprintf(&b, "Reachability: %s\n", f.Reachable)
	}
	msg := Message(f)
	b.WriteString("\n" + msg + "\n")
	short := firstLine(msg)
	if !strings.HasPrefix(short, f.RuleID) {
		short = f.RuleID + ": " + short
	}
	return junitCase{
		Name: name, Classname: class, Time: "0",
		Failure: &junitProblem{Message: f.Severity.String() + " " + short, Type: f.RuleID, Text: b.String()},
	}
}

// errorsOf is what a scanner said about why it could not complete.
func errorsOf(r finding.Result) string {
	var lines []string
	for _, n := range r.Notifications {
		if n.Level == finding.LevelError || n.Level == finding.LevelWarning {
			lines = append(lines, n.Message)
		}
	}
	return strings.Join(lines, "\n")
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }
