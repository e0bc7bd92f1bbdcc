package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xeipuuv/gojsonschema"
	"gopkg.in/yaml.v3"

	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanners/gosec"
	"github.com/scangate/scangate/scanners/govulncheck"
	"github.com/scangate/scangate/scanners/registry"
)

const exampleFile = "../docs/scangate.example.yml"

func readExample(t *testing.T) []byte {
	t.Helper()
	data := testkit.ReadFile(t, exampleFile)
	return data
}

// validate checks a YAML document against the JSON Schema.
func validate(t *testing.T, doc []byte) []string {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(doc, &v); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("to json: %v", err)
	}
	res, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(Schema), gojsonschema.NewBytesLoader(js))
	if err != nil {
		t.Fatalf("schema: %v", err)
	}
	var out []string
	for _, e := range res.Errors() {
		out = append(out, e.String())
	}
	return out
}

func TestExampleValidatesAgainstSchema(t *testing.T) {
	if errs := validate(t, readExample(t)); len(errs) > 0 {
		t.Fatalf("the example config does not validate against the schema:\n%s", strings.Join(errs, "\n"))
	}
}

// The example is the reference users copy from: it must load, and it must
// set every key the loader knows.
func TestExampleLoadsAndSetsEveryKey(t *testing.T) {
	c, err := Parse(exampleFile, readExample(t), "/repo")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Keys() {
		if strings.HasSuffix(k, ".*") || Specs()[k].Type == "object" && k != "severity" {
			continue
		}
		if c.Source(k).IsDefault() {
			t.Errorf("the example does not set %s", k)
		}
	}
	if got := Options[gosec.Config](c).Exclude; !slices.Equal(got, []string{"G104", "G307"}) {
		t.Errorf("gosec exclude = %v", got)
	}
	if c.Scanner("safety").IsEnabled() || !c.Scanner("gosec").Required || c.Scanner("govulncheck").Timeout != 15*time.Minute {
		t.Errorf("scanner settings not loaded: %+v", c.Scanners)
	}
	if c.Baseline != "/repo/.scangate-baseline.json" || c.Outputs.SARIF != "/repo/scangate.sarif" {
		t.Errorf("paths are not taken from the root: baseline %q sarif %q", c.Baseline, c.Outputs.SARIF)
	}
	if c.DB.MaxAge != 7*24*time.Hour || c.Severity["CVE-2021-38561"] != "critical" {
		t.Errorf("db.max-age %v, severity %v", c.DB.MaxAge, c.Severity)
	}
	if src := c.Source("scanners.gosec.min-confidence").String(); src != exampleFile+":72:21" {
		t.Errorf("source of scanners.gosec.min-confidence = %s", src)
	}
}

// schemaKeys walks the JSON Schema like Specs walks the Go types.
func schemaKeys(t *testing.T) map[string]KeySpec {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(Schema, &root); err != nil {
		t.Fatal(err)
	}
	defs := root["definitions"].(map[string]any)
	// resolve follows $ref, noting whether it passed through the duration definition.
	var resolve func(n map[string]any) (map[string]any, bool)
	resolve = func(n map[string]any) (map[string]any, bool) {
		ref, ok := n["$ref"].(string)
		if !ok {
			return n, false
		}
		name := strings.TrimPrefix(ref, "#/definitions/")
		target, dur := resolve(defs[name].(map[string]any))
		return target, dur || name == "duration"
	}
	out := map[string]KeySpec{}
	var walk func(n map[string]any, key string)
	leaf := func(n map[string]any, spec *KeySpec) {
		n, dur := resolve(n)
		spec.Duration = spec.Duration || dur
		if e, ok := n["enum"].([]any); ok {
			for _, v := range e {
				spec.Enum = append(spec.Enum, fmt.Sprint(v))
			}
		}
		if p, ok := n["pattern"].(string); ok && !spec.Duration {
			spec.Pattern = p
		}
		if v, ok := n["minimum"].(float64); ok {
			i := int(v)
			spec.Min = &i
		}
		if v, ok := n["maximum"].(float64); ok {
			i := int(v)
			spec.Max = &i
		}
	}
	walk = func(n map[string]any, key string) {
		n, dur := resolve(n)
		spec := KeySpec{Duration: dur}
		var types []string
		branches := []map[string]any{n}
		if one, ok := n["oneOf"].([]any); ok {
			branches = nil
			for _, b := range one {
				branches = append(branches, b.(map[string]any))
			}
		}
		for _, b := range branches {
			b, _ = resolve(b)
			types = append(types, b["type"].(string))
			switch b["type"] {
			case "object":
				props, _ := b["properties"].(map[string]any)
				for k, p := range props {
					walk(p.(map[string]any), strings.TrimPrefix(key+"."+k, "."))
				}
				if ap, ok := b["additionalProperties"].(map[string]any); ok {
					walk(ap, key+".*")
				}
			case "array":
				leaf(b["items"].(map[string]any), &spec)
			default:
				leaf(b, &spec)
			}
		}
		sort.Strings(types)
		spec.Type = strings.Join(types, "|")
		if key != "" {
			out[key] = spec
		}
	}
	walk(root, "")
	return out
}

