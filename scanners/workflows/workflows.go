// Package workflows checks the GitHub Actions workflows and composite
// actions of the scanned tree for what makes CI itself the way in: an
// attacker's text expanded into a script (template-injection), actions
// that run whatever their tag points at today (unpinned-uses), pull
// request code checked out where secrets are (untrusted-checkout), and
// write-all tokens (excessive-permissions). The rules keep zizmor's names
// and meaning, or CodeQL's where zizmor has none (see rules.go).
//
// It reads .github/workflows/*.yml and *.yaml at the root (where GitHub
// reads them) and every action.yml and action.yaml of the tree, parsed as
// YAML and nothing more: no expression is evaluated, no action fetched.
// Files are read as every walker reads them: symlinks never followed (GitHub
// does not follow them either), at most MaxFileSize bytes; a file too big,
// unreadable or not YAML, and an unreadable folder, are located gaps.
package workflows

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/yamlerr"
	"github.com/scangate/scangate/scanner"
)

// Name is the scanner's name in results, --scanners and the configuration.
const Name = "workflows"

const (
	module = "github.com/scangate/scangate"
	// rulesVersion is the rule set's version, the scanner's: it changes
	// when what a rule reports does.
	rulesVersion   = "1.0.0"
	informationURI = "https://docs.zizmor.sh/audits/"
)

// MaxFileSize is the largest workflow or action file read: GitHub's own
// are a few KiB, and yaml.v3 holds every node of a file in memory.
const MaxFileSize = 1 << 20

// Options configure the adapter; the zero value runs every rule.
type Options struct {
	Skips []string // rule IDs not to run
	// RefPin are owner/* or owner/repo patterns whose actions may be
	// pinned by tag or branch.
	RefPin []string
	// MaxFileSize overrides MaxFileSize when positive (tests).
	MaxFileSize int64
}

// Scanner is the workflows adapter.
type Scanner struct{ opt Options }

// New returns a workflows adapter.
func New(opt Options) *Scanner {
	if opt.MaxFileSize <= 0 {
		opt.MaxFileSize = MaxFileSize
	}
	return &Scanner{opt: opt}
}

// Name implements scanner.Scanner.
func (s *Scanner) Name() string { return Name }

// Version is the rule set's: the rules are scangate's own code.
func (s *Scanner) Version() string { return rulesVersion }

// Applies when the tree has a workflow or an action file, or a folder it
// cannot read (which might hold one: Scan reports it).
func (s *Scanner) Applies(req *scanner.Request) bool {
	files, gaps, err := discover(req, true)
	return len(files) > 0 || len(gaps) > 0 || err != nil
}

// Scan implements scanner.Scanner.
func (s *Scanner) Scan(ctx context.Context, req *scanner.Request) (*finding.Result, error) {
	res := &finding.Result{Tool: Name, Version: rulesVersion, InformationURI: informationURI, Findings: []finding.Finding{}}
	files, gaps, err := discover(req, false)
	if err != nil {
		return res, scanner.WithGaps(fmt.Errorf("cannot read the tree: %w", scanner.Bare(err)), gaps)
	}
	c := newChecker(s.opt)
	for _, rel := range files {
		if ctx.Err() != nil {
			return res, scanner.WithGaps(context.Cause(ctx), gaps)
		}
		data, err := scanner.ReadFile(filepath.Join(req.Root, filepath.FromSlash(rel)), s.opt.MaxFileSize)
		switch {
		case errors.Is(err, scanner.ErrTooBig):
			gaps = append(gaps, scanner.GapAt(rel, "%s is larger than %d KiB: not analyzed", rel, s.opt.MaxFileSize>>10))
			continue
		case errors.Is(err, scanner.ErrNotRegular):
			continue // swapped for a pipe or a link after the walk
		case err != nil:
			gaps = append(gaps, scanner.GapAt(rel, "%s cannot be read (%v): not analyzed", rel, scanner.Bare(err)))
			continue
		}
		doc, err := parse(data)
		if err != nil {
			gaps = append(gaps, scanner.GapAt(rel, "%s: not analyzed", yamlerr.Format(rel, err)))
			continue
		}
		c.file(rel, data, doc)
	}
	res.Findings = c.findings
	slices.SortFunc(res.Findings, func(a, b finding.Finding) int {
		return cmp.Or(cmp.Compare(a.Location.Path, b.Location.Path), cmp.Compare(a.Location.StartLine, b.Location.StartLine),
			cmp.Compare(a.Location.StartColumn, b.Location.StartColumn), cmp.Compare(a.RuleID, b.RuleID))
	})
	for _, r := range catalogue {
		if slices.ContainsFunc(res.Findings, func(f finding.Finding) bool { return f.RuleID == r.ID }) {
			res.AddRule(r)
		}
	}
	return res, scanner.WithGaps(nil, gaps)
}

// discover lists the workflow and action files under the root, the first
// only when first is set.
func discover(req *scanner.Request, first bool) (files []string, gaps []scanner.Gap, err error) {
	gaps, err = scanner.TreeWalk{Root: req.Root, Exclude: req.Exclude}.Walk(func(_, rel string, d fs.DirEntry) error {
		if d.IsDir() {
			if scanner.SkippedDir(d.Name()) {
				return fs.SkipDir
			}
			return nil
		}
		// Symlinks, pipes and devices are never read.
		if !d.Type().IsRegular() || !wanted(rel) || scanner.Excluded(req.Exclude, rel) {
			return nil
		}
		files = append(files, rel)
		if first {
			return fs.SkipAll
		}
		return nil
	})
	return files, gaps, err
}

// wanted reports whether rel is a file GitHub reads as a workflow or an
// action's metadata.
func wanted(rel string) bool {
	dir, base := path.Split(rel)
	switch ext := path.Ext(base); {
	case base == "action.yml" || base == "action.yaml":
		return true
	case dir == ".github/workflows/":
		return ext == ".yml" || ext == ".yaml"
	}
	return false
}

// parse returns the first document of a YAML file, nil when it holds
// none.
func parse(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	if len(doc.Content) != 1 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// find returns the offset of text in data at or after from, -1 when
// absent.
func find(data []byte, text string, from int) int {
	if from < 0 || from > len(data) {
		return -1
	}
	if i := bytes.Index(data[from:], []byte(text)); i >= 0 {
		return from + i
	}
	return -1
}

// short is text cut to n characters, for messages.
func short(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if r := []rune(text); len(r) > n {
		return string(r[:n]) + "…"
	}
	return text
}
