package bandit

import (
	"os"
	"path/filepath"
	"slices"

	"github.com/scangate/scangate/internal/shellout"

	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/scanner"
)

// cacheKey keys a bandit run on the program (its file and version), its
// arguments and every file under the root bandit can read: Python sources
// and the configuration files it or its arguments name, by content, behind
// symlinks too. bandit's os.walk does not enter symlinked directories, but
// it does walk a target that is one.
func (s *Scanner) cacheKey(req *scanner.Request, program string, version func() (string, error), args []string) *resultcache.Key {
	if req.Cache == nil {
		return nil
	}
	v, err := version()
	if err != nil {
		return nil
	}
	k := req.Cache.Key("bandit", "Python tree")
	k.Program(program)
	k.Add(v) // not the root: paths are keyed and stored relative to it
	k.Add(args...)
	k.Add(shellout.KeyEnv(childEnv(req.Root))...)
	k.JSON([]any{req.Exclude, req.Tests})
	tree := scanner.TreeKey{Root: req.Root, Want: banditReads, Skip: func(_, name string) bool {
		return name == ".git" || name == "node_modules"
	}}
	scanner.KeyTree(k, tree, req.Root)
	for _, t := range targets(args) {
		abs := filepath.Join(req.Root, filepath.FromSlash(t))
		real, err := filepath.EvalSymlinks(abs)
		switch {
		case err != nil:
			k.Fail(err)
		case !isDir(real):
			scanner.KeyFile(k, req.Root, abs) // read whatever its name
		case !samePath(req.Root, abs, real):
			scanner.KeyTree(k, tree, abs) // reached through a symlink
		}
	}
	// The configuration's own files, which may lie outside the tree.
	for _, f := range []string{s.opt.ConfigFile, s.opt.Ini} {
		switch {
		case f == "":
		case filepath.IsAbs(f) && !filepath.IsLocal(scanner.RelPath(req.Root, f)):
			k.File(f, f)
		default:
			if !filepath.IsAbs(f) {
				f = filepath.Join(req.Root, f)
			}
			scanner.KeyFile(k, req.Root, f)
		}
	}
	if k.Err() != nil {
		return nil
	}
	return k
}

// banditReads reports whether bandit or the adapter may read a file of
// this name: Python sources and configuration.
func banditReads(name string) bool {
	switch filepath.Ext(name) {
	case ".py", ".pyw", ".pyi", ".cfg", ".toml", ".ini", ".yaml", ".yml":
		return true
	}
	return name == ".bandit"
}

// targets are the paths args give bandit to walk (after -r, before -f).
func targets(args []string) []string {
	end := slices.Index(args, "-f")
	if len(args) == 0 || args[0] != "-r" || end < 1 {
		return nil
	}
	return args[1:end]
}

// samePath reports whether real is abs without symlinks on its way from
// the root.
func samePath(root, abs, real string) bool {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(root, abs)
	return err == nil && filepath.Join(realRoot, rel) == real
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
