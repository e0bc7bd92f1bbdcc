package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/scangate/scangate/internal/shellout"
	"github.com/scangate/scangate/policy"
	"github.com/scangate/scangate/report"
)

// hookMarker is in every hook scangate writes, and only in those: install
// overwrites and uninstall removes a hook only when it carries it.
const hookMarker = "# scangate-hook: "

var hookTypes = []string{"pre-push", "pre-commit"}

// summaryOptions choose the summary on stderr: --short is the hook's.
type summaryOptions struct {
	short      bool
	reportHint string // the command that shows the full report, in short mode
}

func addSummaryFlags(f *pflag.FlagSet, o *summaryOptions) {
	f.BoolVar(&o.short, "short", false, "short summary, as in git hooks: the verdict, the findings over the threshold, and how to see the rest")
	f.StringVar(&o.reportHint, "report-hint", "", "with --short, the command shown for the full report")
	_ = f.MarkHidden("report-hint")
}

// fullReportHint is what a short summary of a scan of path tells the
// user to run.
func (o summaryOptions) fullReportHint(path string) string {
	if o.reportHint != "" {
		return o.reportHint
	}
	return shellQuote([]string{"scangate", "scan", path})
}

func newHookCmd() *cobra.Command {
	hook := &cobra.Command{
		Use:   "hook",
		Short: "Install or remove a git hook that scans before each push (or commit)",
		Long: `scangate hook install writes a git pre-push hook (--pre-commit: a pre-commit
hook) that scans the repository and blocks the push when the gate fails. It
writes into the hooks directory git uses (core.hooksPath included) and never
overwrites a hook it did not write. Flags after -- are passed to every scan.

Skip the hook once with SCANGATE_SKIP=1 git push, or git push --no-verify.

install and uninstall exit 1 when they refuse (a hook that is not ours).`,
		Example: `  scangate hook install
  scangate hook install --pre-commit -- --fail-on medium --scanners gosec
  scangate hook uninstall`,
	}
	var preCommit bool
	install := &cobra.Command{
		Use:   "install [-- SCAN FLAGS]",
		Short: "Write the hook",
		RunE: func(cmd *cobra.Command, args []string) error {
			return hookInstall(cmd.Context(), cmd.ErrOrStderr(), hookType(preCommit), args)
		},
	}
	install.Flags().BoolVar(&preCommit, "pre-commit", false, "install a pre-commit hook instead of pre-push")
	var unPreCommit bool
	uninstall := &cobra.Command{
		Use:   "uninstall",
		Short: "Remove the hook, if scangate wrote it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return hookUninstall(cmd.Context(), cmd.ErrOrStderr(), hookType(unPreCommit))
		},
	}
	uninstall.Flags().BoolVar(&unPreCommit, "pre-commit", false, "remove the pre-commit hook instead of pre-push")
	run := &cobra.Command{
		Use:                "run pre-push|pre-commit [SCAN FLAGS] [-- HOOK ARGS]",
		Short:              "Run as a git hook (called by the installed hook and by pre-commit)",
		Hidden:             true,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return hookRun(cmd, args)
		},
	}
	hook.AddCommand(install, uninstall, run)
	return hook
}

func hookType(preCommit bool) string {
	if preCommit {
		return "pre-commit"
	}
	return "pre-push"
}

func git(ctx context.Context, args ...string) (string, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	// git works on the user's own checkout to install the hook, never on a
	// scanned tree's behalf: it keeps the user's environment (GIT_DIR,
	// GIT_CONFIG_GLOBAL, ...), which the scanners' minimal one drops.
	out, err := shellout.Run(ctx, shellout.Cmd{Program: "git", Args: args, Env: os.Environ()})
	if err != nil {
		return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	if out.ExitCode != 0 {
		// git's stderr can quote configuration values: never shown.
		return "", fmt.Errorf("git %s: %s", strings.Join(args, " "), out.Status())
	}
	return strings.TrimSpace(string(out.Stdout)), nil
}

// hooksDir is where git looks for hooks: core.hooksPath when set, else
// the common git directory's hooks (worktrees share it).
func hooksDir(ctx context.Context) (string, error) {
	dir, err := git(ctx, "rev-parse", "--path-format=absolute", "--git-path", "hooks")
	if err != nil {
		return "", fmt.Errorf("hook: not in a git repository, or git older than 2.31: %w", err)
	}
	return dir, nil
}

// selfPath is the binary the hook runs, unless it is a `go run` build that
// will be gone: then the hook finds scangate on PATH.
func selfPath() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return ""
	}
	if strings.Contains(exe, string(filepath.Separator)+"go-build") {
		return ""
	}
	return exe
}

