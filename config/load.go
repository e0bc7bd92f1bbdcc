package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/scangate/scangate/internal/intree"
	"github.com/scangate/scangate/internal/pathglob"
	"github.com/scangate/scangate/internal/yamlerr"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanners/registry"
)

// maxProblems bounds the error list of a badly broken file.
const maxProblems = 50

// Load reads the configuration file over the defaults. root is the scanned
// root as the user named it: relative paths in the file are taken from it.
// A file inside root (see intree.Named) is the scanned repository's: it may
// not set a key tagged trust, nor name a path outside root, nor write a
// report into root's .git directory.
func Load(file, root string) (*Config, error) {
	inTree := intree.Named(root, file)
	// The tree's file leading out of it would be another file read as
	// configuration, its keys and values quoted in errors.
	if inTree && !intree.Contains(root, file) {
		if _, err := os.Stat(file); err == nil {
			return nil, fmt.Errorf("config %s: a symbolic link to a file outside the scanned root: not read (pass a configuration outside the tree with --config)", file)
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("config %s: does not exist", file)
		}
		return nil, fmt.Errorf("config %s: %w", file, err)
	}
	return parse(file, data, root, inTree)
}

// Parse reads a trusted configuration from data (one from outside the
// scanned tree); name is used in error messages.
func Parse(name string, data []byte, root string) (*Config, error) {
	return parse(name, data, root, false)
}

func parse(name string, data []byte, root string, inTree bool) (*Config, error) {
	c := Default(root)
	c.File, c.InTree = name, inTree
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return c, nil // an empty file: the defaults
		}
		return nil, &Error{Problems: []Problem{yamlProblem(name, err)}}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Error{Problems: []Problem{{File: name, Line: extra.Line, Col: extra.Column, Msg: "a second YAML document; the file must hold one"}}}
	} else if !errors.Is(err, io.EOF) {
		return nil, &Error{Problems: []Problem{yamlProblem(name, err)}}
	}
	d := &decoder{file: name, root: root, inTree: inTree, sources: c.sources}
	if len(doc.Content) == 1 && !yamlerr.IsNull(doc.Content[0]) {
		d.mapping(doc.Content[0], reflect.ValueOf(c).Elem(), "")
	}
	if len(d.probs) > 0 {
		slices.SortStableFunc(d.probs, func(a, b Problem) int {
			if a.Line != b.Line {
				return a.Line - b.Line
			}
			return a.Col - b.Col
		})
		return nil, &Error{Problems: d.probs}
	}
	return c, nil
}

// yamlProblem reports a YAML syntax error; Problem.String prints Msg as is.
func yamlProblem(file string, err error) Problem {
	return Problem{Msg: yamlerr.Format(file, err)}
}

// field is one key of a struct as the loader sees it.
type field struct {
	key     string
	index   []int
	typ     reflect.Type
	enum    []string
	pattern *regexp.Regexp
	lo, hi  int
	ranged  bool
	path    bool
	glob    bool     // a path glob in scangate's dialect (internal/pathglob)
	trust   string   // what the key would let an in-tree file do; "" when it may set it
	rules   bool     // the values must be rule IDs of the scanner's catalogue (Descriptor.Rules)
	catalog []string // those rule IDs, and the scanner's name
	owner   string
	follows string              // the scan-wide key whose value this one takes unless set
	doc     string              // the key's description in the schema
	ref     string              // the schema definition that describes it
	desc    *scanner.Descriptor // the scanner of a scanners.NAME key
	keys    *regexp.Regexp      // what a map's keys must match; nil: rule or advisory IDs
	scalar  bool                // a YAML number is taken as the string it is written as
	regexp  bool                // the value is a regular expression
}

