package osv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scangate/scangate/internal/shellout"
	"github.com/scangate/scangate/vulndb"
)

// Benchmarks compare the adapter with the standalone binary on the same
// input and database in the same run:
//
//	go test ./scanners/osv -run '^$' -bench . -benchtime 5x -args -osv-scanner=/tmp/osvbin/osv-scanner
//
// Input: a generated PyPI database (synthetic advisories, for scale only:
// benchAdvisories of them, one per package "pkgN") and a requirements.txt
// pinning benchPins of those packages at an affected version. Both sides run
// as a process (the adapter through this test binary) so that wall time and
// peak RSS compare like for like; BenchmarkScanInProcess shows the adapter's
// cost without process start-up.
const (
	benchAdvisories = 20000
	benchPins       = 300
)

var bench struct {
	once     sync.Once
	dir      string
	root, db string
	err      error
}

func benchInput(b *testing.B) (root, db string) {
	bench.once.Do(func() {
		bench.dir, bench.err = os.MkdirTemp(shared, "bench-")
		if bench.err != nil {
			return
		}
		src := filepath.Join(bench.dir, "advisories")
		os.MkdirAll(src, 0o755)
		for i := range benchAdvisories {
			id := fmt.Sprintf("BENCH-2024-%d", i)
			js := fmt.Sprintf(`{"schema_version":"1.6.0","id":%q,"modified":"2024-01-01T00:00:00Z","summary":"synthetic advisory %d",`+
				`"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"}],`+
				`"affected":[{"package":{"ecosystem":"PyPI","name":"pkg%d"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0.0"}]}]}]}`, id, i, i)
			if bench.err = os.WriteFile(filepath.Join(src, id+".json"), []byte(js), 0o644); bench.err != nil {
				return
			}
		}
		bench.db = filepath.Join(bench.dir, "db")
		if _, bench.err = vulndb.Import(src, bench.db); bench.err != nil {
			return
		}
		bench.root = filepath.Join(bench.dir, "project")
		os.MkdirAll(bench.root, 0o755)
		var req strings.Builder
		for i := range benchPins {
			fmt.Fprintf(&req, "pkg%d==1.%d.0\n", i*(benchAdvisories/benchPins), i)
		}
		bench.err = os.WriteFile(filepath.Join(bench.root, "requirements.txt"), []byte(req.String()), 0o644)
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.root, bench.db
}

func BenchmarkScanInProcess(b *testing.B) {
	root, db := benchInput(b)
	s := New(Options{MaxDBAge: -1})
	for b.Loop() {
		res, err := scan(b, s, root, db, true)
		if err != nil || len(res.Findings) != benchPins {
			b.Fatalf("%d findings, err %v", len(res.Findings), err)
		}
	}
}

// TestHelperScan is the adapter's side of the process benchmark.
func TestHelperScan(t *testing.T) {
	root, db := os.Getenv("SCANGATE_OSV_BENCH_ROOT"), os.Getenv("SCANGATE_OSV_BENCH_DB")
	if root == "" {
		t.Skip("helper for BenchmarkProcess")
	}
	res, err := scan(t, New(Options{MaxDBAge: -1}), root, db, true)
	if err != nil || len(res.Findings) != benchPins {
		t.Fatalf("%d findings, err %v", len(res.Findings), err)
	}
}

func BenchmarkProcess(b *testing.B) {
	root, db := benchInput(b)
	empty := emptyConfig(b)
	b.Run("scangate-adapter", func(b *testing.B) {
		runProcess(b, []string{os.Args[0], "-test.run=^TestHelperScan$", "-test.count=1"},
			"SCANGATE_OSV_BENCH_ROOT="+root, "SCANGATE_OSV_BENCH_DB="+db)
	})
	b.Run("standalone-osv-scanner", func(b *testing.B) {
		if *standalone == "" {
			b.Skip("pass -osv-scanner=PATH to compare with the standalone binary")
		}
		runProcess(b, []string{*standalone, "scan", "source", "--offline", "--local-db-path=" + filepath.Join(db, "osv-scanner"),
			"--config=" + empty, "--no-call-analysis=all", "--format=json", "-L", filepath.Join(root, "requirements.txt")})
	})
}

// runProcess runs the program once per iteration under /usr/bin/time and
// reports wall time and the largest peak RSS. (A child's own rusage would
// not do: Linux counts the forking parent's memory into it.)
func runProcess(b *testing.B, args []string, env ...string) {
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		b.Skip("needs /usr/bin/time (Debian package time)")
	}
	var maxRSS int64
	var wall time.Duration
	n := 0
	for b.Loop() {
		rss := filepath.Join(b.TempDir(), "rss")
		c := shellout.Cmd{Program: "/usr/bin/time", Args: append([]string{"-f", "%M", "-o", rss}, args...)}
		if len(env) > 0 {
			c.Env = append(os.Environ(), env...)
		}
		start := time.Now()
		out, err := shellout.Run(context.Background(), c)
		wall += time.Since(start)
		n++
		if err != nil || out.ExitCode > 1 { // 1: osv-scanner found vulnerabilities
			b.Fatalf("%v: %v %s", args, err, out.StderrTail(10))
		}
		data, _ := os.ReadFile(rss)
		f := strings.Fields(string(data))
		if len(f) == 0 {
			b.Fatal("no peak RSS from /usr/bin/time")
		}
		kb, err := strconv.ParseInt(f[len(f)-1], 10, 64)
		if err != nil {
			b.Fatalf("peak RSS %q: %v", data, err)
		}
		maxRSS = max(maxRSS, kb)
	}
	b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MB")
	b.ReportMetric(float64(wall.Milliseconds())/float64(n), "wall-ms/op")
}
