package finding

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/google/osv-scalibr/semantic"
)

// Remediation is the smallest upgrade of one vulnerable package in one
// manifest that fixes every advisory found against it there.
type Remediation struct {
	Package  Package `json:"package"`      // the package as found; Version and Manifest in the ecosystem's spelling
	To       string  `json:"to,omitempty"` // the version to upgrade to, spelled as the ecosystem does; "" when no advisory has a fix
	Fixes    int     `json:"fixes"`        // advisories fixed by upgrading to To
	Unfixed  int     `json:"unfixed"`      // advisories with no fixed version above the one found
	Findings int     `json:"findings"`     // findings this package accounts for
	// Apply is the command or edit that applies the upgrade, run from the
	// scanned root: "(cd svc && go get golang.org/x/net@v0.56.0)",
	// "pin jinja2==2.11.3 in requirements.txt". "" when there is no fix or
	// no known way for the manifest's kind.
	Apply string `json:"apply,omitempty"`
}

func (r Remediation) String() string {
	p := r.Package
	where := ""
	switch {
	case strings.ContainsFunc(p.Manifest, unicode.IsControl):
		where = strconv.Quote(p.Manifest) + ": " // a hostile name must not forge lines
	case p.Manifest != "":
		where = p.Manifest + ": "
	}
	switch {
	case r.To == "":
		return fmt.Sprintf("%s%s %s: no fixed version known for %d %s", where, p.Name, p.Version, r.Unfixed, plural(r.Unfixed, "advisory", "advisories"))
	case r.Unfixed > 0:
		return fmt.Sprintf("%supgrade %s %s -> %s fixes %d (%d without a fix)%s", where, p.Name, p.Version, r.To, r.Fixes, r.Unfixed, applyText(r.Apply))
	}
	return fmt.Sprintf("%supgrade %s %s -> %s fixes %d%s", where, p.Name, p.Version, r.To, r.Fixes, applyText(r.Apply))
}

func applyText(a string) string {
	if a == "" {
		return ""
	}
	return ": " + a
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Remediate computes one Remediation per (manifest, vulnerable package),
// stores its text in each finding's Remediation, and returns
// them sorted by manifest, then package name.
func Remediate(results []Result) []Remediation {
	type group struct {
		rem   Remediation
		finds []*Finding
	}
	groups := map[string]*group{}
	var order []string
	for r := range results {
		for i := range results[r].Findings {
			f := &results[r].Findings[i]
			if f.Package == nil {
				continue
			}
			manifest := manifestOf(f)
			p := f.Package
			k := strings.Join([]string{p.Ecosystem, NormalizeName(p.Ecosystem, p.Name), NormalizeVersion(p.Ecosystem, p.Version), manifest}, "\x00")
			g := groups[k]
			if g == nil {
				g = &group{rem: Remediation{Package: *p}}
				g.rem.Package.Fixed = nil
				g.rem.Package.Manifest = manifest
				groups[k] = g
				order = append(order, k)
			}
			g.finds = append(g.finds, f)
			g.rem.Findings++
			fix := lowestFixAbove(p)
			if fix == "" {
				g.rem.Unfixed++
				continue
			}
			g.rem.Fixes++
			if g.rem.To == "" || compare(p.Ecosystem, fix, g.rem.To) > 0 {
				g.rem.To = fix
			}
		}
	}
	out := make([]Remediation, 0, len(order))
	for _, k := range order {
		g := groups[k]
		p := &g.rem.Package
		p.Version = Spell(p.Ecosystem, p.Name, p.Version)
		if g.rem.To != "" {
			g.rem.To = Spell(p.Ecosystem, p.Name, g.rem.To)
			g.rem.Apply = apply(*p, g.rem.To)
		}
		text := g.rem.String()
		for _, f := range g.finds {
			f.Remediation = text
		}
		out = append(out, g.rem)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Package, out[j].Package
		if a.Manifest != b.Manifest {
			return a.Manifest < b.Manifest
		}
		return a.Name < b.Name
	})
	return out
}

