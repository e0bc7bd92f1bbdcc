package osv

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

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
	seen := map[string]bool{}
	var add func(rel string, depth int)
	add = func(rel string, depth int) {
		if seen[rel] || depth > 20 {
			return
		}
		seen[rel] = true
		abs := filepath.Join(req.Root, filepath.FromSlash(rel))
		if _, err := os.Stat(abs); err != nil {
			k.Add("absent", rel)
			return
		}
		k.File(abs, rel)
		for _, inc := range includes(abs) {
			next := path.Clean(path.Join(path.Dir(rel), filepath.ToSlash(inc)))
			if path.IsAbs(inc) || filepath.IsAbs(inc) || next == ".." || strings.HasPrefix(next, "../") {
				// Outside the tree: not hashed, so no answer is kept.
				k.Fail(fmt.Errorf("%s includes %s, outside the tree", rel, inc))
				return
			}
			add(next, depth+1)
		}
	}
	for _, f := range files {
		k.Add(f.Rel, f.Ecosystem, f.Extractor)
		add(f.Rel, 0)
		add(path.Join(path.Dir(f.Rel), "osv-scanner.toml"), 0)
	}
	if k.Err() != nil {
		return nil
	}
	return k
}

// includes lists the files a requirements file pulls in with -r or -c.
func includes(abs string) []string {
	if !strings.HasSuffix(abs, ".txt") && !strings.HasSuffix(abs, ".in") {
		return nil
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		for i, w := range fields {
			switch {
			case (w == "-r" || w == "-c" || w == "--requirement" || w == "--constraint") && i+1 < len(fields):
				out = append(out, fields[i+1])
			case strings.HasPrefix(w, "--requirement="), strings.HasPrefix(w, "--constraint="):
				_, v, _ := strings.Cut(w, "=")
				out = append(out, v)
			case strings.HasPrefix(w, "-r") && len(w) > 2, strings.HasPrefix(w, "-c") && len(w) > 2:
				out = append(out, w[2:])
			}
		}
	}
	return out
}
