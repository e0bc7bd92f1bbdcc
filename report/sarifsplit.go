package report

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/scangate/scangate/finding"
)

// runPart is one SARIF run: the part of a tool's result that goes to one
// code-scanning category.
type runPart struct {
	finding.Result
	id string // automationDetails.id: <prefix><tool>/ or <prefix><tool>/<group>/
}

// Code scanning takes an uploaded run as the whole current state of its tool
// and category: an alert the run does not report is closed. A tool that
// analyzes the tree in units (Go modules, lockfiles) therefore writes one run
// per group of units, each in a category of its own, so that a unit that
// failed only leaves its own category out and keeps its alerts, while the
// completed units still report. The groups depend on the tree's units alone,
// never on which ones failed, so that a complete and a partial scan of the
// same tree use the same categories. docs/github.md has the reasoning.
//
// Split levels, finest first: a unit per category, then a category per
// top-level directory, then one per tool. The finest that keeps the whole
// file within the runs limit is used.
const (
	splitUnit = iota
	splitTop
	splitNone
)

// groupKey is the category suffix of unit u: its directory (a lockfile's
// folder: the lockfiles of one folder are one category), "" (the tool's own
// category, as for a tool without units) for the root's, which keeps a
// one-project repository's categories as they always were.
func groupKey(u finding.Unit, level int) string {
	p := u.Path
	if u.Kind == "lockfile" {
		p = path.Dir(p)
	}
	if p == "." || p == "" || level == splitNone {
		return ""
	}
	if level == splitTop {
		p, _, _ = strings.Cut(p, "/")
	}
	return p
}

// mergeTools merges the results of the same tool into one (GitHub rejects
// two runs of one tool and category) and leaves skipped tools out.
func mergeTools(results []finding.Result) []finding.Result {
	var out []finding.Result
	index := map[string]int{}
	for _, r := range results {
		if r.State == finding.Skipped {
			continue
		}
		r.Rules = slices.Clone(r.Rules)
		r.Findings = slices.Clone(r.Findings)
		r.Notifications = slices.Clone(r.Notifications)
		r.Units = slices.Clone(r.Units)
		i, seen := index[r.Tool]
		if !seen {
			index[r.Tool] = len(out)
			out = append(out, r)
			continue
		}
		m := &out[i]
		for _, rule := range r.Rules {
			m.AddRule(rule)
		}
		m.Findings = append(m.Findings, r.Findings...)
		m.Notifications = append(m.Notifications, r.Notifications...)
		m.Units = append(m.Units, r.Units...)
		if r.State == finding.Incomplete {
			m.State = finding.Incomplete
		}
		m.Duration += r.Duration
	}
	return out
}

// groups are the category suffixes of r's units at level, "" first: the
// tool's own category always exists (it also holds findings outside any unit).
func groups(r *finding.Result, level int) []string {
	keys := []string{""}
	for _, u := range r.Units {
		if k := groupKey(u, level); !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// splitLevel is the finest level at which every tool's groups fit in max runs.
func splitLevel(results []finding.Result, max int) int {
	for level := splitUnit; level < splitNone; level++ {
		n := 0
		for i := range results {
			n += len(groups(&results[i], level))
		}
		if n <= max {
			return level
		}
	}
	return splitNone
}

// splitRuns makes the runs of results (merged by tool): one per group of
// units, in the tool's order of units. A group is complete when each of its
// units is (the tool's own group also needs the tool complete when it has
// no units). Incomplete groups are left out unless keep; leftOut names them.
func splitRuns(results []finding.Result, prefix string, level int, keep bool) (parts []runPart, leftOut []string) {
	for _, r := range results {
		r.SettleUnits()
		keys := groups(&r, level)
		byKey := make([]runPart, len(keys))
		for k, key := range keys {
			p := finding.Result{Tool: r.Tool, Kind: r.Kind, Version: r.Version, InformationURI: r.InformationURI,
				Findings: []finding.Finding{}, State: finding.Completed, Duration: r.Duration}
			id := prefix + r.Tool + "/"
			if key != "" {
				id += categoryPart(key) + "/"
			}
			byKey[k] = runPart{Result: p, id: id}
		}
		own := &byKey[0]
		if !slices.ContainsFunc(r.Units, func(u finding.Unit) bool { return groupKey(u, splitUnit) == "" }) {
			// No unit of its own: the tool's category holds what lies
			// outside every unit, complete only when the tool is.
			own.State = r.State
		}
		for _, u := range r.Units {
			p := &byKey[slices.Index(keys, groupKey(u, level))]
			p.Units = append(p.Units, u)
			if u.State != finding.Completed {
				p.State = finding.Incomplete
			}
		}
		for _, f := range r.Findings {
			key := ""
			if i := finding.UnitOf(r.Units, &f); i >= 0 {
				key = groupKey(r.Units[i], level)
			}
			p := &byKey[slices.Index(keys, key)]
			p.Findings = append(p.Findings, f)
		}
		// Every run carries the tool's rules (fitRun drops none that a
		// finding uses) and, in its own category, the tool's notifications.
		var out []runPart
		var names []string
		for k := range byKey {
			p := byKey[k]
			p.Rules = slices.Clone(r.Rules)
			if p.State != finding.Completed && !keep {
				names = append(names, describeGroup(p))
				continue
			}
			out = append(out, p)
		}
		if len(out) == 0 && len(names) > 0 {
			names = []string{r.Tool} // nothing of it is written
		}
		leftOut = append(leftOut, names...)
		if len(out) > 0 {
			first := &out[0]
			first.Notifications = append(slices.Clone(r.Notifications), first.Notifications...)
			if len(out) < len(byKey) && !keep {
				var names []string
				for _, p := range byKey {
					if p.State != finding.Completed {
						names = append(names, p.id)
					}
				}
				first.Warnf("scangate: left out of this file, so that code scanning keeps their alerts: %s (could not complete)", strings.Join(names, ", "))
			}
		}
		parts = append(parts, out...)
	}
	return parts, leftOut
}

// describeGroup names a left-out run for people: the tool, and the units
// when the run is part of the tool's.
func describeGroup(p runPart) string {
	var failed []string
	for _, u := range p.Units {
		if u.State != finding.Completed {
			failed = append(failed, u.Path)
		}
	}
	if len(failed) == 0 {
		return p.Tool
	}
	return fmt.Sprintf("%s (%s %s)", p.Tool, p.Units[0].Kind, strings.Join(failed, ", "))
}

// categoryPart writes a unit's path for an automationDetails.id: bytes
// other than letters, digits and -._~/@+ are percent-encoded, so that a
// directory name from the scanned tree cannot end the id or add a line.
func categoryPart(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~/@+", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// SARIFLeftOut names the runs SARIF leaves out of the file because their
// tool, or some of its units, could not complete: "govulncheck (go-module
// api)", sorted. Empty with opt.KeepIncomplete.
func SARIFLeftOut(results []finding.Result, opt SARIFOptions) []string {
	if opt.KeepIncomplete {
		return nil
	}
	merged := mergeTools(results)
	_, out := splitRuns(merged, "", splitLevel(merged, opt.Limits.orDefault().Runs), false)
	slices.Sort(out)
	return out
}
