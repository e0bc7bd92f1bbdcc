package scanners

import (
	"path/filepath"
	"strings"

	"github.com/scangate/scangate/finding"
)

// dropOutside removes the findings whose file, though named under root,
// resolves outside it: a symlink in the scanned tree to a file elsewhere
// on the machine, which bandit and the go command read. Their messages and
// snippets would quote that file. It returns how many it dropped.
func dropOutside(root string, res *finding.Result) int {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil || len(res.Findings) == 0 {
		return 0
	}
	outside := map[string]bool{}
	for _, f := range res.Findings {
		p := f.Location.Path
		if _, seen := outside[p]; seen || p == "" {
			continue
		}
		// A file that cannot be resolved (gone, a loop) is kept: only a
		// file proven to be elsewhere is dropped.
		real, err := filepath.EvalSymlinks(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil {
			outside[p] = false
			continue
		}
		rel, err := filepath.Rel(realRoot, real)
		outside[p] = err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	kept := res.Findings[:0]
	dropped, used := map[string]bool{}, map[string]bool{}
	for _, f := range res.Findings {
		if outside[f.Location.Path] {
			dropped[f.RuleID] = true
			continue
		}
		kept = append(kept, f)
		used[f.RuleID] = true
	}
	n := len(res.Findings) - len(kept)
	res.Findings = kept
	// A rule known only from dropped findings goes too: its description
	// is the first message of the tool, taken from the outside file.
	rules := res.Rules[:0]
	for _, r := range res.Rules {
		if !dropped[r.ID] || used[r.ID] {
			rules = append(rules, r)
		}
	}
	res.Rules = rules
	return n
}
