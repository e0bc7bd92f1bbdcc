package config

import (
	"os"
	"testing"
)

// FuzzParse: no input makes the loader panic, every rejection is a
// positioned *Error, and whatever loads prints back to the same configuration.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile(exampleFile); err == nil {
		f.Add(data)
	}
	f.Add([]byte("fail-on: medium\nscanners:\n  gosec:\n    exclude: [G104]\n"))
	f.Add([]byte("reachability: off\nseverity:\n  G104: low\n"))
	f.Add([]byte("tags: &a [x]\nexclude: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yml", data, "/repo")
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		checkRoundTrip(t, c)
	})
}
