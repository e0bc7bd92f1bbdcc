// Package toonew needs a Go release that does not exist yet.
package toonew

import "crypto/md5"

// Sum returns the MD5 of b.
func Sum(b []byte) [16]byte {
	return md5.Sum(b)
}
