// Package jsonlimit checks a JSON document against bounds before it is
// decoded, so that a hostile file cannot make the decoder allocate without
// limit: a list of millions of empty objects costs little to write and a
// great deal to decode into structs.
package jsonlimit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits bound a document. A zero field is no bound.
type Limits struct {
	Depth   int // nesting of objects and arrays
	List    int // entries of one array or members of one object
	Entries int // array entries and object members in the whole document
	String  int // bytes of one string, object keys included
}

// Check walks data and names the first bound it exceeds by its place in
// the document ("shard.units[3].path"); entries is the document's count of
// array entries and object members. A document that is not JSON is left to
// the decoder, which describes that better.
func Check(data []byte, l Limits) (entries int, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		array   bool
		wantKey bool   // an object's next token is a key
		key     string // the member being read
		n       int    // entries so far
		place   string
	}
	var stack []*frame
	total := 0
	name := func(place string) string {
		if place == "" {
			return "the document"
		}
		return place
	}
	here := func() string {
		if len(stack) == 0 {
			return name("")
		}
		return name(stack[len(stack)-1].place)
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return total, nil
		}
		if err != nil {
			return total, nil
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		// An object's key: count the member and remember its name.
		if top != nil && top.wantKey {
			s, _ := tok.(string)
			if l.String > 0 && len(s) > l.String {
				return total, fmt.Errorf("%s: a key of %d bytes, more than %d", here(), len(s), l.String)
			}
			top.key, top.wantKey = s, false
			top.n++
			total++
			if l.List > 0 && top.n > l.List {
				return total, fmt.Errorf("%s: more than %d members", here(), l.List)
			}
			if l.Entries > 0 && total > l.Entries {
				return total, fmt.Errorf("%s: more than %d entries in the whole document", here(), l.Entries)
			}
			continue
		}
		// A value: name its place.
		place := ""
		if top != nil {
			if top.array {
				place = top.place + "[" + strconv.Itoa(top.n) + "]"
				top.n++
				total++
				if l.List > 0 && top.n > l.List {
					return total, fmt.Errorf("%s: more than %d entries", name(top.place), l.List)
				}
				if l.Entries > 0 && total > l.Entries {
					return total, fmt.Errorf("%s: more than %d entries in the whole document", name(top.place), l.Entries)
				}
			} else {
				place = join(top.place, top.key)
				top.wantKey = true
			}
		}
		switch v := tok.(type) {
		case json.Delim:
			if l.Depth > 0 && len(stack) >= l.Depth {
				return total, fmt.Errorf("%s: nested more than %d deep", name(place), l.Depth)
			}
			stack = append(stack, &frame{array: v == '[', wantKey: v == '{', place: place})
		case string:
			if l.String > 0 && len(v) > l.String {
				return total, fmt.Errorf("%s: a string of %d bytes, more than %d", name(place), len(v), l.String)
			}
		}
	}
}

func join(parent, key string) string {
	// Keys come from the file: quoted unless plain, and cut.
	if len(key) > 64 {
		key = strconv.Quote(key[:64]) + "…"
	} else if key == "" || strings.TrimFunc(key, plain) != "" {
		key = strconv.Quote(key)
	}
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func plain(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-'
}
