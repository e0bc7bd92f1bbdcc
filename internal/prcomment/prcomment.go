// Package prcomment keeps one comment of scangate's on a pull request up to
// date through GitHub's REST API: it finds the comment by a hidden marker
// on its first line and edits it, or creates it. It speaks plain net/http.
//
// The token goes only to the API's own scheme, host and port (redirects
// and next pages included), in the Authorization header,
// and never into an error or a log line; every response body is read
// through a size cap.
package prcomment

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxChars is the longest comment body GitHub accepts.
const MaxChars = 65536

const (
	apiVersion  = "2022-11-28"
	listCap     = 32 << 20 // a page of 100 comments of up to 65,536 characters each
	responseCap = 1 << 20
	errorCap    = 64 << 10
	maxPages    = 100 // 10,000 comments
)

// Client talks to one GitHub API.
type Client struct {
	// API is the REST API's root ($GITHUB_API_URL, https://api.github.com).
	// It must be https, or http on a loopback address (tests).
	API       string
	Token     string
	UserAgent string
	// HTTP is the client requests go through; nil is one with a 30 s timeout.
	HTTP *http.Client
	// Author, when set, is the login whose comments may be ours (a personal
	// access token's user); empty accepts any bot account, such as
	// github-actions[bot], which the job's token comments as. A comment by
	// anyone else is never edited, whatever its text.
	Author string
	// MaxWait bounds the time spent waiting for rate limits over one
	// Upsert (0: 60 s); Retries bounds the retries (0: 3).
	MaxWait time.Duration
	Retries int
	// Sleep waits d unless ctx ends first; Now tells the time that
	// x-ratelimit-reset is compared with. Tests replace both.
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time
}

// PR names a pull request: Repo is "owner/name".
type PR struct {
	Repo   string
	Number int
}

// Result is the comment written.
type Result struct {
	ID      int64
	URL     string // html_url
	Created bool   // a new comment, rather than an edit of ours
}

// APIError is an answer of the API that is not a success.
type APIError struct {
	Method, Path string // the request, without the host
	Status       int
	Message      string // GitHub's message, when it sent one
	RateLimited  bool
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("GitHub API %s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// ReadOnly reports GitHub's answer to a token that may not write to the
// pull request: 403 "Resource not accessible by integration", which every
// pull request from a fork gets, whatever the workflow's permissions.
func ReadOnly(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusForbidden && !ae.RateLimited &&
		strings.Contains(ae.Message, "Resource not accessible")
}

var (
	repoName = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	// markerPrefix opens the hidden first line of every comment we write.
	markerPrefix = "<!-- scangate:pr-comment"
)

// Marker is the hidden first line of the comment for key: jobs with
// different keys keep different comments. The key is query-escaped, so it
// cannot end the HTML comment.
func Marker(key string) string {
	if key == "" {
		return markerPrefix + " -->"
	}
	return markerPrefix + " key=" + url.QueryEscape(key) + " -->"
}

// Upsert writes body as the pull request's comment for key: it edits our
// comment that starts with the key's marker, or creates one.
func (c *Client) Upsert(ctx context.Context, pr PR, key, body string) (Result, error) {
	if !repoName.MatchString(pr.Repo) || pr.Number <= 0 {
		return Result{}, fmt.Errorf("pull request %q #%d: not a repository owner/name and a number", pr.Repo, pr.Number)
	}
	if strings.Contains(body, "<!--") || strings.Contains(body, "-->") {
		return Result{}, errors.New("comment body holds an HTML comment delimiter; refusing to write it")
	}
	marker := Marker(key)
	full := marker + "\n" + body
	if n := utf8.RuneCountInString(full); n > MaxChars {
		return Result{}, fmt.Errorf("comment of %d characters; GitHub accepts %d", n, MaxChars)
	}
	base, err := c.base()
	if err != nil {
		return Result{}, err
	}
	s := &session{c: c, base: base}
	found, err := s.find(ctx, pr, marker)
	if err != nil {
		return Result{}, err
	}
	payload, err := json.Marshal(map[string]string{"body": full})
	if err != nil {
		return Result{}, err
	}
	var out comment
	if found != nil {
		err = s.call(ctx, http.MethodPatch, fmt.Sprintf("repos/%s/issues/comments/%d", pr.Repo, found.ID), payload, &out, responseCap)
	} else {
		err = s.call(ctx, http.MethodPost, fmt.Sprintf("repos/%s/issues/%d/comments", pr.Repo, pr.Number), payload, &out, responseCap)
	}
	if err != nil {
		return Result{}, err
	}
	return Result{ID: out.ID, URL: out.HTMLURL, Created: found == nil}, nil
}

type comment struct {
	ID      int64  `json:"id"`
	Body    string `json:"body"`
	HTMLURL string `json:"html_url"`
	User    struct {
		Login string `json:"login"`
		Type  string `json:"type"`
	} `json:"user"`
}

// ours: the marker opens the comment (a quote of it starts with "> "), and
// a bot (or Author) wrote it, so that nobody can have us edit their text.
func (c *Client) ours(cm comment, marker string) bool {
	first, _, _ := strings.Cut(cm.Body, "\n")
	if strings.TrimRight(first, "\r") != marker {
		return false
	}
	if c.Author != "" {
		return strings.EqualFold(cm.User.Login, c.Author)
	}
	return cm.User.Type == "Bot"
}

func (c *Client) base() (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(c.API, "/") + "/")
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" {
		return nil, fmt.Errorf("GitHub API URL %q: not an http(s) URL", c.API)
	}
	switch u.Scheme {
	case "https":
	case "http":
		// The token must not cross a network in clear text.
		if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("GitHub API URL %q: http is allowed on a loopback address only; the token would cross the network unencrypted", c.API)
		}
	default:
		return nil, fmt.Errorf("GitHub API URL %q: not an http(s) URL", c.API)
	}
	return u, nil
}