// fieldsOf lists the keys of a config struct in declaration order, with
// inline structs merged in.
func fieldsOf(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("yaml")
		if tag == "-" || !sf.IsExported() {
			continue
		}
		if tag == ",inline" {
			for _, f := range fieldsOf(sf.Type) {
				f.index = append([]int{i}, f.index...)
				out = append(out, f)
			}
			continue
		}
		f := field{key: tag, index: []int{i}, typ: sf.Type}
		if e := sf.Tag.Get("enum"); e != "" {
			f.enum = strings.Split(e, ",")
		}
		if p := sf.Tag.Get("pattern"); p != "" {
			f.pattern = regexp.MustCompile(p)
		}
		if r := sf.Tag.Get("range"); r != "" {
			lo, hi, _ := strings.Cut(r, ",")
			f.lo, _ = strconv.Atoi(lo)
			f.hi, _ = strconv.Atoi(hi)
			f.ranged = true
		}
		_, f.path = sf.Tag.Lookup("path")
		_, f.glob = sf.Tag.Lookup("glob")
		f.trust = sf.Tag.Get("trust")
		_, f.rules = sf.Tag.Lookup("rules")
		f.follows = sf.Tag.Get("follows")
		f.doc = sf.Tag.Get("doc")
		f.ref = sf.Tag.Get("ref")
		if k := sf.Tag.Get("keys"); k != "" {
			f.keys = regexp.MustCompile(k)
		}
		_, f.scalar = sf.Tag.Lookup("scalar")
		_, f.regexp = sf.Tag.Lookup("regexp")
		out = append(out, f)
	}
	return out
}

func keysOf(fs []field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.key
	}
	return out
}

var durationType = reflect.TypeFor[time.Duration]()

type decoder struct {
	file    string
	root    string
	inTree  bool
	sources map[string]Source
	probs   []Problem
}

