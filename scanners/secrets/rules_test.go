package secrets

import (
	"strings"
	"testing"
)

// The prefilter compares case-folded text: a keyword with an upper-case
// letter would never match and silently turn its detector off.
func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range catalogue {
		if seen[d.id] {
			t.Errorf("%s: twice", d.id)
		}
		seen[d.id] = true
		if d.need != nil && len(d.need) == 0 {
			t.Errorf("%s: an empty keyword list turns it off", d.id)
		}
		for _, k := range d.need {
			if k == "" || k != strings.ToLower(k) {
				t.Errorf("%s: keyword %q is not lower case", d.id, k)
			}
		}
	}
}
