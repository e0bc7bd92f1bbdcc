package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
)

// Misbehaving scanners run next to the real gosec adapter: they stand for a
// tool that crashes, hangs or fails, which no real tool does on demand.
type misbehaving struct {
	name string
	scan func(ctx context.Context) (*finding.Result, error)
}

func (m misbehaving) Name() string                  { return m.name }
func (m misbehaving) Applies(*scanner.Request) bool { return true }
func (m misbehaving) Scan(ctx context.Context, _ *scanner.Request) (*finding.Result, error) {
	return m.scan(ctx)
}

func withExtraScanners(t *testing.T, extra ...scanner.Scanner) {
	t.Helper()
	// gosec only among the real ones: the vulnerability scanners would go
	// online, which tests cannot.
	testAdapters = func(o *configOptions) []scanner.Scanner {
		return append(o.cfg.Build([]string{"gosec"}), extra...)
	}
	t.Cleanup(func() { testAdapters = nil })
}

const gosecFixture = "../../testdata/gosec/fixture"

func TestFailingScannersKeepGoodResults(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	withExtraScanners(t,
		misbehaving{"crasher", func(context.Context) (*finding.Result, error) {
			var p *finding.Result
			return p, errors.New(p.Tool) // nil dereference: a real panic
		}},
		misbehaving{"hanger", func(context.Context) (*finding.Result, error) { <-release; return nil, nil }},
		misbehaving{"failer", func(context.Context) (*finding.Result, error) { return nil, errors.New("database unreadable") }},
	)
	dir := t.TempDir()
	sarifPath, jsonPath, mdPath := filepath.Join(dir, "out.sarif"), filepath.Join(dir, "out.json"), filepath.Join(dir, "out.md")
	// gosec keeps the default timeout (a cold build cache compiles the
	// standard library first); only the hanging scanner gets a short one.
	tuneRun = func(o *scanner.Options) {
		o.Timeouts = map[string]time.Duration{"hanger": 2 * time.Second}
		o.Grace = time.Second
	}
	t.Cleanup(func() { tuneRun = nil })
	code, _, stderr := runCLI(t, "scan", "-q", "--offline", "--sarif", sarifPath, "--json", jsonPath, "--markdown", mdPath, gosecFixture)
	if code != exitFail {
		t.Fatalf("exit %d, want %d (gosec's high findings fail the gate even when others are incomplete)\n%s", code, exitFail, stderr)
	}
	for _, want := range []string{"crasher: panic: runtime error: invalid memory address", "hanger: timed out after 2s", "failer: database unreadable", "G101"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr)
		}
	}
	rep, err := sarif.Open(sarifPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Validate(); err != nil {
		t.Fatal(err)
	}
	byTool := map[string]*sarif.Run{}
	for _, r := range rep.Runs {
		byTool[*r.Tool.Driver.Name] = r
	}
	if g := byTool["gosec"]; g == nil || len(g.Results) < 6 || !*g.Invocations[0].ExecutionSuccessful {
		t.Fatalf("gosec's results must survive: %+v", g)
	}
	// The incomplete ones are left out, so that code scanning keeps their
	// alerts (TestIncompleteScannerLeftOutOfSARIF has --sarif-keep-incomplete).
	if len(rep.Runs) != 1 || !strings.Contains(stderr, "scangate: the SARIF report leaves out crasher, failer, hanger (could not complete)") {
		t.Errorf("%d runs in SARIF, want gosec's alone\n%s", len(rep.Runs), stderr)
	}
	var doc struct {
		Verdict struct {
			IncompleteTools []string `json:"incompleteTools"`
		} `json:"verdict"`
		Tools []struct {
			Tool     string            `json:"tool"`
			Findings []json.RawMessage `json:"findings"`
		} `json:"tools"`
	}
	b, _ := os.ReadFile(jsonPath)
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if strings.Join(doc.Verdict.IncompleteTools, ",") != "crasher,failer,hanger" || len(doc.Tools[0].Findings) < 6 {
		t.Errorf("JSON report: %s", b)
	}
	md, _ := os.ReadFile(mdPath)
	if !strings.Contains(string(md), "G101") || !strings.Contains(string(md), "| hanger | incomplete |") {
		t.Errorf("markdown report:\n%s", md)
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	t.Run("fail", func(t *testing.T) {
		if code, _, stderr := runCLI(t, "scan", "-q", "--scanners", "gosec", gosecFixture); code != exitFail {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("pass above the worst finding", func(t *testing.T) {
		if code, _, stderr := runCLI(t, "scan", "-q", "--scanners", "gosec", "--fail-on", "critical", gosecFixture); code != exitPass {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("nothing applies", func(t *testing.T) {
		code, _, stderr := runCLI(t, "scan", "-q", t.TempDir())
		if code != exitPass || !strings.Contains(stderr, "gosec        skipped") {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("incomplete", func(t *testing.T) {
		code, _, stderr := runCLI(t, "scan", "-q", "--scanners", "gosec", "../../testdata/gosec/toonew")
		if code != exitIncomplete || !strings.Contains(stderr, "Verdict: INCOMPLETE") {
			t.Errorf("a module no local toolchain can load must not pass: exit %d\n%s", code, stderr)
		}
		code, _, _ = runCLI(t, "scan", "-q", "--scanners", "gosec", "--allow-incomplete", "../../testdata/gosec/toonew")
		if code != exitPass {
			t.Errorf("--allow-incomplete: exit %d", code)
		}
	})
}

func TestSARIFHasNoMachinePaths(t *testing.T) {
	abs, _ := filepath.Abs(gosecFixture)
	// The fixture is its own repository root (TestSubdirectorySARIFAndBaseline
	// has a subdirectory), whether or not this checkout has a .git.
	t.Setenv("GITHUB_WORKSPACE", abs)
	code, out, stderr := runCLI(t, "scan", "-q", "--scanners", "gosec", "--sarif", "-", abs)
	if code != exitFail {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if strings.Contains(out, abs) || strings.Contains(out, "file://") || strings.Contains(out, os.Getenv("HOME")+"/") {
		t.Error("SARIF leaks an absolute path")
	}
	if !strings.Contains(out, `"uri": "main.go"`) {
		t.Error("expected repo-relative URIs")
	}
}