func (d *decoder) errf(n *yaml.Node, format string, args ...any) {
	if len(d.probs) >= maxProblems {
		return
	}
	d.probs = append(d.probs, Problem{File: d.file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) set(key string, n *yaml.Node) {
	d.sources[key] = Source{File: d.file, Line: n.Line, Col: n.Column}
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

func where(prefix string) string {
	if prefix == "" {
		return "at the top level"
	}
	return "in " + prefix
}

// mapping decodes a YAML mapping into the struct v.
func (d *decoder) mapping(n *yaml.Node, v reflect.Value, prefix string) {
	d.keys(n, fieldsOf(v.Type()), v.FieldByIndex, prefix)
}

// keys decodes a YAML mapping whose keys are fs, each stored in at(f.index).
func (d *decoder) keys(n *yaml.Node, fs []field, at func(index []int) reflect.Value, prefix string) {
	if n.Kind != yaml.MappingNode {
		d.errf(n, "%s: want a mapping, got %s", orTop(prefix), yamlerr.Kind(n))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errf(k, "%s: keys must be plain names, got %s", orTop(prefix), yamlerr.Kind(k))
			continue
		}
		if line, dup := seen[k.Value]; dup {
			d.errf(k, "%s: duplicate key (first set on line %d)", join(prefix, k.Value), line)
			continue
		}
		seen[k.Value] = k.Line
		i := slices.IndexFunc(fs, func(f field) bool { return f.key == k.Value })
		if i < 0 {
			d.errf(k, "unknown key %q %s%s (allowed: %s)", k.Value, where(prefix), Suggest(k.Value, keysOf(fs)), strings.Join(keysOf(fs), ", "))
			continue
		}
		d.value(val, at(fs[i].index), fs[i], join(prefix, k.Value))
	}
}

func orTop(prefix string) string {
	if prefix == "" {
		return "the file"
	}
	return prefix
}

// value decodes one value; a null keeps the default.
func (d *decoder) value(n *yaml.Node, v reflect.Value, f field, key string) {
	if n.Kind == yaml.AliasNode {
		d.errf(n, "%s: YAML aliases are not supported; write the value out", key)
		return
	}
	if yamlerr.IsNull(n) {
		return
	}
	switch v.Type() {
	case reflect.TypeFor[Reachability]():
		d.reachability(n, v.Addr().Interface().(*Reachability), key)
		return
	case scannersType:
		list := v.Interface().(Scanners)
		d.keys(n, scannerFields(list.descriptors()), func(index []int) reflect.Value { return reflect.ValueOf(list[index[0]]) }, key)
		return
	case sectionType:
		s := v.Interface().(*Section)
		d.keys(n, sectionFields(s.Descriptor), s.at, key)
		return
	}
	if v.Type() == durationType {
		if dur, ok := d.duration(n, key); ok {
			v.SetInt(int64(dur))
			d.set(key, n)
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.mapping(n, v, key)
	case reflect.Bool:
		if b, ok := d.boolean(n, key); ok {
			if b && !d.trusted(n, f, key, "") {
				return
			}
			v.SetBool(b)
			d.set(key, n)
		}
	case reflect.Pointer: // *bool
		if b, ok := d.boolean(n, key); ok {
			v.Set(reflect.ValueOf(&b))
			d.set(key, n)
		}
	case reflect.Int:
		if i, ok := d.integer(n, f, key); ok {
			v.SetInt(int64(i))
			d.set(key, n)
		}
	case reflect.String:
		if s, ok := d.str(n, f, key); ok {
			if f.path {
				s = d.path(s)
			}
			if !d.trusted(n, f, key, s) {
				return
			}
			v.SetString(s)
			d.set(key, n)
		}
	case reflect.Slice:
		if list, ok := d.list(n, f, key); ok {
			v.Set(reflect.ValueOf(list))
			d.set(key, n)
		}
	case reflect.Map:
		d.stringMap(n, v, f, key)
	default:
		panic(fmt.Sprintf("config: field %s has unsupported type %s", key, v.Type()))
	}
}

// list decodes a sequence of strings, each checked as str checks it.
func (d *decoder) list(n *yaml.Node, f field, key string) ([]string, bool) {
	if n.Kind != yaml.SequenceNode {
		d.errf(n, "%s: want a list of strings, got %s", key, yamlerr.Kind(n))
		return nil, false
	}
	list := []string{}
	ok := true
	for _, e := range n.Content {
		if e.Kind == yaml.AliasNode {
			d.errf(e, "%s: YAML aliases are not supported; write the value out", key)
			ok = false
			continue
		}
		s, good := d.str(e, f, key)
		ok = ok && good
		list = append(list, s)
	}
	return list, ok
}

func (d *decoder) boolean(n *yaml.Node, key string) (bool, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		switch strings.ToLower(n.Value) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	d.errf(n, "%s: want true or false, got %s", key, yamlerr.Kind(n))
	return false, false
}

func (d *decoder) integer(n *yaml.Node, f field, key string) (int, bool) {
	want := "an integer"
	if f.ranged {
		want = fmt.Sprintf("an integer from %d to %d", f.lo, f.hi)
	}
	if len(f.enum) > 0 {
		want = "one of " + strings.Join(f.enum, ", ")
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.errf(n, "%s: want %s, got %s", key, want, yamlerr.Kind(n))
		return 0, false
	}
	i, err := strconv.ParseInt(n.Value, 0, 32)
	if err != nil || (f.ranged && (int(i) < f.lo || int(i) > f.hi)) || (len(f.enum) > 0 && !slices.Contains(f.enum, strconv.Itoa(int(i)))) {
		d.errf(n, "%s: invalid value %s (want %s)", key, n.Value, want)
		return 0, false
	}
	return int(i), true
}

// str checks a string against the field's enum and pattern.
func (d *decoder) str(n *yaml.Node, f field, key string) (string, bool) {
	number := f.scalar && n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float")
	if !number && (n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str") {
		want := "a string"
		if len(f.enum) > 0 {
			want = "one of " + strings.Join(f.enum, ", ")
		}
		d.errf(n, "%s: want %s, got %s", key, want, yamlerr.Kind(n))
		return "", false
	}
	s := n.Value
	switch {
	case len(f.enum) > 0 && !slices.Contains(f.enum, s):
		d.errf(n, "%s: invalid value %q%s (allowed: %s)", key, s, Suggest(s, f.enum), strings.Join(f.enum, ", "))
		return "", false
	case f.pattern != nil && !f.pattern.MatchString(s):
		d.errf(n, "%s: invalid value %q (want a match of %s)", key, s, f.pattern)
		return "", false
	case f.rules && !slices.Contains(f.catalog, s):
		d.errf(n, "%s: unknown %s rule %q (known: %s)", key, f.owner, s, strings.Join(f.catalog, ", "))
		return "", false
	case strings.TrimSpace(s) == "":
		d.errf(n, "%s: empty string", key)
		return "", false
	case f.regexp && len(s) > maxRegexp:
		d.errf(n, "%s: a regular expression of %d bytes (at most %d)", key, len(s), maxRegexp)
		return "", false
	}
	if f.regexp {
		if _, err := regexp.Compile(s); err != nil {
			d.errf(n, "%s: invalid regular expression: %v", key, err)
			return "", false
		}
	}
	if f.glob {
		if err := pathglob.Check(s); err != nil {
			d.errf(n, "%s: invalid %v", key, err)
			return "", false
		}
	}
	return s, true
}

// maxRegexp bounds a regular expression from the file; RE2 matches in
// linear time, so only its size needs a limit.
const maxRegexp = 4096

// inTreeFix is how a user sets what an in-tree file may not.
const inTreeFix = "pass --config FILE from outside the tree, or the flag where the key has one"

// trusted refuses, in a file inside the scanned tree, a key that would
// let the repository run a program or reach a secret, and a path that
// leads outside the tree (read a runner's file, or write one) or, for an
// output, into the tree's .git directory.
func (d *decoder) trusted(n *yaml.Node, f field, key, value string) bool {
	switch {
	case !d.inTree:
		return true
	case f.trust != "":
		d.errf(n, "%s: a config file inside the scanned repository may not %s: %s", key, f.trust, inTreeFix)
		return false
	case !f.path || value == "-":
		return true
	case !intree.Contains(d.root, value):
		d.errf(n, "%s: %q resolves outside the scanned repository, and a config file inside it may only name paths inside it: %s", key, n.Value, inTreeFix)
		return false
	case strings.HasPrefix(key, "outputs.") && slices.Contains(strings.Split(intree.Rel(d.root, value), "/"), ".git"):
		d.errf(n, "%s: %q is inside a .git directory, where a config file inside the scanned repository may not write: %s", key, n.Value, inTreeFix)
		return false
	}
	return true
}

// path makes a relative path from the file relative to the scanned root,
// and expands a leading "~/".
func (d *decoder) path(s string) string {
	switch {
	case s == "-" || filepath.IsAbs(s):
		return s
	case strings.HasPrefix(s, "~/"):
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, s[2:])
		}
		return s
	}
	return filepath.Join(d.root, filepath.FromSlash(s))
}

var daysRE = regexp.MustCompile(`^([0-9]{1,5})d$`)

// ParseDuration accepts Go durations ("90s", "5m", "1h30m") and whole days ("7d").
func ParseDuration(s string) (time.Duration, error) {
	if m := daysRE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return time.Duration(n) * 24 * time.Hour, nil
	}
	dur, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if dur <= 0 {
		return 0, fmt.Errorf("not positive")
	}
	return dur, nil
}