func hookScript(typ, exe string, scanFlags []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/sh\n%s%s\n", hookMarker, typ)
	fmt.Fprintf(&b, "# Written by `scangate hook install`; `scangate hook uninstall` removes it.\n")
	fmt.Fprintf(&b, "# Skip once: SCANGATE_SKIP=1 git %s, or git %s --no-verify.\n", gitVerb(typ), gitVerb(typ))
	fmt.Fprintf(&b, "if [ \"${SCANGATE_SKIP:-}\" = 1 ]; then\n\techo 'scangate: SCANGATE_SKIP=1, not scanning' >&2\n\texit 0\nfi\n")
	fmt.Fprintf(&b, "scangate=${SCANGATE:-%s}\n", shQuote(exe))
	b.WriteString("if ! command -v \"$scangate\" >/dev/null 2>&1; then scangate=scangate; fi\n")
	b.WriteString("if ! command -v \"$scangate\" >/dev/null 2>&1; then\n")
	fmt.Fprintf(&b, "\techo 'scangate: not found on PATH; install it, or skip this hook once with SCANGATE_SKIP=1' >&2\n\texit 1\nfi\n")
	args := append([]string{"hook", "run", typ}, scanFlags...)
	fmt.Fprintf(&b, "exec \"$scangate\" %s -- \"$@\"\n", shQuoteAll(args))
	return b.String()
}

func gitVerb(typ string) string {
	if typ == "pre-commit" {
		return "commit"
	}
	return "push"
}

func shQuote(s string) string {
	if s == "" {
		return "scangate"
	}
	return shArg(s)
}

func shQuoteAll(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shArg(a)
	}
	return strings.Join(q, " ")
}

// checkScanFlags parses the flags a hook will pass to scan, so that a typo
// fails now rather than at every push.
func checkScanFlags(flags []string) error {
	cmd := newScanCmd()
	cmd.SetArgs(flags)
	if err := cmd.ParseFlags(flags); err != nil {
		return usageErr("scan flags for the hook: %v", err)
	}
	f := cmd.Flags()
	if rest := f.Args(); len(rest) > 0 {
		return usageErr("scan flags for the hook: unexpected argument %q (the hook always scans the repository root)", rest[0])
	}
	if v, _ := f.GetString("fail-on"); f.Changed("fail-on") {
		if _, err := policy.ParseThreshold(v); err != nil {
			return usageErr("scan flags for the hook: --fail-on: %v", err)
		}
	}
	names, _ := f.GetStringSlice("scanners")
	if err := checkScanners(names); err != nil {
		return usageErr("scan flags for the hook: %v", errors.Unwrap(err))
	}
	return nil
}

func isOurs(path string) (exists, ours bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("hook: read %s: %w", path, err)
	}
	return true, strings.Contains(string(b), "\n"+hookMarker), nil
}

func hookInstall(ctx context.Context, stderr io.Writer, typ string, scanFlags []string) error {
	if err := checkScanFlags(scanFlags); err != nil {
		return err
	}
	dir, err := hooksDir(ctx)
	if err != nil {
		return &exitError{code: exitUsage, err: err} // run where there is no repository: usage
	}
	path := filepath.Join(dir, typ)
	exists, ours, err := isOurs(path)
	if err != nil {
		return &exitError{code: exitFail, err: err}
	}
	if exists && !ours {
		chain := shQuoteAll(append([]string{"hook", "run", typ}, scanFlags...))
		stdin := ""
		if typ == "pre-push" {
			stdin = " </dev/null"
		}
		fmt.Fprintf(stderr, `scangate: %s exists and was not written by scangate; it is left untouched.
To run scangate from it, add this line to it:

    scangate %s -- "$@"%s || exit 1

`, path, chain, stdin)
		return &exitError{code: exitFail}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &exitError{code: exitFail, err: fmt.Errorf("hook: %w", err)}
	}
	if err := writeExecutable(path, hookScript(typ, selfPath(), scanFlags)); err != nil {
		return &exitError{code: exitFail, err: err}
	}
	verb := "installed"
	if exists {
		verb = "updated"
	}
	fmt.Fprintf(stderr, "scangate: %s %s hook %s\nSkip it once with SCANGATE_SKIP=1 git %s (or git %s --no-verify); remove it with scangate hook uninstall%s\n",
		verb, typ, path, gitVerb(typ), gitVerb(typ), map[bool]string{true: " --pre-commit"}[typ == "pre-commit"])
	return nil
}

