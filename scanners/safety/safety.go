// Package safety runs pyup's safety over the Python dependency files of the
// scanned tree through internal/shellout and turns its JSON report into
// dependency findings.
//
// The installed version decides the command (`safety --version`):
//
//	safety 2.x:  safety [--disable-optional-telemetry-data] check --json [--db DIR] -r FILE...
//	safety 3.x:  safety --disable-optional-telemetry scan --target . --output json --detailed-output
//
// Both run from the scanned root, so safety reads the project's own
// .safety-policy.yml as it would when run there, with no standard input (a
// safety 3 prompt reads end of file) and, for 3.x, SAFETY_STAGE=cicd so that
// it never asks questions. An API key is passed in the SAFETY_API_KEY
// environment variable, never on the command line.
//
// Files (2.x): every requirements file (requirements*.txt, *requirements*.txt,
// *.txt under a requirements/ directory), Pipfile.lock and poetry.lock
// outside virtual environments, node_modules, build and dist trees. safety 3
// finds its files itself.
//
// Outcomes:
//   - safety not on PATH: skipped, "install it: pip install safety".
//   - 2.x offline (Request.Offline) with no local database (Options.DB, or a
//     Request.DB holding insecure.json and insecure_full.json): skipped with
//     a notice; safety 2 would download its database.
//   - 3.x offline: skipped (safety 3 works through the Safety platform).
//   - 3.x without an account: safety exits 1 printing nothing (its JSON mode
//     silences the login message); with no API key configured that is a skip
//     telling how to log in or set a key, not a failure.
//   - Exit 0 and 64 (vulnerabilities found) are normal; 1 and 65-75 are
//     errors with safety's meaning of the code and its stderr.
//
// Findings: one per vulnerability and requirement file, at the line that
// pins the package (found by reading the file: pip requirements with
// extras, markers, hashes, continuations and -r includes, Pipfile.lock,
// poetry.lock). RuleID is "PYUP-<safety id>" (see RuleID); Package is
// {PyPI, PEP 503 name, version, fixed versions}; Aliases hold the CVE;
// severity comes from the CVSS score (v3, else v2) when safety has one,
// else from safety 3's severity name, else DefaultSeverity. Vulnerabilities
// the project's safety policy ignores are kept with an external
// suppression carrying the policy's reason and expiry.
package safety

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/shellout"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/python"
)

// Options configure the adapter.
type Options struct {
	// Program is "safety" on PATH when empty, else a name or a path; a
	// missing explicit path is an error, not a skip.
	Program string
	// DB is a local safety database directory (insecure.json and
	// insecure_full.json) for safety 2.x's --db; it makes offline scans
	// possible.
	DB string
	// Key is a safety API key, passed as SAFETY_API_KEY.
	Key string
	// Files, when set, are the dependency files to check (2.x), relative to
	// the scanned root, instead of the ones found in the tree.
	Files []string
	// MaxOutput caps safety's stdout in bytes; 0 means shellout's default.
	MaxOutput int64
}

// Scanner is the safety adapter.
type Scanner struct {
	opt  Options
	prog python.Program
}

// New returns a safety adapter.
func New(opt Options) *Scanner {
	return &Scanner{opt: opt, prog: python.Program{Name: Name, Hint: InstallHint}}
}

// Name implements scanner.Scanner.
func (s *Scanner) Name() string { return Name }

// InstallHint is the notice a missing safety is skipped with.
const InstallHint = "install it: pip install safety"

// InformationURI is safety's home.
const InformationURI = "https://github.com/pyupio/safety"

// Applies reports whether the tree has a dependency file safety reads.
func (s *Scanner) Applies(req *scanner.Request) bool {
	if len(s.opt.Files) > 0 {
		return true
	}
	files, gaps, err := discover(req.Root, req.Exclude, true)
	return err != nil || len(files) > 0 || len(gaps) > 0 // an unreadable tree is Scan's to report
}

// Units is safety's one unit, the tree, sized by its dependency files:
// safety 3 scans the whole tree at once.
func (s *Scanner) Units(req *scanner.Request) ([]scanner.Unit, error) {
	return python.TreeUnit(s.Name(), req.Root, req.Exclude, func(rel string) bool {
		return isDepFile(rel) && !scanner.Excluded(req.Exclude, rel)
	}), nil
}

