package scanner

import (
	"slices"
	"unicode/utf8"
)

// Text places positions in a file's text as findings give them: 1-based
// lines and columns counted in characters, as editors (and yaml.v3) count
// them.
type Text struct {
	data   []byte
	starts []int // the byte offset of each line's start
}

// NewText indexes the lines of data.
func NewText(data []byte) *Text {
	t := &Text{data: data, starts: []int{0}}
	for i, c := range data {
		if c == '\n' {
			t.starts = append(t.starts, i+1)
		}
	}
	return t
}

// Pos is the line and column of a byte offset.
func (t *Text) Pos(off int) (line, col int) {
	off = min(max(off, 0), len(t.data))
	line, found := slices.BinarySearch(t.starts, off)
	if !found {
		line-- // off lies inside the line before
	}
	return line + 1, utf8.RuneCount(t.data[t.starts[line]:off]) + 1
}

// Offset is the byte offset of a line and column, -1 when the text has no
// such place.
func (t *Text) Offset(line, col int) int {
	if line < 1 || line > len(t.starts) || col < 1 {
		return -1
	}
	off := t.starts[line-1]
	for range col - 1 {
		if off >= len(t.data) || t.data[off] == '\n' {
			return -1
		}
		_, size := utf8.DecodeRune(t.data[off:])
		off += size
	}
	return off
}

// Line is line n's text with its line break, nil when there is none.
func (t *Text) Line(n int) []byte {
	if n < 1 || n > len(t.starts) {
		return nil
	}
	end := len(t.data)
	if n < len(t.starts) {
		end = t.starts[n]
	}
	return t.data[t.starts[n-1]:end]
}
