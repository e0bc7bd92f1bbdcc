package pathglob

import "testing"

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		glob, path string
		want       bool
	}{
		// Without "/": a name at any depth, file or directory.
		{"legacy", "legacy/db.go", true},
		{"legacy", "svc/legacy/db.go", true},
		{"legacy", "svc/legacy", true},
		{"legacy", "svc/legacy2/db.go", false},
		{"legacy", "legacy.go", false},
		{"*_gen.go", "pkg/api_gen.go", true},
		{"*_gen.go", "pkg/api.go", false},
		{"*.go", "main.go", true},
		{"*.go", "sub/main.go", true},
		{"requirements*.txt", "py/requirements-dev.txt", true},
		// A leading "/" anchors at the root.
		{"/legacy", "legacy/db.go", true},
		{"/legacy", "svc/legacy/db.go", false},
		{"/*.go", "sub/main.go", false},
		// With "/": from the root; a directory matches what is below it.
		{"svc/legacy", "svc/legacy/db.go", true},
		{"svc/legacy", "x/svc/legacy/db.go", false},
		{"internal/gen", "internal/gen/a/b.go", true},
		{"internal/gen/", "internal/gen/b.go", true},
		{"./docs/*", "docs/x.md", true},
		{"internal/gen/**", "internal/gen/a/b.go", true},
		{"internal/gen/**", "internal/generate.go", false},
		{"**/legacy/**", "svc/legacy/db.go", true},
		{"**/legacy/**", "legacy/db.go", true},
		{"**/legacy/**", "legacy2/db.go", false},
		{"**/*_test.go", "a/b/c_test.go", true},
		{"**/*_test.go", "c_test.go", true},
		{"cmd/**/testutil/*.go", "cmd/a/b/testutil/t.go", true},
		{"cmd/**/testutil/*.go", "cmd/testutil/t.go", true},
		// Paths are cleaned; nothing matches the root or an empty path.
		{"legacy", "./svc//legacy/db.go", true},
		{"*", "", false},
		{".", "a.go", false},
		{"a/[b", "a/[b", false}, // malformed: matches nothing
	} {
		if got := Match([]string{tc.glob}, tc.path); got != tc.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tc.glob, tc.path, got, tc.want)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, g := range []string{"legacy", "/legacy", "**/legacy/**", "internal/gen/", "./docs/*", "*_gen.go", "[ab]/*.py"} {
		if err := Check(g); err != nil {
			t.Errorf("Check(%q) = %v, want nil", g, err)
		}
	}
	for _, g := range []string{"", " ", "a/[b", "../x", "a/../../b", ".", "./", "/", " legacy"} {
		if err := Check(g); err == nil {
			t.Errorf("Check(%q) accepted", g)
		}
	}
}
