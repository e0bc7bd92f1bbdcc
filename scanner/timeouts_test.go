package scanner

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/scangate/scangate/finding"
)

// waiter scans until its context ends, like an embedded tool on a large tree.
type waiter struct{ name string }

func (w waiter) Name() string          { return w.name }
func (w waiter) Applies(*Request) bool { return true }
func (w waiter) Scan(ctx context.Context, _ *Request) (*finding.Result, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestPerScannerTimeout(t *testing.T) {
	start := time.Now()
	res := Run(context.Background(), Request{Root: t.TempDir()}, []Scanner{waiter{"slow"}, waiter{"quick"}},
		Options{Timeout: 400 * time.Millisecond, Timeouts: map[string]time.Duration{"quick": 20 * time.Millisecond}, Grace: time.Second})
	if res[1].State != finding.Incomplete || !strings.Contains(res[1].Notifications[0].Message,
		"timed out after 20ms (raise scanners.quick.timeout in the configuration)") {
		t.Errorf("quick: %v %+v", res[1].State, res[1].Notifications)
	}
	if res[0].State != finding.Incomplete || !strings.Contains(res[0].Notifications[0].Message, "timed out after 400ms (raise --timeout)") {
		t.Errorf("slow: %v %+v", res[0].State, res[0].Notifications)
	}
	if res[1].Duration >= res[0].Duration || time.Since(start) < 400*time.Millisecond {
		t.Errorf("durations: quick %s, slow %s", res[1].Duration, res[0].Duration)
	}
}
