//go:build !unix

package gitrev

// lockedDir has no lock here: every scan exports to a temporary directory.
func lockedDir(stable, commit string) (string, func(), bool) { return "", nil, false }
