package govulncheck

import (
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
)

// The module's build list from govulncheck's SBOM message: the main module,
// every required module and the standard library as the toolchain that ran
// the scan, with package URLs.
func TestInventory(t *testing.T) {
	res := exampleScan(t).Res
	std := "v" + strings.TrimPrefix(runtime.Version(), "go")
	want := []finding.Component{
		{Ecosystem: "Go", Name: "example.com/scangate-example", PURL: "pkg:golang/example.com/scangate-example", Manifest: "go.mod", Main: true},
		{Ecosystem: "Go", Name: "golang.org/x/crypto", Version: "v0.0.0-20220722155217-630584e8d5aa", PURL: "pkg:golang/golang.org/x/crypto@v0.0.0-20220722155217-630584e8d5aa", Manifest: "go.mod"},
		{Ecosystem: "Go", Name: "golang.org/x/text", Version: "v0.3.6", PURL: "pkg:golang/golang.org/x/text@v0.3.6", Manifest: "go.mod"},
		{Ecosystem: "Go", Name: "stdlib", Version: runtime.Version(), PURL: "pkg:golang/stdlib@" + std, Manifest: "go.mod"},
	}
	got := finding.SortPackages(slices.Clone(res.Packages))
	if !slices.Equal(got, want) {
		t.Errorf("packages:\n%+v\nwant\n%+v", got, want)
	}
}
