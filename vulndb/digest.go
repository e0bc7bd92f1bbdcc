package vulndb

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Digest identifies what the scanners match against: the digests of the
// govulncheck index and entries and of every ecosystem zip, all recorded at
// import and checked when the database is opened. Two imports of the same
// advisories share it; any change to an advisory changes it.
func (s *Stats) Digest() string {
	h := sha256.New()
	fmt.Fprintf(h, "format %d\ngovulncheck %s %s\n", s.Format, s.Govulncheck.ModulesSHA256, s.Govulncheck.EntriesSHA256)
	for _, e := range s.Ecosystems {
		fmt.Fprintf(h, "%s %s %s\n", e.Name, e.Zip, e.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil))
}