func (d *decoder) duration(n *yaml.Node, key string) (time.Duration, bool) {
	const want = "a positive duration such as 90s, 5m, 1h30m or 7d"
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		d.errf(n, "%s: want %s, got %s", key, want, yamlerr.Kind(n))
		return 0, false
	}
	dur, err := ParseDuration(n.Value)
	if err != nil {
		d.errf(n, "%s: invalid value %q (want %s)", key, n.Value, want)
		return 0, false
	}
	return dur, true
}

// stringMap decodes a mapping of IDs to strings (severity overrides) or,
// with a keys tag, of names to lists of strings (gosec's G104).
func (d *decoder) stringMap(n *yaml.Node, v reflect.Value, f field, key string) {
	lists := v.Type().Elem().Kind() == reflect.Slice
	if n.Kind != yaml.MappingNode {
		want := "rule IDs to values"
		if lists {
			want = "names to lists"
		}
		d.errf(n, "%s: want a mapping of %s, got %s", key, want, yamlerr.Kind(n))
		return
	}
	m := reflect.MakeMap(v.Type())
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		switch {
		case f.keys != nil && (k.Kind != yaml.ScalarNode || !f.keys.MatchString(k.Value)):
			d.errf(k, "%s: keys must match %s, got %s", key, f.keys, yamlerr.Kind(k))
			continue
		case f.keys == nil && (k.Kind != yaml.ScalarNode || strings.TrimSpace(k.Value) == "" || strings.ContainsAny(k.Value, ". \t")):
			d.errf(k, "%s: keys must be rule or advisory IDs, got %s", key, yamlerr.Kind(k))
			continue
		}
		if line, dup := seen[k.Value]; dup {
			d.errf(k, "%s.%s: duplicate key (first set on line %d)", key, k.Value, line)
			continue
		}
		seen[k.Value] = k.Line
		if lists {
			if val.Kind == yaml.AliasNode {
				d.errf(val, "%s.%s: YAML aliases are not supported; write the value out", key, k.Value)
				continue
			}
			l, ok := d.list(val, f, key+"."+k.Value)
			if !ok {
				continue
			}
			m.SetMapIndex(reflect.ValueOf(k.Value), reflect.ValueOf(l))
			d.set(key+"."+k.Value, val)
			continue
		}
		if val.Kind == yaml.AliasNode || yamlerr.IsNull(val) {
			d.errf(val, "%s.%s: want one of %s, got %s", key, k.Value, strings.Join(f.enum, ", "), yamlerr.Kind(val))
			continue
		}
		s, ok := d.str(val, f, key+"."+k.Value)
		if !ok {
			continue
		}
		m.SetMapIndex(reflect.ValueOf(k.Value), reflect.ValueOf(s))
		d.set(key+"."+k.Value, val)
	}
	v.Set(m)
	d.set(key, n)
}

