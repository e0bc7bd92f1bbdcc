package pipeline_test

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/pipeline"
	"github.com/scangate/scangate/report"
)

// An online scan first resolves the hosts its scanners contact: a scanner
// whose host does not resolve fails at once, naming the host and the
// offline way, and a host that resolves lets it run. gosec stands for an
// online scanner here (the hosts are injected), so the test is the same
// with or without a network: .invalid never resolves (RFC 6761).
func TestPreflightNamesTheUnreachableHost(t *testing.T) {
	t.Parallel()
	p := gosecPlan(t)
	p.Hosts = map[string][]string{"gosec": {"scangate-preflight.invalid"}}
	// No wall-clock bound (the project's rule): the stand-in's message below
	// shows the scanner never started.
	r, err := pipeline.Run(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	res := r.Results[0]
	if res.State != finding.Incomplete || len(res.Notifications) == 0 {
		t.Fatalf("gosec with its host unresolved: %+v", res)
	}
	msg := res.Notifications[0].Message
	testkit.ContainsAll(t, "message", msg, "gosec: cannot reach scangate-preflight.invalid: it does not resolve", "--offline --db")
	// The hook's short summary gives the reason on the line that says so.
	var b bytes.Buffer
	report.Text(&b, r, report.TextOptions{Short: true})
	if !strings.Contains(b.String(), "gosec could not complete: cannot reach scangate-preflight.invalid") {
		t.Errorf("short summary:\n%s", b.String())
	}

	// Offline, nothing is resolved; a host that resolves changes nothing.
	p.Config.DB.Offline = true
	run(t, p)
	p.Config.DB.Offline = false
	p.Hosts = map[string][]string{"gosec": {"localhost"}}
	run(t, p)
}

// The real hosts: on a machine without DNS for api.osv.dev (this test's
// machine reaches the Go module proxy only), an online osv-scanner scan
// says so at once.
func TestPreflightRealHosts(t *testing.T) {
	t.Parallel()
	if _, err := net.LookupHost("api.osv.dev"); err == nil {
		t.Skip("api.osv.dev resolves here: the network is up")
	}
	p := gosecPlan(t)
	for _, n := range []string{"gosec", "osv-scanner"} {
		on := n == "osv-scanner"
		p.Config.Scanner(n).Enabled = &on
	}
	r, err := pipeline.Run(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if res := r.Results[0]; res.State != finding.Incomplete || len(res.Notifications) == 0 ||
		!strings.Contains(res.Notifications[0].Message, "osv-scanner: cannot reach api.osv.dev") {
		t.Errorf("osv-scanner online without DNS: %+v", res)
	}
}
