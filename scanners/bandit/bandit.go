// Package bandit runs PyCQA bandit over the Python sources of the scanned
// tree through internal/shellout and turns its JSON report into findings.
//
// What it runs, from the scanned root as working directory:
//
//	bandit -r <targets> -f json -x <excludes> --ini /dev/null [-c F] [-s IDs] [-t IDs] [-l…] [-i…]
//
// with the minimal child environment (shellout.Env) and PYTHONSAFEPATH=1.
// Targets are "." unless the project's .bandit names its own (see below).
// Excluded: virtual environments (venv, .venv, and any directory holding a
// pyvenv.cfg), .tox, .nox, node_modules, build, dist, site-packages, .eggs and
// .git; and test code (tests/ and test/ directories, test_*.py, *_test.py,
// conftest.py) unless the request asks for tests.
//
// The project's own configuration is hostile input, honoured only where it
// can neither run nor write anything:
//   - .bandit (INI, [bandit] section): the one at the root, else the only one
//     in the tree, is read by the adapter, which applies its targets, exclude,
//     skips and tests on the command line (its targets replace "." as
//     `bandit --ini .bandit -r` would scan them, and only targets inside the
//     tree are kept). bandit itself is given an empty --ini: otherwise it
//     finds a .bandit under its targets by itself, and bandit >= 1.7 takes
//     output (a file to write anywhere), baseline and more from it. Other
//     keys are reported as not applied. bandit refuses to choose between
//     several .bandit files, and so does this adapter, with an error naming
//     them, unless one is at the root.
//   - pyproject.toml [tool.bandit]: bandit reads it only when given
//     `-c pyproject.toml`, and only since 1.7.0 (1.6.2 reads YAML only). The
//     adapter passes it on bandit >= 1.7 when no other config file is set; on
//     older bandit it adds a warning that the table was not applied. It holds
//     check settings only (tests, skips, exclude_dirs, per-check options).
//   - Options.ConfigFile is passed with -c; Options.Ini replaces the tree's
//     .bandit and is applied the same way.
//
// `# nosec` stays bandit's business: bandit drops those lines from its
// results (it only counts them in metrics), so they never become findings.
//
// Exit codes: 0 (nothing found) and 1 (issues found) are normal; anything
// else is an error carrying the end of bandit's stderr. bandit exits 0 even
// when every file failed to parse, so its "errors" array is read too: each
// entry becomes a warning notification, and when no file could be analyzed
// at all the result is Incomplete. An empty or unparsable report is an error
// naming bandit and the problem.
//
// Severity: see Severity for the table mapping bandit's severity and
// confidence to ours.
package bandit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/shellout"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/python"
)

// Options configure the adapter; the zero value runs bandit from PATH with
// the project's own configuration and nothing else.
type Options struct {
	// Program is "bandit" on PATH when empty, else a name to look up or a
	// path. A missing program on PATH skips the scanner; a missing explicit
	// path is an error (a configuration mistake, not an absent option).
	Program string
	// Skips are check IDs to skip (-s), added to the .bandit file's skips.
	Skips []string
	// Tests restricts bandit to these check IDs (-t); it replaces the
	// .bandit file's tests, as on bandit's command line.
	Tests []string
	// MinSeverity and MinConfidence ("low", "medium" or "high"; "" for all)
	// make bandit report only issues at or above them (-l/-ll/-lll, -i/-ii/-iii).
	MinSeverity   string
	MinConfidence string
	// ConfigFile is a bandit config file (-c), relative to the scanned root
	// or absolute: YAML, or TOML with a [tool.bandit] table on bandit >= 1.7.
	ConfigFile string
	// Ini is a .bandit file to use instead of the one found in the tree,
	// relative to the scanned root or absolute.
	Ini string
	// Exclude adds bandit -x globs (fnmatch against the path as bandit
	// walks it, e.g. "*/migrations/*").
	Exclude []string
	// MaxOutput caps bandit's stdout in bytes; 0 means shellout's default.
	MaxOutput int64
}

// Scanner is the bandit adapter.
type Scanner struct {
	opt  Options
	prog python.Program
}

