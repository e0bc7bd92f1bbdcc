package gosec

import (
	"slices"
	"testing"

	"github.com/scangate/scangate/config"
)

// config checks rule IDs against its own copy of this list: it must be
// exactly the rules and analyzers the embedded gosec has.
func TestConfigKnowsEveryRule(t *testing.T) {
	if got, want := config.Rules("gosec"), RuleIDs(); !slices.Equal(got, want) {
		t.Errorf("config.Rules(gosec) = %v\nembedded gosec has %v", got, want)
	}
}
