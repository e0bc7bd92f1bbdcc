package config

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"reflect"
)

// Schema is the JSON Schema (draft-07) of .scangate.yml. Editors that speak
// the yaml-language-server protocol can use it for completion and checks.
// Its scanners section is generated from the registry (go generate).
//
//go:embed scangate.schema.json
var Schema []byte

//go:generate go run ./internal/genschema scangate.schema.json

// WithScanners returns schema (the text of scangate.schema.json) with its
// scanners section replaced by the one the registry's descriptors give:
// each scanner's keys, types, checks and descriptions come from its
// options' struct tags, as the loader reads them.
func WithScanners(schema []byte) ([]byte, error) {
	const key = "\n    \"scanners\": "
	i := bytes.Index(schema, []byte(key))
	if i < 0 {
		return nil, fmt.Errorf("schema: no top-level scanners property")
	}
	start := i + len(key)
	var old json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(schema[start:])).Decode(&old); err != nil {
		return nil, fmt.Errorf("schema: scanners: %v", err)
	}
	f := fieldsOf(reflect.TypeFor[Config]())
	var section field
	for _, x := range f {
		if x.typ == scannersType {
			section = x
		}
	}
	gen, err := json.MarshalIndent(schemaOf(section, false), "    ", "  ")
	if err != nil {
		return nil, err
	}
	out := append([]byte(nil), schema[:start]...)
	out = append(out, gen...)
	return append(out, schema[start+len(old):]...), nil
}

// obj is a JSON object that keeps its keys in order.
type obj []kv

type kv struct {
	k string
	v any
}

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(e.k)
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func ref(name string) kv { return kv{"$ref", "#/definitions/" + name} }

// schemaOf is the schema of one key; element is true for the items of a
// list or the values of a map, which take the key's checks but not its
// description.
func schemaOf(f field, element bool) obj {
	var o obj
	if !element {
		doc := f.doc
		if f.trust != "" {
			doc += " Not allowed in a config file inside the scanned tree."
		}
		if doc != "" {
			o = append(o, kv{"description", doc})
		}
		if f.ref != "" {
			return append(o, ref(f.ref))
		}
	}
	str := func() obj {
		switch {
		case len(f.enum) > 0:
			return obj{{"type", "string"}, {"enum", f.enum}}
		case f.pattern != nil:
			return obj{{"type", "string"}, {"pattern", f.pattern.String()}}
		}
		return obj{{"type", "string"}, {"minLength", 1}}
	}
	switch t := f.typ; {
	case t == durationType:
		return append(o, ref("duration"))
	case children(f) != nil:
		props := obj{}
		for _, c := range children(f) {
			props = append(props, kv{c.key, schemaOf(c, false)})
		}
		return append(o, kv{"type", "object"}, kv{"additionalProperties", false}, kv{"properties", props})
	case t.Kind() == reflect.Map:
		o = append(o, kv{"type", "object"})
		if f.keys != nil {
			o = append(o, kv{"propertyNames", obj{{"pattern", f.keys.String()}}})
		}
		elem := f
		elem.typ = t.Elem()
		return append(o, kv{"additionalProperties", schemaOf(elem, true)})
	case t.Kind() == reflect.Slice:
		if len(f.enum) == 0 && f.pattern == nil {
			return append(o, ref("strings"))
		}
		return append(o, kv{"type", "array"}, kv{"items", str()})
	case t.Kind() == reflect.Bool, t.Kind() == reflect.Pointer:
		return append(o, kv{"type", "boolean"})
	case t.Kind() == reflect.Int:
		o = append(o, kv{"type", "integer"})
		if f.ranged {
			o = append(o, kv{"minimum", f.lo}, kv{"maximum", f.hi})
		}
		return o
	case f.path:
		return append(o, ref("path"))
	case f.regexp:
		return append(o, ref("regexp"))
	case f.scalar:
		return append(o, kv{"oneOf", []any{str(), obj{{"type", "number"}}}})
	}
	return append(o, str()...)
}
