package gosec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/resultcache"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/scannertest"
)

// answer is what a scan reports, without its timing.
func answer(t *testing.T, o scanOut) string {
	t.Helper()
	b, err := json.MarshalIndent(struct {
		F, R, N any
		S       string
		E       string
	}{o.Res.Findings, o.Res.Rules, o.Res.Notifications, o.Res.State.String(), errString(o.Err)}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// The real fixture (suppressions of every kind, a generated file, two
// packages, one importing the other) plus a leaf package: each change
// re-analyzes the packages it can affect, and every cached answer equals an
// uncached scan of the same tree.
func TestResultCachePerPackage(t *testing.T) {
	root := copyTree(t, scannertest.Testdata("gosec", "fixture"))
	leaf := filepath.Join(root, "internal", "leaf", "leaf.go")
	if err := os.MkdirAll(filepath.Dir(leaf), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(leaf, []byte("package leaf\n\nimport \"crypto/md5\"\n\nfunc Sum(b []byte) [16]byte { return md5.Sum(b) }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var warnings []string
	cached := func(build string, opt Options) (scanOut, resultcache.Count) {
		t.Helper()
		c := resultcache.Open(resultcache.Options{Dir: dir, Build: build, Warnf: func(f string, a ...any) { warnings = append(warnings, f) }})
		out := scan(t, root, opt, func(r *scanner.Request) { r.Cache = c })
		return out, c.Stats()["gosec"]
	}
	var fastLoads []string // what each check's log said of the fast path
	check := func(step string, opt Options, build string, hits, misses int) {
		t.Helper()
		got, n := cached(build, opt)
		fastLoads = append(fastLoads, fastLoaded(got.Logs))
		if n.Hits != hits || n.Misses != misses {
			t.Errorf("%s: %d hits, %d misses; want %d, %d", step, n.Hits, n.Misses, hits, misses)
		}
		if want := answer(t, scan(t, root, opt, nil)); answer(t, got) != want {
			t.Errorf("%s: cached answer differs from an uncached scan:\n%s\nwant\n%s", step, answer(t, got), want)
		}
	}

	cold, n := cached("A", Options{})
	packages := n.Misses
	if n.Hits != 0 || packages != 3 {
		t.Fatalf("cold: %d hits, %d misses; want 0 and 3 (main, internal/store, internal/leaf)", n.Hits, n.Misses)
	}
	if len(cold.Res.Findings) < 5 || !strings.Contains(answer(t, cold), `"internal/leaf/leaf.go"`) {
		t.Fatalf("cold scan found too little:\n%s", answer(t, cold))
	}
	check("unchanged", Options{}, "A", 3, 0)

	editFile(t, leaf, func(s string) string { return s + "\nfunc Other() {}\n" })
	check("leaf package changed", Options{}, "A", 2, 1)
	if got := fastLoads[len(fastLoads)-1]; got != "1" {
		t.Errorf("leaf package changed: %s packages type-checked from recorded export data; want 1", got)
	}
	// A finding in the changed package, found through the fast path.
	editFile(t, leaf, func(s string) string {
		return s + "\nfunc Weak(b []byte) []byte { h := md5.New(); h.Write(b); return h.Sum(nil) }\n"
	})
	check("leaf package changed again", Options{}, "A", 2, 1)
	// A new import, and a type error: the full load answers.
	editFile(t, leaf, func(s string) string {
		return strings.Replace(s, `import "crypto/md5"`, "import (\n\t\"crypto/md5\"\n\t\"crypto/sha1\"\n)", 1) +
			"\nfunc Sha(b []byte) [20]byte { return sha1.Sum(b) }\n"
	})
	check("leaf package with a new import", Options{}, "A", 2, 1)
	editFile(t, leaf, func(s string) string { return s + "\nfunc Broken() int { return \"no\" }\n" })
	check("leaf package that does not type-check", Options{}, "A", 2, 1)
	if got, want := strings.Join(fastLoads[len(fastLoads)-3:], " "), "1 0 0"; got != want {
		t.Errorf("fast path taken %s times in the last three changes; want %s", got, want)
	}
	editFile(t, leaf, func(s string) string { return strings.Replace(s, "\nfunc Broken() int { return \"no\" }\n", "", 1) })
	check("leaf package fixed (an answer cached before)", Options{}, "A", 3, 0)

	// main imports internal/store: a change there may change main's answer.
	editFile(t, filepath.Join(root, "internal", "store", "store.go"), func(s string) string { return s + "\n// changed\n" })
	check("imported package changed", Options{}, "A", 1, 2)

	if err := os.WriteFile(filepath.Join(root, "go.sum"), []byte("\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	check("go.sum changed", Options{}, "A", 0, 3)

	check("configuration changed", Options{Exclude: []string{"G401"}}, "A", 0, 3)
	check("configuration back", Options{}, "A", 3, 0)
	check("another scangate build", Options{}, "B", 0, 3)
	if len(warnings) > 0 {
		t.Errorf("warnings: %q", warnings)
	}
}

// fastLoaded is how many packages a scan's log says it type-checked from
// recorded export data ("?" when the log does not say).
func fastLoaded(logs []string) string {
	for _, l := range logs {
		if _, rest, ok := strings.Cut(l, " loaded in "); ok {
			if _, n, ok := strings.Cut(rest, "("); ok {
				return strings.Fields(n)[0]
			}
		}
	}
	return "?"
}
