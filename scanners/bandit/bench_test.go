package bandit

import (
	"context"
	"github.com/scangate/scangate/scanner/scannertest"
	"os/exec"
	"testing"
	"time"
)

// BenchmarkAdapterVsStandalone runs, in each iteration, bandit alone, then
// the adapter (a new one each time, as in a scangate run, so its
// `bandit --version` counts), then an adapter that already knows the
// version, on the same tree, and reports the ratios of their times;
// alternating keeps the machine's load drift out of the ratios.
//
//	go test -run '^$' -bench . -benchtime 10x ./scanners/bandit/
func BenchmarkAdapterVsStandalone(b *testing.B) {
	if _, err := exec.LookPath("bandit"); err != nil {
		b.Skip("bandit is not installed")
	}
	for _, name := range []string{"banditapp", "pypkg"} {
		b.Run(name, func(b *testing.B) {
			root := scannertest.Testdata("python", name)
			var alone, adapter, reused time.Duration
			warm := New(Options{})
			for b.Loop() {
				start := time.Now()
				cmd := exec.Command("bandit", "-r", ".", "-f", "json", "-x", "*/.venv/*,*/build/*,*/tests/*")
				cmd.Dir = root
				if out, err := cmd.Output(); err != nil && len(out) == 0 {
					b.Fatal(err)
				}
				alone += time.Since(start)

				start = time.Now()
				if _, err := New(Options{}).Scan(context.Background(), scannertest.Request(root)); err != nil {
					b.Fatal(err)
				}
				adapter += time.Since(start)

				// The same with bandit's version already known: what
				// the adapter costs beyond asking bandit its version.
				start = time.Now()
				if _, err := warm.Scan(context.Background(), scannertest.Request(root)); err != nil {
					b.Fatal(err)
				}
				reused += time.Since(start)
			}
			b.ReportMetric(float64(adapter)/float64(alone), "adapter/standalone")
			b.ReportMetric(float64(reused)/float64(alone), "known-version/standalone")
			b.ReportMetric(float64(alone.Milliseconds())/float64(b.N), "standalone-ms/op")
		})
	}
}
