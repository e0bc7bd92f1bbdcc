package gosec

import (
	"bytes"
	"go/ast"
	"go/token"
	"os"
	"strings"

	"github.com/scangate/scangate/finding"
)

const (
	markerNoSec     = "#nosec"
	markerDirective = "//gosec:disable"
	markerNolint    = "//nolint:gosec"
)

// directive is one in-source suppression comment in a file.
type directive struct {
	start, end    int // lines of the comment group
	marker        string
	justification string
	alone         bool // nolint only: the comment has a line to itself and covers the node below
}

// fileDirectives lists the suppression comments of one file. gosec applies
// its own (#nosec, //gosec:disable) and only tells us the justification; we
// keep them to name the marker. golangci-lint's //nolint:gosec is ours to
// apply: gosec does not know it.
type fileDirectives struct {
	gosec  []directive
	nolint []directive
}

func scanDirectives(fset *token.FileSet, f *ast.File, noSecTag string) fileDirectives {
	var fd fileDirectives
	var src [][]byte // read lazily, only for files with //nolint
	for _, g := range f.Comments {
		start, end := fset.Position(g.Pos()).Line, fset.Position(g.End()).Line
		if m, just, ok := gosecDirective(g, noSecTag); ok {
			fd.gosec = append(fd.gosec, directive{start: start, end: end, marker: m, justification: just})
		}
		for _, c := range g.List {
			just, ok := nolintGosec(c.Text)
			if !ok {
				continue
			}
			pos := fset.Position(c.Pos())
			if src == nil {
				data, err := os.ReadFile(pos.Filename)
				if err != nil {
					data = nil
				}
				src = bytes.Split(data, []byte("\n"))
			}
			alone := pos.Line-1 < len(src) && pos.Column-1 <= len(src[pos.Line-1]) &&
				len(bytes.TrimSpace(src[pos.Line-1][:pos.Column-1])) == 0
			d := directive{start: pos.Line, end: pos.Line, marker: markerNolint, justification: just, alone: alone}
			if alone {
				// As golangci-lint does: a //nolint on its own line covers
				// the whole node that starts on the next line (a statement,
				// a declaration, a function).
				d.start, d.end = pos.Line+1, nodeEnd(fset, f, pos.Line+1)
			}
			fd.nolint = append(fd.nolint, d)
		}
	}
	return fd
}

// nodeEnd returns the last line of the widest node starting on line, or line
// when none does.
func nodeEnd(fset *token.FileSet, f *ast.File, line int) int {
	end := line
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			return false
		}
		if fset.Position(n.End()).Line < line {
			return false // ends above: nothing inside starts on line
		}
		if fset.Position(n.Pos()).Line == line {
			end = max(end, fset.Position(n.End()).Line)
		}
		return true
	})
	return end
}

// gosecDirective recognises the comments gosec honours (analyzer.go
// findNoSecDirective) and returns the marker and the justification gosec
// would take from it (the text after "--").
func gosecDirective(g *ast.CommentGroup, noSecTag string) (marker, justification string, ok bool) {
	var args string
	text := strings.TrimSpace(g.Text())
	for _, tag := range []string{markerNoSec, noSecTag} {
		if tag == "" {
			continue
		}
		if i := strings.Index(text, tag); i == 0 || i > 0 && strings.TrimLeft(text[strings.LastIndex(text[:i], "\n")+1:i], " \t") == "" {
			marker, args, ok = tag, text[i+len(tag):], true
			break
		}
	}
	if !ok {
		for _, c := range g.List {
			if after, found := strings.CutPrefix(c.Text, markerDirective); found && (after == "" || after[0] == ' ') {
				marker, args, ok = markerDirective, after, true
				break
			}
		}
	}
	if !ok {
		return "", "", false
	}
	if i := strings.Index(args, "--"); i >= 0 {
		justification = strings.TrimSpace(strings.TrimLeft(args[i+2:], "-"))
	}
	return marker, justification, true
}

// nolintGosec parses golangci-lint's "//nolint:a,b // why" and reports
// whether gosec is among the linters. A bare //nolint (every linter) is not
// taken as a security suppression: it should name gosec.
func nolintGosec(text string) (justification string, ok bool) {
	rest, found := strings.CutPrefix(text, "//nolint:")
	if !found {
		return "", false
	}
	list, why, _ := strings.Cut(rest, " ")
	for _, l := range strings.Split(list, ",") {
		if strings.EqualFold(strings.TrimSpace(l), "gosec") {
			why = strings.TrimSpace(why)
			why = strings.TrimSpace(strings.TrimPrefix(why, "//"))
			return why, true
		}
	}
	return "", false
}

// suppressions turns gosec's in-source suppressions of one issue into ours,
// naming the marker, and adds //nolint:gosec ones gosec does not apply.
func (fd fileDirectives) suppressions(gs []suppressionInfo, start, end int) []finding.Suppression {
	var out []finding.Suppression
	for _, s := range gs {
		fs := finding.Suppression{Kind: s.Kind, Justification: s.Justification}
		if s.Kind == "inSource" {
			fs.Marker = markerNoSec
			best := -1
			for _, d := range fd.gosec {
				if d.start <= end && d.justification == s.Justification && d.start > best {
					best, fs.Marker = d.start, d.marker
				}
			}
		}
		out = append(out, fs)
	}
	for _, d := range fd.nolint {
		if d.start <= end && d.end >= start {
			out = append(out, finding.Suppression{Kind: "inSource", Justification: d.justification, Marker: markerNolint})
			break
		}
	}
	return out
}

// suppressionInfo mirrors gosec's issue.SuppressionInfo so that the logic
// above is testable without building issues.
type suppressionInfo struct {
	Kind          string
	Justification string
}
