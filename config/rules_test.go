package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/scangate/scangate/scanners/bandit"
	"github.com/scangate/scangate/scanners/gosec"
)

// A rule ID of the right shape that the scanner does not have is an error
// at its line and column, as any other bad value.
func TestUnknownRuleIDs(t *testing.T) {
	t.Parallel()
	_, err := Parse("repo/.scangate.yml", []byte("scanners:\n  gosec:\n    include: [G101]\n    exclude: [G104, G999]\n  bandit:\n    skips: [B101, B999]\n"), "repo")
	if err == nil {
		t.Fatal("G999 and B999 accepted")
	}
	lines := strings.Split(err.Error(), "\n")
	for i, want := range []string{
		`repo/.scangate.yml:4:21: scanners.gosec.exclude: unknown gosec rule "G999" (known: G101, `,
		`repo/.scangate.yml:6:19: scanners.bandit.skips: unknown bandit rule "B999" (known: B101, `,
	} {
		if i >= len(lines) || !strings.HasPrefix(lines[i], want) {
			t.Errorf("error:\n%v\nwant line %d to begin %q", err, i+1, want)
		}
	}
	c, err := Parse("repo/.scangate.yml", []byte("scanners:\n  gosec:\n    exclude: [G104, G710]\n  bandit:\n    skips: [B704]\n"), "repo")
	if err != nil {
		t.Fatal(err)
	}
	if g, b := Options[gosec.Config](c), Options[bandit.Config](c); !slices.Equal(g.Exclude, []string{"G104", "G710"}) || !slices.Equal(b.Skips, []string{"B704"}) {
		t.Errorf("known rules: %v %v", g.Exclude, b.Skips)
	}
}
