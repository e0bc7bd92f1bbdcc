// Package typeerr does not type-check; gosec's AST rules still see it.
package typeerr

import "os"

var count int = "three"

// Write writes a world-writable file.
func Write(name string) error {
	return os.WriteFile(name, []byte("x"), 0o666)
}
