package prcomment

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scangate/scangate/internal/ghtest"
)

const token = "ghs_test0123456789abcdefSECRET"

var pr = PR{Repo: "octo/app", Number: 7}

// client talks to api and records its waits instead of sleeping.
func client(api *ghtest.API, waits *[]time.Duration) *Client {
	return &Client{API: api.URL, Token: token, UserAgent: "scangate-test",
		Now: func() time.Time { return time.Unix(1_800_000_000, 0) },
		Sleep: func(_ context.Context, d time.Duration) error {
			*waits = append(*waits, d)
			return nil
		}}
}

// Our comment is on the second page, after a user's comment that quotes
// the marker and another job's comment: the second page is read, and our
// comment edited, not a new one posted.
func TestUpsertEditsOurCommentOnALaterPage(t *testing.T) {
	api := ghtest.NewAPI(t, token)
	for i := range 130 {
		switch i {
		case 3:
			api.Add(pr.Number, Marker("")+"\nI wrote the marker myself", "mallory", "User")
		case 50:
			api.Add(pr.Number, Marker("other-job")+"\nanother job's comment", ghtest.BotLogin, "Bot")
		case 120:
			api.Add(pr.Number, Marker("")+"\nold results", ghtest.BotLogin, "Bot")
		default:
			api.Add(pr.Number, fmt.Sprintf("comment %d", i), "someone", "User")
		}
	}
	ours := api.Comments(pr.Number)[120].ID
	var waits []time.Duration
	res, err := client(api, &waits).Upsert(context.Background(), pr, "", "new results")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"GET /repos/octo/app/issues/7/comments?per_page=100",
		"GET /repos/octo/app/issues/7/comments?per_page=100&page=2",
		fmt.Sprintf("PATCH /repos/octo/app/issues/comments/%d", ours),
	}
	if got := api.Requests(); !slices.Equal(got, want) {
		t.Errorf("requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	cs := api.Comments(pr.Number)
	if res.Created || res.ID != ours || len(cs) != 130 || cs[120].Body != Marker("")+"\nnew results" {
		t.Errorf("result %+v; comment %q", res, cs[120].Body)
	}
	if !strings.HasSuffix(cs[3].Body, "myself") || !strings.HasSuffix(cs[50].Body, "another job's comment") {
		t.Errorf("a comment that is not ours changed: %q, %q", cs[3].Body, cs[50].Body)
	}
	if len(waits) != 0 {
		t.Errorf("waited %v", waits)
	}
}

func TestUpsertCreatesWhenNoneIsOurs(t *testing.T) {
	api := ghtest.NewAPI(t, token)
	api.Add(pr.Number, "LGTM", "someone", "User")
	// The marker of another key, and ours quoted by a user, are not ours.
	api.Add(pr.Number, Marker("api")+"\nx", ghtest.BotLogin, "Bot")
	api.Add(pr.Number, "> "+Marker("web")+"\n> x", ghtest.BotLogin, "Bot")
	var waits []time.Duration
	res, err := client(api, &waits).Upsert(context.Background(), pr, "web", "first results")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"GET /repos/octo/app/issues/7/comments?per_page=100", "POST /repos/octo/app/issues/7/comments"}
	if got := api.Requests(); !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
	cs := api.Comments(pr.Number)
	if !res.Created || len(cs) != 4 || cs[3].ID != res.ID || cs[3].Body != Marker("web")+"\nfirst results" {
		t.Errorf("result %+v, comments %+v", res, cs)
	}
	// A second run edits it.
	if res2, err := client(api, &waits).Upsert(context.Background(), pr, "web", "second"); err != nil || res2.Created || res2.ID != res.ID {
		t.Errorf("second run: %+v, %v", res2, err)
	}
}

// With Author set (a personal access token), only that user's comment is ours.
func TestUpsertAuthor(t *testing.T) {
	api := ghtest.NewAPI(t, token)
	api.Add(pr.Number, Marker("")+"\nbot", ghtest.BotLogin, "Bot")
	id := api.Add(pr.Number, Marker("")+"\nmine", "ci-user", "User")
	var waits []time.Duration
	c := client(api, &waits)
	c.Author = "CI-user"
	if res, err := c.Upsert(context.Background(), pr, "", "x"); err != nil || res.ID != id || res.Created {
		t.Errorf("%+v, %v; want comment %d edited", res, err, id)
	}
}

func TestMarkerCannotBeClosedByTheKey(t *testing.T) {
	m := Marker("a --> <b>\n")
	if strings.Count(m, "-->") != 1 || !strings.HasSuffix(m, " -->") || strings.Count(m, "<") != 1 || strings.Count(m, ">") != 1 || strings.Contains(m, "\n") {
		t.Errorf("marker %q", m)
	}
	if Marker("x") == Marker("y") || Marker("") == Marker("x") {
		t.Error("keys share a marker")
	}
}

