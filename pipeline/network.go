package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/scanner"
)

// OnlineHosts are the hosts each vulnerability scanner contacts when the
// scan is not offline.
var OnlineHosts = map[string][]string{
	"govulncheck": {"vuln.go.dev"},
	"osv-scanner": {"api.osv.dev"},
}

// resolveWithin bounds the preflight: a resolver that does not answer in
// this time counts as no network.
const resolveWithin = 5 * time.Second

// preflight resolves, before an online scan starts, the hosts its
// applicable scanners contact. A scanner whose host does not resolve is not
// run: it fails at once with the host and the offline hint, where its
// client would retry for a minute and then fail with no reason. The other
// scanners run as usual. hosts nil is OnlineHosts.
func preflight(ctx context.Context, req *scanner.Request, list []scanner.Scanner, hosts map[string][]string) []scanner.Scanner {
	if req.Offline {
		return list
	}
	if hosts == nil {
		hosts = OnlineHosts
	}
	need := map[string]error{}
	// Through an HTTP proxy the proxy resolves the host, not this machine.
	for _, s := range list {
		if len(hosts[s.Name()]) > 0 && s.Applies(req) {
			for _, h := range hosts[s.Name()] {
				if u, err := http.ProxyFromEnvironment(&http.Request{URL: &url.URL{Scheme: "https", Host: h}}); u == nil && err == nil {
					need[h] = nil
				}
			}
		}
	}
	if len(need) == 0 {
		return list
	}
	ctx, cancel := context.WithTimeout(ctx, resolveWithin)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, h := range slices.Collect(maps.Keys(need)) {
		wg.Go(func() {
			_, err := net.DefaultResolver.LookupHost(ctx, h)
			mu.Lock()
			need[h] = err
			mu.Unlock()
		})
	}
	wg.Wait()
	out := make([]scanner.Scanner, len(list))
	for i, s := range list {
		out[i] = s
		for _, h := range hosts[s.Name()] {
			if err := need[h]; err != nil {
				out[i] = unreachable{s, noNetwork(h, err)}
				break
			}
		}
	}
	return out
}

// noNetwork says which host could not be reached and what to do instead.
func noNetwork(host string, err error) error {
	why := "does not resolve"
	var dns *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		why = fmt.Sprintf("did not resolve within %s", resolveWithin)
	case errors.As(err, &dns) && dns.IsTimeout:
		why = "did not resolve (the DNS server did not answer)"
	}
	return fmt.Errorf("cannot reach %s: it %s (no network?); scan offline with --offline --db DIR, a database scangate db update or db import fills", host, why)
}

// unreachable stands for a scanner whose server cannot be reached: it
// applies as the scanner does and fails without running.
type unreachable struct {
	scanner.Scanner
	err error
}

func (u unreachable) Scan(context.Context, *scanner.Request) (*finding.Result, error) {
	return nil, u.err
}
