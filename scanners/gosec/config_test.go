package gosec

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	securego "github.com/securego/gosec/v2"
	"github.com/securego/gosec/v2/rules"
	"gopkg.in/yaml.v3"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/scannertest"
)

// optionsFrom builds the adapter's options from a scanners.gosec.config
// block of a .scangate.yml over the defaults, as the registry does (the
// loader's own checks are config's tests).
func optionsFrom(t *testing.T, block string) Options {
	t.Helper()
	c := *Descriptor.Options.(*Config)
	if err := yaml.Unmarshal([]byte("config:\n"+indent(block, "  ")), &c); err != nil {
		t.Fatalf("config:\n%s\n%v", block, err)
	}
	return c.Options()
}

func indent(s, by string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = by + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// lineOf is "file:line" of the first line of testdata/gosec/config/file
// holding text; a text ending in "$" must end the line.
func lineOf(t *testing.T, file, text string) string {
	t.Helper()
	data := testkit.ReadFile(t, scannertest.Testdata("gosec", "config", file))
	suffix, atEnd := strings.CutSuffix(text, "$")
	for i, l := range strings.Split(string(data), "\n") {
		if atEnd && strings.HasSuffix(l, suffix) || !atEnd && strings.Contains(l, text) {
			return fmt.Sprintf("%s:%d", file, i+1)
		}
	}
	t.Fatalf("%s has no line with %q", file, text)
	return ""
}

// reported lists a scan's findings as "G401 nosec.go:7", with
// " suppressed" when an in-source marker suppresses it.
func reported(o scanOut) []string {
	var out []string
	for _, f := range o.Res.Findings {
		s := fmt.Sprintf("%s %s:%d", f.RuleID, f.Location.Path, f.Location.StartLine)
		if f.Suppressed() {
			s += " suppressed"
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// Each of gosec's settings, given as .scangate.yml spells it, changes what
// the embedded gosec reports on its own samples exactly as gosec documents,
// and is part of the result cache's key: a scan with a changed setting is
// answered by gosec, not by the entry of another configuration.
func TestGosecSettings(t *testing.T) {
	root := scannertest.Testdata("gosec", "config")
	cache := resultcache.Open(resultcache.Options{Dir: t.TempDir(), Build: "A"})
	withCache := func(r *scanner.Request) { r.Cache = cache }
	run := func(t *testing.T, opt Options, hit bool) scanOut {
		t.Helper()
		before := cache.Stats()["gosec"]
		o := scan(t, root, opt, withCache)
		if o.Err != nil {
			t.Fatalf("scan: %v", o.Err)
		}
		if n := cache.Stats()["gosec"]; (n.Hits != before.Hits) != hit {
			t.Errorf("%d cache hits, want hits: %v", n.Hits-before.Hits, hit)
		}
		return o
	}
	base := run(t, optionsFrom(t, "{}\n"), false)
	baseList := reported(base)
	bare := lineOf(t, "nosec.go", "#nosec G401$") // names a rule, gives no reason
	at := func(rule, file, text, suffix string) string {
		return strings.TrimSpace(rule + " " + lineOf(t, file, text) + " " + suffix)
	}
	// What the defaults report, as gosec's samples say.
	for _, want := range []string{
		at("G401", "nosec.go", "#nosec G401 --", "suppressed"),
		at("G401", "nosec.go", "#falsepositive", ""),
		at("G401", "nosec.go", "names no rule", "suppressed"),
		"G401 " + bare + " suppressed",
		at("G101", "g101.go", "password :=", ""),
		at("G104", "g104.go", "ioutil.WriteFile", ""),
		at("G111", "g111.go", `http.Dir("/")`, ""),
		at("G117", "g117.go", "login{}", ""),
		at("G301", "perms.go", "MkdirAll", ""),
		at("G302", "perms.go", "Chmod", ""),
		at("G306", "perms.go", "os.WriteFile", ""),
	} {
		if !slices.Contains(baseList, want) {
			t.Errorf("defaults: %q not reported; got\n%s", want, strings.Join(baseList, "\n"))
		}
	}
	for _, c := range []struct {
		name, block    string
		added, removed []string
		notification   string // a notification the scan must carry
	}{
		{"nosec", "global:\n  nosec: true\n",
			[]string{at("G401", "nosec.go", "#nosec G401 --", ""), at("G401", "nosec.go", "names no rule", ""), "G401 " + bare, at("G401", "nosec.go", "nolint:gosec", "")},
			[]string{at("G401", "nosec.go", "#nosec G401 --", "suppressed"), at("G401", "nosec.go", "names no rule", "suppressed"), "G401 " + bare + " suppressed", at("G401", "nosec.go", "nolint:gosec", "suppressed")}, ""},
		{"#nosec tag", "global:\n  \"#nosec\": \"#falsepositive\"\n",
			[]string{at("G401", "nosec.go", "#falsepositive", "suppressed")}, []string{at("G401", "nosec.go", "#falsepositive", "")}, ""},
		{"show-ignored", "global:\n  show-ignored: true\n", nil, nil, ""},
		{"audit", "global:\n  audit: true\n", []string{at("G104", "audit.go", "v, _ := test()", "")}, nil, ""},
		{"nosec-require-rules", "global:\n  nosec-require-rules: true\n",
			[]string{at("G401", "nosec.go", "names no rule", "")}, []string{at("G401", "nosec.go", "names no rule", "suppressed")},
			"invalid nosec directive: missing rule ID"},
		{"nosec-require-justification", "global:\n  nosec-require-justification: true\n",
			[]string{"G401 " + bare}, []string{"G401 " + bare + " suppressed"}, "invalid nosec directive: missing justification"},
		{"G101 pattern", "G101:\n  pattern: (?i)vault\n",
			[]string{at("G101", "g101.go", "vaultKey :=", "")}, []string{at("G101", "g101.go", "password :=", "")}, ""},
		{"G101 ignore_entropy", "G101:\n  ignore_entropy: true\n",
			[]string{at("G101", "g101.go", "secret :=", ""), at("G101", "g101.go", "passphrase :=", ""), at("G101", "g101.go", "apiToken :=", "")}, nil, ""},
		{"G101 entropy_threshold", "G101:\n  entropy_threshold: \"30.0\"\n", []string{at("G101", "g101.go", "passphrase :=", "")}, nil, ""},
		{"G101 per_char_threshold", "G101:\n  per_char_threshold: 4.0\n", nil, []string{at("G101", "g101.go", "password :=", "")}, ""},
		{"G101 truncate", "G101:\n  truncate: \"64\"\n", []string{at("G101", "g101.go", "apiToken :=", "")}, nil, ""},
		{"G101 min_entropy_length", "G101:\n  min_entropy_length: \"48\"\n", nil, []string{at("G101", "g101.go", "password :=", "")}, ""},
		{"G104", "G104:\n  ioutil: [WriteFile]\n", nil, []string{at("G104", "g104.go", "ioutil.WriteFile", "")}, ""},
		{"G111", "G111:\n  pattern: 'http\\.Dir\\(\"/srv/www\"\\)'\n",
			[]string{at("G111", "g111.go", "/srv/www", "")}, []string{at("G111", "g111.go", `http.Dir("/")`, "")}, ""},
		{"G117", "G117:\n  pattern: (?i)custom[_-]?secret\n",
			[]string{at("G117", "g117.go", "vault{}", "")}, []string{at("G117", "g117.go", "login{}", "")}, ""},
		{"G301", "G301: \"0755\"\n", nil, []string{at("G301", "perms.go", "MkdirAll", "")}, ""},
		{"G302", "G302: 0644\n", nil, []string{at("G302", "perms.go", "Chmod", "")}, ""},
		{"G306", "G306: \"0o644\"\n", nil, []string{at("G306", "perms.go", "os.WriteFile", "")}, ""},
		{"G307", "G307: \"0600\"\n", []string{at("G307", "perms.go", "os.Create", "")}, nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			// show-ignored changes nothing: the same answer, rightly from the cache.
			o := run(t, optionsFrom(t, c.block), c.name == "show-ignored")
			got := reported(o)
			added, removed := minus(got, baseList), minus(baseList, got)
			slices.Sort(c.added)
			slices.Sort(c.removed)
			if !slices.Equal(added, c.added) || !slices.Equal(removed, c.removed) {
				t.Errorf("%s: added %q, removed %q; want added %q, removed %q", strings.TrimSpace(c.block), added, removed, c.added, c.removed)
			}
			if c.notification != "" && !slices.ContainsFunc(o.Res.Notifications, func(n finding.Notification) bool {
				return strings.Contains(n.Message, c.notification)
			}) {
				t.Errorf("no notification %q: %+v", c.notification, o.Res.Notifications)
			}
		})
	}

	// The defaults again: answered from the cache, as the first scan answered.
	again := run(t, optionsFrom(t, "{}\n"), true)
	if answer(t, again) != answer(t, base) {
		t.Errorf("cached answer differs:\n%s\nwant\n%s", answer(t, again), answer(t, base))
	}
}

// DefaultSettings, which `config print` shows and every scan
// passes, builds each rule exactly as gosec's own defaults do.
func TestGosecConfigDefaultsAreGosecs(t *testing.T) {
	ours := securego.NewConfig()
	for k, v := range DefaultSettings.RuleConfig() {
		ours.Set(k, v)
	}
	defs := rules.Generate(false).Rules
	for _, id := range []string{"G101", "G104", "G111", "G117", "G301", "G302", "G306", "G307"} {
		def, ok := defs[id]
		if !ok {
			t.Fatalf("gosec has no rule %s", id)
		}
		want, _ := def.Create(id, securego.NewConfig())
		got, _ := def.Create(id, ours)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s with scangate's defaults:\n%+v\nwith gosec's:\n%+v", id, got, want)
		}
	}
	// And a changed value does change the rule (the comparison can fail).
	changed := securego.NewConfig()
	changed.Set("G306", "0644")
	a, _ := defs["G306"].Create("G306", changed)
	b, _ := defs["G306"].Create("G306", ours)
	if reflect.DeepEqual(a, b) {
		t.Error("G306 built the same with mode 0644 as with the default")
	}
}