// answerWrites answers every request but a read with status and body; the
// fake API answers the reads.
func answerWrites(status int, body string) func(w http.ResponseWriter, r *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodGet {
			return false
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
		return true
	}
}

// A fork's pull request gets a read-only token: GitHub answers 403
// "Resource not accessible by integration", which ReadOnly recognizes.
func TestUpsertReadOnlyToken(t *testing.T) {
	api := ghtest.NewAPI(t, token)
	api.Hook = answerWrites(http.StatusForbidden,
		`{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/issues/comments#create-an-issue-comment","status":"403"}`)
	var waits []time.Duration
	_, err := client(api, &waits).Upsert(context.Background(), pr, "", "body")
	if !ReadOnly(err) || len(waits) != 0 {
		t.Fatalf("err %v (read-only %v), waits %v", err, ReadOnly(err), waits)
	}
	if !strings.Contains(err.Error(), "POST /repos/octo/app/issues/7/comments: 403 Forbidden: Resource not accessible by integration") {
		t.Errorf("error %q", err)
	}
}

// rateLimited answers the first n requests with a rate limit, then lets
// them through.
func rateLimited(n int, answer func(w http.ResponseWriter)) func(http.ResponseWriter, *http.Request) bool {
	var seen atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) bool {
		if int(seen.Add(1)) > n {
			return false
		}
		answer(w)
		return true
	}
}

