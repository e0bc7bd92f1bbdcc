package osv

import (
	"path"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/scanners"
)

// cacheEntry is an offline scan's answer after the database checks.
type cacheEntry struct {
	Findings      []finding.Finding      `json:"findings"`
	Rules         []finding.Rule         `json:"rules,omitempty"`
	Notifications []finding.Notification `json:"notifications,omitempty"`
}

// cacheKey keys an offline scan on the database's digest, the options, and
// every file osv-scanner reads: the lockfiles, the requirements files they
// include (-r, -c) and the osv-scanner.toml beside them, whose ignores we
// apply. Online scans are not cached: the answer changes with osv.dev.
func (s *Scanner) cacheKey(req *scanners.Request, files []lockfile) *resultcache.Key {
	if req.Cache == nil || !req.Offline || req.DBDigest == "" {
		return nil
	}
	k := req.Cache.Key(Name, "lockfile set")
	k.Add(req.DBDigest, req.Root)
	k.JSON([]any{s.opt.SkipLockfiles, req.Exclude})
	for _, f := range files {
		k.Add(f.Rel, f.Ecosystem, f.Extractor, f.Arg)
		scanners.KeyDepFiles(k, req.Root, f.Rel, path.Join(path.Dir(f.Rel), "osv-scanner.toml"))
	}
	if k.Err() != nil {
		return nil
	}
	return k
}
