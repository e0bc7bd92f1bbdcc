package registry

import (
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/finding"
)

// Each entry builds the scanner it names, and the configuration has a
// scanners.NAME section for each, in the same order.
func TestRegistryMatchesScannersAndConfig(t *testing.T) {
	c := config.Default(".")
	built := Build(c, nil)
	if len(built) != len(All) {
		t.Fatalf("built %d scanners for %d entries", len(built), len(All))
	}
	for i, d := range All {
		if built[i].Name() != d.Name {
			t.Errorf("entry %q builds a scanner named %q", d.Name, built[i].Name())
		}
		if c.Scanner(d.Name) == nil {
			t.Errorf("the configuration has no scanners.%s section", d.Name)
		}
	}
	if !slices.Equal(config.ScannerNames(), Names()) {
		t.Errorf("config knows %v, the registry %v", config.ScannerNames(), Names())
	}
	if got := Build(c, []string{"safety", "gosec"}); len(got) != 2 || got[0].Name() != "gosec" || got[1].Name() != "safety" {
		t.Errorf("Build(safety, gosec) = %v, want gosec then safety (registry order)", got)
	}
	if Known("trivy") || !Known("osv-scanner") {
		t.Error("Known disagrees with the list")
	}
	// Every scanner says what it analyzes: the GitLab reports are split by it.
	for _, d := range All {
		if d.Kind != finding.KindCode && d.Kind != finding.KindDependencies && d.Kind != finding.KindSecrets {
			t.Errorf("%s has no kind", d.Name)
		}
	}
	if KindOf("gosec") != finding.KindCode || KindOf("safety") != finding.KindDependencies || KindOf("trivy") != finding.KindUnknown {
		t.Error("KindOf disagrees with the list")
	}
}

// Embedded scanners say the version of the library linked in; external
// ones say they run when installed.
func TestVersions(t *testing.T) {
	for _, d := range All {
		v := d.Version()
		switch {
		case d.Module == "" && !strings.HasPrefix(v, "external"):
			t.Errorf("%s: %q for an external program", d.Name, v)
		case d.Module != "" && v == "":
			t.Errorf("%s: empty version", d.Name)
		}
	}
}
