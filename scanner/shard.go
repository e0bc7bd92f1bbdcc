package scanner

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"github.com/scangate/scangate/model"
)

// A Unit is a part of the tree that a scanner analyzes on its own: a Go
// module, a lockfile, or the whole tree for a scanner that cannot split its
// work. Sharded scans (scan --shard K/N) assign each unit to one shard, and
// a shard's report lists its units (model.ShardInfo).
type Unit = model.Unit

// The unit kinds that several scanners share: gosec and govulncheck analyze
// the same Go modules, so a module's two analyses land on one shard.
const (
	UnitGoModule = "go-module"
	UnitLockfile = "lockfile"
)

// UnitLister is implemented by scanners that can list their units without
// scanning. A scanner that does not is one unit, the whole tree.
type UnitLister interface {
	Units(req *Request) ([]Unit, error)
}

// Keeps reports whether this scan analyzes the unit; true when unsharded.
func (r *Request) Keeps(kind, path string) bool {
	return r.Keep == nil || r.Keep(kind, path)
}

// Shard is one part of a sharded scan: which scanners run here and which
// of their units they analyze.
type Shard struct {
	Index, Count int // Index is 1-based
	owner        map[string]int
	whole        map[string]int  // scanners analyzed as one unit, and their shard
	runs         map[string]bool // scanners with a unit in this shard
	mine         []Unit
}

func unitKey(kind, path string) string { return kind + "\x00" + path }

// NewShard partitions the units of every scanner (per maps scanner names to
// their units; an empty list is the whole tree) over count shards and
// returns shard index's part. The partition is deterministic: the same
// units give every shard the same answer. Units are placed largest first
// on the least loaded shard, so shards are balanced by size.
func NewShard(index, count int, per map[string][]Unit) (*Shard, error) {
	if count < 1 || index < 1 || index > count || count > MaxShards {
		return nil, fmt.Errorf("shard %d/%d: want K/N with 1 <= K <= N <= %d", index, count, MaxShards)
	}
	s := &Shard{Index: index, Count: count, owner: map[string]int{}, whole: map[string]int{}, runs: map[string]bool{}}
	all := AllUnits(per)
	load := make([]int64, count)
	for _, u := range all {
		best := 0
		for i := range load {
			if load[i] < load[best] {
				best = i
			}
		}
		load[best] += u.Size
		s.owner[unitKey(u.Kind, u.Path)] = best + 1
		if best+1 == index {
			s.mine = append(s.mine, u)
		}
	}
	for name, units := range per {
		if len(units) == 0 {
			s.whole[name] = s.owner[unitKey(name, ".")]
		}
		for _, u := range unitsOrTree(name, units) {
			if s.owner[unitKey(u.Kind, u.Path)] == index {
				s.runs[name] = true
			}
		}
	}
	slices.SortFunc(s.mine, CompareUnits)
	return s, nil
}

// AllUnits is every scanner's units once, largest first (then by kind and
// path): the order the partition places them in.
func AllUnits(per map[string][]Unit) []Unit {
	seen := map[string]bool{}
	var all []Unit
	for name, units := range per {
		for _, u := range unitsOrTree(name, units) {
			if k := unitKey(u.Kind, u.Path); !seen[k] {
				seen[k] = true
				all = append(all, u)
			}
		}
	}
	slices.SortFunc(all, func(a, b Unit) int { return cmp.Or(cmp.Compare(b.Size, a.Size), CompareUnits(a, b)) })
	return all
}

// unitsOrTree is a scanner's units; none is one unit, the whole tree.
func unitsOrTree(scanner string, units []Unit) []Unit {
	if len(units) == 0 {
		return []Unit{{Kind: scanner, Path: "."}}
	}
	return units
}

// CompareUnits orders units by kind, then path.
func CompareUnits(a, b Unit) int {
	return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Path, b.Path))
}

// Units are the units assigned to this shard, by kind and path.
func (s *Shard) Units() []Unit { return slices.Clone(s.mine) }

// Runs reports whether the scanner has anything to analyze in this shard.
func (s *Shard) Runs(scanner string) bool { return s.runs[scanner] }

// Keeper is the scanner's Request.Keep in this shard. A unit the partition
// did not see (the tree changed under the scan) is placed by a hash of its
// path, so that some shard, and only one, analyzes it.
func (s *Shard) Keeper(scanner string) func(kind, path string) bool {
	if owner, ok := s.whole[scanner]; ok {
		return func(string, string) bool { return owner == s.Index }
	}
	return func(kind, path string) bool {
		k := unitKey(kind, path)
		owner, ok := s.owner[k]
		if !ok {
			h := fnv.New32a()
			h.Write([]byte(k))
			owner = int(h.Sum32()%uint32(s.Count)) + 1
		}
		return owner == s.Index
	}
}

// MaxShards bounds N in --shard K/N and in the reports merge reads (a
// GitHub Actions matrix has at most 256 jobs, GitLab's parallel 200).
const MaxShards = 256

// ParseShard parses "K/N".
func ParseShard(v string) (index, count int, err error) {
	k, n, ok := strings.Cut(v, "/")
	index, err1 := strconv.Atoi(k)
	count, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || count < 1 || index < 1 || index > count {
		return 0, 0, fmt.Errorf("%q: want K/N, the shard K of N (1 <= K <= N), e.g. 2/4", v)
	}
	if count > MaxShards {
		return 0, 0, fmt.Errorf("%q: at most %d shards", v, MaxShards)
	}
	return index, count, nil
}
