package scanner

import "testing"

// Pos and Offset agree, in characters, past multi-byte ones and line ends.
func TestText(t *testing.T) {
	text := NewText([]byte("ab\nдé x\n\nlast"))
	for _, tc := range []struct{ off, line, col int }{
		{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {5, 2, 2}, {8, 2, 4}, {10, 3, 1}, {11, 4, 1}, {15, 4, 5},
	} {
		if line, col := text.Pos(tc.off); line != tc.line || col != tc.col {
			t.Errorf("Pos(%d) = %d:%d, want %d:%d", tc.off, line, col, tc.line, tc.col)
		}
		if off := text.Offset(tc.line, tc.col); off != tc.off {
			t.Errorf("Offset(%d, %d) = %d, want %d", tc.line, tc.col, off, tc.off)
		}
	}
	for _, at := range [][2]int{{0, 1}, {5, 1}, {1, 5}, {2, 0}} {
		if off := text.Offset(at[0], at[1]); off != -1 {
			t.Errorf("Offset(%d, %d) = %d, want -1", at[0], at[1], off)
		}
	}
	if got := string(text.Line(2)); got != "дé x\n" {
		t.Errorf("Line(2) = %q", got)
	}
	if text.Line(5) != nil {
		t.Error("Line(5) is not nil")
	}
}
