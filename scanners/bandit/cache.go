package bandit

import (
	"io/fs"
	"path/filepath"

	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/scanners"
)

// cacheKey keys a bandit run on the program (its file and version), its
// arguments and every file under the root bandit can read: Python sources
// and the configuration files it or its arguments name.
func (s *Scanner) cacheKey(req *scanners.Request, program string, version func() (string, error), args []string) *resultcache.Key {
	if req.Cache == nil {
		return nil
	}
	v, err := version()
	if err != nil {
		return nil
	}
	k := req.Cache.Key("bandit", "Python tree")
	k.Program(program)
	k.Add(v, req.Root)
	k.Add(args...)
	k.Add(childEnv(req.Root)...)
	k.JSON([]any{req.Exclude, req.Tests})
	err = filepath.WalkDir(req.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != req.Root && (d.Name() == ".git" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(d.Name()) {
		case ".py", ".pyw", ".pyi", ".cfg", ".toml", ".ini", ".yaml", ".yml":
		default:
			if d.Name() != ".bandit" {
				return nil
			}
		}
		if d.Type().IsRegular() {
			k.File(p, scanners.RelPath(req.Root, p))
		} else {
			k.Add("not a regular file", scanners.RelPath(req.Root, p), d.Type().String())
		}
		return nil
	})
	if err != nil || k.Err() != nil {
		return nil
	}
	return k
}
