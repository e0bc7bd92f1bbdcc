package scanner

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/scangate/scangate/internal/resultcache"
)

// A result cache key holds what a scanner reads, not what the tree names:
// a symlink is keyed by the content behind it (a link's target string says
// nothing of what it holds), and a symlinked directory by the files in it.
// Paths in keys are relative to the root, so that they do not depend on
// where the tree lies. What cannot be keyed makes the key fail, so the unit
// is scanned uncached: a file that cannot be read or is not a regular file,
// a dangling link, a cycle of links, and a link leading outside the root
// (the scanner would read it, but a key must not hold files of the machine
// a repository chose).

// maxDirLinks bounds the symlinked directories one walk enters: links to
// the same directories at every level would multiply the walk.
const maxDirLinks = 10000

// KeyFile adds the file abs under root by its name relative to root and
// its content; an absent file adds that it is absent.
func KeyFile(k *resultcache.Key, root, abs string) {
	rel := RelPath(root, abs)
	fi, err := os.Lstat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		k.Add("absent", rel)
		return
	}
	if err != nil {
		k.Fail(keyErr(rel, err))
		return
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		keyRegular(k, abs, rel, fi)
		return
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		k.Fail(keyErr(".", err))
		return
	}
	keyLink(k, realRoot, abs, rel)
}

// keyRegular adds a file that is not a symlink.
func keyRegular(k *resultcache.Key, abs, rel string, fi fs.FileInfo) {
	if !fi.Mode().IsRegular() {
		k.Fail(fmt.Errorf("%s is not a regular file", rel))
		return
	}
	k.File(abs, rel)
}

// keyLink adds a symlinked file: where it leads, inside the root, and what
// it holds there.
func keyLink(k *resultcache.Key, realRoot, abs, rel string) {
	target, fi, err := resolve(realRoot, abs, rel)
	if err != nil {
		k.Fail(err)
		return
	}
	k.Add("link", rel, realRel(realRoot, target))
	keyRegular(k, target, rel, fi)
}

// resolve follows a symlink to where it leads inside the root.
func resolve(realRoot, abs, rel string) (string, fs.FileInfo, error) {
	target, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", nil, keyErr("symlink "+rel, err)
	}
	if !within(realRoot, target) {
		return "", nil, fmt.Errorf("symlink %s leads outside the scanned root", rel)
	}
	fi, err := os.Stat(target)
	if err != nil {
		return "", nil, keyErr("symlink "+rel, err)
	}
	return target, fi, nil
}

// keyErr names rel, never a machine path, in an error about it.
func keyErr(rel string, err error) error {
	return fmt.Errorf("%s: %w", rel, Bare(err))
}

func realRel(realRoot, p string) string {
	rel, err := filepath.Rel(realRoot, p)
	if err != nil {
		return p // not reached: p is within realRoot
	}
	return filepath.ToSlash(rel)
}

// TreeKey says which files under a directory a scanner reads, for KeyTree.
type TreeKey struct {
	Root string // the scanned root: names are relative to it
	// Want reports whether the scanner reads a file of this name (the
	// name of a symlink, not of its target: tools choose by the name).
	Want func(name string) bool
	// Skip reports whether a directory below the walk's start is left out.
	Skip func(abs, name string) bool
	// FollowDirs enters symlinked directories, as the go command does for
	// a package imported through one or a symlinked vendor directory.
	// Without it such a directory is not read (bandit's os.walk).
	FollowDirs bool
}

// KeyTree adds every file under dir that t wants, dir itself followed if
// it is a symlink.
func KeyTree(k *resultcache.Key, t TreeKey, dir string) {
	realRoot, err := filepath.EvalSymlinks(t.Root)
	if err != nil {
		k.Fail(keyErr(".", err))
		return
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		k.Fail(keyErr(RelPath(t.Root, dir), err))
		return
	}
	rel := RelPath(t.Root, dir)
	if !within(realRoot, real) {
		k.Fail(fmt.Errorf("%s leads outside the scanned root", rel))
		return
	}
	if real != filepath.Join(realRoot, filepath.FromSlash(rel)) {
		k.Add("dir link", rel, realRel(realRoot, real))
	}
	w := &keyWalk{t: t, k: k, realRoot: realRoot, open: map[string]bool{}}
	w.dir(dir, real)
}

