package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/scangate/scangate/model"
)

// Output is one report format: its name is both its flag (--NAME) and its
// key under outputs: in .scangate.yml.
type Output struct {
	Name string
	// Help is the flag's help.
	Help string
	// Partial says the format may hold part of a scan's findings: a shard
	// writes it, and merge reads it. The others would lose the other
	// shards' findings (a partial SARIF makes code scanning close their
	// alerts), so only merge writes them.
	Partial bool
	write   func(w io.Writer, r *model.Report, o WriteOptions, n *Written) error
}

// Outputs is every report format, in the order the help names them. The
// flags, the configuration's outputs: keys and the shard rule are read
// from it.
var Outputs = []Output{
	{Name: "sarif", Help: "write SARIF 2.1.0 to `FILE` (- for stdout)", write: writeSARIF},
	{Name: "json", Partial: true, Help: "write the JSON report to `FILE` (- for stdout)",
		write: func(w io.Writer, r *model.Report, _ WriteOptions, _ *Written) error { return JSON(w, r) }},
	{Name: "markdown", Help: "write the markdown summary to `FILE` (- for stdout)",
		write: func(w io.Writer, r *model.Report, _ WriteOptions, _ *Written) error { return Markdown(w, r) }},
	{Name: "gitlab-sast", Help: "write GitLab's SAST report (gosec, bandit) to `FILE` (- for stdout)",
		write: func(w io.Writer, r *model.Report, o WriteOptions, _ *Written) error {
			return GitLabSAST(w, r, o.ScanRoot)
		}},
	{Name: "gitlab-dependency-scanning", Help: "write GitLab's dependency scanning report (govulncheck, osv-scanner, safety) to `FILE` (- for stdout)",
		write: func(w io.Writer, r *model.Report, o WriteOptions, _ *Written) error {
			return GitLabDependencyScanning(w, r, o.ScanRoot)
		}},
	{Name: "gitlab-secret-detection", Help: "write GitLab's secret detection report (secrets) to `FILE` (- for stdout)",
		write: func(w io.Writer, r *model.Report, o WriteOptions, _ *Written) error {
			return GitLabSecretDetection(w, r, o.ScanRoot)
		}},
	{Name: "junit", Help: "write JUnit XML to `FILE` (- for stdout): a test suite per scanner, a failed test per finding that fails the gate",
		write: func(w io.Writer, r *model.Report, _ WriteOptions, _ *Written) error { return JUnit(w, r) }},
	{Name: "cyclonedx", Help: "write a CycloneDX 1.6 SBOM to `FILE` (- for stdout): every package found, each vulnerability with govulncheck's reachability as its VEX analysis",
		write: func(w io.Writer, r *model.Report, o WriteOptions, _ *Written) error {
			return CycloneDX(w, r, CycloneDXOptions{Name: o.Name, ScanRoot: o.ScanRoot})
		}},
}

// Files names the file of each output asked for, by Output.Name ("-" is
// stdout; an output not asked for is absent or "").
type Files map[string]string

// WriteOptions is what the writers need beside the report.
type WriteOptions struct {
	// ScanRoot is the scanned root relative to the repository root.
	ScanRoot string
	// Name names the scanned tree in the SBOM (CycloneDXOptions.Name).
	Name string
	// Category and KeepIncomplete are SARIFOptions'.
	Category       string
	KeepIncomplete bool
}

// Written says what Write wrote.
type Written struct {
	// SARIFRuns is how many runs the SARIF report holds.
	SARIFRuns int
	// LeftOut names the runs the SARIF report leaves out (SARIFLeftOut).
	LeftOut []string
}

// Check fails before a long scan when the files cannot be written: a
// directory that is missing, or two outputs on stdout.
func (fs Files) Check() error {
	var flags, stdouts []string
	for _, out := range Outputs {
		flags = append(flags, "--"+out.Name)
		path := fs[out.Name]
		if path == "-" {
			stdouts = append(stdouts, out.Name)
		}
		if err := CheckWritable(path); err != nil {
			return err
		}
	}
	if len(stdouts) > 1 {
		return fmt.Errorf("only one of %s and %s can write to stdout (-)", strings.Join(flags[:len(flags)-1], ", "), flags[len(flags)-1])
	}
	return nil
}

// Write writes every output fs names, each atomically (WriteFile), in
// the table's order; it stops at the first that fails.
func Write(r *model.Report, fs Files, stdout io.Writer, o WriteOptions) (Written, error) {
	var n Written
	for _, out := range Outputs {
		path := fs[out.Name]
		if path == "" {
			continue
		}
		if err := WriteFile(path, stdout, func(w io.Writer) error { return out.write(w, r, o, &n) }); err != nil {
			return n, err
		}
	}
	return n, nil
}

// sarifOptions are the SARIF writer's options for r: results carry a
// baselineState when a baseline or a base revision was compared.
func sarifOptions(r *model.Report, o WriteOptions) SARIFOptions {
	return SARIFOptions{Category: o.Category, Baseline: r.Baseline != "" || r.NewFrom != nil, ScanRoot: o.ScanRoot, KeepIncomplete: o.KeepIncomplete}
}

func writeSARIF(w io.Writer, r *model.Report, o WriteOptions, n *Written) error {
	doc, err := SARIF(r.Results, sarifOptions(r, o))
	if err != nil {
		return err
	}
	if err := doc.PrettyWrite(w); err != nil {
		return err
	}
	n.SARIFRuns = len(doc.Runs)
	if !o.KeepIncomplete {
		n.LeftOut = SARIFLeftOut(r.Results, SARIFOptions{})
	}
	return nil
}
