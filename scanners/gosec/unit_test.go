package gosec

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"testing"

	"github.com/securego/gosec/v2/issue"

	"github.com/scangate/scangate/finding"
)

func TestParseLinesAndFlaggedCode(t *testing.T) {
	for in, want := range map[string][2]int{"12": {12, 12}, "12-14": {12, 14}, "7-x": {7, 7}, "": {0, 0}} {
		if s, e := parseLines(in); s != want[0] || e != want[1] {
			t.Errorf("parseLines(%q) = %d, %d, want %v", in, s, e, want)
		}
	}
	code := "11: func f() {\n12: \tx := a +\n13: \t\tb\n14: }\n"
	if got := flaggedCode(code, 12, 13); got != "\tx := a +\n\t\tb" {
		t.Errorf("flaggedCode = %q", got)
	}
	if got := flaggedCode(code, 20, 20); got != "" {
		t.Errorf("flaggedCode outside the snippet = %q", got)
	}
}

func TestNormalizeCode(t *testing.T) {
	a := normalizeCode("\treturn md5.Sum(data)")
	for _, same := range []string{
		"        return   md5.Sum( data )",
		"return md5.Sum(data) // #nosec G401 -- added later",
		"return md5.Sum(data) /* reviewed */",
	} {
		if b := normalizeCode(same); b != a {
			t.Errorf("normalizeCode(%q) = %q, want %q", same, b, a)
		}
	}
	for _, other := range []string{"return md5.Sum(data[1:])", `return md5.Sum("data")`} {
		if normalizeCode(other) == a {
			t.Errorf("normalizeCode(%q) equals the original", other)
		}
	}
	if got := normalizeCode(`url := "http://x" // c`); got != `url := "http://x"` {
		t.Errorf("string with // = %q", got)
	}
}

