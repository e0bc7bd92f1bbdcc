package model

import "github.com/scangate/scangate/finding"

// ShardInfo is what a shard's report carries for scangate merge: what it
// scanned, the digests that must agree across shards, and its scanners'
// results as they returned them, before correlation and policy, so that
// merge runs those stages once over every shard's results.
type ShardInfo struct {
	Index    int    `json:"index"`
	Count    int    `json:"count"`
	Commit   string `json:"commit,omitempty"`
	Tree     string `json:"tree"` // digest of every unit of the tree (kind, path, size)
	Database string `json:"database,omitempty"`
	// Settings are the scan's settings (flags and .scangate.yml) as a
	// .scangate.yml without this job's files and programs
	// (pipeline.SettingsOf): merge takes them from the shards, which must
	// agree.
	Settings string `json:"settings"`
	// Narrowed says --scanners picked the scanners (pipeline.Plan.Narrowed).
	Narrowed bool `json:"narrowed,omitempty"`
	// Units are this shard's units; Ran the scanners that had one.
	Units []Unit   `json:"units"`
	Ran   []string `json:"ran"`
	// Ratings are the database's answers for the advisories of Results,
	// which the remediate stage asks for: merge needs no database.
	Ratings []Rating `json:"ratings,omitempty"`
	// Results are the scanners' results as the tools list has them, each
	// run with its duration (WriteJSON).
	Results []finding.Result `json:"results"`
}

// Unit is one part of the tree a shard is given whole: a Go module, a
// lockfile, or the whole tree for a scanner that has no units.
type Unit struct {
	Kind string `json:"kind"` // scanner.UnitGoModule, scanner.UnitLockfile, or a scanner's name for the whole tree
	Path string `json:"path"` // "/"-separated, relative to the root ("." for the root)
	Size int64  `json:"size"` // bytes of the files it analyzes, what the partition balances
}

// Rating is one answer of the database's severity lookup.
type Rating struct {
	Ecosystem string   `json:"ecosystem"`
	ID        string   `json:"id"`
	Vectors   []string `json:"vectors,omitempty"`
	Label     string   `json:"label,omitempty"`
}