// The schema's scanners section is the one the descriptors give: a scanner
// added, or an option changed, without go generate ./config fails here.
func TestSchemaScannersAreGenerated(t *testing.T) {
	got, err := WithScanners(Schema)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, Schema) {
		t.Error("scangate.schema.json's scanners section differs from the registry's: run go generate ./config")
	}
	// And the comparison can fail: a changed description shows.
	edited := bytes.Replace(Schema, []byte("Run only these rules."), []byte("Run these."), 1)
	if again, _ := WithScanners(edited); bytes.Equal(again, edited) {
		t.Error("WithScanners kept an edited description")
	}
}

func TestSchemaAgreesWithLoader(t *testing.T) {
	schema, loader := schemaKeys(t), Specs()
	if !slices.Equal(slices.Sorted(maps.Keys(loader)), slices.Sorted(maps.Keys(schema))) {
		for _, k := range slices.Sorted(maps.Keys(loader)) {
			if _, ok := schema[k]; !ok {
				t.Errorf("key %s: accepted by the loader, missing from the schema", k)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(schema)) {
			if _, ok := loader[k]; !ok {
				t.Errorf("key %s: in the schema, unknown to the loader", k)
			}
		}
	}
	keys := Keys()
	slices.Sort(keys)
	if !slices.Equal(keys, slices.Sorted(maps.Keys(loader))) {
		t.Errorf("Keys and Specs disagree:\n%v\n%v", keys, slices.Sorted(maps.Keys(loader)))
	}
	for k, l := range loader {
		s, ok := schema[k]
		if !ok {
			continue
		}
		if !reflect.DeepEqual(l, s) {
			t.Errorf("key %s: loader allows %s, schema allows %s", k, specString(l), specString(s))
		}
	}
}

func specString(s KeySpec) string {
	out := fmt.Sprintf("type=%s enum=%v pattern=%q duration=%v", s.Type, s.Enum, s.Pattern, s.Duration)
	if s.Min != nil {
		out += fmt.Sprintf(" min=%d", *s.Min)
	}
	if s.Max != nil {
		out += fmt.Sprintf(" max=%d", *s.Max)
	}
	return out
}

// The schema's duration pattern and ParseDuration accept the same strings.
func TestDurationPatternMatchesParser(t *testing.T) {
	var defs struct {
		Definitions map[string]struct{ Pattern string } `json:"definitions"`
	}
	if err := json.Unmarshal(Schema, &defs); err != nil {
		t.Fatal(err)
	}
	schema, err := gojsonschema.NewSchema(gojsonschema.NewStringLoader(
		fmt.Sprintf(`{"type":"string","pattern":%q}`, defs.Definitions["duration"].Pattern)))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"90s", "5m", "1h30m", "7d", "1.5h", "300ms", "2h45m10s", "0d", "0s", "", "5", "7 d", "-5m", "1w", "d", "5M", "1h 30m"} {
		_, perr := ParseDuration(s)
		res, err := schema.Validate(gojsonschema.NewGoLoader(s))
		if err != nil {
			t.Fatal(err)
		}
		// "0s" and "0d" match the pattern but are rejected as not positive: the schema cannot say "positive".
		if (perr == nil) != res.Valid() && s != "0s" && s != "0d" {
			t.Errorf("%q: parser error %v, schema valid %v", s, perr, res.Valid())
		}
	}
}

