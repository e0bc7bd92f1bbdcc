package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/scangate/scangate/ghactions"
	"github.com/scangate/scangate/internal/prcomment"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/report"
)

// prCommentTimeout bounds the whole comment, rate-limit waits included.
const prCommentTimeout = 2 * time.Minute

// addPRCommentFlags defines the pull request comment's flags. They have no
// configuration key: a scanned repository's .scangate.yml cannot turn
// posting on, and the token is read from the job's environment only.
func addPRCommentFlags(f *pflag.FlagSet, o *scanOptions) {
	f.BoolVar(&o.prComment, "pr-comment", false, "on a GitHub pull request, post the findings as a comment, edited on each run (token: the Action's github-token or $GITHUB_TOKEN; needs pull-requests: write)")
	f.StringVar(&o.prCommentKey, "pr-comment-key", "", "keep a separate pull request comment for `KEY` (default: the scanned path from the repository root), so that two jobs each keep their own")
	f.StringVar(&o.prCommentAuthor, "pr-comment-author", "", "the `LOGIN` whose comment is edited, when the token is a user's (default: a bot account, as github-actions[bot] with the job's token)")
}

// pullRequest reads the pull request's number and head commit from the
// event payload the runner wrote ($GITHUB_EVENT_PATH); ok is false for an
// event that is not about a pull request.
func pullRequest(path string) (number int, head string, ok bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", false, fmt.Errorf("GITHUB_EVENT_PATH: %w", err)
	}
	defer f.Close()
	var ev struct {
		PullRequest *struct {
			Number int `json:"number"`
			Head   struct {
				SHA string `json:"sha"`
			} `json:"head"`
		} `json:"pull_request"`
	}
	if err := json.NewDecoder(io.LimitReader(f, 64<<20)).Decode(&ev); err != nil {
		return 0, "", false, fmt.Errorf("GITHUB_EVENT_PATH %s: %v", path, err)
	}
	if ev.PullRequest == nil || ev.PullRequest.Number <= 0 {
		return 0, "", false, nil
	}
	return ev.PullRequest.Number, ev.PullRequest.Head.SHA, true, nil
}

// postPRComment writes the findings as the pull request's comment, or
// says why not. Nothing here changes the verdict or the exit code: the
// reports and the step summary are already written. A token that may not
// comment (a pull request from a fork) puts the comment in the step
// summary instead.
func (o *scanOptions) postPRComment(ctx context.Context, scan *model.Report, stderr io.Writer, getenv func(string) string) {
	if !o.prComment {
		return
	}
	inActions := ghactions.Enabled(getenv)
	say := func(level ghactions.Level, msg string) {
		if inActions {
			fmt.Fprintln(stderr, ghactions.Annotation{Level: level, Title: "scangate: pull request comment", Message: msg})
			return
		}
		fmt.Fprintln(stderr, report.TermLine("scangate: pull request comment: "+msg))
	}
	event := getenv("GITHUB_EVENT_PATH")
	if event == "" {
		say(ghactions.Notice, "not posted: no GitHub event ($GITHUB_EVENT_PATH is not set), so no pull request to comment on")
		return
	}
	number, head, ok, err := pullRequest(event)
	switch {
	case err != nil:
		say(ghactions.Warning, "not posted: "+err.Error())
		return
	case !ok:
		say(ghactions.Notice, fmt.Sprintf("not posted: the %s event is not about a pull request", cmp.Or(getenv("GITHUB_EVENT_NAME"), "workflow's")))
		return
	}
	repo := getenv("GITHUB_REPOSITORY")
	// The Action's input first, then the job's environment; never a file.
	token := cmp.Or(getInput(getenv, "github-token"), getenv("GITHUB_TOKEN"))
	if token == "" {
		say(ghactions.Warning, "not posted: no token (the Action's github-token input, or GITHUB_TOKEN in the step's env)")
		return
	}
	key := o.prCommentKey
	if key == "" {
		key = o.scanRoot
	}
	// The body and its marker line together stay within GitHub's limit
	// (a character is at least a byte).
	limit := min(report.PRCommentLimit, prcomment.MaxChars-len(prcomment.Marker(key))-1)
	body := report.PRComment(scan, report.PRCommentOptions{ScanRoot: o.scanRoot, Server: cmp.Or(getenv("GITHUB_SERVER_URL"), "https://github.com"),
		Repo: repo, HeadSHA: head, Limit: limit})
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, prCommentTimeout)
	defer cancel()
	c := &prcomment.Client{API: cmp.Or(getenv("GITHUB_API_URL"), "https://api.github.com"), Token: token,
		UserAgent: "scangate/" + scangateVersion(), Author: o.prCommentAuthor}
	res, err := c.Upsert(ctx, prcomment.PR{Repo: repo, Number: number}, key, body)
	switch {
	case err == nil:
		verb := "updated"
		if res.Created {
			verb = "posted"
		}
		fmt.Fprintln(stderr, report.TermLine(fmt.Sprintf("scangate: pull request comment %s: %s", verb, cmp.Or(res.URL, fmt.Sprintf("%s#%d", repo, number)))))
	case prcomment.ReadOnly(err):
		path := getenv("GITHUB_STEP_SUMMARY")
		if path == "" {
			say(ghactions.Notice, "not posted: the token may not comment on this pull request (a pull request from a fork gets a read-only token)")
			return
		}
		// A blank line first ends the summary's last table.
		if werr := ghactions.AppendSummary(path, []byte("\n"+body)); werr != nil {
			say(ghactions.Warning, "not posted: the token may not comment on this pull request, and the step summary could not take it: "+werr.Error())
			return
		}
		say(ghactions.Notice, "not posted: the token may not comment on this pull request (a pull request from a fork gets a read-only token); the comment is in the step summary instead")
	default:
		say(ghactions.Warning, "not posted: "+err.Error()+". The verdict, the step summary and the reports are not affected.")
	}
}