type keyWalk struct {
	t        TreeKey
	k        *resultcache.Key
	realRoot string
	open     map[string]bool // real directories being walked: a cycle returns to one
	links    int
}

func (w *keyWalk) dir(abs, real string) {
	if w.k.Err() != nil {
		return
	}
	if w.open[real] {
		w.k.Fail(fmt.Errorf("symlink cycle at %s", RelPath(w.t.Root, abs)))
		return
	}
	w.open[real] = true
	defer delete(w.open, real)
	entries, err := os.ReadDir(abs)
	if err != nil {
		w.k.Fail(keyErr(RelPath(w.t.Root, abs), err))
		return
	}
	for _, e := range entries {
		name := e.Name()
		p := filepath.Join(abs, name)
		rel := RelPath(w.t.Root, p)
		switch {
		case e.IsDir():
			if w.t.Skip == nil || !w.t.Skip(p, name) {
				w.dir(p, filepath.Join(real, name))
			}
		case e.Type()&fs.ModeSymlink != 0:
			w.link(p, rel, name)
		case w.t.Want(name):
			fi, err := e.Info()
			if err != nil {
				w.k.Fail(keyErr(rel, err))
				return
			}
			keyRegular(w.k, p, rel, fi)
		}
		if w.k.Err() != nil {
			return
		}
	}
}

func (w *keyWalk) link(p, rel, name string) {
	fi, err := os.Stat(p)
	if err != nil {
		if w.t.Want(name) {
			w.k.Fail(keyErr("symlink "+rel, err))
		}
		return // dangling: if it comes to lead somewhere, the key changes
	}
	if fi.IsDir() {
		if !w.t.FollowDirs || w.t.Skip != nil && w.t.Skip(p, name) {
			return
		}
		target, _, err := resolve(w.realRoot, p, rel)
		if err != nil {
			w.k.Fail(err)
			return
		}
		if w.links++; w.links > maxDirLinks {
			w.k.Fail(fmt.Errorf("more than %d symlinked directories", maxDirLinks))
			return
		}
		w.k.Add("dir link", rel, realRel(w.realRoot, target))
		w.dir(p, target)
		return
	}
	if w.t.Want(name) {
		keyLink(w.k, w.realRoot, p, rel)
	}
}

// maxIncludeDepth bounds a chain of requirements includes.
const maxIncludeDepth = 20

// KeyDepFiles adds dependency files, given relative to root ("/"
// separated), and the requirements files they pull in with -r or -c,
// transitively, by content. An include leading outside the root makes k
// unusable: the tool would read it.
func KeyDepFiles(k *resultcache.Key, root string, rels ...string) {
	seen := map[string]bool{}
	var add func(rel string, depth int, included bool)
	add = func(rel string, depth int, included bool) {
		if seen[rel] {
			return
		}
		if depth > maxIncludeDepth {
			k.Fail(fmt.Errorf("%s: requirements included more than %d deep", rel, maxIncludeDepth))
			return
		}
		seen[rel] = true
		abs := filepath.Join(root, filepath.FromSlash(rel))
		KeyFile(k, root, abs)
		if k.Err() != nil || !included && !strings.HasSuffix(rel, ".txt") && !strings.HasSuffix(rel, ".in") {
			return
		}
		incs, err := requirementIncludes(abs)
		if err != nil {
			k.Fail(fmt.Errorf("%s: %w", rel, err))
			return
		}
		for _, inc := range incs {
			next := path.Clean(path.Join(path.Dir(rel), filepath.ToSlash(inc)))
			if path.IsAbs(inc) || filepath.IsAbs(inc) || !filepath.IsLocal(filepath.FromSlash(next)) {
				k.Fail(fmt.Errorf("%s includes %s, outside the tree", rel, inc))
				return
			}
			add(next, depth+1, true)
		}
	}
	for _, rel := range rels {
		add(rel, 0, false)
	}
}

// requirementIncludes lists the files a requirements file pulls in with -r
// or -c.
func requirementIncludes(abs string) ([]string, error) {
	f, err := os.Open(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // keyed as absent
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
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
	return out, sc.Err()
}
