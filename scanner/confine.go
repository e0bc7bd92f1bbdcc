package scanner

import (
	"github.com/scangate/scangate/finding"
)

// confine drops what a scanner reports about places outside the root: a
// finding in a file reached through a symlink, a "replace" or include that
// leads out of the tree would show that file's text (its snippet, its
// line) in reports uploaded for every reader of the repository. Such
// findings are counted in one notification, without their paths. Frames
// and notifications located outside lose the location and keep the rest.
func confine(p *Paths, res *finding.Result) {
	dropped, droppedRules := 0, map[string]bool{}
	kept := res.Findings[:0]
	for _, f := range res.Findings {
		if !p.Inside(f.Location.Path) || f.Package != nil && !p.Inside(f.Package.Manifest) {
			dropped++
			droppedRules[f.RuleID] = true
			continue
		}
		for i := range f.Trace {
			if !f.Trace[i].External && !p.Inside(f.Trace[i].Location.Path) {
				f.Trace[i].Location = finding.Location{}
			}
		}
		kept = append(kept, f)
	}
	res.Findings = kept
	// A rule known only from dropped findings goes too: a tool may take its
	// description from its first message, quoting the outside file.
	if dropped > 0 {
		used := map[string]bool{}
		for _, f := range kept {
			used[f.RuleID] = true
		}
		rules := res.Rules[:0]
		for _, r := range res.Rules {
			if used[r.ID] || !droppedRules[r.ID] {
				rules = append(rules, r)
			}
		}
		res.Rules = rules
	}
	confinePackages(p, res)
	for i := range res.Notifications {
		if !p.Inside(res.Notifications[i].Location.Path) {
			res.Notifications[i].Location = finding.Location{}
		}
	}
	if dropped > 0 {
		noun := "findings"
		if dropped == 1 {
			noun = "finding"
		}
		res.Warnf("%s: %d %s located outside the scanned root (a symlink, an include or a replace leading out of the tree) dropped: only the repository's own files are reported", res.Tool, dropped, noun)
	}
}

// confinePackages drops inventory entries whose manifest lies outside the
// root, and bounds the inventory at finding.MaxPackages with a warning.
func confinePackages(p *Paths, res *finding.Result) {
	kept := res.Packages[:0]
	for _, c := range res.Packages {
		if p.Inside(c.Manifest) {
			kept = append(kept, c)
		}
	}
	if n := len(res.Packages) - len(kept); n > 0 {
		res.Warnf("%s: %d packages of manifests outside the scanned root not listed", res.Tool, n)
	}
	res.Packages = finding.SortPackages(kept)
	if n := len(res.Packages); n > finding.MaxPackages {
		res.Packages = res.Packages[:finding.MaxPackages]
		res.Warnf("%s: %d packages found, the first %d (by manifest and name) listed: the SBOM is incomplete", res.Tool, n, finding.MaxPackages)
	}
}