func TestDefaults(t *testing.T) {
	c, err := Parse("empty.yml", nil, "repo")
	if err != nil {
		t.Fatal(err)
	}
	if c.FailOn != "high" || c.Timeout != 10*time.Minute || c.Reachability != (Reachability{Imported: 1, Required: 2}) {
		t.Errorf("defaults: %+v", c)
	}
	if c.Suppressions.File != filepath.Join("repo", IgnoreFileName) {
		t.Errorf("default ignore file %q", c.Suppressions.File)
	}
	if !slices.Equal(c.Enabled(), registry.Names()) {
		t.Errorf("enabled %v", c.Enabled())
	}
	for _, doc := range []string{"# only a comment\n", "---\n", "~\n"} {
		if _, err := Parse("x.yml", []byte(doc), "."); err != nil {
			t.Errorf("%q: %v", doc, err)
		}
	}
}

// Each malformed file gives file:line:column, the key, and what is allowed.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      []string
	}{
		{"unknown top-level key", "fail-on: high\nfail_on: low\n",
			[]string{`bad.yml:2:1: unknown key "fail_on" at the top level (did you mean "fail-on"?) (allowed: version, fail-on, allow-incomplete,`}},
		{"unknown nested key", "scanners:\n  gosec:\n    includes: [G101]\n",
			[]string{`bad.yml:3:5: unknown key "includes" in scanners.gosec (did you mean "include"?) (allowed: enabled, required, timeout, fail-on, include, exclude, min-confidence, config)`}},
		{"unknown scanner", "scanners:\n  semgrep: {}\n",
			// The allowed keys are the registry's names, in its order.
			[]string{`bad.yml:2:3: unknown key "semgrep" in scanners (allowed: ` + strings.Join(registry.Names(), ", ") + `)`}},
		{"bad threshold", "fail-on: hgih\n",
			[]string{`bad.yml:1:10: fail-on: invalid value "hgih" (did you mean "high"?) (allowed: critical, high, medium, low, none)`}},
		{"wrong type bool", "allow-incomplete: yes\n",
			[]string{`bad.yml:1:19: allow-incomplete: want true or false, got the string "yes"`}},
		{"wrong type list", "exclude: gen/**\n",
			[]string{`bad.yml:1:10: exclude: want a list of strings, got the string "gen/**"`}},
		{"wrong type mapping", "scanners:\n  gosec: [G101]\n",
			[]string{`bad.yml:2:10: scanners.gosec: want a mapping, got a list`}},
		{"number for duration", "timeout: 300\n",
			[]string{`bad.yml:1:10: timeout: want a positive duration such as 90s, 5m, 1h30m or 7d, got the integer 300`}},
		{"bad duration", "db:\n  max-age: 1w\n",
			[]string{`bad.yml:2:12: db.max-age: invalid value "1w" (want a positive duration such as 90s, 5m, 1h30m or 7d)`}},
		{"bad glob", "exclude: [\"gen/[\"]\nscanners:\n  osv-scanner:\n    skip-lockfiles: [../other/go.mod]\n",
			[]string{`bad.yml:1:11: exclude: invalid glob "gen/[": syntax error in pattern`,
				`bad.yml:4:22: scanners.osv-scanner.skip-lockfiles: invalid glob "../other/go.mod": ".." leaves the scanned root`}},
		{"bad rule id", "scanners:\n  gosec:\n    exclude: [G104, B101]\n",
			[]string{`bad.yml:3:21: scanners.gosec.exclude: invalid value "B101" (want a match of ^G[0-9]{3}$)`}},
		{"bad severity override", "severity:\n  G104: severe\n",
			[]string{`bad.yml:2:9: severity.G104: invalid value "severe" (allowed: critical, high, medium, low, info)`}},
		{"bad reachability", "reachability: on\n",
			[]string{`bad.yml:1:15: reachability: want off or a mapping with imported and required (steps from 0 to 4), got the string "on"`}},
		{"reachability out of range", "reachability:\n  imported: 7\n",
			[]string{`bad.yml:2:13: reachability.imported: invalid value 7 (want an integer from 0 to 4)`}},
		{"bad version", "version: 2\n",
			[]string{`bad.yml:1:10: version: invalid value 2 (want one of 1)`}},
		{"confidence", "scanners:\n  bandit:\n    min-confidence: certain\n",
			[]string{`bad.yml:3:21: scanners.bandit.min-confidence: invalid value "certain" (allowed: low, medium, high)`}},
		{"duplicate key", "fail-on: high\nfail-on: low\n",
			[]string{`bad.yml:2:1: fail-on: duplicate key (first set on line 1)`}},
		{"alias", "tags: &t [a]\nscanners:\n  govulncheck:\n    tags: *t\n",
			[]string{`bad.yml:4:11: scanners.govulncheck.tags: YAML aliases are not supported`}},
		{"not a mapping", "- fail-on: high\n",
			[]string{`bad.yml:1:1: the file: want a mapping, got a list`}},
		{"syntax", "fail-on: high\n  timeout: 5m\n",
			[]string{`bad.yml:2: invalid YAML: mapping values are not allowed in this context`}},
		{"syntax in a block", "scanners:\n  gosec:\n    include: [G101\n",
			[]string{`bad.yml:3: invalid YAML: did not find expected ',' or ']' in the block that starts on this line`}},
		{"two documents", "fail-on: high\n---\nfail-on: low\n",
			[]string{`bad.yml:2:1: a second YAML document`}},
		{"bad env name", "scanners:\n  safety:\n    key-env: $SAFETY_KEY\n",
			[]string{`bad.yml:3:14: scanners.safety.key-env: invalid value "$SAFETY_KEY"`}},
		{"gosec config", "scanners:\n  gosec:\n    config:\n      global:\n        \"#nosec\": \"#\"\n        audit: yes\n" +
			"      G101:\n        pattern: \"(?i)pass(\"\n        truncate: \"16 chars\"\n      G104:\n        fmt: Fscanf\n        \"bad key\": [X]\n" +
			"      G306: 600\n      G307: \"0o999\"\n      G115: {}\n",
			[]string{
				`bad.yml:5:19: scanners.gosec.config.global.#nosec: invalid value "#" (want a match of ^#?[A-Za-z][A-Za-z0-9_-]{0,63}$)`,
				`bad.yml:6:16: scanners.gosec.config.global.audit: want true or false, got the string "yes"`,
				"bad.yml:8:18: scanners.gosec.config.G101.pattern: invalid regular expression: error parsing regexp: missing closing ): `(?i)pass(`",
				`bad.yml:9:19: scanners.gosec.config.G101.truncate: invalid value "16 chars"`,
				`bad.yml:11:14: scanners.gosec.config.G104.fmt: want a list of strings, got the string "Fscanf"`,
				`bad.yml:12:9: scanners.gosec.config.G104: keys must match`,
				`bad.yml:13:13: scanners.gosec.config.G306: invalid value "600" (want a match of ^0o?[0-7]{1,4}$)`,
				`bad.yml:14:13: scanners.gosec.config.G307: invalid value "0o999"`,
				`bad.yml:15:7: unknown key "G115" in scanners.gosec.config (did you mean "G111"?) (allowed: global, G101, G104, G111, G117, G301, G302, G306, G307)`,
			}},
		{"gosec pattern too long", "scanners:\n  gosec:\n    config:\n      G117:\n        pattern: \"" + strings.Repeat("a", 5000) + "\"\n",
			[]string{`bad.yml:5:18: scanners.gosec.config.G117.pattern: a regular expression of 5000 bytes (at most 4096)`}},
		{"several problems in file order", "timeout: 0s\nscanners:\n  gosec:\n    enabled: maybe\nfail-on: 3\n",
			[]string{
				"bad.yml:1:10: timeout: invalid value \"0s\"",
				"\nbad.yml:4:14: scanners.gosec.enabled: want true or false, got the string \"maybe\"",
				"\nbad.yml:5:10: fail-on: want one of critical, high, medium, low, none, got the integer 3",
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("bad.yml", []byte(tc.doc), ".")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\n%v\nwant it to contain:\n%s", err, w)
				}
			}
		})
	}
}