// Scan implements scanner.Scanner.
func (s *Scanner) Scan(ctx context.Context, req *scanner.Request) (*finding.Result, error) {
	path, err := s.prog.Lookup(s.opt.Program, req.Root)
	if err != nil {
		return nil, err
	}
	version, major, err := s.version(ctx, req.Root, path)
	if err != nil {
		return nil, err
	}
	res := &finding.Result{Tool: Name, Version: version, InformationURI: InformationURI, Findings: []finding.Finding{}}
	// The files safety 2 is given, or the tree safety 3 walks itself,
	// without a word about what it cannot read.
	var files []string
	var gaps []scanner.Gap
	if len(s.opt.Files) == 0 {
		if files, gaps, err = discover(req.Root, req.Exclude, false); err != nil {
			return res, err
		}
	}
	if major >= 3 {
		res, err = s.scan3(ctx, req, path, version, res)
	} else {
		res, err = s.check2(ctx, req, path, version, files, res)
	}
	var skip *scanner.SkipError
	if res != nil && !errors.As(err, &skip) {
		err = scanner.WithGaps(err, gaps)
	}
	return res, err
}

// check2 runs safety 2's check on the configured files, or else on found.
func (s *Scanner) check2(ctx context.Context, req *scanner.Request, path, version string, found []string, res *finding.Result) (*finding.Result, error) {
	files := s.opt.Files
	if len(files) == 0 {
		files = found
	}
	if len(files) == 0 {
		res.Warnf("no dependency file to check")
		return res, nil
	}
	db, err := s.database(req)
	if err != nil {
		return res, err
	}
	if db == "" && req.Offline {
		return nil, scanner.Skip("offline, and safety %s needs its vulnerability database: set a local safety database (a directory with insecure.json and insecure_full.json)", version)
	}

	var args []string
	if !strings.HasPrefix(version, "2.0.") {
		args = append(args, "--disable-optional-telemetry-data")
	}
	args = append(args, "check", "--json")
	if db != "" {
		args = append(args, "--db", db)
	}
	for _, f := range files {
		args = append(args, "-r", f)
	}
	key := s.cacheKey(req, path, version, db, files, args)
	if key != nil {
		var cached finding.Result
		if req.Cache.Get(key, &cached) {
			return &cached, nil
		}
	}
	req.Log("safety %s: %s", version, strings.Join(args, " "))
	out, err := s.run(ctx, req, path, args, nil)
	if err != nil {
		return res, err
	}
	switch out.ExitCode {
	case 0, 64:
	default:
		return res, exitError(scanner.PathsFor(req), req.Root, out, false)
	}

	if err := parseCheck(out.Stdout, req.Root, files, res); err != nil {
		if len(strings.TrimSpace(string(out.Stdout))) == 0 {
			err = fmt.Errorf("%w (%s; a policy with continue-on-vulnerability-error hides safety's errors); stderr: %s", err, out.Status(), orNone(scanner.PathsFor(req).Stderr(out, req.Root, 5, false)))
		}
		return res, err
	}
	notePolicy(res)
	if key != nil && ctx.Err() == nil {
		req.Cache.Put(key, res)
	}
	return res, nil
}

func (s *Scanner) scan3(ctx context.Context, req *scanner.Request, path, version string, res *finding.Result) (*finding.Result, error) {
	if req.Offline {
		return nil, scanner.Skip("offline, and safety %s scans through the Safety platform, which needs the network", version)
	}
	args := []string{"--disable-optional-telemetry", "scan", "--target", ".", "--output", "json", "--detailed-output"}
	req.Log("safety %s: %s", version, strings.Join(args, " "))
	out, err := s.run(ctx, req, path, args, []string{"SAFETY_STAGE=cicd"})
	if err != nil {
		return res, err
	}
	noReport := len(strings.TrimSpace(string(out.Stdout))) == 0
	switch {
	case out.ExitCode == 1 && noReport && s.key() == "":
		return nil, scanner.Skip("safety %s needs a Safety account: set an API key (the safety key option or SAFETY_API_KEY) or run `safety auth login` once; it exited 1 without a report", version)
	case out.ExitCode != 0 && out.ExitCode != 64:
		return res, exitError(scanner.PathsFor(req), req.Root, out, true)
	}
	if err := parseScan(out.Stdout, req.Root, res); err != nil {
		return res, err
	}
	notePolicy(res)
	return res, nil
}

