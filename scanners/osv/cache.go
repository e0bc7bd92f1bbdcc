package osv

import (
	goversion "go/version"
	"os"
	"path"
	"path/filepath"

	"golang.org/x/mod/modfile"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/scanner"
)

// cacheEntry is an offline scan's answer after the database checks.
type cacheEntry struct {
	Findings      []finding.Finding      `json:"findings"`
	Rules         []finding.Rule         `json:"rules,omitempty"`
	Notifications []finding.Notification `json:"notifications,omitempty"`
	Packages      []finding.Component    `json:"packages,omitempty"`
}

// cacheKey keys an offline scan on the database's digest, the options, and
// every file osv-scanner reads: the lockfiles, the requirements files they
// include (-r, -c), a go.mod's go.sum and the osv-scanner.toml beside
// them, whose ignores we report. Online scans are not cached: the answer changes with osv.dev.
func (s *Scanner) cacheKey(req *scanner.Request, files []lockfile) *resultcache.Key {
	if req.Cache == nil || !req.Offline || req.DBDigest == "" {
		return nil
	}
	k := req.Cache.Key(Name, "lockfile set")
	k.Add(req.DBDigest) // not the root: paths are keyed and stored relative to it
	k.JSON([]any{s.opt.SkipLockfiles, req.Exclude})
	for _, f := range files {
		k.Add(f.Rel, f.Ecosystem, f.Extractor)
		dir := path.Dir(f.Rel)
		scanner.KeyDepFiles(k, req.Root, f.Rel, path.Join(dir, "osv-scanner.toml"))
		if path.Base(f.Rel) == "go.mod" && readsGoSum(filepath.Join(req.Root, filepath.FromSlash(f.Rel))) {
			scanner.KeyFile(k, req.Root, filepath.Join(req.Root, filepath.FromSlash(path.Join(dir, "go.sum"))))
		}
	}
	if k.Err() != nil {
		return nil
	}
	return k
}

// readsGoSum says whether osv-scalibr reads the go.sum beside a go.mod: only
// below go 1.17, for the indirect requirements (its gomod extractor). The
// go.mod's own content is in the key, so this choice is keyed too; a go.mod
// that cannot be read or parsed keys go.sum to be safe.
func readsGoSum(gomod string) bool {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return true
	}
	f, err := modfile.ParseLax(gomod, data, nil)
	if err != nil {
		return true
	}
	return f.Go != nil && f.Go.Version != "" && goversion.Compare("go"+f.Go.Version, "go1.17") < 0
}