// New returns a bandit adapter.
func New(opt Options) *Scanner {
	return &Scanner{opt: opt, prog: python.Program{Name: Name, Hint: InstallHint}}
}

// Name implements scanner.Scanner.
func (s *Scanner) Name() string { return Name }

// InstallHint is the notice a missing bandit is skipped with.
const InstallHint = "install it: apt-get install bandit or pip install bandit"

// InformationURI is bandit's home.
const InformationURI = "https://github.com/PyCQA/bandit"

// Applies reports whether the tree holds a Python source that would be
// scanned.
func (s *Scanner) Applies(req *scanner.Request) bool {
	t, err := walk(req.Root, req.Tests, true, req.Exclude)
	return err != nil || t.hasPy || len(t.gaps) > 0 // an unreadable tree is Scan's to report
}

// Units is bandit's one unit, the tree, sized by its Python sources:
// bandit is run once over the whole tree.
func (s *Scanner) Units(req *scanner.Request) ([]scanner.Unit, error) {
	return python.TreeUnit(s.Name(), req.Root, req.Exclude, func(rel string) bool {
		return strings.HasSuffix(rel, ".py") && !scanner.Excluded(req.Exclude, rel)
	}), nil
}

// Scan implements scanner.Scanner.
func (s *Scanner) Scan(ctx context.Context, req *scanner.Request) (*finding.Result, error) {
	res := &finding.Result{Tool: Name, InformationURI: InformationURI, Findings: []finding.Finding{}}

	path, err := s.prog.Lookup(s.opt.Program, req.Root)
	if err != nil {
		return nil, err
	}

	// When the version is not in the installed metadata, asking bandit
	// costs a Python start-up; it runs alongside the scan unless the
	// arguments depend on it.
	type versionResult struct {
		v   string
		err error
	}
	vc := make(chan versionResult, 1)
	go func() {
		v, err := s.version(ctx, req.Root, path)
		vc <- versionResult{v, err}
	}()
	var ver *versionResult
	version := func() (string, error) {
		if ver == nil {
			r := <-vc
			ver = &r
		}
		return ver.v, ver.err
	}
	defer version() // never leave the goroutine behind

	args, gaps, err := s.args(req, version, res)
	if err != nil {
		return res, scanner.WithGaps(err, gaps)
	}
	key := s.cacheKey(req, path, version, args)
	if len(gaps) > 0 {
		key = nil // an unreadable part is no input a key can hold
	}
	if key != nil {
		var cached finding.Result
		if req.Cache.Get(key, &cached) {
			return &cached, nil
		}
	}
	req.Log("%s", strings.Join(args, " "))
	out, err := shellout.Run(ctx, shellout.Cmd{Program: path, Args: args, Dir: req.Root, Root: req.Root, Env: childEnv(req.Root), MaxStdout: s.opt.MaxOutput})
	v, verr := version()
	res.Version = v
	paths := scanner.PathsFor(req)
	if err != nil {
		if out != nil {
			if tail := paths.Stderr(out, req.Root, 5, false); tail != "" {
				err = fmt.Errorf("%w; stderr: %s", err, tail)
			}
		}
		return res, scanner.WithGaps(err, gaps)
	}
	if verr != nil {
		return res, scanner.WithGaps(verr, gaps)
	}
	if out.ExitCode != 0 && out.ExitCode != 1 {
		return res, scanner.WithGaps(fmt.Errorf("bandit failed (%s): %s", out.Status(), orNone(paths.Stderr(out, req.Root, 5, false))), gaps)
	}
	// bandit passes over what it cannot read without a word: the walk
	// above named it, before the files bandit could not parse.
	if err := parseReport(out.Stdout, req.Root, req.Exclude, res); err != nil {
		if len(strings.TrimSpace(string(out.Stdout))) == 0 {
			err = fmt.Errorf("%w (%s; does the project's .bandit set an output file?); stderr: %s", err, out.Status(), orNone(paths.Stderr(out, req.Root, 5, false)))
		}
		return res, scanner.WithGaps(err, gaps)
	}
	if out.ExitCode == 1 && len(res.Findings) == 0 {
		res.Warnf("exited 1 (issues found) but its report lists none")
	}
	if key != nil && ctx.Err() == nil {
		req.Cache.Put(key, res)
	}
	return res, scanner.WithGaps(nil, gaps)
}