func TestUpsertWaitsForRateLimits(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		name   string
		n      int
		answer func(w http.ResponseWriter)
		waits  []time.Duration
	}{
		{"primary: 403, remaining 0, reset in 5 s", 1, func(w http.ResponseWriter) {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(5*time.Second).Unix(), 10))
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"message":"API rate limit exceeded for installation ID 1."}`)
		}, []time.Duration{6 * time.Second}},
		{"secondary: 429 with retry-after, twice", 2, func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"message":"You have exceeded a secondary rate limit."}`)
		}, []time.Duration{3 * time.Second, 3 * time.Second}},
		{"secondary: 403 with retry-after", 1, func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"message":"You have exceeded a secondary rate limit."}`)
		}, []time.Duration{2 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := ghtest.NewAPI(t, token)
			api.Hook = rateLimited(tc.n, tc.answer)
			var waits []time.Duration
			res, err := client(api, &waits).Upsert(context.Background(), pr, "", "body")
			if err != nil || !res.Created {
				t.Fatalf("%+v, %v", res, err)
			}
			if !slices.Equal(waits, tc.waits) {
				t.Errorf("waited %v, want %v", waits, tc.waits)
			}
			if len(api.Comments(pr.Number)) != 1 {
				t.Errorf("comments %+v", api.Comments(pr.Number))
			}
		})
	}
}

func TestUpsertGivesUpOnRateLimits(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answer  func(w http.ResponseWriter)
		waits   int
		message string
	}{
		{"always limited", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		}, 3, "429 Too Many Requests: rate limited; gave up after 3 retries"},
		{"beyond the budget", func(w http.ResponseWriter) {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Unix(1_800_000_000, 0).Add(time.Hour).Unix(), 10))
			w.WriteHeader(http.StatusForbidden)
		}, 0, "403 Forbidden: rate limited for 1h0m1s more, beyond the 1m0s scangate waits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := ghtest.NewAPI(t, token)
			api.Hook = rateLimited(100, tc.answer)
			var waits []time.Duration
			_, err := client(api, &waits).Upsert(context.Background(), pr, "", "body")
			var ae *APIError
			if !errors.As(err, &ae) || !ae.RateLimited || ReadOnly(err) || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("error %v, want one with %q", err, tc.message)
			}
			if len(waits) != tc.waits || len(api.Requests()) != tc.waits+1 {
				t.Errorf("waits %v, requests %q", waits, api.Requests())
			}
		})
	}
}

// The real sleep honours the context: a cancelled job does not wait.
func TestRateLimitWaitEndsWithTheContext(t *testing.T) {
	api := ghtest.NewAPI(t, token)
	api.Hook = rateLimited(100, func(w http.ResponseWriter) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := (&Client{API: api.URL, Token: token}).Upsert(ctx, pr, "", "body")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Errorf("error %v after %s", err, time.Since(start))
	}
}

// The token goes only to the API's host: a next page elsewhere is not
// followed, and no error or message carries the token.
func TestTokenStaysWithTheAPI(t *testing.T) {
	var stolen atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen.Add(1)
		fmt.Fprint(w, "[]")
	}))
	defer elsewhere.Close()
	api := ghtest.NewAPI(t, token)
	api.Hook = func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Link", "<"+elsewhere.URL+"/repos/octo/app/issues/7/comments?page=2>; rel=\"next\"")
		fmt.Fprint(w, "[]")
		return true
	}
	var waits []time.Duration
	_, err := client(api, &waits).Upsert(context.Background(), pr, "", "body")
	if err == nil || !strings.Contains(err.Error(), "not following it") || stolen.Load() != 0 {
		t.Errorf("error %v; requests elsewhere %d", err, stolen.Load())
	}

	// A server that echoes the token in its message.
	api.Hook = func(w http.ResponseWriter, r *http.Request) bool {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `{"message":"bad header %s"}`, r.Header.Get("Authorization"))
		return true
	}
	_, err = client(api, &waits).Upsert(context.Background(), pr, "", "body")
	if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), "500 Internal Server Error: bad header Bearer [token]") {
		t.Errorf("error %v", err)
	}

	// Plain http to a host that is not loopback: refused before any request.
	_, err = (&Client{API: "http://api.example.com", Token: token}).Upsert(context.Background(), pr, "", "body")
	if err == nil || !strings.Contains(err.Error(), "loopback") || strings.Contains(err.Error(), token) {
		t.Errorf("error %v", err)
	}
}

// A redirect keeps the token only to the API's own scheme, host and port:
// net/http alone would send it to the same host on another port or scheme.
func TestRedirectKeepsTheTokenHome(t *testing.T) {
	type seen struct{ auth []string }
	record := func(s *seen) http.HandlerFunc {
		var mu sync.Mutex
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			s.auth = append(s.auth, r.Header.Get("Authorization"))
			mu.Unlock()
			fmt.Fprint(w, "[]")
		}
	}
	var port, scheme seen
	otherPort := httptest.NewServer(record(&port)) // 127.0.0.1, another port
	defer otherPort.Close()
	otherScheme := httptest.NewTLSServer(record(&scheme))
	defer otherScheme.Close()
	// The same host name as the API, on another port and another scheme.
	if !strings.HasPrefix(otherPort.URL, "http://127.0.0.1:") || !strings.HasPrefix(otherScheme.URL, "https://127.0.0.1:") {
		t.Fatalf("servers at %s and %s", otherPort.URL, otherScheme.URL)
	}
	api := ghtest.NewAPI(t, token)
	for _, tc := range []struct {
		name, to string
		seen     *seen
	}{
		{"another port", otherPort.URL, &port},
		{"another scheme", otherScheme.URL, &scheme},
	} {
		api.Hook = func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, tc.to+r.URL.RequestURI(), http.StatusTemporaryRedirect)
				return true
			}
			return false
		}
		c := client(api, new([]time.Duration))
		c.HTTP = otherScheme.Client() // trusts the TLS server; plain http as any client
		_, err := c.Upsert(context.Background(), pr, "", "body")
		if len(tc.seen.auth) == 0 {
			t.Fatalf("%s: the redirect was not followed (err %v)", tc.name, err)
		}
		for _, a := range tc.seen.auth {
			if a != "" {
				t.Errorf("%s: the redirect target got Authorization %q", tc.name, a)
			}
		}
	}

	// A redirect within the API keeps the token: the fake API answers only
	// with it.
	api.Hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodGet && r.URL.Query().Get("moved") == "" {
			http.Redirect(w, r, api.URL+r.URL.Path+"?moved=1&"+r.URL.RawQuery, http.StatusMovedPermanently)
			return true
		}
		return false
	}
	if _, err := client(api, new([]time.Duration)).Upsert(context.Background(), pr, "", "body"); err != nil {
		t.Errorf("a redirect within the API: %v", err)
	}
}

// Answers are read through a cap.
func TestAnswerSizeCap(t *testing.T) {
	api := ghtest.NewAPI(t, token)
	api.Hook = answerWrites(http.StatusCreated, `{"id":1,"body":"`+strings.Repeat("x", responseCap)+`"}`)
	var waits []time.Duration
	_, err := client(api, &waits).Upsert(context.Background(), pr, "", "body")
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("answer over %d bytes", responseCap)) {
		t.Errorf("error %v", err)
	}
}

func TestUpsertRefusesBadInput(t *testing.T) {
	api := ghtest.NewAPI(t, token)
	var waits []time.Duration
	c := client(api, &waits)
	for _, tc := range []struct {
		pr   PR
		body string
		want string
	}{
		{PR{Repo: "octo/app/../x", Number: 1}, "b", "not a repository owner/name"},
		{PR{Repo: "octo/app", Number: 0}, "b", "not a repository owner/name"},
		{pr, "a --> b", "HTML comment delimiter"},
		{pr, strings.Repeat("é", MaxChars), "GitHub accepts 65536"},
	} {
		if _, err := c.Upsert(context.Background(), tc.pr, "", tc.body); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.pr, err, tc.want)
		}
	}
	if r := api.Requests(); len(r) != 0 {
		t.Errorf("requests %q", r)
	}
}
