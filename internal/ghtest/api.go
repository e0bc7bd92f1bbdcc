package ghtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
)

// API answers like GitHub's REST API for issue comments: list (paginated
// with a Link header, as GitHub does), create and edit. It checks the
// headers GitHub wants and the token.
type API struct {
	*httptest.Server
	Token string
	// Hook, when set, sees each request first and answers it when it
	// returns true (rate limits, a read-only token).
	Hook func(w http.ResponseWriter, r *http.Request) bool

	t        testing.TB
	mu       sync.Mutex
	comments map[int][]Comment // by issue number
	nextID   int64
	requests []string // "METHOD /path?query"
}

// Comment is one issue comment and who wrote it.
type Comment struct {
	ID    int64
	Body  string
	Login string
	Type  string // "User" or "Bot"
}

// BotLogin is who comments with a job's token.
const BotLogin = "github-actions[bot]"

// NewAPI starts a fake API that accepts token; it stops with the test.
func NewAPI(t testing.TB, token string) *API {
	a := &API{Token: token, t: t, comments: map[int][]Comment{}, nextID: 1000}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /repos/{owner}/{repo}/issues/{n}/comments", a.list)
	mux.HandleFunc("POST /repos/{owner}/{repo}/issues/{n}/comments", a.create)
	mux.HandleFunc("PATCH /repos/{owner}/{repo}/issues/comments/{id}", a.edit)
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.requests = append(a.requests, r.Method+" "+r.URL.RequestURI())
		a.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer "+a.Token {
			a.fail(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		if r.Header.Get("Accept") != "application/vnd.github+json" || r.Header.Get("X-GitHub-Api-Version") != "2022-11-28" ||
			r.Header.Get("User-Agent") == "" {
			t.Errorf("%s %s: headers %v", r.Method, r.URL, r.Header)
			a.fail(w, http.StatusBadRequest, "bad headers")
			return
		}
		if a.Hook != nil && a.Hook(w, r) {
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(a.Close)
	return a
}

// Add puts a comment on issue n, as login of type typ, and returns its ID.
func (a *API) Add(n int, body, login, typ string) int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.nextID++
	a.comments[n] = append(a.comments[n], Comment{ID: a.nextID, Body: body, Login: login, Type: typ})
	return a.nextID
}

// Comments are issue n's comments, oldest first.
func (a *API) Comments(n int) []Comment {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Comment(nil), a.comments[n]...)
}

// Requests are the requests received, "METHOD /path?query", in order.
func (a *API) Requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.requests...)
}

func (a *API) fail(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"message": msg, "documentation_url": "https://docs.github.com/rest"})
}

func (a *API) send(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (a *API) json(c Comment, r *http.Request) map[string]any {
	return map[string]any{
		"id": c.ID, "body": c.Body,
		"html_url": fmt.Sprintf("https://github.com/%s/%s/pull/1#issuecomment-%d", r.PathValue("owner"), r.PathValue("repo"), c.ID),
		"user":     map[string]any{"login": c.Login, "type": c.Type},
	}
}

func (a *API) list(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.PathValue("n"))
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if per <= 0 {
		per = 30
	}
	per = min(per, 100)
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	all := a.Comments(n)
	out := []map[string]any{}
	for i := (page - 1) * per; i < len(all) && i < page*per; i++ {
		out = append(out, a.json(all[i], r))
	}
	if last := (len(all) + per - 1) / per; page < last {
		link := func(p int) string {
			return fmt.Sprintf("<%s%s?per_page=%d&page=%d>", a.URL, r.URL.Path, per, p)
		}
		w.Header().Set("Link", link(page+1)+`; rel="next", `+link(last)+`; rel="last"`)
	}
	a.send(w, http.StatusOK, out)
}

func (a *API) body(w http.ResponseWriter, r *http.Request) (string, bool) {
	var in struct {
		Body *string `json:"body"`
	}
	data, _ := io.ReadAll(r.Body)
	if json.Unmarshal(data, &in) != nil || in.Body == nil {
		a.fail(w, http.StatusUnprocessableEntity, "Invalid request.")
		return "", false
	}
	if len([]rune(*in.Body)) > 65536 {
		a.fail(w, http.StatusUnprocessableEntity, "Validation Failed: body is too long (maximum is 65536 characters)")
		return "", false
	}
	return *in.Body, true
}

func (a *API) create(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.PathValue("n"))
	body, ok := a.body(w, r)
	if !ok {
		return
	}
	id := a.Add(n, body, BotLogin, "Bot")
	a.send(w, http.StatusCreated, a.json(Comment{ID: id, Body: body, Login: BotLogin, Type: "Bot"}, r))
}

func (a *API) edit(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	body, ok := a.body(w, r)
	if !ok {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for n, cs := range a.comments {
		for i := range cs {
			if cs[i].ID == id {
				cs[i].Body = body
				a.comments[n] = cs
				a.send(w, http.StatusOK, a.json(cs[i], r))
				return
			}
		}
	}
	a.fail(w, http.StatusNotFound, "Not Found")
}
