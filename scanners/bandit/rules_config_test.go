package bandit

import (
	"maps"
	"slices"
	"testing"

	"github.com/scangate/scangate/config"
)

// config checks bandit test IDs against its own copy of this package's
// table: they must be the same checks.
func TestConfigKnowsEveryCheck(t *testing.T) {
	if got, want := config.Rules("bandit"), slices.Sorted(maps.Keys(checkNames)); !slices.Equal(got, want) {
		t.Errorf("config.Rules(bandit) = %v\nbandit's table has %v", got, want)
	}
}