// childEnv is bandit's environment: the minimal one, and Python told not to
// put the working directory (the scanned root) on its import path, should
// bandit be started as `python -m bandit` by a wrapper.
func childEnv(root string) []string { return python.Env(root) }

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// plainPath is a path without characters special to fnmatch or to -x.
var plainPath = regexp.MustCompile(`^[A-Za-z0-9._/+@-]+$`)

// versionRE reads `bandit --version`; run as `python -m bandit` (by a
// wrapper), bandit 1.6 names itself __main__.py.
var versionRE = regexp.MustCompile(`(?m)^(?:bandit|__main__\.py) ((\d+)\.(\d+)(?:\.(\d+))?\S*)`)

// version reads bandit's version from its installed metadata, or else runs
// `bandit --version`, once per program path.
func (s *Scanner) version(ctx context.Context, root, path string) (string, error) {
	return s.prog.Version(ctx, root, path, childEnv(root), versionRE)
}

// atLeast reports whether version ("1.7.5") is at least major.minor.
func atLeast(version string, major, minor int) bool {
	m := versionRE.FindStringSubmatch("bandit " + version)
	if m == nil {
		return false
	}
	ma, _ := strconv.Atoi(m[2])
	mi, _ := strconv.Atoi(m[3])
	return ma > major || ma == major && mi >= minor
}

var levels = map[string]string{"": "", "low": "l", "medium": "ll", "high": "lll"}