// session is one Upsert: its retries and waits share one budget.
type session struct {
	c      *Client
	base   *url.URL
	waited time.Duration
}

// find lists the pull request's comments, page by page, until ours.
func (s *session) find(ctx context.Context, pr PR, marker string) (*comment, error) {
	next := s.base.ResolveReference(&url.URL{Path: fmt.Sprintf("repos/%s/issues/%d/comments", pr.Repo, pr.Number), RawQuery: "per_page=100"})
	for page := 0; next != nil; page++ {
		if page == maxPages {
			return nil, fmt.Errorf("GitHub API: more than %d pages of comments on %s#%d; not looking further", maxPages, pr.Repo, pr.Number)
		}
		var list []comment
		resp, err := s.do(ctx, http.MethodGet, next, nil, &list, listCap)
		if err != nil {
			return nil, err
		}
		for i := range list {
			if s.c.ours(list[i], marker) {
				return &list[i], nil
			}
		}
		if next, err = s.nextPage(resp.Header.Get("Link")); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

var linkNext = regexp.MustCompile(`<([^>]*)>\s*;[^,]*\brel="?next"?`)

// nextPage is the Link header's rel="next", which must stay on the API's
// host: the token goes with it.
func (s *session) nextPage(link string) (*url.URL, error) {
	m := linkNext.FindStringSubmatch(link)
	if m == nil {
		return nil, nil
	}
	u, err := s.base.Parse(m[1])
	if err != nil || u.Scheme != s.base.Scheme || u.Host != s.base.Host || !strings.HasPrefix(u.Path, s.base.Path) {
		return nil, fmt.Errorf("GitHub API: the next page %q is not on %s://%s%s; not following it", m[1], s.base.Scheme, s.base.Host, s.base.Path)
	}
	return u, nil
}

// tokenStaysHome is hc dropping the token on a redirect to another
// scheme, host or port than the request's: net/http keeps it for the same
// host name (and its subdomains) on any port or scheme.
func tokenStaysHome(hc *http.Client) *http.Client {
	cp := *hc
	next := hc.CheckRedirect
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		// net/http copies the first request's headers on every hop.
		if origin(req.URL) != origin(via[0].URL) {
			req.Header.Del("Authorization")
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &cp
}

// origin is a URL's scheme, host and port, the port spelled out.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

func (s *session) call(ctx context.Context, method, path string, payload []byte, out any, limit int64) error {
	_, err := s.do(ctx, method, s.base.ResolveReference(&url.URL{Path: path}), payload, out, limit)
	return err
}

// do sends one request, waiting out rate limits within the budget, and
// decodes a success into out.
func (s *session) do(ctx context.Context, method string, u *url.URL, payload []byte, out any, limit int64) (*http.Response, error) {
	c := s.c
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	hc = tokenStaysHome(hc)
	retries, maxWait := c.Retries, c.MaxWait
	if retries <= 0 {
		retries = 3
	}
	if maxWait <= 0 {
		maxWait = 60 * time.Second
	}
	path := u.RequestURI()
	for attempt := 0; ; attempt++ {
		var body io.Reader
		if payload != nil {
			body = bytes.NewReader(payload)
		}
		req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
		if err != nil {
			return nil, fmt.Errorf("GitHub API %s %s: %w", method, path, err)
		}
		req.Header.Set("Authorization", "Bearer "+c.Token)
		req.Header.Set("Accept", "application/vnd.github+json")
		req.Header.Set("X-GitHub-Api-Version", apiVersion)
		req.Header.Set("User-Agent", cmp.Or(c.UserAgent, "scangate"))
		if payload != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // its text repeats the URL
			}
			return nil, fmt.Errorf("GitHub API %s %s: %w", method, path, err)
		}
		bodyCap := int64(errorCap)
		if resp.StatusCode/100 == 2 {
			bodyCap = limit
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, bodyCap+1))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("GitHub API %s %s: reading the answer: %w", method, path, err)
		}
		if resp.StatusCode/100 == 2 {
			if int64(len(data)) > bodyCap {
				return nil, fmt.Errorf("GitHub API %s %s: answer over %d bytes; not reading it", method, path, bodyCap)
			}
			if out != nil {
				if err := json.Unmarshal(data, out); err != nil {
					return nil, fmt.Errorf("GitHub API %s %s: answer is not the JSON expected: %v", method, path, err)
				}
			}
			return resp, nil
		}
		ae := &APIError{Method: method, Path: path, Status: resp.StatusCode, Message: messageOf(data, c.Token)}
		wait, limited := s.rateLimit(resp, ae.Message)
		if !limited {
			return nil, ae
		}
		ae.RateLimited = true
		switch {
		case attempt >= retries:
			ae.Message = fmt.Sprintf("rate limited; gave up after %d retries", retries)
			return nil, ae
		case s.waited+wait > maxWait:
			ae.Message = fmt.Sprintf("rate limited for %s more, beyond the %s scangate waits", wait.Round(time.Second), maxWait)
			return nil, ae
		}
		sleep := c.Sleep
		if sleep == nil {
			sleep = sleepCtx
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("GitHub API %s %s: waiting for the rate limit: %w", method, path, err)
		}
		s.waited += wait
	}
}