func TestPathFilter(t *testing.T) {
	f, err := newPathFilter([]string{"internal/legacy", "*_gen.go", "old", "cmd/**/testutil/*.go", "./docs/"})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		"internal/legacy/a.go":     true,
		"internal/legacy2/a.go":    false,
		"x/internal/legacy/a.go":   false, // anchored: has a "/"
		"svc/legacy/db.go":         false,
		"pkg/api_gen.go":           true,
		"pkg/api.go":               false,
		"cmd/a/b/testutil/t.go":    true,
		"cmd/testutil/t.go":        true,
		"docs/example/main.go":     true,
		"vendor/github.com/x/y.go": true,
		"a/testdata/b.go":          true,
		"vendored/x.go":            false, // gosec's unanchored regexp would drop it; we do not
		"main.go":                  false,
		"svc/old/db.go":            true, // no "/": a name at any depth
		"old.go":                   false,
	} {
		if got := f.excluded(path); got != want {
			t.Errorf("excluded(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestDirectives(t *testing.T) {
	src := `package p

import "crypto/md5"

func a(b []byte) { md5.Sum(b) } // #nosec G401 -- checksum only

//gosec:disable G401 -- legacy protocol
func c(b []byte) { md5.Sum(b) }

func d(b []byte) {
	md5.Sum(b) //nolint:errcheck,gosec // fixed format
	//nolint:gosec
	md5.Sum(b)
	md5.Sum(b) //nolint:errcheck
	md5.Sum(b) //nolint
	md5.Sum(b) // #falsepositive
}

//nolint:gosec // the whole function
func e(b []byte) {
	md5.Sum(b)
}

func g(b []byte) { md5.Sum(b) }
`
	// Written out: whether a //nolint comment has its line to itself is read
	// from the file, as in a real scan.
	name := filepath.Join(t.TempDir(), "p.go")
	if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	fd := scanDirectives(fset, f, "#falsepositive")
	if len(fd.gosec) != 3 || fd.gosec[0].marker != "#nosec" || fd.gosec[0].justification != "checksum only" ||
		fd.gosec[1].marker != "//gosec:disable" || fd.gosec[1].justification != "legacy protocol" ||
		fd.gosec[2].marker != "#falsepositive" {
		t.Errorf("gosec directives %+v", fd.gosec)
	}
	if len(fd.nolint) != 3 || fd.nolint[0].start != 11 || fd.nolint[0].justification != "fixed format" || fd.nolint[0].alone ||
		fd.nolint[1].start != 13 || fd.nolint[1].end != 13 || !fd.nolint[1].alone ||
		fd.nolint[2].start != 20 || fd.nolint[2].end != 22 || fd.nolint[2].justification != "the whole function" {
		t.Errorf("nolint directives %+v", fd.nolint)
	}
	in := []suppressionInfo{{Kind: "inSource", Justification: "legacy protocol"}}
	if got := fd.suppressions(in, 8, 8); len(got) != 1 || got[0].Marker != "//gosec:disable" {
		t.Errorf("gosec:disable suppression %+v", got)
	}
	for line, want := range map[int]string{11: "fixed format", 13: "", 14: "none", 15: "none", 21: "the whole function", 24: "none"} {
		got := fd.suppressions(nil, line, line)
		switch {
		case want == "none" && len(got) != 0:
			t.Errorf("line %d: %+v, want no suppression", line, got)
		case want != "none" && (len(got) != 1 || got[0] != finding.Suppression{Kind: "inSource", Justification: want, Marker: "//nolint:gosec"}):
			t.Errorf("line %d: %+v, want //nolint:gosec %q", line, got, want)
		}
	}
}

func TestCWEFallback(t *testing.T) {
	for id, cwe := range map[string]string{"G116": "838", "G121": "346", "G710": "601"} {
		if issue.GetCweByRule(id) != nil {
			t.Errorf("gosec now knows the CWE of %s: drop it from cweFallback", id)
		}
		r := describe(id, "", finding.Medium)
		if !contains(r.Tags, "external/cwe/cwe-"+cwe) || r.HelpURI != "https://cwe.mitre.org/data/definitions/"+cwe+".html" {
			t.Errorf("%s: tags %v helpUri %s", id, r.Tags, r.HelpURI)
		}
	}
	// Every rule gosec has is described, with a CWE where gosec maps one.
	for _, id := range RuleIDs() {
		r := describe(id, "", finding.Low)
		if r.Name == "" || r.Name == id || r.Short == "" {
			t.Errorf("%s: name %q short %q", id, r.Name, r.Short)
		}
		if weakness(id) == nil {
			t.Logf("%s has no CWE", id)
		}
	}
	if len(RuleIDs()) < 50 {
		t.Errorf("only %d rules: %v", len(RuleIDs()), RuleIDs())
	}
}

func TestGoVersionChoice(t *testing.T) {
	if got := chooseGoVersion([]string{"1.22", "1.21.3", "", "1.99"}, "go1.26.8"); got != "go1.16" {
		t.Errorf("lowest with a module without go directive = %q", got)
	}
	if got := chooseGoVersion([]string{"1.22", "1.21", "1.99"}, "go1.26.8"); got != "go1.21" {
		t.Errorf("lowest loadable = %q", got)
	}
	if got := chooseGoVersion([]string{"1.99"}, "go1.26.8"); got != "" {
		t.Errorf("nothing loadable = %q, want none (do not pin)", got)
	}
	drop, warn := versionRules("go1.21", "go1.22")
	if !drop["G601"] || len(warn) != 0 {
		t.Errorf("pinned 1.21, module 1.22: drop %v warn %v", drop, warn)
	}
	drop, warn = versionRules("go1.22", "go1.21")
	if len(drop) != 0 || len(warn) != 1 {
		t.Errorf("pinned 1.22, module 1.21: drop %v warn %v", drop, warn)
	}
	drop, warn = versionRules("go1.17", "go1.22")
	if !drop["G601"] || len(warn) != 1 {
		t.Errorf("pinned 1.17, module 1.22: drop %v warn %v", drop, warn)
	}
	if drop, warn = versionRules("go1.21", "go1.21"); len(drop)+len(warn) != 0 {
		t.Errorf("same version: drop %v warn %v", drop, warn)
	}
}
