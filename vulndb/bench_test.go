package vulndb

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// benchSource writes n synthetic advisories (for scale only), spread over
// PyPI and npm, with one GO- advisory in ten.
func benchSource(b *testing.B, n int) string {
	b.Helper()
	src := b.TempDir()
	for i := range n {
		eco, id := "PyPI", fmt.Sprintf("BENCH-2024-%d", i)
		switch i % 10 {
		case 0:
			eco, id = "Go", fmt.Sprintf("GO-2024-%d", i)
		case 1, 2, 3:
			eco = "npm"
		}
		js := fmt.Sprintf(`{"schema_version":"1.6.0","id":%q,"modified":"2024-01-01T00:00:00Z","summary":"synthetic advisory",`+
			`"affected":[{"package":{"ecosystem":%q,"name":"example.com/pkg%d"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"2.0.0"}]}]}]}`,
			id, eco, i)
		if err := os.WriteFile(filepath.Join(src, id+".json"), []byte(js), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return src
}

func BenchmarkImport20k(b *testing.B) {
	src := benchSource(b, 20000)
	dst := filepath.Join(b.TempDir(), "db")
	for b.Loop() {
		if _, err := Import(src, dst); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen20k is the check every offline scan pays.
func BenchmarkOpen20k(b *testing.B) {
	src := benchSource(b, 20000)
	dst := filepath.Join(b.TempDir(), "db")
	if _, err := Import(src, dst); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Open(dst); err != nil {
			b.Fatal(err)
		}
	}
}
