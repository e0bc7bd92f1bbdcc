package scanner

import (
	"slices"
)

// skippedDirs are the directories no walker of the scanned tree enters:
// copies of other people's code (vendored or installed), version-control
// metadata, and testdata, which the go command leaves out of ./...;
// skipping the same ones everywhere keeps every scanner on the same files.
// A walker adds only what is specific to its ecosystem (see skipGoDir and
// pythonSkips).
var skippedDirs = []string{"vendor", "node_modules", "testdata", ".git", ".hg", ".svn", ".bzr"}

// SkippedDir reports whether every walker skips a directory of this name.
func SkippedDir(name string) bool { return slices.Contains(skippedDirs, name) }

// SkippedDirs returns the names SkippedDir skips.
func SkippedDirs() []string { return slices.Clone(skippedDirs) }
