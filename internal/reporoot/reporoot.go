// Package reporoot finds the root of the repository a scanned directory
// belongs to, so that SARIF and workflow annotations name files the way
// GitHub does: from the repository root, not from the scanned directory.
//
// The scanned tree is hostile, so git is never run and nothing under .git
// is read: the root is the nearest directory, from the scanned one upwards,
// that holds a .git directory or file (a worktree or submodule has a file).
package reporoot

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Root is where the repository starts, seen from the scanned directory.
type Root struct {
	Dir string // absolute, symbolic links resolved
	// Prefix is the scanned directory relative to Dir, "/"-separated; ""
	// when the scanned directory is the root.
	Prefix string
}

// Find returns the repository root of the directory scanned. With a
// workspace ($GITHUB_WORKSPACE) the root must lie within it: the search
// stops there, and a scanned directory outside it is its own root. Without
// a .git on the way, the scanned directory is the root.
func Find(scanned, workspace string) (Root, error) {
	dir, err := resolve(scanned)
	if err != nil {
		return Root{}, fmt.Errorf("scan path %s: %w", scanned, err)
	}
	stop := ""
	if workspace != "" {
		if stop, err = resolve(workspace); err != nil {
			return Root{}, fmt.Errorf("GITHUB_WORKSPACE %s: %w", workspace, err)
		}
		if !within(stop, dir) {
			return Root{Dir: dir}, nil
		}
	}
	for cur := dir; ; {
		if hasGit(cur) {
			rel, err := filepath.Rel(cur, dir)
			if err != nil {
				return Root{}, fmt.Errorf("scan path %s: %w", scanned, err)
			}
			if rel == "." {
				rel = ""
			}
			return Root{Dir: cur, Prefix: filepath.ToSlash(rel)}, nil
		}
		parent := filepath.Dir(cur)
		if cur == stop || parent == cur {
			return Root{Dir: dir}, nil
		}
		cur = parent
	}
}

func resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// hasGit reports a .git directory or regular file in dir. A symbolic link
// named .git is no marker: git checkouts never create one, and following
// it would let the tree point the search anywhere.
func hasGit(dir string) bool {
	fi, err := os.Lstat(filepath.Join(dir, ".git"))
	return err == nil && (fi.IsDir() || fi.Mode().IsRegular())
}

// within reports whether p is base or lies below it.
func within(base, p string) bool {
	rel, err := filepath.Rel(base, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
