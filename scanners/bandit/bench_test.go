package bandit

import (
	"context"
	"os/exec"
	"testing"
	"time"
)

// BenchmarkAdapterVsStandalone runs, in each iteration, bandit alone and then
// the adapter (a new one each time, as in a scangate run, so its version
// lookup counts) on the same tree, and reports the ratio of their times;
// alternating keeps the machine's load drift out of the ratio.
//
//	go test -run '^$' -bench . -benchtime 10x ./scanners/bandit/
func BenchmarkAdapterVsStandalone(b *testing.B) {
	if _, err := exec.LookPath("bandit"); err != nil {
		b.Skip("bandit is not installed")
	}
	for _, name := range []string{"banditapp", "pypkg"} {
		b.Run(name, func(b *testing.B) {
			root := fixture(b, name)
			var alone, adapter time.Duration
			for b.Loop() {
				start := time.Now()
				cmd := exec.Command("bandit", "-r", ".", "-f", "json", "-x", "*/.venv/*,*/build/*,*/tests/*")
				cmd.Dir = root
				if out, err := cmd.Output(); err != nil && len(out) == 0 {
					b.Fatal(err)
				}
				alone += time.Since(start)

				start = time.Now()
				if _, err := New(Options{}).Scan(context.Background(), request(root)); err != nil {
					b.Fatal(err)
				}
				adapter += time.Since(start)
			}
			b.ReportMetric(float64(adapter)/float64(alone), "adapter/standalone")
			b.ReportMetric(float64(alone.Milliseconds())/float64(b.N), "standalone-ms/op")
		})
	}
}