// What the loader rejects as an unknown key or a bad value, the schema
// rejects too, so that editors flag the same mistakes.
func TestSchemaRejectsBadFiles(t *testing.T) {
	for _, doc := range []string{
		"fail_on: high\n", "fail-on: hgih\n", "scanners:\n  semgrep: {}\n", "scanners:\n  gosec:\n    exclude: [B101]\n",
		"severity:\n  G104: severe\n", "reachability: on\n", "reachability:\n  imported: 7\n", "db:\n  max-age: 1w\n",
		"allow-incomplete: yes\n", "timeout: 300\n", "version: 2\n",
		"scanners:\n  gosec:\n    config:\n      G115: {}\n", "scanners:\n  gosec:\n    config:\n      G306: \"644\"\n",
		"scanners:\n  gosec:\n    config:\n      global:\n        nosec: \"true\"\n",
		"scanners:\n  gosec:\n    config:\n      G104:\n        fmt: [\"a b\"]\n",
	} {
		if _, err := Parse("x.yml", []byte(doc), "."); err == nil {
			t.Errorf("loader accepts %q", doc)
		}
		if errs := validate(t, []byte(doc)); len(errs) == 0 {
			t.Errorf("schema accepts %q", doc)
		}
	}
}

func TestRequiredButDisabled(t *testing.T) {
	c, err := Parse("c.yml", []byte("scanners:\n  bandit:\n    enabled: false\n    required: true\n"), ".")
	if err != nil {
		t.Fatal(err)
	}
	err = c.Resolve()
	want := "c.yml:4:15: scanners.bandit.required: scanner bandit is required but not enabled (set by c.yml:3:14)"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func TestGovulncheckFollowsScanWideTagsAndTests(t *testing.T) {
	c, err := Parse("c.yml", []byte("tests: true\ntags: [a, b]\n"), ".")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	g := Options[govulncheck.Config](c)
	if !g.Test || !slices.Equal(g.Tags, []string{"a", "b"}) || c.Source("scanners.govulncheck.tags").String() != "c.yml:2:7" {
		t.Errorf("govulncheck %+v from %s", g, c.Source("scanners.govulncheck.tags"))
	}
	c, _ = Parse("c.yml", []byte("tags: [a]\nscanners:\n  govulncheck:\n    tags: [vuln]\n"), ".")
	c.Resolve()
	if g := Options[govulncheck.Config](c); !slices.Equal(g.Tags, []string{"vuln"}) {
		t.Errorf("own tags lost: %v", g.Tags)
	}
}

// Print writes a file that loads back to the same configuration.
func TestPrintRoundTrip(t *testing.T) {
	for _, doc := range [][]byte{readExample(t), nil, []byte("reachability: off\nseverity:\n  \"1234\": low\n")} {
		c, err := Parse("c.yml", doc, "/repo")
		if err != nil {
			t.Fatal(err)
		}
		checkRoundTrip(t, c)
	}
}

// checkRoundTrip fails t unless c prints to a file that loads back to c.
func checkRoundTrip(t *testing.T, c *Config) {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Print(&buf); err != nil {
		t.Fatal(err)
	}
	again, err := Parse("printed.yml", buf.Bytes(), "/repo")
	if err != nil {
		t.Fatalf("printed config does not load: %v\n%s", err, buf.String())
	}
	if !equalConfig(c, again) {
		t.Fatalf("round trip changed the config:\n%s", buf.String())
	}
}

func equalConfig(a, b *Config) bool {
	x, y := a.Clone(), b.Clone()
	x.sources, y.sources, x.File, y.File = nil, nil, "", ""
	emptyToNil(reflect.ValueOf(x).Elem())
	emptyToNil(reflect.ValueOf(y).Elem())
	return reflect.DeepEqual(x, y)
}

// emptyToNil sets every empty list and map under v to nil: the printed
// file writes both as [] or {}.
func emptyToNil(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() && v.Type() != reflect.TypeFor[*scanner.Descriptor]() {
			emptyToNil(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				emptyToNil(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 && v.CanSet() {
			v.SetZero()
		}
		if v.Kind() == reflect.Slice {
			for i := range v.Len() {
				emptyToNil(v.Index(i))
			}
		}
	}
}

func TestPrintShowsSources(t *testing.T) {
	c, err := Parse("repo/.scangate.yml", []byte("fail-on: medium\nscanners:\n  gosec:\n    exclude: [G104]\n"), "repo")
	if err != nil {
		t.Fatal(err)
	}
	c.Timeout = 3 * time.Minute
	c.SetSource("timeout", FlagSource("--timeout"))
	var buf bytes.Buffer
	c.Print(&buf)
	out := buf.String()
	for _, re := range []string{
		`(?m)^fail-on: medium +# repo/\.scangate\.yml:1:10$`,
		`(?m)^timeout: 3m +# flag --timeout$`,
		`(?m)^allow-incomplete: false +# default$`,
		`(?m)^    exclude: \[G104\] +# repo/\.scangate\.yml:4:14$`,
		`(?m)^  file: repo/\.scangate-ignore\.yml +# default$`,
	} {
		if !regexpMatch(re, out) {
			t.Errorf("output does not match %s:\n%s", re, out)
		}
	}
}

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }
