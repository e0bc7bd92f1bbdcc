package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/scangate/scangate/ghactions"
	"github.com/scangate/scangate/scanner"
)

// The GitHub Action (action.yml) runs scangate with the hidden subcommand
// `action` (so does the Docker image as a Docker action): it reads the
// inputs passed as INPUT_<NAME> variables and runs the equivalent
// `scangate scan`.
// Keeping the translation in Go, not in a shell entrypoint, means no input
// is ever interpreted by a shell.

// actionInput is one input of action.yml and the scan flag it becomes.
type actionInput struct {
	name string
	flag string // "" for path (the positional argument) and args
	kind inputKind
	def  string // the default when the input is empty, as in action.yml
}

type inputKind int

const (
	inputValue  inputKind = iota
	inputList             // comma, space or newline separated
	inputBool             // true/false in YAML 1.2 core schema spellings
	inputPath             // the positional argument
	inputArgs             // split like a shell would, without running one
	inputSecret           // read by the scan from INPUT_*, never put on a command line
	inputShard            // K/N: --shard K/N --json scangate-shard-K-of-N.json
	inputMerge            // shard reports (globs): merge them instead of scanning
)

// actionInputs is every scan input of action.yml, in its order; a test
// checks that the two agree (the inputs that install scangate are not here).
var actionInputs = []actionInput{
	{name: "path", kind: inputPath, def: "."},
	{name: "scanners", flag: "--scanners", kind: inputList},
	{name: "fail-on", flag: "--fail-on", def: "high"},
	{name: "config", flag: "--config"},
	{name: "baseline", flag: "--baseline"},
	{name: "new-from-rev", flag: "--new-from-rev"},
	{name: "sarif-file", flag: "--sarif", def: "scangate.sarif"},
	{name: "offline", flag: "--offline", kind: inputBool, def: "false"},
	{name: "db", flag: "--db"},
	{name: "args", kind: inputArgs},
	{name: "shard", kind: inputShard},
	{name: "merge", kind: inputMerge},
	{name: "pr-comment", flag: "--pr-comment", kind: inputBool, def: "false"},
	// The token stays in the environment: the translated command is
	// printed. def is action.yml's, for the test that compares them.
	{name: "github-token", kind: inputSecret, def: "${{ github.token }}"},
}

// actionOutputs are the outputs the GitHub sink writes to $GITHUB_OUTPUT,
// which action.yml declares.
var actionOutputs = ghactions.Outputs

// getInput reads an input as the runner passes it: INPUT_ and the name in
// upper case with spaces as underscores, hyphens kept (INPUT_FAIL-ON).
// INPUT_FAIL_ON is accepted too, for `docker run -e`, where a hyphen in a
// variable name is awkward.
func getInput(getenv func(string) string, name string) string {
	key := "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, " ", "_"))
	v := getenv(key)
	if v == "" {
		v = getenv(strings.ReplaceAll(key, "-", "_"))
	}
	return strings.TrimSpace(v)
}

// actionArgs translates the inputs into scan arguments.
func actionArgs(getenv func(string) string) ([]string, error) {
	args := []string{"scan"}
	path := "."
	var extra, shards []string
	for _, in := range actionInputs {
		if in.kind == inputSecret {
			continue
		}
		v := getInput(getenv, in.name)
		if v == "" {
			v = in.def
		}
		if v == "" {
			continue
		}
		switch in.kind {
		case inputValue:
			args = append(args, in.flag, v)
		case inputList:
			items := listItems(v)
			if len(items) > 0 {
				args = append(args, in.flag, strings.Join(items, ","))
			}
		case inputBool:
			switch v {
			case "true", "True", "TRUE":
				args = append(args, in.flag)
			case "false", "False", "FALSE":
			default:
				return nil, usageErr("input %s: %q is not a boolean (true or false)", in.name, v)
			}
		case inputPath:
			path = v
		case inputArgs:
			var err error
			if extra, err = splitArgs(v); err != nil {
				return nil, usageErr("input args: %v", err)
			}
		case inputShard:
			k, n, err := scanner.ParseShard(v)
			if err != nil {
				return nil, usageErr("input shard: %v", err)
			}
			args = append(args, "--shard", v, "--json", fmt.Sprintf("scangate-shard-%d-of-%d.json", k, n))
		case inputMerge:
			var err error
			if shards, err = shardFiles(v); err != nil {
				return nil, usageErr("input merge: %v", err)
			}
		}
	}
	args = append(args, extra...)
	if shards != nil {
		if slices.Contains(args, "--shard") {
			return nil, usageErr("inputs shard and merge: a job either scans a shard or merges them")
		}
		if slices.Contains(args, "--new-from-rev") {
			return nil, usageErr("inputs merge and new-from-rev: a sharded scan cannot compare with a revision yet; use baseline (a baseline file, or the JSON report of an earlier merge)")
		}
		args[0] = "merge"
		return append(append(args, "--root", path, "--"), shards...), nil
	}
	return append(args, "--", path), nil
}

// listItems splits a list input: commas, spaces or lines between items.
func listItems(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// shardFiles expands the merge input: files or globs, separated by commas,
// spaces or lines, each of which must match.
func shardFiles(v string) ([]string, error) {
	var out []string
	for _, pat := range listItems(v) {
		m, err := filepath.Glob(pat)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", pat, err)
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("%s matches no file (were the shards' artifacts downloaded?)", pat)
		}
		out = append(out, m...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no shard report named")
	}
	return out, nil
}

// splitArgs splits a command line the way sh does for words, quotes and
// backslashes, and nothing else: no variables, globs or substitutions.
func splitArgs(s string) ([]string, error) {
	var (
		args  []string
		cur   strings.Builder
		inArg bool
		quote rune
	)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case quote == '"':
			switch {
			case r == '"':
				quote = 0
			case r == '\\' && i+1 < len(rs) && strings.ContainsRune(`"\$`+"`", rs[i+1]):
				i++
				cur.WriteRune(rs[i])
			default:
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inArg = r, true
		case r == '\\':
			if i+1 == len(rs) {
				return nil, fmt.Errorf("trailing backslash in %q", s)
			}
			i++
			if rs[i] != '\n' {
				cur.WriteRune(rs[i])
				inArg = true
			}
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteRune(r)
			inArg = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote in %q", quote, s)
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args, nil
}

// shellQuote renders args for a log line a user can copy.
func shellQuote(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsFunc(a, unicode.IsControl) {
			out[i] = strconv.Quote(a) // never a raw line break in a log line
		} else {
			out[i] = shArg(a)
		}
	}
	return strings.Join(out, " ")
}

// shArg quotes one argument for sh when it needs it.
func shArg(a string) string {
	if a != "" && strings.IndexFunc(a, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=,:@%+", r))
	}) < 0 {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
}

func newActionCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "action",
		Short:  "Run as the GitHub Action: read INPUT_* variables and scan",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			args, err := actionArgs(os.Getenv)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "scangate %s\n", shellQuote(args))
			root := newRootCmd(cmd.OutOrStdout(), cmd.ErrOrStderr())
			root.SetArgs(args)
			return root.ExecuteContext(cmd.Context())
		},
	}
}