// rateLimit reads GitHub's rate-limit answers: 403 or 429 with
// retry-after (a secondary limit), or with x-ratelimit-remaining 0 (the
// primary limit, until x-ratelimit-reset), or a message that says so
// (wait a minute, as GitHub's documentation asks).
func (s *session) rateLimit(resp *http.Response, msg string) (time.Duration, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, false
	}
	h := resp.Header
	if ra := h.Get("Retry-After"); ra != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && n >= 0 {
			return max(time.Duration(n)*time.Second, time.Second), true
		}
		if t, err := http.ParseTime(ra); err == nil {
			return max(t.Sub(s.now()), time.Second), true
		}
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if n, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 10, 64); err == nil {
			// A second more: the reset is a whole second.
			return max(time.Unix(n, 0).Sub(s.now())+time.Second, time.Second), true
		}
		return time.Minute, true
	}
	if resp.StatusCode == http.StatusTooManyRequests || strings.Contains(strings.ToLower(msg), "rate limit") {
		return time.Minute, true
	}
	return 0, false
}

func (s *session) now() time.Time {
	if s.c.Now != nil {
		return s.c.Now()
	}
	return time.Now()
}

// messageOf is GitHub's error message, on one line and cut, without the
// token should the server have echoed it.
func messageOf(data []byte, token string) string {
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(data, &e) != nil {
		return ""
	}
	m := strings.Join(strings.Fields(e.Message), " ")
	if token != "" {
		m = strings.ReplaceAll(m, token, "[token]")
	}
	if utf8.RuneCountInString(m) > 300 {
		m = string([]rune(m)[:299]) + "…"
	}
	return m
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
