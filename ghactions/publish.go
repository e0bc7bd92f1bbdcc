package ghactions

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/prcomment"
	"github.com/scangate/scangate/model"
	"github.com/scangate/scangate/report"
)

// Outputs are the step outputs Publish writes to $GITHUB_OUTPUT, in order.
var Outputs = []string{"sarif-file", "findings", "new-findings", "verdict", "incomplete", "sarif-runs"}

// prCommentTimeout bounds the whole comment, rate-limit waits included.
const prCommentTimeout = 2 * time.Minute

// Sink publishes one report to GitHub: the annotations, the step summary
// and outputs inside Actions, and the pull request comment when asked.
type Sink struct {
	getenv func(string) string
	stderr io.Writer
	resume func() // nil outside Actions, or once resumed
}

// Publication is what the command wrote beside the report, and the pull
// request comment it asks for.
type Publication struct {
	// ScanRoot is the scanned root relative to the repository root.
	ScanRoot string
	// SARIFFile is the SARIF report's file ("" for none), written with
	// report.Write's figures.
	SARIFFile string
	Written   report.Written
	// PRComment, when set, posts the findings on the pull request.
	PRComment *PRComment
}

// PRComment says how to post the pull request comment.
type PRComment struct {
	// Key tells this comment from other jobs' ("" is ScanRoot); Author is
	// the login whose comment is edited ("" a bot's).
	Key, Author string
	// Token is the job's token, never read from a file.
	Token     string
	UserAgent string
}

// Start runs before anything of the scanned repository is printed. Inside
// GitHub Actions it stops the runner from reading workflow commands in the
// human output (progress, summary), where a crafted file name could
// otherwise inject one; Publish or Stop resumes it.
func Start(getenv func(string) string, stderr io.Writer) *Sink {
	s := &Sink{getenv: getenv, stderr: stderr}
	if Enabled(getenv) {
		s.resume = StopCommands(stderr)
	}
	return s
}

// Stop resumes command processing if Publish did not run (an early error).
func (s *Sink) Stop() {
	if s.resume != nil {
		s.resume()
		s.resume = nil
	}
}

// Publish writes, after the reports: the annotations (stderr, after the
// human output), the markdown summary to $GITHUB_STEP_SUMMARY and the step
// outputs to $GITHUB_OUTPUT, then the pull request comment. An unset file
// variable is skipped: the runner always sets both. A comment that fails
// changes neither the error nor the reports; it comes last so that it
// loses neither.
func (s *Sink) Publish(ctx context.Context, r *model.Report, p Publication) error {
	var err error
	if s.resume != nil {
		s.Stop()
		err = s.actions(r, p)
	}
	if p.PRComment != nil {
		s.postPRComment(ctx, r, p.ScanRoot, *p.PRComment)
	}
	return err
}

func (s *Sink) actions(r *model.Report, p Publication) error {
	anns := append(toolProblems(r.Results, p.Written.LeftOut), FromFindings(r.Ranked(), p.ScanRoot)...)
	kept, dropped := Cap(anns)
	for _, a := range kept {
		// The runner escapes nothing but its own separators: a control
		// character of a file name would reach the log viewer raw.
		fmt.Fprintln(s.stderr, report.TermLine(fmt.Sprint(a)))
	}
	if n := dropped[Error] + dropped[Warning] + dropped[Notice]; n > 0 {
		fmt.Fprintf(s.stderr, "scangate: %d more findings are not annotated (GitHub shows %d annotations of each level per step); the step summary and the SARIF report list them\n",
			n, PerLevel)
	}
	if path := s.getenv("GITHUB_STEP_SUMMARY"); path != "" {
		var md bytes.Buffer
		if err := report.Markdown(&md, r); err != nil {
			return err
		}
		if err := AppendSummary(path, md.Bytes()); err != nil {
			return err
		}
	}
	if path := s.getenv("GITHUB_OUTPUT"); path != "" {
		v := r.Verdict
		values := []string{p.SARIFFile, strconv.Itoa(v.New + v.Unchanged), strconv.Itoa(v.New), v.Outcome.String(),
			strings.Join(v.IncompleteTools, ","), strconv.Itoa(p.Written.SARIFRuns)}
		outs := make([]Output, len(Outputs))
		for i, name := range Outputs {
			outs[i] = Output{Name: name, Value: values[i]}
		}
		if err := SetOutputs(path, outs); err != nil {
			return err
		}
	}
	return nil
}

