package safety

import (
	"fmt"
	"path/filepath"

	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/scanner"
)

// cacheKey keys a safety 2 check against a local database on the program
// and its version, the arguments, the database's files, the dependency
// files and the repository's .safety-policy.yml. Checks against the online
// database are not cached: its answer changes without a digest to key on.
func (s *Scanner) cacheKey(req *scanner.Request, program, version, db string, files, args []string) *resultcache.Key {
	if req.Cache == nil || db == "" {
		return nil
	}
	k := req.Cache.Key("safety", "requirements set")
	k.Program(program)
	k.Add(version, db) // not the root: paths are keyed and stored relative to it
	k.Add(args...)
	k.JSON([]any{req.Exclude, s.key() != ""})
	for _, f := range []string{"insecure.json", "insecure_full.json"} {
		k.File(filepath.Join(db, f), f)
	}
	// safety reads what the files include (-r, -c) too.
	for _, f := range files {
		rel := filepath.ToSlash(f)
		if filepath.IsAbs(f) {
			rel = scanner.RelPath(req.Root, f)
		}
		if !filepath.IsLocal(filepath.FromSlash(rel)) {
			k.Fail(fmt.Errorf("%s is outside the scanned root", f)) // nor are its includes keyed
			continue
		}
		scanner.KeyDepFiles(k, req.Root, rel)
	}
	scanner.KeyFile(k, req.Root, filepath.Join(req.Root, ".safety-policy.yml"))
	if k.Err() != nil {
		return nil
	}
	return k
}
