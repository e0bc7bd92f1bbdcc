package finding

import (
	"encoding"
	"strings"
	"testing"
)

// Each enumeration reads back what it writes, and names itself when the text
// is none of its values (a report from a newer scangate, a hand edit).
func TestTextFormsRoundTrip(t *testing.T) {
	type textValue interface {
		encoding.TextMarshaler
		encoding.TextUnmarshaler
	}
	for _, tc := range []struct {
		what   string
		values []textValue
		fresh  func() encoding.TextUnmarshaler
	}{
		{"reachability", []textValue{ptr(ReachUnknown), ptr(Required), ptr(Imported), ptr(Called)},
			func() encoding.TextUnmarshaler { return new(Reachability) }},
		{"status", []textValue{ptr(StatusNew), ptr(StatusBaseline), ptr(StatusSuppressed)},
			func() encoding.TextUnmarshaler { return new(Status) }},
		{"state", []textValue{ptr(Completed), ptr(Incomplete), ptr(Skipped)},
			func() encoding.TextUnmarshaler { return new(State) }},
		{"outcome", []textValue{ptr(GatePass), ptr(GateFail), ptr(GateIncomplete)},
			func() encoding.TextUnmarshaler { return new(Outcome) }},
		{"severity", []textValue{ptr(Info), ptr(Low), ptr(Medium), ptr(High), ptr(Critical)},
			func() encoding.TextUnmarshaler { return new(Severity) }},
	} {
		seen := map[string]bool{}
		for _, v := range tc.values {
			b, err := v.MarshalText()
			if err != nil || seen[string(b)] {
				t.Fatalf("%s %v: text %q, err %v (repeated: %v)", tc.what, v, b, err, seen[string(b)])
			}
			seen[string(b)] = true
			got := tc.fresh()
			if err := got.UnmarshalText(b); err != nil {
				t.Fatalf("%s %q: %v", tc.what, b, err)
			}
			if back, _ := got.(encoding.TextMarshaler).MarshalText(); string(back) != string(b) {
				t.Errorf("%s %q read back as %q", tc.what, b, back)
			}
		}
		err := tc.fresh().UnmarshalText([]byte("bogus"))
		if err == nil || !strings.Contains(err.Error(), `unknown `+tc.what+` "bogus"`) {
			t.Errorf("%s from %q: err %v", tc.what, "bogus", err)
		}
	}
}

func ptr[T any](v T) *T { return &v }
