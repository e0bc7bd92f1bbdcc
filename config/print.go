package config

import (
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// entry is one line of the printed configuration: a section's header
// (key without value) or a leaf.
type entry struct {
	indent     int
	text       string // "key: value" or "key:"
	key, value string // value "" for a header
	src        string
}

// entries walks the configuration in declaration order.
func (c *Config) entries() []entry {
	var out []entry
	add := func(indent int, name, key, value, src string) {
		text := name + ":"
		if value != "" {
			text += " " + value
		}
		out = append(out, entry{indent, strings.Repeat("  ", indent) + text, key, value, src})
	}
	var walk func(fs []field, at func([]int) reflect.Value, prefix string, indent int)
	walk = func(fs []field, at func([]int) reflect.Value, prefix string, indent int) {
		for _, f := range fs {
			key := join(prefix, f.key)
			name := scalar(f.key) // quoted when YAML needs it: "#nosec"
			fv := at(f.index)
			switch {
			case fv.Type() == scannersType:
				add(indent, name, key, "", "")
				list := fv.Interface().(Scanners)
				walk(scannerFields(list.descriptors()), func(i []int) reflect.Value { return reflect.ValueOf(list[i[0]]) }, key, indent+1)
			case fv.Type() == sectionType:
				s := fv.Interface().(*Section)
				add(indent, name, key, "", "")
				walk(sectionFields(s.Descriptor), s.at, key, indent+1)
			case fv.Type() == reflect.TypeFor[Reachability]():
				r := fv.Interface().(Reachability)
				if r.Off {
					add(indent, name, key, "off", c.Source(key).String())
					continue
				}
				add(indent, name, key, "", "")
				walk(fieldsOf(fv.Type()), fv.FieldByIndex, key, indent+1)
			case fv.Kind() == reflect.Struct && fv.Type() != durationType:
				add(indent, name, key, "", "")
				walk(fieldsOf(fv.Type()), fv.FieldByIndex, key, indent+1)
			case fv.Kind() == reflect.Map:
				ids := make([]string, 0, fv.Len())
				for _, k := range fv.MapKeys() {
					ids = append(ids, k.String())
				}
				if len(ids) == 0 {
					add(indent, name, key, "{}", c.Source(key).String())
					continue
				}
				slices.Sort(ids)
				add(indent, name, key, "", "")
				for _, id := range ids {
					add(indent+1, scalar(id), key+"."+id, format(fv.MapIndex(reflect.ValueOf(id))), c.Source(key+"."+id).String())
				}
			default:
				add(indent, name, key, format(fv), c.Source(key).String())
			}
		}
	}
	top := reflect.ValueOf(c).Elem()
	walk(fieldsOf(top.Type()), top.FieldByIndex, "", 0)
	return out
}

// Print writes the effective configuration as YAML that Load accepts, each
// value followed by a comment saying where it came from.
func (c *Config) Print(w io.Writer) error {
	lines := c.entries()
	width := 0
	for _, l := range lines {
		if l.src != "" && len(l.text) < 48 {
			width = max(width, len(l.text))
		}
	}
	var b strings.Builder
	from := "no configuration file"
	if c.File != "" {
		from = "configuration file " + c.File
	}
	fmt.Fprintf(&b, "# Effective scangate configuration (%s).\n# Each comment says where the value came from: default, file:line:column, or flag.\n", from)
	for _, l := range lines {
		if l.src == "" {
			b.WriteString(l.text + "\n")
			continue
		}
		fmt.Fprintf(&b, "%-*s  # %s\n", width, l.text, l.src)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// YAML is the configuration as a file Load accepts, without comments.
func (c *Config) YAML() string {
	var b strings.Builder
	for _, l := range c.entries() {
		b.WriteString(l.text + "\n")
	}
	return b.String()
}

// Setting is one key's value as the file writes it.
type Setting struct{ Key, Value string }

// Settings lists every key that has a value (a map's entries one by one),
// in the order Print writes them.
func (c *Config) Settings() []Setting {
	var out []Setting
	for _, l := range c.entries() {
		if l.value != "" {
			out = append(out, Setting{l.key, l.value})
		}
	}
	return out
}

// format renders a leaf value in YAML.
func format(v reflect.Value) string {
	if v.Type() == durationType {
		d := time.Duration(v.Int())
		if d == 0 {
			return "null" // unset: a per-scanner timeout that follows the scan-wide one
		}
		return FormatDuration(d)
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return "true"
		}
		return strconv.FormatBool(v.Elem().Bool())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int:
		return strconv.Itoa(int(v.Int()))
	case reflect.String:
		if v.String() == "" {
			return "null" // unset: no file, or the scan-wide value
		}
		return scalar(v.String())
	case reflect.Slice:
		n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for i := range v.Len() {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v.Index(i).String()})
		}
		return marshal(n)
	}
	return fmt.Sprint(v.Interface())
}

// scalar quotes a string only when YAML needs it.
func scalar(s string) string {
	return marshal(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s})
}

func marshal(n *yaml.Node) string {
	out, err := yaml.Marshal(n)
	if err != nil {
		return strconv.Quote(n.Value)
	}
	return strings.TrimSuffix(string(out), "\n")
}

// FormatDuration writes a duration the way a person would in the file: 7d, 10m, 1h30m.
func FormatDuration(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
