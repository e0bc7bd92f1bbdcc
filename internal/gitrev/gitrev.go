// Package gitrev finds the commit a change is compared against (the
// merge-base of a revision and HEAD) and writes that commit's tree to a
// directory, for --new-from-rev.
//
// The repository is hostile, and git reads its configuration (.git/config
// and what it includes) and attributes, which can name programs (hooks,
// filters, fsmonitor, aliases, remote helpers for a promisor remote's lazy
// fetch) and switch what an object id means (replace refs, grafts, the
// commit-graph). So git never sees the repository's configuration: each
// command runs with GIT_DIR at a directory of our making (shadow.go) that
// holds our own config and only links to the repository's refs, HEAD and
// shallow list, and with its objects directory. No transport is allowed
// (GIT_ALLOW_PROTOCOL empty), no replace object or graft is read, and only
// plumbing runs: rev-parse, merge-base, ls-tree and cat-file, through
// internal/shellout (no shell, minimal environment, timeout, output cap).
// The tree is written by us from the raw blobs, never checked out by git.
// git's stderr, which may quote a configuration value, is never shown:
// errors name the command and its exit status.
package gitrev

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/scangate/scangate/internal/shellout"
)

// Timeout bounds each git command but the tree export, exportTimeout the
// export (the blobs of a whole tree).
const (
	Timeout       = 2 * time.Minute
	exportTimeout = 30 * time.Minute
)

// maxListing caps the output of the other commands: ls-tree of a tree
// of some 500,000 files.
const maxListing = 64 << 20

// safeConfig overrides, on every command, the settings that can run a
// program, reach the network or change what an object id means. git does
// not read the repository's configuration (see shadow); they are set
// anyway, so that a git that finds one elsewhere finds nothing to run.
var safeConfig = []string{
	"-c", "core.hooksPath=/dev/null",
	"-c", "core.fsmonitor=false",
	"-c", "core.sshCommand=false",
	"-c", "core.gitProxy=",
	"-c", "core.askPass=",
	"-c", "core.pager=cat",
	"-c", "credential.helper=",
	// No transport at all, so no lazy fetch that would run the repository's
	// remote.<name>.uploadpack or an ext:: command. A protocol.<name>.allow
	// in the repository beats protocol.allow, so each is set too.
	"-c", "protocol.allow=never",
	"-c", "protocol.ext.allow=never", "-c", "protocol.fd.allow=never", "-c", "protocol.file.allow=never",
	"-c", "protocol.ssh.allow=never", "-c", "protocol.git.allow=never", "-c", "protocol.http.allow=never",
	"-c", "protocol.https.allow=never", "-c", "protocol.ftp.allow=never", "-c", "protocol.ftps.allow=never",
	"-c", "gc.auto=0", "-c", "maintenance.auto=false",
	"-c", "diff.external=",
	"-c", "core.alternateRefsCommand=",
	"-c", "uploadpack.packObjectsHook=",
	// What an object id means: no replace refs, no commit-graph (its
	// parents would be believed over the commits').
	"-c", "core.useReplaceRefs=false", "-c", "core.commitGraph=false",
}

// Repo is a git repository at its root (the directory holding .git).
type Repo struct {
	Root string
}

// git runs one git command and returns its stdout.
func (r Repo) git(ctx context.Context, args ...string) ([]byte, error) {
	return r.run(ctx, nil, nil, args...)
}

