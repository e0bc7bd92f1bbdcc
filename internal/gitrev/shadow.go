package gitrev

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/scangate/scangate/internal/shellout"
)

// shadow is a git directory of our making: our own config, the
// repository's HEAD copied, and links to its refs and shallow list; the
// objects are read in place (GIT_OBJECT_DIRECTORY). git never opens the
// repository's config, so nothing it sets or includes (aliases, remotes,
// promisor settings, protocol.<name>.allow, filters, hooks) applies.
type shadow struct {
	dir     string
	objects string
}

// gitDirs finds the repository's git directory and, for a linked worktree
// or a submodule, its common directory (refs, objects and shallow live
// there).
func gitDirs(root string) (gitDir, common string, err error) {
	p := filepath.Join(root, ".git")
	fi, err := os.Lstat(p)
	switch {
	case err != nil:
		return "", "", fmt.Errorf("%s is not a git repository", root)
	case fi.Mode()&os.ModeSymlink != 0:
		return "", "", errors.New(".git is a symbolic link")
	case fi.IsDir():
		gitDir = p
	case fi.Mode().IsRegular():
		// A worktree's or submodule's "gitdir: <path>".
		b, err := readSmall(p)
		if err != nil {
			return "", "", fmt.Errorf(".git: %w", err)
		}
		d, ok := strings.CutPrefix(strings.TrimRight(string(b), "\r\n"), "gitdir: ")
		if !ok || d == "" || strings.ContainsAny(d, "\x00\n") {
			return "", "", errors.New(".git is a file but not a \"gitdir:\" link")
		}
		if !filepath.IsAbs(d) {
			d = filepath.Join(root, d)
		}
		gitDir = d
	default:
		return "", "", errors.New(".git is neither a directory nor a file")
	}
	common = gitDir
	if b, err := readSmall(filepath.Join(gitDir, "commondir")); err == nil {
		d := strings.TrimRight(string(b), "\r\n")
		if d == "" || strings.ContainsAny(d, "\x00\n") {
			return "", "", errors.New("the git directory's commondir is malformed")
		}
		if !filepath.IsAbs(d) {
			d = filepath.Join(gitDir, d)
		}
		common = d
	}
	return gitDir, common, nil
}

// readSmall reads a file of git's own bookkeeping (HEAD, a gitdir link):
// a few bytes, never more than 4 KiB.
func readSmall(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 4097))
	if err == nil && len(b) > 4096 {
		err = errors.New("too large")
	}
	return b, err
}

// headRE is what HEAD may hold: a symbolic ref under refs/ or an object id.
var headRE = regexp.MustCompile(`^(?:ref: refs/[!-~]+|[0-9a-f]{40}|[0-9a-f]{64})\n?$`)

// extValue is a value an extension may have that we copy into our config.
var extValue = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// format is what the repository's config says about reading it: its
// format version and extensions (the object hash, the ref storage), and
// whether it has a promisor remote. It is read from .git/config alone,
// without what it includes, as git reads a repository's format.
type format struct {
	version  string
	ext      map[string]string // lower-case name -> value
	promisor bool              // remote.<name>.promisor true, or a partialclonefilter
}