// toolProblems makes one error annotation per scanner that could not
// complete, first in line: an incomplete scan fails the step too. leftOut
// names the runs not in the SARIF report (report.SARIFLeftOut).
func toolProblems(results []finding.Result, leftOut []string) []Annotation {
	var anns []Annotation
	for _, r := range results {
		if r.State != finding.Incomplete {
			continue
		}
		var msgs []string
		for _, n := range r.Notifications {
			if n.Level == finding.LevelError {
				msgs = append(msgs, n.Message)
			}
		}
		if len(msgs) == 0 {
			msgs = append(msgs, r.Tool+" analyzed nothing or only part of the tree")
		}
		var out []string
		for _, name := range leftOut {
			if name == r.Tool || strings.HasPrefix(name, r.Tool+" (") {
				out = append(out, name)
			}
		}
		switch {
		case len(out) == 1 && out[0] == r.Tool:
			msgs = append(msgs, "Its run is left out of the SARIF report, so that code scanning keeps "+r.Tool+"'s alerts as the last complete scan left them.")
		case len(out) > 0:
			msgs = append(msgs, "Left out of the SARIF report, so that code scanning keeps their alerts as the last complete scan left them: "+
				strings.Join(out, ", ")+"; what "+r.Tool+" completed is in it.")
		}
		anns = append(anns, Annotation{Level: Error,
			Title: "scangate: " + r.Tool + " could not complete", Message: strings.Join(msgs, "\n")})
	}
	return anns
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
func (s *Sink) postPRComment(ctx context.Context, r *model.Report, scanRoot string, o PRComment) {
	getenv, stderr := s.getenv, s.stderr
	inActions := Enabled(getenv)
	say := func(level Level, msg string) {
		if inActions {
			fmt.Fprintln(stderr, Annotation{Level: level, Title: "scangate: pull request comment", Message: msg})
			return
		}
		fmt.Fprintln(stderr, report.TermLine("scangate: pull request comment: "+msg))
	}
	event := getenv("GITHUB_EVENT_PATH")
	if event == "" {
		say(Notice, "not posted: no GitHub event ($GITHUB_EVENT_PATH is not set), so no pull request to comment on")
		return
	}
	number, head, ok, err := pullRequest(event)
	switch {
	case err != nil:
		say(Warning, "not posted: "+err.Error())
		return
	case !ok:
		say(Notice, fmt.Sprintf("not posted: the %s event is not about a pull request", cmp.Or(getenv("GITHUB_EVENT_NAME"), "workflow's")))
		return
	}
	repo := getenv("GITHUB_REPOSITORY")
	if o.Token == "" {
		say(Warning, "not posted: no token (the Action's github-token input, or GITHUB_TOKEN in the step's env)")
		return
	}
	key := cmp.Or(o.Key, scanRoot)
	// The body and its marker line together stay within GitHub's limit
	// (a character is at least a byte).
	limit := min(report.PRCommentLimit, prcomment.MaxChars-len(prcomment.Marker(key))-1)
	body := report.PRComment(r, report.PRCommentOptions{ScanRoot: scanRoot, Server: cmp.Or(getenv("GITHUB_SERVER_URL"), "https://github.com"),
		Repo: repo, HeadSHA: head, Limit: limit})
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, prCommentTimeout)
	defer cancel()
	c := &prcomment.Client{API: cmp.Or(getenv("GITHUB_API_URL"), "https://api.github.com"), Token: o.Token,
		UserAgent: o.UserAgent, Author: o.Author}
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
			say(Notice, "not posted: the token may not comment on this pull request (a pull request from a fork gets a read-only token)")
			return
		}
		// A blank line first ends the summary's last table.
		if werr := AppendSummary(path, []byte("\n"+body)); werr != nil {
			say(Warning, "not posted: the token may not comment on this pull request, and the step summary could not take it: "+werr.Error())
			return
		}
		say(Notice, "not posted: the token may not comment on this pull request (a pull request from a fork gets a read-only token); the comment is in the step summary instead")
	default:
		say(Warning, "not posted: "+err.Error()+". The verdict, the step summary and the reports are not affected.")
	}
}
