package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/report/reporttest"
)

// schemaValidate validates a JSON report against the schema that scangate
// report schema printed.
func schemaValidate(t *testing.T, schema string, file string) {
	t.Helper()
	sch := reporttest.CompileSchema(t, "scangate report schema", []byte(schema))
	if err := reporttest.ValidateJSON(t, sch, testkit.ReadFile(t, file)); err != nil {
		t.Errorf("%s does not validate against scangate report schema: %v", filepath.Base(file), err)
	}
}

func TestReportSchemaCommand(t *testing.T) {
	code, out, stderr := runCLI(t, "report", "schema")
	if code != 0 || out != string(model.Schema()) || !strings.Contains(out, `"$schema": "https://json-schema.org/draft/2020-12/schema"`) {
		t.Fatalf("report schema: exit %d, %d bytes\n%s", code, len(out), stderr)
	}
	code, help, _ := runCLI(t, "report", "schema", "--help")
	testkit.ContainsAll(t, "report schema --help", help, "scangate scan\n--json FILE", "schemaVersion 1", "docs/json.md", "ignore keys they do not know")
	if code != 0 {
		t.Errorf("help exit %d", code)
	}
	for _, args := range [][]string{{"report", "schema", "extra"}, {"report", "scheme"}} {
		if code, _, stderr := runCLI(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, exitUsage, stderr)
		}
	}
}

// The example's real JSON report validates against the schema scangate
// prints, and is the baseline of the next scan: every finding unchanged,
// nothing new, nothing fixed.
func TestJSONReportContractEndToEnd(t *testing.T) {
	t.Parallel()
	_, schema, _ := runCLI(t, "report", "schema")
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first.json"), filepath.Join(dir, "second.json")
	// scan scans the example project into the JSON report out, valid
	// against the schema, and reads it back.
	scan := func(what string, wantCode int, out string, flags ...string) *model.Report {
		t.Helper()
		args := append(append([]string{"scan", "--json", out}, flags...), "-q", "--offline", "--db", "../../examples/vulndb", "../../examples/project")
		if code, _, stderr := runCLI(t, args...); code != wantCode {
			t.Fatalf("%s: exit %d\n%s", what, code, stderr)
		}
		schemaValidate(t, schema, out)
		r, err := model.ReadJSON(out)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	cold := scan("first scan", exitFail, first)
	if cold.Verdict.New == 0 || cold.Verdict.Outcome != finding.GateFail || cold.Baseline != "" {
		t.Fatalf("first scan: verdict %+v, baseline %q", cold.Verdict, cold.Baseline)
	}
	warm := scan("against its own JSON report", exitPass, second, "--baseline", first)
	v := warm.Verdict
	if v.New != 0 || v.Fixed != 0 || v.Unchanged != cold.Verdict.Total-cold.Verdict.Suppressed || v.Total != cold.Verdict.Total || warm.Baseline == "" {
		t.Errorf("against its own JSON report: verdict %+v (first: %+v), baseline %q", v, cold.Verdict, warm.Baseline)
	}
	for _, r := range warm.Results {
		for _, f := range r.Findings {
			if f.Status != finding.StatusBaseline && f.Status != finding.StatusSuppressed {
				t.Errorf("%s %s at %s: status %s", r.Tool, f.RuleID, f.Location, f.Status)
			}
		}
	}
}
