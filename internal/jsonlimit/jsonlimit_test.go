package jsonlimit

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	l := Limits{Depth: 4, List: 3, Entries: 10, String: 8}
	for _, tc := range []struct{ doc, err string }{
		{`{"a": [1, 2, 3], "b": {"c": "12345678"}}`, ""},
		{`{"a": [1, 2, 3, 4]}`, "a: more than 3 entries"},
		{`{"a": 1, "b": 2, "c": 3, "d": 4}`, "the document: more than 3 members"},
		{`{"s": [{"t": "123456789"}]}`, "s[0].t: a string of 9 bytes, more than 8"},
		{`{"123456789": 1}`, "the document: a key of 9 bytes, more than 8"},
		{`[[[[[]]]]]`, "[0][0][0][0]: nested more than 4 deep"},
		{`[[1],[1],[1],[1]]`, "the document: more than 3 entries"},
		{`[[1,2,3],[1,2,3],[1,2]]`, "[2]: more than 10 entries in the whole document"},
		{`{"": {"x\ny": [1,2,3,4]}}`, `"".` + "\"x\\ny\": more than 3 entries"},
		// Not JSON: left to the decoder.
		{`{"a": [1, 2`, ""},
		{``, ""},
	} {
		_, err := Check([]byte(tc.doc), l)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.doc, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.doc, err, tc.err)
		}
	}
	if n, err := Check([]byte(`[`+strings.Repeat(`{"a": 1},`, 1000)+`{}]`), Limits{}); err != nil || n != 2001 {
		t.Errorf("no limits: %d entries, %v", n, err)
	}
}
