package registry_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/scangate/scangate/config"
	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanners/registry"
)

// Every entry is a complete descriptor: what adding a scanner must give
// (CONTRIBUTING.md, "Adding a scanner"), so that nothing else needs an edit.
func TestEveryEntryDescribesItself(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range registry.All {
		if d.Name == "" || seen[d.Name] || d.Name != strings.ToLower(d.Name) || strings.ContainsAny(d.Name, " .,") {
			t.Errorf("%q: a name must be unique, lower case, without spaces, dots or commas", d.Name)
		}
		seen[d.Name] = true
		if d.Doc == "" || !strings.HasSuffix(d.Doc, ".") {
			t.Errorf("%s: Doc must say in one sentence what it finds", d.Name)
		}
		// The GitLab reports are split by kind.
		if !slices.Contains([]finding.Kind{finding.KindCode, finding.KindDependencies, finding.KindSecrets}, d.Kind) {
			t.Errorf("%s: kind %v", d.Name, d.Kind)
		}
		opts := reflect.TypeOf(d.Options)
		if opts == nil || opts.Kind() != reflect.Pointer || opts.Elem().Kind() != reflect.Struct || reflect.ValueOf(d.Options).IsNil() {
			t.Errorf("%s: Options must point at a struct of options with their defaults, got %T", d.Name, d.Options)
			continue
		}
		s := d.New(d.Options)
		if s == nil || s.Name() != d.Name {
			t.Errorf("%s: New builds a scanner named %q", d.Name, s.Name())
		}
		checkOptions(t, d, opts.Elem(), true)
		if !slices.IsSorted(d.Rules) {
			t.Errorf("%s: Rules are not sorted", d.Name)
		}
		if v := d.Version(); d.Module == "" && v != "external: run when installed" || d.Module != "" && v == "" {
			t.Errorf("%s: version %q with module %q", d.Name, v, d.Module)
		}
	}
}

// checkOptions holds the tags of an options struct to what config and the
// schema read.
func checkOptions(t *testing.T, d *scanner.Descriptor, typ reflect.Type, top bool) {
	t.Helper()
	rules, program := false, false
	for i := range typ.NumField() {
		f := typ.Field(i)
		key := f.Tag.Get("yaml")
		if key == "" || key == "-" || strings.Contains(key, ",") {
			t.Errorf("%s: option %s: want a plain yaml key", d.Name, f.Name)
		}
		if f.Type.Kind() != reflect.Struct && f.Tag.Get("doc") == "" {
			t.Errorf("%s: option %s: no doc (the schema's description)", d.Name, key)
		}
		if _, ok := f.Tag.Lookup("rules"); ok {
			rules = true
			if !top {
				t.Errorf("%s: option %s: rules:\"\" is read on the scanner's own keys only", d.Name, key)
			}
		}
		if top && key == d.Program {
			program = true
			// The scanned repository never names a program scangate runs.
			if f.Type.Kind() != reflect.String || f.Tag.Get("trust") == "" {
				t.Errorf("%s: program option %s must be a string tagged trust", d.Name, key)
			}
		}
		if f.Type.Kind() == reflect.Struct && f.Type.String() != "time.Duration" {
			checkOptions(t, d, f.Type, false)
		}
	}
	if top && rules != (len(d.Rules) > 0) {
		t.Errorf("%s: an option tagged rules needs Rules, and Rules an option to check", d.Name)
	}
	if top && d.Program != "" && !program {
		t.Errorf("%s: Program %q is not one of its options", d.Name, d.Program)
	}
}

// A scanner's docs: a row in the README's "Which scanner runs when" table,
// and its section in the example configuration (config's tests hold that
// the example sets every key).
func TestEveryEntryIsDocumented(t *testing.T) {
	readme := testkit.ReadFile(t, "../../README.md")
	example := testkit.ReadFile(t, "../../docs/scangate.example.yml")
	for _, d := range registry.All {
		if !strings.Contains(string(readme), "\n| `"+d.Name+"` |") {
			t.Errorf("%s: no row in README.md's table of scanners", d.Name)
		}
		if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(d.Name) + `:`).Match(example) {
			t.Errorf("%s: no scanners.%s section in docs/scangate.example.yml", d.Name, d.Name)
		}
	}
}

// The configuration's scanners are the registry's, in its order, each
// with its own copy of the options.
func TestConfigFollowsRegistry(t *testing.T) {
	a, b := config.Default("."), config.Default(".")
	if !slices.Equal(a.Enabled(), registry.Names()) {
		t.Errorf("enabled by default %v, registry %v", a.Enabled(), registry.Names())
	}
	for i, d := range registry.All {
		if a.Scanners[i].Descriptor != d || a.Scanners[i].Options == d.Options || a.Scanners[i].Options == b.Scanners[i].Options {
			t.Errorf("%s: the configuration shares its options or lost the registry's order", d.Name)
		}
	}
	if got := a.Build([]string{"safety", "gosec"}); len(got) != 2 || got[0].Name() != "gosec" || got[1].Name() != "safety" {
		t.Errorf("Build(safety, gosec) = %v, want gosec then safety (registry order)", got)
	}
	if registry.Known("trivy") || !registry.Known("osv-scanner") || registry.KindOf("trivy") != finding.KindUnknown ||
		registry.KindOf("gosec") != finding.KindCode {
		t.Error("Known or KindOf disagree with the list")
	}
}

// No list of every scanner is written outside the registry: one would miss
// the next scanner added.
func TestNoOtherListOfEveryScanner(t *testing.T) {
	quoted := make([]string, len(registry.All))
	for i, n := range registry.Names() {
		quoted[i] = strconv.Quote(n)
	}
	root := "../.."
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && (e.Name() == "testdata" || strings.HasPrefix(e.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if e.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if !slices.ContainsFunc(quoted, func(q string) bool { return !strings.Contains(line, q) }) {
				t.Errorf("%s:%d: lists every scanner; derive it from registry.All", path, i+1)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
