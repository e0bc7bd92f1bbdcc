package pipeline

import (
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/scanner"
)

// A scanner's parts join into a complete run only when every shard that
// had its units completed them.
func TestJoinResultsState(t *testing.T) {
	done := finding.Result{Tool: "gosec", Version: "2.30.0", State: finding.Completed, Findings: []finding.Finding{{Tool: "gosec", RuleID: "G401"}}}
	skipped := finding.Result{Tool: "gosec", State: finding.Skipped}
	failed := finding.Result{Tool: "gosec", Version: "2.30.0", State: finding.Incomplete, Findings: []finding.Finding{{Tool: "gosec", RuleID: "G104"}}}
	for _, tc := range []struct {
		name  string
		parts []finding.Result
		state finding.State
		note  string
	}{
		{"all completed", []finding.Result{done, done}, finding.Completed, ""},
		{"one incomplete", []finding.Result{done, failed}, finding.Incomplete, ""},
		{"skipped in one", []finding.Result{done, skipped}, finding.Incomplete, "skipped in shard 2/2 but run in shard 1/2"},
		{"skipped in all", []finding.Result{skipped, skipped}, finding.Skipped, ""},
	} {
		got, err := joinResults(tc.parts, []string{"1/2", "2/2"})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got.State != tc.state {
			t.Errorf("%s: state %v, want %v", tc.name, got.State, tc.state)
		}
		if tc.note != "" && (len(got.Notifications) == 0 || !strings.Contains(got.Notifications[len(got.Notifications)-1].Message, tc.note)) {
			t.Errorf("%s: notifications %v, want %q", tc.name, got.Notifications, tc.note)
		}
		n := 0
		for _, p := range tc.parts {
			n += len(p.Findings)
		}
		if len(got.Findings) != n {
			t.Errorf("%s: %d findings, want %d", tc.name, len(got.Findings), n)
		}
	}
	other := done
	other.Version = "2.29.0"
	if _, err := joinResults([]finding.Result{done, other}, []string{"1/2", "2/2"}); err == nil || !strings.Contains(err.Error(), "same image") {
		t.Errorf("two versions joined: %v", err)
	}
}

// The partition is deterministic, puts each unit in one shard, and
// balances by size; a scanner without units is one unit.
func TestShardPartition(t *testing.T) {
	per := map[string][]scanner.Unit{
		"gosec":       {{Kind: scanner.UnitGoModule, Path: "a", Size: 900}, {Kind: scanner.UnitGoModule, Path: "b", Size: 500}, {Kind: scanner.UnitGoModule, Path: "c", Size: 400}},
		"govulncheck": {{Kind: scanner.UnitGoModule, Path: "a", Size: 900}, {Kind: scanner.UnitGoModule, Path: "b", Size: 500}, {Kind: scanner.UnitGoModule, Path: "c", Size: 400}},
		"osv-scanner": {{Kind: scanner.UnitLockfile, Path: "a/go.mod", Size: 10}},
		"bandit":      nil,
	}
	owner := map[string]int{}
	load := map[int]int64{}
	for k := 1; k <= 2; k++ {
		sh, err := scanner.NewShard(k, 2, per)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range sh.Units() {
			if o, ok := owner[u.Kind+u.Path]; ok {
				t.Errorf("%s %s in shards %d and %d", u.Kind, u.Path, o, k)
			}
			owner[u.Kind+u.Path] = k
			load[k] += u.Size
		}
		if sh.Runs("gosec") != sh.Runs("govulncheck") {
			t.Errorf("shard %d: gosec and govulncheck share modules but not shards", k)
		}
		keep := sh.Keeper("gosec")
		for _, m := range []string{"a", "b", "c"} {
			if keep(scanner.UnitGoModule, m) != (owner[scanner.UnitGoModule+m] == k) && owner[scanner.UnitGoModule+m] != 0 {
				t.Errorf("shard %d: Keeper and Units disagree on module %s", k, m)
			}
		}
	}
	if len(owner) != 5 {
		t.Errorf("%d units placed, want 5 (3 modules, a lockfile, bandit's tree): %v", len(owner), owner)
	}
	if load[1] != 910 || load[2] != 900 {
		t.Errorf("loads %v, want 910 and 900 (largest first on the lighter shard, ties to the first)", load)
	}
	if _, err := scanner.NewShard(3, 2, per); err == nil {
		t.Error("shard 3/2 accepted")
	}
}

// merge trusts no count a shard report holds: N is bounded before
// anything is sized by it, and the error names the file.
func TestMergeBoundsTheShardCount(t *testing.T) {
	root := t.TempDir()
	for _, count := range []int{1 << 62, 300_000_000, scanner.MaxShards + 1, -1} {
		shards := []Shard{{Name: "big.json", Report: &model.Report{Version: "v1", Shard: &model.ShardInfo{Index: 1, Count: count}}}}
		_, err := Merge(Plan{Root: root, Version: "v1"}, shards)
		if err == nil || !strings.HasPrefix(err.Error(), "big.json: shard 1/") || !strings.Contains(err.Error(), "<= 256") {
			t.Errorf("count %d: %v", count, err)
		}
	}
	many := make([]Shard, scanner.MaxShards+1)
	if _, err := Merge(Plan{Root: root, Version: "v1"}, many); err == nil || !strings.Contains(err.Error(), "at most 256 shards") {
		t.Errorf("257 reports: %v", err)
	}
	if _, _, err := scanner.ParseShard("1/257"); err == nil || !strings.Contains(err.Error(), "at most 256 shards") {
		t.Errorf("--shard 1/257: %v", err)
	}
	if _, err := scanner.NewShard(1, 1<<62, nil); err == nil {
		t.Error("NewShard sized by 2^62")
	}
}