// manifestOf is the file that brings the package in: the adapter's
// Manifest, else the finding's location (osv-scanner points at the manifest).
func manifestOf(f *Finding) string {
	if f.Package.Manifest != "" {
		return f.Package.Manifest
	}
	return f.Location.Path
}

// Go's standard library and toolchain, as govulncheck names them.
const (
	goStdlib    = "stdlib"
	goToolchain = "toolchain"
)

// Spell writes a version the way the ecosystem's own tools do: Go module
// versions with a leading "v" (v0.3.8), Go releases as go1.22.5, every
// other ecosystem as OSV has it (PyPI 2.11.3).
func Spell(ecosystem, name, v string) string {
	if ecosystem != "Go" || v == "" {
		return v
	}
	if name == goStdlib || name == goToolchain {
		return "go" + strings.TrimPrefix(strings.TrimPrefix(v, "go"), "v")
	}
	return "v" + strings.TrimPrefix(v, "v")
}

// requirementsFile matches pip requirements files (requirements.txt,
// requirements-dev.txt, requirements/base.in, ...).
var requirementsFile = regexp.MustCompile(`(?i)(^|/)(requirements[^/]*|[^/]*requirements)\.(txt|in)$|(^|/)requirements/[^/]+\.(txt|in)$`)

// apply is the command (run from the scanned root) or edit that upgrades
// p to to in its manifest, "" when scangate knows none for the manifest.
func apply(p Package, to string) string {
	m := p.Manifest
	if strings.ContainsFunc(m+p.Name+to, unicode.IsControl) {
		return "" // no command spanning lines: the text around it could be forged
	}
	switch {
	case p.Ecosystem == "Go" && (p.Name == goStdlib || p.Name == goToolchain):
		return fmt.Sprintf("build with %s or later", to)
	case p.Ecosystem == "Go" && path.Base(m) == "go.mod":
		return inDir(path.Dir(m), "go get "+shellQuote(p.Name+"@"+to))
	case p.Ecosystem == "PyPI" && requirementsFile.MatchString(m):
		return fmt.Sprintf("pin %s in %s", shellQuote(p.Name+"=="+to), shellQuote(m))
	}
	return ""
}

// inDir runs cmd in dir (relative to the root) in a subshell, so that the
// line can be pasted as it is.
func inDir(dir, cmd string) string {
	if dir == "." || dir == "" {
		return cmd
	}
	return "(cd " + shellQuote(dir) + " && " + cmd + ")"
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./@+=:,~%-]+$`)

// shellQuote quotes s for a POSIX shell unless it is plainly safe: names
// and paths come from the scanned repository, which may be hostile.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) && !strings.HasPrefix(s, "-") && !strings.HasPrefix(s, "~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Fixable reports whether a dependency finding has a fixed version above
// the one found; false for findings without a package.
func (f *Finding) Fixable() bool { return f.Package != nil && lowestFixAbove(f.Package) != "" }

// lowestFixAbove picks the smallest fixed version greater than the found one.
func lowestFixAbove(p *Package) string {
	best := ""
	for _, fx := range p.Fixed {
		if fx == "" || compare(p.Ecosystem, fx, p.Version) <= 0 {
			continue
		}
		if best == "" || compare(p.Ecosystem, fx, best) < 0 {
			best = fx
		}
	}
	return best
}

// compare orders versions by the ecosystem's own rules, falling back to a
// plain string comparison for ecosystems the semantic package lacks.
func compare(eco, a, b string) int {
	a, b = NormalizeVersion(eco, a), NormalizeVersion(eco, b)
	if v, err := semantic.Parse(a, eco); err == nil {
		if c, err := v.CompareStr(b); err == nil {
			return c
		}
	}
	return strings.Compare(a, b)
}
