package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/config"
)

// The table and the configuration's outputs: keys name the same files,
// since the CLI reaches each through the other by name.
func TestOutputsAreTheConfigurationsFiles(t *testing.T) {
	var c config.Outputs
	var names []string
	for _, w := range Outputs {
		names = append(names, w.Name)
		if c.File(w.Name) == nil {
			t.Errorf("output %s has no file key outputs.%s in the configuration", w.Name, w.Name)
		}
	}
	for _, k := range config.Keys() {
		name, ok := strings.CutPrefix(k, "outputs.")
		if ok && c.File(name) != nil && !slices.Contains(names, name) {
			t.Errorf("configuration key %s names a file no writer in report.Outputs writes", k)
		}
	}
	if c.File("category") != nil {
		t.Error("outputs.category is a file")
	}
	*c.File("sarif") = "x.sarif"
	if c.SARIF != "x.sarif" {
		t.Errorf("File(sarif) is not Outputs.SARIF")
	}
}

func TestFilesCheckOneStdout(t *testing.T) {
	if err := (Files{"sarif": "-", "json": ""}).Check(); err != nil {
		t.Errorf("one stdout: %v", err)
	}
	err := (Files{"sarif": "-", "junit": "-"}).Check()
	if err == nil || !strings.Contains(err.Error(), "only one of --sarif, --json,") || !strings.Contains(err.Error(), "and --cyclonedx can write to stdout (-)") {
		t.Errorf("two stdouts: %v", err)
	}
}
