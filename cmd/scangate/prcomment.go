package main

import (
	"cmp"

	"github.com/spf13/pflag"

	"github.com/scangate/scangate/ghactions"
)

// prCommentOptions are the pull request comment's flags (scan and merge).
type prCommentOptions struct {
	on     bool
	key    string
	author string
}

// addPRCommentFlags defines the pull request comment's flags. They have no
// configuration key: a scanned repository's .scangate.yml cannot turn
// posting on, and the token is read from the job's environment only.
func addPRCommentFlags(f *pflag.FlagSet, o *prCommentOptions) {
	f.BoolVar(&o.on, "pr-comment", false, "on a GitHub pull request, post the findings as a comment, edited on each run (token: the Action's github-token or $GITHUB_TOKEN; needs pull-requests: write)")
	f.StringVar(&o.key, "pr-comment-key", "", "keep a separate pull request comment for `KEY` (default: the scanned path from the repository root), so that two jobs each keep their own")
	f.StringVar(&o.author, "pr-comment-author", "", "the `LOGIN` whose comment is edited, when the token is a user's (default: a bot account, as github-actions[bot] with the job's token)")
}

// comment is what the GitHub sink needs to post the comment, nil when
// not asked for.
func (o prCommentOptions) comment(getenv func(string) string) *ghactions.PRComment {
	if !o.on {
		return nil
	}
	// The Action's input first, then the job's environment; never a file.
	token := cmp.Or(getInput(getenv, "github-token"), getenv("GITHUB_TOKEN"))
	return &ghactions.PRComment{Key: o.key, Author: o.author, Token: token, UserAgent: "scangate/" + scangateVersion()}
}
