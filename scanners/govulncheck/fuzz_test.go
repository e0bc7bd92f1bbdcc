package govulncheck

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/golang"
)

// FuzzStream: whatever the govulncheck child prints, decoding never panics
// and fails with an error naming govulncheck on anything but a stream of
// JSON objects, and converting what decodes gives findings with a rule and
// a location inside the scanned root. The seed in testdata/fuzz/FuzzStream
// is the real stream of govulncheck v1.9.0 (scangate-govulncheck) on
// examples/project with examples/vulndb, the database URL shortened.
func FuzzStream(f *testing.F) {
	root, err := filepath.Abs(filepath.Join("..", "..", "examples", "project"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"config":{"protocol_version":"v1.0.0","go_version":"go1.26.8","scan_level":"symbol"}}
{"osv":{"id":"GO-1","summary":"s","details":"d","affected":[],"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}}
{"finding":{"osv":"GO-1","trace":[{"module":"stdlib","version":"v1.22.4","package":"net/http","function":"Get","receiver":"*Client"},{"module":"example.com/scangate-example","function":"main","position":{"filename":"main.go","line":3,"column":2}}]}}`))
	f.Add([]byte(`{"progress":{"message":"x"}} {"SBOM":{"modules":[{"path":"m"}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := decodeBytes(data)
		if err != nil {
			if !strings.Contains(err.Error(), "govulncheck") {
				t.Fatalf("error does not name govulncheck: %v", err)
			}
			return
		}
		// Accepted input is a sequence of JSON values.
		dec := json.NewDecoder(strings.NewReader(string(data)))
		for dec.More() {
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("accepted invalid JSON: %v", err)
			}
		}
		sc := &scan{req: &scanner.Request{Root: root}, mods: []golang.Module{{Dir: root, Rel: ".", Path: "example.com/scangate-example"}},
			res: &finding.Result{Tool: Name}, severity: map[string]advisorySeverity{}}
		if err := sc.convert(sc.mods[0], st); err != nil {
			t.Fatalf("convert: %v", err)
		}
		for _, fd := range sc.res.Findings {
			if sc.res.Rule(fd.RuleID) == nil {
				t.Fatalf("finding %q has no rule", fd.RuleID)
			}
			if p := fd.Location.Path; p == "" || filepath.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") {
				t.Fatalf("finding located outside the root: %+v", fd.Location)
			}
		}
	})
}