// args builds bandit's command line, adding warnings to res for project
// configuration that cannot be honoured; gaps are the parts of the tree
// that cannot be read.
func (s *Scanner) args(req *scanner.Request, version func() (string, error), res *finding.Result) (_ []string, gaps []scanner.Gap, err error) {
	sev, ok := levels[strings.ToLower(s.opt.MinSeverity)]
	if !ok {
		return nil, gaps, fmt.Errorf("min severity %q: want low, medium or high", s.opt.MinSeverity)
	}
	conf, ok := levels[strings.ToLower(s.opt.MinConfidence)]
	if !ok {
		return nil, gaps, fmt.Errorf("min confidence %q: want low, medium or high", s.opt.MinConfidence)
	}
	t, err := walk(req.Root, req.Tests, false, req.Exclude)
	if err != nil {
		return nil, gaps, err
	}
	if gaps = t.gaps; len(gaps) > 0 && gaps[0].Rel == "." {
		return nil, gaps, scanner.Partial() // nothing bandit could read either
	}

	excludes := append([]string{}, defaultExcludes...)
	for _, v := range t.venvs {
		excludes = append(excludes, "*/"+v+"/*", v+"/*")
	}
	if !req.Tests {
		excludes = append(excludes, testExcludes...)
	}
	excludes = append(excludes, s.opt.Exclude...)
	// The scan's exclusions, as the paths bandit walks ("./svc/legacy/*"),
	// so that bandit does not read them; a name bandit's fnmatch or its
	// comma-separated list would misread is left to parseReport's filter.
	for _, x := range t.excluded {
		if !plainPath.MatchString(x) {
			continue
		}
		if x == strings.TrimSuffix(x, ".py") {
			x += "/*"
		}
		excludes = append(excludes, "./"+x)
	}
	skips := s.opt.Skips
	// "." rather than the root's own directories: the project's exclude
	// settings are written for paths as `bandit -r .` walks them
	// ("./tests"), and bandit matches them against that spelling.
	targets := []string{"."}

	// bandit reads a .bandit it finds under its targets by itself, and
	// recent versions take output, baseline and more from it: a repository
	// could make bandit write a file anywhere. So bandit always gets an
	// empty --ini, and the project's file is applied here, key by key.
	extra := []string{"--ini", os.DevNull}
	tests := s.opt.Tests
	ini, err := s.iniFile(req.Root, t)
	if err != nil {
		return nil, gaps, err
	}
	if ini != "" {
		iniPath := ini
		if !filepath.IsAbs(iniPath) {
			// The tree's file, read by us: one that leads out of the
			// tree would put another file's keys and lines in messages.
			if !scanner.PathsFor(req).Inside(filepath.ToSlash(ini)) {
				return nil, gaps, fmt.Errorf("%s leads outside the scanned root (a symbolic link): not read; name a settings file outside the tree in scangate's configuration (scanners.bandit) instead", ini)
			}
			iniPath = filepath.Join(req.Root, ini)
		}
		data, err := os.ReadFile(iniPath)
		if err != nil {
			return nil, gaps, err
		}
		opts, ok, err := parseIni(data)
		switch {
		case err != nil:
			return nil, gaps, fmt.Errorf("%s: %w", ini, err)
		case !ok:
			res.Warnf("%s has no [bandit] section; bandit ignores it", ini)
		default:
			excludes = append(excludes, opts.exclude...)
			skips = append(append([]string{}, opts.skips...), skips...)
			if len(tests) == 0 {
				tests = opts.tests
			}
			if len(opts.others) > 0 {
				res.Warnf("%s sets %s: not applied (scangate takes only targets, exclude, skips and tests from it)", ini, strings.Join(opts.others, ", "))
			}
			if len(opts.targets) > 0 {
				targets = s.iniTargets(req.Root, ini, opts.targets, targets, res)
			}
		}
	}

	switch {
	case s.opt.ConfigFile != "":
		extra = append(extra, "-c", s.opt.ConfigFile)
	case t.pyproject:
		v, err := version()
		if err != nil {
			return nil, gaps, err
		}
		if atLeast(v, 1, 7) {
			extra = append(extra, "-c", "pyproject.toml")
		} else {
			res.Warnf("pyproject.toml has a [tool.bandit] table, but bandit %s cannot read it (bandit reads pyproject.toml from 1.7.0 on, with -c); its settings were not applied", v)
		}
	}

	for _, x := range excludes {
		if strings.Contains(x, ",") {
			return nil, gaps, fmt.Errorf("exclude pattern %q contains a comma, which bandit's -x cannot carry", x)
		}
	}
	args := []string{"-r"}
	args = append(args, targets...)
	args = append(args, "-f", "json", "-x", strings.Join(excludes, ","))
	args = append(args, extra...)
	if len(skips) > 0 {
		args = append(args, "-s", strings.Join(skips, ","))
	}
	if len(tests) > 0 {
		args = append(args, "-t", strings.Join(tests, ","))
	}
	if sev != "" {
		args = append(args, "-"+sev)
	}
	if conf != "" {
		args = append(args, "-"+strings.Repeat("i", len(conf)))
	}
	return args, gaps, nil
}

// iniFile picks the .bandit file bandit would use: the configured one, the
// root's, or the only one in the tree.
func (s *Scanner) iniFile(root string, t tree) (string, error) {
	if s.opt.Ini != "" {
		return s.opt.Ini, nil
	}
	switch {
	case len(t.iniFiles) == 0:
		return "", nil
	case len(t.iniFiles) == 1:
		return t.iniFiles[0], nil
	}
	for _, f := range t.iniFiles {
		if f == ".bandit" {
			return f, nil
		}
	}
	return "", fmt.Errorf("several .bandit files (%s) and none at the root; bandit cannot choose between them either: name one in the configuration", strings.Join(t.iniFiles, ", "))
}

// iniTargets keeps the .bandit targets that exist inside root.
func (s *Scanner) iniTargets(root, ini string, targets, fallback []string, res *finding.Result) []string {
	var keep []string
	for _, tg := range targets {
		clean := filepath.Clean(filepath.FromSlash(tg))
		if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
			res.Warnf("%s: target %q is outside the scanned tree; ignored", ini, tg)
			continue
		}
		if _, err := os.Stat(filepath.Join(root, clean)); err != nil {
			res.Warnf("%s: target %q does not exist; ignored", ini, tg)
			continue
		}
		keep = append(keep, filepath.ToSlash(clean))
	}
	if len(keep) == 0 {
		res.Warnf("%s names no usable target; scanning the whole tree", ini)
		return fallback
	}
	return keep
}