// readFormat asks git for those keys of one file (git config --file: no
// include is followed), outside any repository.
func readFormat(common string) (format, error) {
	f := format{ext: map[string]string{}}
	cfg := filepath.Join(common, "config")
	if _, err := os.Stat(cfg); err != nil {
		return f, nil // no config: format 0, no extension
	}
	tmp, err := os.MkdirTemp("", "scangate-git-")
	if err != nil {
		return f, err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := shellout.Run(ctx, shellout.Cmd{Program: "git", Dir: tmp, MaxStdout: 1 << 20,
		Args: []string{"config", "--file", cfg, "-z", "--get-regexp", `^(core\.repositoryformatversion|extensions\..*|remote\..*\.(promisor|partialclonefilter))$`},
		Env:  shellout.Env("", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CEILING_DIRECTORIES="+filepath.Dir(tmp))})
	switch {
	case err != nil:
		return f, fmt.Errorf("git config: %w", err)
	case out.ExitCode == 1: // no key matched
		return f, nil
	case out.ExitCode != 0:
		// The message would quote the file: only say it is not readable.
		return f, fmt.Errorf("git config --file .git/config: %s: the repository's configuration cannot be read", out.Status())
	}
	for _, rec := range bytes.Split(out.Stdout, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		k, v, _ := strings.Cut(string(rec), "\n")
		k = strings.ToLower(k)
		switch {
		case k == "core.repositoryformatversion":
			f.version = v
		case strings.HasPrefix(k, "extensions."):
			f.ext[strings.TrimPrefix(k, "extensions.")] = v
		case strings.HasSuffix(k, ".partialclonefilter"):
			f.promisor = true
		case strings.HasSuffix(k, ".promisor"):
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "false", "no", "off", "0":
			default:
				f.promisor = true
			}
		}
	}
	return f, nil
}

// refusePartial refuses a partial clone or a repository with a promisor
// remote: its missing objects are never fetched (see shadow), so the
// comparison could not work. Neither message quotes a value of the config.
func refusePartial(root string) error {
	_, common, err := gitDirs(root)
	if err != nil {
		return err
	}
	f, err := readFormat(common)
	if err != nil {
		return err
	}
	if _, ok := f.ext["partialclone"]; ok {
		return errors.New("the repository is a partial clone (extensions.partialClone), whose missing objects scangate never lets git fetch: clone it whole (actions/checkout without filter)")
	}
	if f.promisor {
		return errors.New("the repository has a promisor remote (remote.<name>.promisor or remote.<name>.partialclonefilter), whose missing objects scangate never lets git fetch: clone it whole, or remove the setting")
	}
	return nil
}

// newShadow builds the git directory for one command on the repository at
// root; remove deletes it.
func newShadow(root string) (*shadow, error) {
	gitDir, common, err := gitDirs(root)
	if err != nil {
		return nil, err
	}
	head, err := readSmall(filepath.Join(gitDir, "HEAD"))
	if err != nil || !headRE.Match(head) {
		return nil, errors.New("the repository's HEAD is missing or malformed")
	}
	f, err := readFormat(common)
	if err != nil {
		return nil, err
	}
	var conf strings.Builder
	version := "0"
	if f.version == "1" {
		version = "1"
	}
	fmt.Fprintf(&conf, "[core]\n\trepositoryformatversion = %s\n\tbare = true\n", version)
	var ext []string
	for k, v := range f.ext {
		switch k {
		case "partialclone", "worktreeconfig", "preciousobjects", "noop":
			continue // nothing a read needs: partial clones are refused
		}
		if !extValue.MatchString(k) || !extValue.MatchString(v) {
			return nil, errors.New("the repository's configuration has an extension scangate cannot pass on to git")
		}
		ext = append(ext, "\t"+k+" = "+v+"\n")
	}
	if len(ext) > 0 {
		conf.WriteString("[extensions]\n" + strings.Join(ext, ""))
	}
	dir, err := os.MkdirTemp("", "scangate-git-")
	if err != nil {
		return nil, err
	}
	s := &shadow{dir: dir, objects: filepath.Join(common, "objects")}
	err = errors.Join(
		os.WriteFile(filepath.Join(dir, "config"), []byte(conf.String()), 0o600),
		os.WriteFile(filepath.Join(dir, "HEAD"), head, 0o600),
	)
	// Links, dangling when the repository has no such file (no
	// packed-refs, not shallow): git reads that as absent.
	for _, name := range []string{"refs", "packed-refs", "shallow", "logs", "reftable"} {
		err = errors.Join(err, os.Symlink(filepath.Join(common, name), filepath.Join(dir, name)))
	}
	if err != nil {
		s.remove()
		return nil, err
	}
	return s, nil
}

func (s *shadow) remove() { os.RemoveAll(s.dir) }

// env is git's environment: the minimal one, pointed at the shadow, with
// no system or user config, no transport (an empty GIT_ALLOW_PROTOCOL
// allows none, whatever any config says), no lazy fetch (git 2.44 and the
// 2024 backports), no replace objects and no grafts.
func (s *shadow) env(root string) []string {
	return shellout.Env(root,
		"GIT_DIR="+s.dir,
		"GIT_OBJECT_DIRECTORY="+s.objects,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_ALLOW_PROTOCOL=",
		"GIT_NO_LAZY_FETCH=1",
		"GIT_NO_REPLACE_OBJECTS=1",
		"GIT_GRAFT_FILE="+filepath.Join(s.dir, "no-grafts"), // never created
		"GIT_ATTR_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0", // never ask for credentials
		"GIT_OPTIONAL_LOCKS=0",
		"GIT_PAGER=cat",
		"GIT_ASKPASS=",
		"SSH_ASKPASS=",
		"GIT_CEILING_DIRECTORIES="+filepath.Dir(s.dir),
	)
}
