//go:build !unix

package scanner

import (
	"errors"
	"os"
)

// openNoFollow opens abs for reading unless it is a symlink (checked
// before opening: platforms without O_NOFOLLOW).
func openNoFollow(abs string) (*os.File, error) {
	info, err := os.Lstat(abs)
	if err != nil {
		return nil, err
	}
	if info.Mode()&os.ModeSymlink != 0 {
		return nil, errors.New("a symlink")
	}
	return os.Open(abs)
}