// notePolicy says how many vulnerabilities safety's policy ignored. The
// policy safety reads is the scanned repository's own .safety-policy.yml:
// what it ignores stays in the results as suppressed, and is said here, so
// that a repository cannot make a vulnerability vanish unseen.
func notePolicy(res *finding.Result) {
	by := map[string]int{}
	var markers []string
	for _, f := range res.Findings {
		for _, sup := range f.Suppressions {
			if sup.Kind == "external" {
				if by[sup.Marker] == 0 {
					markers = append(markers, sup.Marker)
				}
				by[sup.Marker]++
			}
		}
	}
	for _, m := range markers {
		res.Warnf("%d vulnerabilit%s ignored by the repository's safety policy (%s): kept as suppressed findings; review the policy, or move them to .scangate-ignore.yml", by[m], plural(by[m], "y", "ies"), m)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (s *Scanner) key() string { return s.opt.Key }

// childEnv is safety's environment: the minimal one, and Python told not
// to put the working directory (the scanned root) on its import path when
// safety is started as `python -m safety` by a wrapper.
func childEnv(root string, extra ...string) []string { return python.Env(root, extra...) }

func (s *Scanner) run(ctx context.Context, req *scanner.Request, path string, args, env []string) (*shellout.Output, error) {
	// The minimal environment has no *_KEY variable: the key goes to safety
	// only when the trusted configuration named it.
	if s.opt.Key != "" {
		env = append(env, "SAFETY_API_KEY="+s.opt.Key)
	}
	out, err := shellout.Run(ctx, shellout.Cmd{Program: path, Args: args, Dir: req.Root, Root: req.Root, Env: childEnv(req.Root, env...), MaxStdout: s.opt.MaxOutput})
	if err != nil {
		if out != nil {
			if tail := scanner.PathsFor(req).Stderr(out, req.Root, 5, false); tail != "" {
				err = fmt.Errorf("%w; stderr: %s", err, tail)
			}
		}
		return nil, err
	}
	return out, nil
}

// exitMeanings are safety's exit codes (safety/constants.py); 65-69 exist
// in 2.x and 3.x, 70-75 in 3.x.
var exitMeanings = map[int]string{
	1:  "safety failed",
	65: "the API key was rejected",
	66: "too many requests to the safety server",
	67: "cannot load the local vulnerability database",
	68: "cannot fetch the vulnerability database (is the network reachable?)",
	69: "the vulnerability database is malformed",
	70: "the report given to safety is invalid",
	71: "a requirement is invalid",
	72: "the Safety account's email is not verified",
	73: "device enrollment failed",
	74: "the machine ID is unavailable",
	75: "device enrollment failed (retry later)",
}

func exitError(paths *scanner.Paths, dir string, out *shellout.Output, v3 bool) error {
	meaning, ok := exitMeanings[out.ExitCode]
	if !ok || !v3 && out.ExitCode >= 70 {
		meaning = "unexpected exit"
	}
	return fmt.Errorf("safety failed (%s: %s): %s", out.Status(), meaning, orNone(paths.Stderr(out, dir, 5, false)))
}

func orNone(s string) string {
	if s == "" {
		return "(no stderr)"
	}
	return s
}

var versionRE = regexp.MustCompile(`(?i)version\s+v?((\d+)\.(\d+)(?:\.\d+)?\S*)`)

// version reads safety's version from its installed metadata, or else runs
// `safety --version`, once per program path.
func (s *Scanner) version(ctx context.Context, root, path string) (string, int, error) {
	v, err := s.prog.Version(ctx, root, path, childEnv(root, "SAFETY_STAGE=cicd"), versionRE)
	if err != nil {
		return "", 0, err
	}
	major, _ := strconv.Atoi(strings.SplitN(v, ".", 2)[0])
	if major < 2 {
		return v, major, fmt.Errorf("safety %s is too old: scangate reads the JSON of safety 2.x and 3.x", v)
	}
	return v, major, nil
}

// database picks the local safety database: Options.DB, else Request.DB
// when it holds one.
func (s *Scanner) database(req *scanner.Request) (string, error) {
	dir := s.opt.DB
	if dir == "" {
		if req.DB == "" {
			return "", nil
		}
		if _, err := os.Stat(filepath.Join(req.DB, "insecure_full.json")); err != nil {
			return "", nil // an OSV database, not safety's
		}
		dir = req.DB
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("database %s: %w", dir, err)
	}
	for _, f := range []string{"insecure.json", "insecure_full.json"} {
		if _, err := os.Stat(filepath.Join(abs, f)); err != nil {
			return "", fmt.Errorf("database %s has no %s: not a safety database directory", dir, f)
		}
	}
	return abs, nil
}

// discover lists the dependency files safety 2.x is given, root-relative and
// sorted, leaving out those the exclude globs match (excluded directories are
// not read), and what it could not read; with first set it stops at the
// first.
func discover(root string, exclude []string, first bool) ([]string, []scanner.Gap, error) {
	var out []string
	gaps, err := python.Walk(scanner.TreeWalk{Root: root, Exclude: exclude}, nil, func(rel string, d fs.DirEntry) error {
		if isDepFile(rel) && !scanner.Excluded(exclude, rel) {
			out = append(out, rel)
			if first {
				return fs.SkipAll
			}
		}
		return nil
	})
	sort.Strings(out)
	return out, gaps, err
}

func isDepFile(rel string) bool {
	base := filepath.Base(rel)
	switch {
	case base == "Pipfile.lock" || base == "poetry.lock":
		return true
	case !strings.HasSuffix(base, ".txt"):
		return false
	case strings.Contains(strings.ToLower(base), "requirements"):
		return true
	}
	return filepath.Base(filepath.Dir(rel)) == "requirements"
}
