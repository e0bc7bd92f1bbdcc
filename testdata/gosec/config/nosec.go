package main

import "crypto/md5"

// The global nosec options and the nosec tag (gosec's analyzer_test.go).
func nosec(b []byte) {
	md5.Sum(b) // #nosec G401 -- checksum only
	md5.Sum(b) // #falsepositive G401 -- checksum only
	md5.Sum(b) // #nosec -- names no rule
	md5.Sum(b) // #nosec G401
	md5.Sum(b) //nolint:gosec // reviewed
}