// reachability is either "off" or a mapping of step counts.
func (d *decoder) reachability(n *yaml.Node, r *Reachability, key string) {
	if n.Kind == yaml.ScalarNode {
		if n.ShortTag() == "!!str" && n.Value == "off" {
			*r = Reachability{Off: true}
			d.set(key, n)
			return
		}
		d.errf(n, "%s: want off or a mapping with imported and required (steps from 0 to 4), got %s", key, yamlerr.Kind(n))
		return
	}
	r.Off = false
	d.mapping(n, reflect.ValueOf(r).Elem(), key)
	d.set(key, n)
}

// Suggest returns ` (did you mean "x"?)` for a near miss of one of
// options, "" when none is near.
func Suggest(s string, options []string) string {
	best, bestD := "", 3
	for _, o := range options {
		if dist := levenshtein(strings.ToLower(s), o); dist < bestD {
			best, bestD = o, dist
		}
	}
	if best == "" || best == s {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 64
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Keys lists every key the loader accepts, dotted, in declaration order;
// a map's entries are "severity.*".
func Keys() []string {
	var out []string
	var walk func(fs []field, prefix string)
	walk = func(fs []field, prefix string) {
		for _, f := range fs {
			k := join(prefix, f.key)
			switch {
			case f.typ.Kind() == reflect.Map:
				out = append(out, k, k+".*")
			case children(f) != nil:
				out = append(out, k)
				walk(children(f), k)
			default:
				out = append(out, k)
			}
		}
	}
	walk(fieldsOf(reflect.TypeFor[Config]()), "")
	return out
}

// KeySpec is what the loader allows for one key; the schema test compares
// it with the JSON Schema.
type KeySpec struct {
	Type     string // JSON Schema type: boolean, integer, string, array, object; "object|string" or "number|string" for either
	Enum     []string
	Pattern  string
	Min, Max *int
	Duration bool // a string parsed by ParseDuration
}

// Specs describes every key of Keys. For lists the enum and pattern apply to
// each element; a map's values are described under "severity.*".
func Specs() map[string]KeySpec {
	out := map[string]KeySpec{}
	var walk func(fs []field, prefix string)
	walk = func(fs []field, prefix string) {
		for _, f := range fs {
			k := join(prefix, f.key)
			spec := KeySpec{Enum: f.enum}
			if f.pattern != nil {
				spec.Pattern = f.pattern.String()
			}
			if f.ranged {
				lo, hi := f.lo, f.hi
				spec.Min, spec.Max = &lo, &hi
			}
			switch {
			case f.typ == durationType:
				spec.Type, spec.Duration = "string", true
			case f.typ == reflect.TypeFor[Reachability]():
				out[k] = KeySpec{Type: "object|string", Enum: []string{"off"}}
				walk(children(f), k)
				continue
			case children(f) != nil:
				out[k] = KeySpec{Type: "object"}
				walk(children(f), k)
				continue
			case f.typ.Kind() == reflect.Map:
				out[k] = KeySpec{Type: "object"}
				k += ".*"
				spec.Type = "string"
				if f.typ.Elem().Kind() == reflect.Slice {
					spec.Type = "array"
				}
			case f.typ.Kind() == reflect.Slice:
				spec.Type = "array"
			case f.typ.Kind() == reflect.Bool, f.typ.Kind() == reflect.Pointer:
				spec.Type = "boolean"
			case f.typ.Kind() == reflect.Int:
				spec.Type = "integer"
			case f.scalar:
				spec.Type = "number|string"
			default:
				spec.Type = "string"
			}
			out[k] = spec
		}
	}
	walk(fieldsOf(reflect.TypeFor[Config]()), "")
	return out
}

var (
	scannersType = reflect.TypeFor[Scanners]()
	sectionType  = reflect.TypeFor[*Section]()
)

// children are the keys under f: a struct's fields, the scanners section's
// scanners, or one scanner's keys; nil for a leaf.
func children(f field) []field {
	switch {
	case f.typ == scannersType:
		return scannerFields(registry.All)
	case f.typ == sectionType:
		return sectionFields(f.desc)
	case f.typ.Kind() == reflect.Struct && f.typ != durationType:
		return fieldsOf(f.typ)
	}
	return nil
}

// scannerFields are the keys of the scanners section: one per scanner,
// whose index is its place in the list.
func scannerFields(list []*scanner.Descriptor) []field {
	out := make([]field, len(list))
	for i, d := range list {
		out[i] = field{key: d.Name, index: []int{i}, typ: sectionType, desc: d, doc: d.Doc}
	}
	return out
}

func (l Scanners) descriptors() []*scanner.Descriptor {
	out := make([]*scanner.Descriptor, len(l))
	for i, s := range l {
		out[i] = s.Descriptor
	}
	return out
}

// sectionFields lists a scanner's keys: Common's, then its options'. An
// index starts with 0 for Common, 1 for the options (Section.at).
func sectionFields(d *scanner.Descriptor) []field {
	var out []field
	for _, f := range fieldsOf(reflect.TypeFor[Common]()) {
		f.index = append([]int{0}, f.index...)
		out = append(out, f)
	}
	for _, f := range fieldsOf(reflect.TypeOf(d.Options).Elem()) {
		f.index = append([]int{1}, f.index...)
		f.catalog, f.owner = d.Rules, d.Name
		out = append(out, f)
	}
	return out
}

// at is the value of the key whose sectionFields index is index.
func (s *Section) at(index []int) reflect.Value {
	if index[0] == 0 {
		return reflect.ValueOf(&s.Common).Elem().FieldByIndex(index[1:])
	}
	return reflect.ValueOf(s.Options).Elem().FieldByIndex(index[1:])
}

func (s *Section) field(f field) reflect.Value { return s.at(f.index) }
