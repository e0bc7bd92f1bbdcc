package report

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// What a JUnit reader sees, decoded independently of the renderer's types.
type junitRead struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"-"` // the suites' sum: Jenkins' schema has no such attribute here
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			File      string `xml:"file,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func readJUnit(t *testing.T, b []byte) junitRead {
	t.Helper()
	var d junitRead
	if err := xml.Unmarshal(b, &d); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b)
	}
	// The counts a reader shows must be the elements it finds.
	var tests, failures, errors, skipped int
	for _, s := range d.Suites {
		var f, e, sk int
		for _, c := range s.Cases {
			if c.Failure != nil {
				f++
			}
			if c.Error != nil {
				e++
			}
			if c.Skipped != nil {
				sk++
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != f || s.Errors != e || s.Skipped != sk {
			t.Errorf("suite %s says tests=%d failures=%d errors=%d skipped=%d, holds %d, %d, %d, %d",
				s.Name, s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases), f, e, sk)
		}
		tests, failures, errors, skipped = tests+len(s.Cases), failures+f, errors+e, skipped+sk
	}
	if d.Tests != tests || d.Failures != failures || d.Errors != errors {
		t.Errorf("testsuites says %d/%d/%d, holds %d/%d/%d", d.Tests, d.Failures, d.Errors, tests, failures, errors)
	}
	d.Skipped = skipped
	return d
}

func TestJUnit(t *testing.T) {
	s := gitlabSample(t) // fail-on high: G999 and GO-2021-0113 fail the gate
	b := renderTo(t, func(w *bytes.Buffer) error { return JUnit(w, s) })
	if !bytes.HasPrefix(b, []byte(xml.Header)) {
		t.Errorf("no XML declaration:\n%s", b)
	}
	d := readJUnit(t, b)
	if d.Tests != 5 || d.Failures != 2 || d.Errors != 1 || d.Skipped != 1 || len(d.Suites) != 3 {
		t.Fatalf("tests=%d failures=%d errors=%d skipped=%d suites=%d\n%s", d.Tests, d.Failures, d.Errors, d.Skipped, len(d.Suites), b)
	}
	gosec := d.Suites[0]
	if gosec.Name != "gosec" || len(gosec.Cases) != 2 || gosec.Cases[0].Name != "gosec scan" || gosec.Cases[0].Failure != nil {
		t.Fatalf("gosec suite: %+v", gosec)
	}
	// Medium G401 is below the threshold and the other one is #nosec: only G999.
	c := gosec.Cases[1]
	if c.Name != "G999 at a/b.go:1" || c.Classname != "scangate.gosec" || c.File != "" || c.Failure == nil ||
		c.Failure.Type != "G999" || c.Failure.Message != "high G999: made-up rule" ||
		!strings.Contains(c.Failure.Text, "Rule: G999\nSeverity: high\nLocation: a/b.go:1\n") {
		t.Errorf("G999 case: %+v", c)
	}
	gv := d.Suites[1]
	if gv.Cases[0].Error == nil || !strings.Contains(gv.Cases[0].Error.Text, "loading packages: boom") {
		t.Errorf("incomplete govulncheck is not an error: %+v", gv.Cases[0])
	}
	if f := gv.Cases[1].Failure; f == nil || !strings.Contains(f.Text, "Package: golang.org/x/text v0.3.6\nAliases: CVE-2021-38561\nReachability: called\n") {
		t.Errorf("GO-2021-0113 case: %+v", gv.Cases[1])
	}
	if bandit := d.Suites[2]; bandit.Cases[0].Skipped == nil || bandit.Cases[0].Skipped.Message != "not installed" {
		t.Errorf("skipped bandit: %+v", bandit)
	}
}

// Text from the scanned repository (messages, paths) cannot break the XML.
func TestJUnitHostileText(t *testing.T) {
	s := gitlabSample(t)
	f := &s.Results[0].Findings[2]
	f.Message = "]]></failure><injected/>\x00\x1b[31m & \"quoted\" <b>"
	f.Location.Path = `a"/<b>.go`
	d := readJUnit(t, renderTo(t, func(w *bytes.Buffer) error { return JUnit(w, s) }))
	c := d.Suites[0].Cases[1]
	if c.Name != `G999 at a"/<b>.go:1` || c.Failure == nil || !strings.Contains(c.Failure.Text, "]]></failure><injected/>") {
		t.Errorf("case: %+v", c)
	}
	if strings.ContainsAny(c.Failure.Text, "\x00\x1b") {
		t.Errorf("control characters reached the XML: %q", c.Failure.Text)
	}
}

// The output against two XSDs written for these tests, when xmllint is
// installed (Debian: libxml2-utils): Jenkins' xunit junit-10 schema, which
// refuses a testcase "file" attribute and makes the plugin skip the whole
// file (testdata/junit/jenkins-junit-10.xsd), and the elements GitLab's
// reader takes (testdata/junit/junit.xsd).
func TestJUnitXSD(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint is not installed")
	}
	s := gitlabSample(t)
	s.Results[0].Findings[2].Message = "]]> & <b> \x1b[31m"
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	doc := write("junit.xml", renderTo(t, func(w *bytes.Buffer) error { return JUnit(w, s) }))
	for _, xsd := range []string{"../testdata/junit/jenkins-junit-10.xsd", "../testdata/junit/junit.xsd"} {
		if out, err := exec.Command(xmllint, "--noout", "--schema", xsd, doc).CombinedOutput(); err != nil {
			t.Errorf("%s: xmllint: %v\n%s", xsd, err, out)
		}
		// The schemas are not rubber stamps: a testcase without a name fails both.
		bad := write("bad.xml", []byte(`<testsuites><testsuite name="x" tests="1" failures="0" errors="0"><testcase classname="c"/></testsuite></testsuites>`))
		if out, err := exec.Command(xmllint, "--noout", "--schema", xsd, bad).CombinedOutput(); err == nil {
			t.Errorf("%s: xmllint accepts a testcase without a name:\n%s", xsd, out)
		}
	}
	file := write("file.xml", []byte(`<testsuites><testsuite name="x" tests="1" failures="0" errors="0"><testcase name="n" file="a.go"/></testsuite></testsuites>`))
	if out, err := exec.Command(xmllint, "--noout", "--schema", "../testdata/junit/jenkins-junit-10.xsd", file).CombinedOutput(); err == nil {
		t.Errorf("junit-10: xmllint accepts testcase@file, which Jenkins' xunit refuses:\n%s", out)
	}
}
