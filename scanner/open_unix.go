//go:build unix

package scanner

import (
	"os"
	"syscall"
)

// openNoFollow opens abs for reading, refusing a symlink in its last
// element, and without blocking on a pipe swapped in after the walk.
func openNoFollow(abs string) (*os.File, error) {
	return os.OpenFile(abs, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}
