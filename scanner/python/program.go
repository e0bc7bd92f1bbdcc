package python

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"

	"github.com/scangate/scangate/internal/shellout"
	"github.com/scangate/scangate/scanner"
)

// Program is the external tool a Python adapter runs (bandit, safety): on
// PATH or where the configuration names it, its version asked once per
// path. Name and Hint must be set; the rest is ready at its zero value.
type Program struct {
	Name string // looked up on PATH when no program is configured; names it in errors
	Hint string // how to install it, said when it is not on PATH

	mu       sync.Mutex
	versions map[string]string // program path -> version
}

// Lookup returns the path of program (Name when empty) for a scan of root.
// Not on PATH, it is a skip with the hint; a configured program that is
// missing is an error (a configuration mistake, not an absent option).
func (p *Program) Lookup(program, root string) (string, error) {
	if program == "" {
		program = p.Name
	}
	path, err := shellout.Lookup(program, root)
	var ni *shellout.NotInstalledError
	switch {
	case errors.As(err, &ni) && !ni.Explicit:
		return "", scanner.Skip("%s is not installed (not found on PATH); %s", p.Name, p.Hint)
	case err != nil:
		return "", err
	}
	return path, nil
}

// Version returns the version of the program at path: from its installed
// metadata, else the first group of re in what `program --version`, run
// with env for a scan of root, prints; once per path.
func (p *Program) Version(ctx context.Context, root, path string, env []string, re *regexp.Regexp) (string, error) {
	p.mu.Lock()
	v, ok := p.versions[path]
	p.mu.Unlock()
	if ok {
		return v, nil
	}
	if v = shellout.DistVersion(path, p.Name); v == "" {
		out, err := shellout.Run(ctx, shellout.Cmd{Program: path, Args: []string{"--version"}, Root: root, Env: env, MaxStdout: 1 << 20})
		if err != nil {
			return "", fmt.Errorf("%s --version: %w", p.Name, err)
		}
		all := append(append([]byte{}, out.Stdout...), out.Stderr...)
		m := re.FindSubmatch(all)
		if out.ExitCode != 0 || m == nil {
			return "", fmt.Errorf("%s --version (%s) did not print a %s version: %q", p.Name, out.Status(), p.Name, Excerpt(all))
		}
		v = string(m[1])
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.versions == nil {
		p.versions = map[string]string{}
	}
	p.versions[path] = v
	return v, nil
}

// Env is the environment of a Python program run on root: shellout's
// minimal one, with the script's directory kept off sys.path, plus extra.
func Env(root string, extra ...string) []string {
	return shellout.Env(root, append([]string{"PYTHONSAFEPATH=1"}, extra...)...)
}

// Excerpt is the start of a program's output, for an error about it.
func Excerpt(b []byte) string {
	const n = 120
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
