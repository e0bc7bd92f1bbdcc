package scanner

import (
	"errors"
	"io"
)

// MaxFileSize is the largest file an adapter reads from the tree unless it
// says otherwise: a huge log or a sparse file must not hold the scan.
const MaxFileSize = 10 << 20

var (
	// ErrTooBig is ReadFile's error for a file over its limit.
	ErrTooBig = errors.New("too big")
	// ErrNotRegular is ReadFile's error for what is not a regular file
	// (a pipe or device swapped in after the walk).
	ErrNotRegular = errors.New("not a regular file")
)

// ReadFile reads a regular file of the scanned tree of at most limit
// bytes, never through a symlink in its last element: the walk saw a
// regular file, but the tree may change under it. Errors from opening
// carry the machine path (see Bare).
func ReadFile(abs string, limit int64) ([]byte, error) {
	f, err := openNoFollow(abs)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	if info.Size() > limit {
		return nil, ErrTooBig
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, ErrTooBig
	}
	return data, nil
}
