package golang

import (
	"testing"
)

func TestGoError(t *testing.T) {
	for _, tc := range []struct{ name, out, want string }{
		{"untidy behind downloads, as govulncheck wraps it",
			"govulncheck: loading packages: err: exit status 1: stderr: go: downloading golang.org/x/net v0.61.0\ngo: downloading golang.org/x/text v0.43.0\ngo: updates to go.mod needed, disabled by -mod=readonly; to update it:\n\tgo mod tidy\n",
			"go: updates to go.mod needed, disabled by -mod=readonly; to update it: go mod tidy"},
		{"missing go.sum entry",
			"main.go:7:2: missing go.sum entry for module providing package golang.org/x/net/html (imported by example.com/m); to add:\n\tgo get example.com/m\n",
			"main.go:7:2: missing go.sum entry for module providing package golang.org/x/net/html (imported by example.com/m); to add: go get example.com/m"},
		{"no remedy: the first go: line",
			"go: downloading example.com/x v1.0.0\ngo: example.com/x@v1.0.0: reading https://proxy.golang.org/example.com/x/@v/v1.0.0.mod: 404 Not Found\n",
			"go: example.com/x@v1.0.0: reading https://proxy.golang.org/example.com/x/@v/v1.0.0.mod: 404 Not Found"},
		{"not the go command: the first line",
			"govulncheck crashed in the child process: panic: boom\ngoroutine 1 [running]:\n",
			"govulncheck crashed in the child process: panic: boom"},
		{"a type error under govulncheck's headings",
			"govulncheck: loading packages:\nThere are errors with the provided package patterns:\n\nbad/bad.go:3:23: cannot use \"not an int\" (untyped string constant) as int value in return statement\n",
			"bad/bad.go:3:23: cannot use \"not an int\" (untyped string constant) as int value in return statement"},
		{"empty", "", ""},
	} {
		if got := ErrorLine(tc.out); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}
