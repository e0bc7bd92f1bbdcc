package secrets

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/osv-scalibr/veles"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/scanner"
)

// hit is one secret found in a file, as findings and cache entries hold it:
// never the secret itself.
type hit struct {
	Rule    string `json:"rule"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	EndLine int    `json:"endLine"`
	EndCol  int    `json:"endCol"`
	Hint    string `json:"hint"`
	Digest  string `json:"digest"`
	Marker  string `json:"marker,omitempty"`
	InName  bool   `json:"inName,omitempty"`
}

// digestKey makes the digest scangate's own: the same secret digested by
// another tool (a plain SHA-256) does not match it. It is public, so a
// short, guessable secret (a password in a URL) can still be confirmed by
// trying candidates: the digest hides a secret, it does not make a weak one
// strong.
var digestKey = []byte("scangate secret digest v1")

// digest is the secret's keyed SHA-256, truncated: enough to tell two
// secrets apart, never to recover one.
func digest(primary string, s veles.Secret) string {
	m := hmac.New(sha256.New, digestKey)
	if primary != "" {
		m.Write([]byte(primary))
	} else {
		b, _ := json.Marshal(s)
		m.Write(b)
	}
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// primary is the secret's value as it appears in the text: its longest
// string field (the token, the private key, the secret of a key pair).
func primary(s veles.Secret) string {
	best := ""
	var walk func(v reflect.Value, depth int)
	walk = func(v reflect.Value, depth int) {
		if depth > 4 {
			return
		}
		switch v.Kind() {
		case reflect.String:
			if v.Len() > len(best) {
				best = v.String()
			}
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), depth+1)
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i), depth+1)
			}
		}
	}
	walk(reflect.ValueOf(s), 0)
	return best
}

// Hint shows the first characters of a secret and its length: four of a
// secret of 20 characters or more, two of 12 to 19, none of a shorter one.
// A character other than an ASCII letter, digit or one of "-_.+/=" shows
// as "?" so that the hint is plain text in every report.
func Hint(secret string) string {
	n := utf8.RuneCountInString(secret)
	k := 4
	switch {
	case n < 12:
		k = 0
	case n < 20:
		k = 2
	}
	if k == 0 {
		return fmt.Sprintf("%d characters", n)
	}
	var b strings.Builder
	for _, r := range []rune(secret)[:k] {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.+/=", r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('?')
		}
	}
	return fmt.Sprintf("%s… (%d characters)", b.String(), n)
}

// detect runs every detector over data.
func (s *Scanner) detect(data []byte) ([]hit, []veles.Secret) {
	var hits []hit
	var secrets []veles.Secret
	var lines *scanner.Text
	seen := map[string]bool{}
	folded := foldASCII(data)
	for _, d := range s.dets {
		if d.need != nil && !containsAny(folded, d.need) {
			continue
		}
		ss, ps := d.d.Detect(data)
		for i, sec := range ss {
			if lines == nil {
				lines = scanner.NewText(data)
			}
			p := 0
			if i < len(ps) {
				p = min(max(ps[i], 0), len(data))
			}
			prim := primary(sec)
			start, end := p, p
			if prim != "" {
				if k := bytes.Index(data[p:], []byte(prim)); k >= 0 {
					start, end = p+k, p+k+len(prim)
				}
			}
			if keep := falsePositive[d.id]; keep != nil && !keep(data, start, end, prim) {
				continue
			}
			h := hit{Rule: d.id, Hint: Hint(prim), Digest: digest(prim, sec)}
			if prim == "" {
				h.Hint = "(not shown)"
			}
			h.Line, h.Col = lines.Pos(start)
			h.EndLine, h.EndCol = lines.Pos(end)
			key := fmt.Sprint(h.Rule, h.Digest, h.Line, h.Col)
			if seen[key] {
				continue
			}
			seen[key] = true
			h.Marker = marker(markerLine(lines, h.Line))
			if h.Marker == "" && h.EndLine != h.Line {
				h.Marker = marker(markerLine(lines, h.EndLine))
			}
			hits = append(hits, h)
			secrets = append(secrets, sec)
		}
	}
	return hits, secrets
}

// foldASCII lower-cases ASCII letters, and nothing else, so that offsets
// stay those of data.
func foldASCII(data []byte) []byte {
	out := make([]byte, len(data))
	for i, c := range data {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

func containsAny(folded []byte, need []string) bool {
	for _, n := range need {
		if bytes.Contains(folded, []byte(n)) {
			return true
		}
	}
	return false
}

// markerLine is line n's text (at most 8 KiB of it, its two ends: markers
// sit in a comment on the line, and a minified file's one line may be
// megabytes).
func markerLine(lines *scanner.Text, n int) []byte {
	b := lines.Line(n)
	if len(b) > 8<<10 {
		b = append(b[:4<<10:4<<10], b[len(b)-4<<10:]...)
	}
	return b
}

// The inline markers a line may carry to accept the secret on it: what
// gitleaks ("gitleaks:allow") and trufflehog ("trufflehog:ignore") users
// already write, golangci-lint's form with this scanner's name
// ("nolint:secrets"), and scangate's own ("scangate:ignore secret"). A bare
// "nolint" is not one: it silences every linter of a line and was not
// written with a credential in mind.
var markers = []struct {
	name string
	re   *regexp.Regexp
}{
	{"gitleaks:allow", regexp.MustCompile(`gitleaks:allow`)},
	{"trufflehog:ignore", regexp.MustCompile(`trufflehog:ignore`)},
	{"nolint:secrets", regexp.MustCompile(`nolint:[\w,-]*\bsecrets\b`)},
	{"scangate:ignore secret", regexp.MustCompile(`scangate:ignore[ \t]+secrets?\b`)},
}

func marker(line []byte) string {
	for _, m := range markers {
		if m.re.Match(line) {
			return m.name
		}
	}
	return ""
}

// finding is the hit in file rel.
func (h hit) finding(rel string) finding.Finding {
	d := ruleOf(h.Rule)
	where := ""
	if h.InName {
		where = " in a file name"
	}
	f := finding.Finding{
		Tool: Name, RuleID: h.Rule, Severity: d.severity(),
		Message:  fmt.Sprintf("%s committed%s (%s): revoke it and issue a new one, then remove it from the history", d.title, where, h.Hint),
		Location: finding.Location{Path: rel, StartLine: h.Line, StartColumn: h.Col, EndLine: h.EndLine, EndColumn: h.EndCol},
		// The secret's digest, not its line: a secret moved within its file keeps its fingerprint.
		Fingerprint: finding.Fingerprint(Name, h.Rule, rel, h.Digest),
		Properties:  map[string]string{"secretHint": h.Hint, "secretDigest": h.Digest},
	}
	if h.Marker != "" {
		f.Suppressions = []finding.Suppression{{Kind: "inSource", Marker: h.Marker}}
	}
	return f
}

func ruleOf(id string) detector {
	for _, d := range catalogue {
		if d.id == id {
			return d
		}
	}
	return detector{id: id, title: id}
}

func (d detector) severity() finding.Severity {
	if d.critical {
		return finding.Critical
	}
	return finding.High
}

// helpText is what every secret rule says to do.
const helpText = `A credential committed to a repository is readable by everyone who can read the repository, its forks and clones, and every copy of its history. Removing it from the files is not enough.

1. Revoke the credential at its provider and issue a new one; update what used it.
2. Remove it from the history (git filter-repo, or BFG Repo-Cleaner) and force-push, or treat the history as public.
3. Keep the new one out of the tree: an environment variable, the CI's secret store or a secret manager.

A test value that is not a credential: mark the line (gitleaks:allow, trufflehog:ignore, nolint:secrets or scangate:ignore secret) or list it in .scangate-ignore.yml by fingerprint, path or rule.`

func (d detector) rule() finding.Rule {
	return finding.Rule{
		ID: d.id, Name: d.id,
		Short:        d.title + " committed",
		Full:         "A " + d.title + " was found in the tree (osv-scalibr Veles detector " + d.id + ").",
		Help:         helpText,
		HelpMarkdown: strings.ReplaceAll(helpText, "(gitleaks:allow, trufflehog:ignore, nolint:secrets or scangate:ignore secret)", "(`gitleaks:allow`, `trufflehog:ignore`, `nolint:secrets` or `scangate:ignore secret`)"),
		HelpURI:      informationURI,
		Tags:         []string{"security", "secret", "external/cwe/cwe-798"},
		Severity:     d.severity(),
	}
}

// cacheKey keys one file's hits on its content and the detectors: not on
// its path, so a renamed or copied file is answered too.
func (s *Scanner) cacheKey(req *scanner.Request, data []byte) *resultcache.Key {
	if req.Cache == nil {
		return nil
	}
	k := req.Cache.Key(Name, "file")
	k.Add(s.Version())
	for _, d := range s.dets {
		k.Add(d.id)
	}
	sum := sha256.Sum256(data)
	k.Add(hex.EncodeToString(sum[:]))
	return k
}

// nameHit is a secret found in a path.
type nameHit struct {
	rel    string // redacted
	hit    hit
	secret veles.Secret
}

// scanNames runs the detectors over the paths, all at once, and returns
// them with every secret found cut out, and a hit for each.
func (s *Scanner) scanNames(rels []string) ([]string, []nameHit) {
	out := slices.Clone(rels)
	blob := []byte(strings.Join(rels, "\n"))
	hits, secrets := s.detect(blob)
	if len(hits) == 0 {
		return out, nil
	}
	starts := []int{0}
	for i, c := range blob {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	var names []nameHit
	var at []int
	for k, h := range hits {
		i := h.Line - 1 // one path per line
		if i < 0 || i >= len(rels) {
			continue
		}
		prim := primary(secrets[k])
		red := "[secret " + h.Digest[:8] + "]"
		if prim != "" && strings.Contains(out[i], prim) {
			out[i] = strings.ReplaceAll(out[i], prim, red)
		} else {
			// The detector matched more than the value: the whole name goes.
			dir, _ := splitDir(out[i])
			out[i] = dir + red
		}
		h.InName, h.Line, h.Col, h.EndLine, h.EndCol, h.Marker = true, 0, 0, 0, 0, ""
		names = append(names, nameHit{hit: h, secret: secrets[k]})
		at = append(at, i)
	}
	for j, i := range at {
		names[j].rel = out[i] // after every redaction of that path
	}
	return out, names
}

func splitDir(rel string) (dir, base string) {
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		return rel[:i+1], rel[i+1:]
	}
	return "", rel
}