func writeExecutable(path, content string) error {
	err := report.WriteFileMode(path, 0o755, func(w io.Writer) error {
		_, err := io.WriteString(w, content)
		return err
	})
	if err != nil {
		return fmt.Errorf("hook: %w", err)
	}
	return nil
}

func hookUninstall(ctx context.Context, stderr io.Writer, typ string) error {
	dir, err := hooksDir(ctx)
	if err != nil {
		return &exitError{code: exitUsage, err: err} // run where there is no repository: usage
	}
	path := filepath.Join(dir, typ)
	exists, ours, err := isOurs(path)
	switch {
	case err != nil:
		return &exitError{code: exitFail, err: err}
	case !exists:
		fmt.Fprintf(stderr, "scangate: no %s hook at %s; nothing to remove\n", typ, path)
		return nil
	case !ours:
		fmt.Fprintf(stderr, "scangate: %s was not written by scangate; it is left untouched\n", path)
		return &exitError{code: exitFail}
	}
	if err := os.Remove(path); err != nil {
		return &exitError{code: exitFail, err: fmt.Errorf("hook: %w", err)}
	}
	fmt.Fprintf(stderr, "scangate: removed %s\n", path)
	return nil
}

// hookRun is what the hook executes: `hook run TYPE [scan flags] [-- git's
// hook arguments]`. It scans the repository root with short output.
func hookRun(cmd *cobra.Command, args []string) error {
	stderr := cmd.ErrOrStderr()
	if len(args) == 0 || !slices.Contains(hookTypes, args[0]) {
		return usageErr("hook run: want pre-push or pre-commit as the first argument")
	}
	typ, flags := args[0], args[1:]
	if i := slices.Index(flags, "--"); i >= 0 {
		flags = flags[:i] // git's arguments (remote name and URL) are not needed
	}
	if os.Getenv("SCANGATE_SKIP") == "1" {
		fmt.Fprintln(stderr, "scangate: SCANGATE_SKIP=1, not scanning")
		return nil
	}
	// The pre-commit framework (PRE_COMMIT=1) reads git's stdin itself.
	if typ == "pre-push" && os.Getenv("PRE_COMMIT") != "1" && onlyDeletes(cmd.InOrStdin()) {
		return nil
	}
	top, err := git(cmd.Context(), "rev-parse", "--show-toplevel")
	if err != nil {
		return usageErr("hook run: %v", err)
	}
	hint := shellQuote(append(append([]string{"scangate", "scan"}, flags...), top))
	scanArgs := append([]string{"scan", "--short", "--quiet", "--report-hint", hint}, flags...)
	scanArgs = append(scanArgs, "--", top)
	root := newRootCmd(cmd.OutOrStdout(), stderr)
	root.SetArgs(scanArgs)
	err = root.ExecuteContext(cmd.Context())
	if err != nil {
		fmt.Fprintf(stderr, "scangate: %s blocked. Fix the findings, or skip once with SCANGATE_SKIP=1 git %s (or git %s --no-verify).\n",
			gitVerb(typ), gitVerb(typ), gitVerb(typ))
	}
	return err
}

// onlyDeletes reads the refs git pushes (one "<local ref> <local sha>
// <remote ref> <remote sha>" line each) and reports a push that only
// deletes branches: nothing to scan. Without input (a terminal, or a
// chained hook that already read it) it says false, and we scan.
func onlyDeletes(in io.Reader) bool {
	if f, ok := in.(*os.File); ok {
		if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice != 0 {
			return false
		}
	}
	sc := bufio.NewScanner(in)
	lines, deletes := 0, 0
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 4 {
			continue
		}
		lines++
		if strings.Trim(fields[1], "0") == "" {
			deletes++
		}
	}
	return lines > 0 && lines == deletes
}
