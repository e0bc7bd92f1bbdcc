package gitrev

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/scangate/scangate/internal/intree"
)

// Place returns the directory to export commit to, and release, which
// removes it. The result cache's keys hold the scanned directory's absolute
// path, so the base is exported where the last export of the same commit
// was: stable/<commit>, beside the cache (stable is "" without a cache). A
// lock (held until release) keeps two concurrent scans of the same commit
// apart; the second one, or a system without locks, gets a temporary
// directory, which costs only cache hits. A directory that lies inside
// repo (a cache kept inside the checkout) is never used: the head scan
// would read the base's files.
func Place(stable, commit, repo string) (dir string, release func(), err error) {
	if stable != "" && !intree.Contains(repo, stable) {
		if dir, release, ok := lockedDir(stable, commit); ok {
			return dir, release, nil
		}
	}
	tmp, err := os.MkdirTemp("", "scangate-base-")
	if err != nil {
		return "", nil, fmt.Errorf("base tree: %w", err)
	}
	if intree.Contains(repo, tmp) {
		os.RemoveAll(tmp)
		return "", nil, fmt.Errorf("base tree: the temporary directory %s lies inside the repository; set TMPDIR to a directory outside it", filepath.Base(tmp))
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
}
