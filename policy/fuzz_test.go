package policy_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/policy"
	"github.com/scangate/scangate/scanners/registry"
)

// FuzzParseBaseline: no input panics the reader, and whatever it accepts
// writes back to a file that reads to the same baseline.
func FuzzParseBaseline(f *testing.F) {
	var buf bytes.Buffer
	policy.NewBaseline(finding.Correlate(scan(), registry.Names())).Write(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gosec"}},"results":[{"ruleId":"G101","partialFingerprints":{"scangate/v1":"ab"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"main.go"}}}]}]}]}`))
	f.Add([]byte(`{"version":1,"findings":[{"tool":"npm","rule":"GHSA-x","package":"@scope/pkg@1.0.0","fingerprint":"ff","count":3}]}`))
	f.Add([]byte(`{"schemaVersion":1,"verdict":{},"tools":[{"tool":"gosec","findings":[{"tool":"gosec","ruleId":"G101","fingerprint":"ab","location":{"path":"main.go"},"suppressions":[{"kind":"inSource"}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := policy.ParseBaseline("fuzz.json", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "baseline fuzz.json: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		again := roundTrip(t, b)
		// A baseline file keeps no line or message (shown for fixed entries
		// only); everything else must read back.
		for i := range b.Findings {
			b.Findings[i].Line, b.Findings[i].Message = 0, ""
		}
		if !reflect.DeepEqual(b, again) {
			t.Fatalf("round trip changed the baseline:\n%+v\n%+v", b, again)
		}
	})
}

// FuzzParseIgnore: no input panics the parser; accepted entries always have
// a reason and a matcher, and applying them never panics.
func FuzzParseIgnore(f *testing.F) {
	f.Add([]byte(ignoreDoc))
	f.Add([]byte("suppressions:\n  - fingerprint: 0123abcd\n    reason: x\n    expires: 2027-01-31\n"))
	f.Add([]byte("suppressions:\n  - package: \"@types/node@1.0.0\"\n    path: \"**/[a-z]*.go\"\n    reason: y\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ig, err := policy.ParseIgnore("fuzz.yml", data, policy.IgnoreOptions{})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, e := range ig.Entries {
			if strings.TrimSpace(e.Reason) == "" || e.String() == "" {
				t.Fatalf("accepted entry without reason or matcher: %+v", e)
			}
		}
		results := finding.Correlate(scan(), registry.Names())
		ig.Apply(results, today).Notes(false)
	})
}
