package govulncheck

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanner"
	"github.com/scangate/scangate/scanner/scannertest"
)

// The test binary doubles as the govulncheck child, as scangate's own
// binary does with its hidden subcommand.
const (
	childVar       = "SCANGATE_GOVULNCHECK_TEST_CHILD"
	cancelAfterVar = "SCANGATE_GOVULNCHECK_TEST_CANCEL_AFTER"
)

func TestMain(m *testing.M) {
	if os.Getenv(childVar) == "1" && len(os.Args) > 1 && os.Args[1] == Subcommand {
		if d, err := time.ParseDuration(os.Getenv(cancelAfterVar)); err == nil {
			// Honour cancellation, as an in-process embedding would: this
			// is what crashes govulncheck v1.9.0.
			ctx, cancel := context.WithTimeout(context.Background(), d)
			code := runChild(ctx, os.Args[2:], os.Stdout, os.Stderr)
			cancel()
			os.Exit(code)
		}
		os.Exit(RunChild(context.Background(), os.Args[2:], os.Stdout, os.Stderr))
	}
	// The fixture modules the tests write require these; the child runs
	// offline (GOPROXY=off), so they must be in the module cache first.
	// examples/project vendors its own.
	if err := testkit.DownloadModules("golang.org/x/text@v0.3.6", "golang.org/x/crypto@v0.0.0-20220722155217-630584e8d5aa"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "scangate-companion-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		// Scans that test the adapter rather than the child run in the
		// companion, built as the Dockerfile builds it (cmd/scangate's
		// tests build the same, so the packages are compiled once), at a
		// fraction of the CPU govulncheck takes in this race-instrumented
		// binary; the child's own code is race-tested through
		// newTestScanner.
		companion = filepath.Join(dir, Companion)
		b := exec.Command("go", "build", "-trimpath", "-o", companion, "./cmd/"+Companion)
		b.Dir = "../.."
		b.Env = append(os.Environ(), "GOTOOLCHAIN=local", "CGO_ENABLED=0")
		if out, err := b.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n%s", Companion, err, out)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// companion is the real companion program, built by TestMain.
var companion string

// newScanner returns a scanner whose child is the real companion.
func newScanner() *Scanner { return New(Options{Executable: companion}) }

// newTestScanner returns a scanner whose child is this test binary.
func newTestScanner(t testing.TB, env ...string) *Scanner {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return New(Options{Executable: exe, Env: append([]string{childVar + "=1"}, env...)})
}

// exampleDB is a database directory (Request.DB) whose govulncheck/ holds
// copies of examples/vulndb/GO-*.json plus extra advisory files, in the flat
// layout govulncheck v1.9.0 reads when index/modules.json is absent.
func exampleDB(t testing.TB, extra ...string) string {
	t.Helper()
	files, err := filepath.Glob("../../examples/vulndb/GO-*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples/vulndb/GO-*.json: %v", err)
	}
	db := t.TempDir()
	dir := filepath.Join(db, "govulncheck")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range append(files, extra...) {
		data := testkit.ReadFile(t, f)
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func request(root, db string) *scanner.Request {
	r := scannertest.Request(root)
	r.Offline, r.DB = true, db
	return r
}

// exampleRoot is examples/project, a module with vulnerable dependencies.
var exampleRoot = scannertest.Repo("examples", "project")

// example is examples/project's scan, made once for every test that reads it.
var example scannertest.Shared

func exampleScan(t *testing.T) scannertest.Outcome {
	t.Helper()
	o := example.Get("project", func() scannertest.Outcome {
		return scannertest.Run(t, newScanner(), request(exampleRoot, exampleDB(t)))
	})
	if o.Err != nil || o.Res.State != finding.Completed {
		t.Fatalf("scan examples/project: %v %+v", o.Err, o.Res.Notifications)
	}
	return o
}

func byRule(res *finding.Result, id string) *finding.Finding {
	for i := range res.Findings {
		if res.Findings[i].RuleID == id {
			return &res.Findings[i]
		}
	}
	return nil
}

func notes(res *finding.Result) string {
	var b strings.Builder
	for _, n := range res.Notifications {
		fmt.Fprintf(&b, "%s: %s\n", n.Level, n.Message)
	}
	return b.String()
}