// run runs git with stdin (nil: none) and, when stdout is set, streams
// its output there: the export, without a time limit but ctx's.
func (r Repo) run(ctx context.Context, stdin io.Reader, stdout io.Writer, args ...string) ([]byte, error) {
	limit := Timeout
	if stdout != nil {
		limit = exportTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	sh, err := newShadow(r.Root)
	if err != nil {
		return nil, err
	}
	defer sh.remove()
	c := shellout.Cmd{Program: "git", Args: append(append([]string(nil), safeConfig...), args...),
		Dir: sh.dir, Env: sh.env(r.Root), Root: r.Root, Stdin: stdin, Stdout: stdout, MaxStdout: maxListing}
	if stdout != nil {
		c.MaxStdout = maxExport
	}
	out, err := shellout.Run(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	if out.ExitCode != 0 {
		return out.Stdout, &Error{Args: args, Status: out.Status(), ExitCode: out.ExitCode}
	}
	return out.Stdout, nil
}

// Error is a git command that ran and failed. Its stderr is not kept: git
// quotes configuration values in it, and a value can come from any file
// the repository's configuration includes.
type Error struct {
	Args     []string
	Status   string
	ExitCode int
}

func (e *Error) Error() string {
	return fmt.Sprintf("git %s: %s", strings.Join(e.Args, " "), e.Status)
}

// Base is the commit a change is compared against.
type Base struct {
	Ref    string // the revision as the user named it
	Commit string // the merge-base of Ref and HEAD, full hex
}

// Short is the commit's first 7 hex digits, as git and GitHub show it.
func (b Base) Short() string {
	if len(b.Commit) > 7 {
		return b.Commit[:7]
	}
	return b.Commit
}

// MergeBase resolves ref and returns its merge-base with HEAD. In a
// shallow clone that lacks either, the error says how to fetch enough
// history.
func (r Repo) MergeBase(ctx context.Context, ref string) (Base, error) {
	if ref == "" || strings.ContainsAny(ref, "\x00\n") {
		return Base{}, fmt.Errorf("revision %q: not a revision", ref)
	}
	// A partial clone lacks objects by design; git is never let fetch
	// them (see shadow), so say why the comparison cannot work.
	if err := refusePartial(r.Root); err != nil {
		return Base{}, err
	}
	head, err := r.commit(ctx, "HEAD")
	if err != nil {
		return Base{}, fmt.Errorf("HEAD: %w", err)
	}
	shallow := r.shallow(ctx)
	rev, err := r.commit(ctx, ref)
	if err != nil {
		var ge *Error
		if errors.As(err, &ge) && shallow {
			return Base{}, fmt.Errorf("revision %s is not in this clone, which is shallow: fetch it with the history down to its merge-base with HEAD (actions/checkout: fetch-depth: 0; or, in a pull request, pass the base commit ${{ github.event.pull_request.base.sha }} with fetch-depth: 2)", ref)
		}
		if errors.As(err, &ge) {
			return Base{}, fmt.Errorf("revision %s is not in this repository (fetch it first; actions/checkout fetches one commit unless fetch-depth: 0)", ref)
		}
		return Base{}, err
	}
	out, err := r.git(ctx, "merge-base", rev, head)
	var ge *Error
	switch {
	case errors.As(err, &ge) && shallow:
		return Base{}, fmt.Errorf("the merge-base of %s and HEAD is not in this clone, which is shallow: fetch more history (actions/checkout: fetch-depth: 0 fetches all of it; git fetch --deepen=N adds N commits)", ref)
	case errors.As(err, &ge) && ge.ExitCode == 1: // merge-base's "none found"
		return Base{}, fmt.Errorf("%s and HEAD have no common ancestor", ref)
	case err != nil:
		return Base{}, err
	}
	base, err := oid(out)
	if err != nil {
		return Base{}, fmt.Errorf("git merge-base %s HEAD: %w", ref, err)
	}
	return Base{Ref: ref, Commit: base}, nil
}

// commit resolves a revision to a commit id.
func (r Repo) commit(ctx context.Context, rev string) (string, error) {
	out, err := r.git(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return "", err
	}
	return oid(out)
}

func (r Repo) shallow(ctx context.Context) bool {
	out, err := r.git(ctx, "rev-parse", "--is-shallow-repository")
	return err == nil && strings.TrimSpace(string(out)) == "true"
}

func oid(out []byte) (string, error) {
	s := strings.TrimSpace(string(out))
	if (len(s) != 40 && len(s) != 64) || strings.Trim(s, "0123456789abcdef") != "" {
		return "", fmt.Errorf("unexpected output (%d bytes, not an object id)", len(s))
	}
	return s, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}

// maxExport caps the bytes of blobs an export reads: a tree larger than
// this is no source tree to scan.
const maxExport = 8 << 30

// entry is one blob of the tree.
type entry struct {
	mode, id, path string
}

// Export writes the tree of commit to dir, which must be empty or absent:
// regular files (mode 0644, whatever the executable bit: nothing here is
// meant to run), symbolic links with their recorded target, and an empty
// directory for each submodule, as a checkout without submodules leaves
// them. The bytes are the blobs' own: no filter, end-of-line conversion or
// attribute applies. A path that git itself would refuse to check out
// (".", "..", ".git" components, a path through a symbolic link) is an
// error: the tree is crafted.
func (r Repo) Export(ctx context.Context, commit, dir string) error {
	ls, err := r.git(ctx, "ls-tree", "-r", "-z", "--full-tree", commit)
	if err != nil {
		return err
	}
	var blobs, links []entry
	var mods []string
	for _, rec := range bytes.Split(ls, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		meta, path, ok := bytes.Cut(rec, []byte{'\t'})
		f := strings.Fields(string(meta))
		if !ok || len(f) != 3 {
			return fmt.Errorf("git ls-tree: unexpected line %q", firstLine(string(rec)))
		}
		e := entry{mode: f[0], id: f[2], path: string(path)}
		if err := checkPath(e.path); err != nil {
			return fmt.Errorf("commit %s: %w", commit, err)
		}
		switch f[1] {
		case "blob":
			if e.mode == "120000" {
				links = append(links, e)
			} else {
				blobs = append(blobs, e)
			}
		case "commit":
			mods = append(mods, e.path)
		default:
			return fmt.Errorf("git ls-tree: unexpected object type %q at %s", f[1], e.path)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if names, err := os.ReadDir(dir); err != nil {
		return err
	} else if len(names) > 0 {
		return fmt.Errorf("export to %s: directory not empty", dir)
	}
	w := &writer{dir: dir}
	for _, m := range mods {
		if err := w.mkdirAll(m); err != nil {
			return err
		}
	}
	// Regular files first, links last: no file is ever written through a
	// link of the tree.
	all := append(blobs, links...)
	if len(all) == 0 {
		return nil
	}
	return w.blobs(ctx, r, all)
}

// checkPath refuses what git's own checkout refuses.
func checkPath(p string) error {
	// A backslash is a separator only where the system says so.
	if p == "" || strings.HasPrefix(p, "/") || (filepath.Separator == '\\' && strings.ContainsRune(p, '\\')) {
		return fmt.Errorf("invalid path %q in the tree", p)
	}
	for _, c := range strings.Split(p, "/") {
		if c == "" || c == "." || c == ".." || strings.EqualFold(c, ".git") {
			return fmt.Errorf("invalid path %q in the tree", p)
		}
	}
	return nil
}

type writer struct {
	dir string
}

// mkdirAll creates the directories of rel below dir, refusing any that is
// not a plain directory (a link of the tree written earlier cannot be one:
// links come last).
func (w *writer) mkdirAll(rel string) error {
	cur := w.dir
	for _, c := range strings.Split(rel, "/") {
		cur = filepath.Join(cur, c)
		fi, err := os.Lstat(cur)
		switch {
		case errors.Is(err, os.ErrNotExist):
			if err := os.Mkdir(cur, 0o755); err != nil {
				return err
			}
		case err != nil:
			return err
		case !fi.IsDir():
			return fmt.Errorf("export: %s is both a file and a directory in the tree", rel)
		}
	}
	return nil
}

// blobs streams the entries' contents from one git cat-file --batch and
// writes each file.
func (w *writer) blobs(ctx context.Context, r Repo, all []entry) error {
	var in bytes.Buffer
	for _, e := range all {
		in.WriteString(e.id + "\n")
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := w.read(bufio.NewReaderSize(pr, 1<<16), all)
		if err != nil {
			cancel(err)
		}
		pr.CloseWithError(errors.Join(err, errors.New("export stopped")))
		done <- err
	}()
	_, gitErr := r.run(ctx, &in, pw, "cat-file", "--batch")
	pw.Close()
	readErr := <-done
	if readErr != nil {
		return readErr
	}
	return gitErr
}

// read parses cat-file --batch output: "<id> <type> <size>\n<content>\n"
// per entry, in the order asked.
func (w *writer) read(br *bufio.Reader, all []entry) error {
	for _, e := range all {
		hdr, err := br.ReadString('\n')
		if err != nil {
			return fmt.Errorf("git cat-file: %s: %w", e.path, err)
		}
		f := strings.Fields(hdr)
		if len(f) != 3 || f[0] != e.id || f[1] != "blob" {
			return fmt.Errorf("git cat-file: %s: unexpected header %q", e.path, firstLine(hdr))
		}
		size, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("git cat-file: %s: bad size %q", e.path, f[2])
		}
		if err := w.file(e, io.LimitReader(br, size), size); err != nil {
			return err
		}
		if b, err := br.ReadByte(); err != nil || b != '\n' {
			return fmt.Errorf("git cat-file: %s: truncated output", e.path)
		}
	}
	return nil
}

// maxLink bounds a symbolic link's target.
const maxLink = 4096

func (w *writer) file(e entry, content io.Reader, size int64) error {
	if dir := filepath.Dir(filepath.FromSlash(e.path)); dir != "." {
		if err := w.mkdirAll(filepath.ToSlash(dir)); err != nil {
			return err
		}
	}
	p := filepath.Join(w.dir, filepath.FromSlash(e.path))
	if e.mode == "120000" {
		if size > maxLink {
			return fmt.Errorf("export: %s: symbolic link target too long", e.path)
		}
		target, err := io.ReadAll(content)
		if err != nil {
			return err
		}
		if bytes.IndexByte(target, 0) >= 0 {
			return fmt.Errorf("export: %s: invalid symbolic link target", e.path)
		}
		return os.Symlink(string(target), p)
	}
	// O_EXCL: never through an existing file or link.
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	_, werr := io.CopyN(f, content, size)
	if err := errors.Join(werr, f.Close()); err != nil {
		return fmt.Errorf("export: %s: %w", e.path, err)
	}
	return nil
}
