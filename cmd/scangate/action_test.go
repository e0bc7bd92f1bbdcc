package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/scangate/scangate/internal/testkit"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestActionArgs(t *testing.T) {
	// Shard reports for the merge input's glob.
	dir := t.TempDir()
	var files []string
	for _, n := range []string{"scangate-shard-1-of-2.json", "scangate-shard-2-of-2.json"} {
		files = append(files, filepath.Join(dir, n))
		if err := os.WriteFile(files[len(files)-1], []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shardGlob, shardList := filepath.Join(dir, "scangate-shard-*.json"), shellQuote(files)
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string // shellQuote of the arguments
		err  string
	}{
		{"defaults", nil, "scan --fail-on high --sarif scangate.sarif -- .", ""},
		{"the inputs action.yml passes by default", map[string]string{"INPUT_PATH": ".", "INPUT_FAIL-ON": "high",
			"INPUT_SARIF-FILE": "scangate.sarif", "INPUT_OFFLINE": "false", "INPUT_SCANNERS": "", "INPUT_ARGS": ""},
			"scan --fail-on high --sarif scangate.sarif -- .", ""},
		{"every input", map[string]string{
			"INPUT_PATH": "services/api", "INPUT_SCANNERS": "gosec, govulncheck\nbandit", "INPUT_FAIL-ON": "medium",
			"INPUT_CONFIG": "ci/scangate.yml", "INPUT_BASELINE": "baseline.sarif", "INPUT_SARIF-FILE": "out/api.sarif",
			"INPUT_OFFLINE": "true", "INPUT_DB": ".vulndb", "INPUT_ARGS": `--exclude 'gen/**' --tags "a b" --tests`},
			"scan --scanners gosec,govulncheck,bandit --fail-on medium --config ci/scangate.yml --baseline baseline.sarif " +
				"--sarif out/api.sarif --offline --db .vulndb --exclude 'gen/**' --tags 'a b' --tests -- services/api", ""},
		{"underscores for docker run -e", map[string]string{"INPUT_FAIL_ON": "low", "INPUT_SARIF_FILE": "x.sarif"},
			"scan --fail-on low --sarif x.sarif -- .", ""},
		{"hyphen form wins", map[string]string{"INPUT_FAIL-ON": "critical", "INPUT_FAIL_ON": "low"},
			"scan --fail-on critical --sarif scangate.sarif -- .", ""},
		{"spaces trimmed", map[string]string{"INPUT_FAIL-ON": "  high\n", "INPUT_OFFLINE": " True "},
			"scan --fail-on high --sarif scangate.sarif --offline -- .", ""},
		{"a path that looks like a flag stays a path", map[string]string{"INPUT_PATH": "--version"},
			"scan --fail-on high --sarif scangate.sarif -- --version", ""},
		{"bad boolean", map[string]string{"INPUT_OFFLINE": "yes"}, "", `input offline: "yes" is not a boolean`},
		{"bad args", map[string]string{"INPUT_ARGS": `--exclude 'gen/**`}, "", "input args: unterminated ' quote"},
		{"a shard", map[string]string{"INPUT_SHARD": "2/4", "INPUT_ARGS": "--tests"},
			"scan --fail-on high --sarif scangate.sarif --shard 2/4 --json scangate-shard-2-of-4.json --tests -- .", ""},
		{"bad shard", map[string]string{"INPUT_SHARD": "5/4"}, "", `input shard: "5/4": want K/N`},
		{"merge", map[string]string{"INPUT_MERGE": shardGlob + "\n" + shardGlob, "INPUT_PATH": "svc", "INPUT_ARGS": "--tests"},
			"merge --fail-on high --sarif scangate.sarif --tests --root svc -- " + shardList + " " + shardList, ""},
		{"merge matching nothing", map[string]string{"INPUT_MERGE": "no-such-shard-*.json"}, "", "input merge: no-such-shard-*.json matches no file"},
		{"shard and merge", map[string]string{"INPUT_MERGE": shardGlob, "INPUT_SHARD": "1/2"}, "", "a job either scans a shard or merges them"},
		{"merge and new-from-rev", map[string]string{"INPUT_MERGE": shardGlob, "INPUT_NEW-FROM-REV": "origin/main"}, "", "inputs merge and new-from-rev"},
	} {
		args, err := actionArgs(envOf(tc.env))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := shellQuote(args); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func TestSplitArgs(t *testing.T) {
	for in, want := range map[string][]string{
		"":                         nil,
		"  a  b\tc\n d ":           {"a", "b", "c", "d"},
		`'a b' "c d" e\ f`:         {"a b", "c d", "e f"},
		`"a \"q\" \$HOME \n"`:      {`a "q" $HOME \n`},
		`'$HOME' $(rm -rf /) *.go`: {"$HOME", "$(rm", "-rf", "/)", "*.go"}, // nothing is expanded
		`a''b ""`:                  {"ab", ""},
		"a\\\nb":                   {"ab"},
	} {
		got, err := splitArgs(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("splitArgs(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{`'open`, `"open`, `trailing\`} {
		if _, err := splitArgs(bad); err == nil {
			t.Errorf("splitArgs(%q) accepted", bad)
		}
	}
}

func TestShellQuoteNeverBreaksALine(t *testing.T) {
	got := shellQuote([]string{"scan", "a b", "it's", "x\n::error::y"})
	if strings.ContainsAny(got, "\r\n") || got != `scan 'a b' 'it'\''s' "x\n::error::y"` {
		t.Errorf("got %s", got)
	}
}

type actionYAML struct {
	Name    string `yaml:"name"`
	Inputs  yaml.Node
	Outputs map[string]struct {
		Description string `yaml:"description"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
	} `yaml:"runs"`
}

type actionInputYAML struct {
	Description string  `yaml:"description"`
	Required    bool    `yaml:"required"`
	Default     *string `yaml:"default"`
}

// TestActionYAML checks action.yml against the code: every input is
// translated, with the same default; every output is set; and
// docs/github.md documents the same defaults. The composite steps are
// checked by TestActionComposite (below).
func TestActionYAML(t *testing.T) {
	var a actionYAML
	readAction(t, &a)
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using %q, want composite (a release binary, see scripts/action-install.sh)", a.Runs.Using)
	}
	var names []string
	inputs := map[string]actionInputYAML{}
	for i := 0; i+1 < len(a.Inputs.Content); i += 2 {
		name := a.Inputs.Content[i].Value
		if slices.Contains(actionSetupInputs, name) {
			continue // install and cache scangate; never reach the scan
		}
		var in actionInputYAML
		if err := a.Inputs.Content[i+1].Decode(&in); err != nil {
			t.Fatalf("input %s: %v", name, err)
		}
		names = append(names, name)
		inputs[name] = in
	}
	var code []string
	for _, in := range actionInputs {
		code = append(code, in.name)
	}
	if !slices.Equal(names, code) {
		t.Fatalf("action.yml inputs %v; the code translates %v", names, code)
	}
	docs := testkit.ReadFile(t, "../../docs/github.md")
	for _, in := range actionInputs {
		y := inputs[in.name]
		if y.Default == nil || *y.Default != in.def {
			t.Errorf("input %s: action.yml default %v, code default %q", in.name, y.Default, in.def)
		}
		if y.Description == "" || y.Required {
			t.Errorf("input %s: needs a description and must be optional", in.name)
		}
		// The inputs table in docs/github.md: | `name` | `default` or — | ... |
		row := regexp.MustCompile("(?m)^\\| `" + regexp.QuoteMeta(in.name) + "` \\| ([^|]*) \\|").FindSubmatch(docs)
		if row == nil {
			t.Errorf("docs/github.md has no row for input %s", in.name)
			continue
		}
		doc := strings.Trim(strings.TrimSpace(string(row[1])), "`")
		if in.def == "" && doc != "—" || in.def != "" && doc != in.def {
			t.Errorf("docs/github.md: input %s default %q, action.yml %q", in.name, doc, in.def)
		}
	}
	var outs []string
	for name, o := range a.Outputs {
		outs = append(outs, name)
		if o.Description == "" {
			t.Errorf("output %s has no description", name)
		}
	}
	slices.Sort(outs)
	want := slices.Sorted(slices.Values(actionOutputs))
	if !slices.Equal(outs, want) {
		t.Errorf("action.yml outputs %v; finish sets %v", outs, want)
	}
	for _, name := range actionOutputs {
		if !regexp.MustCompile("(?m)^\\| `" + regexp.QuoteMeta(name) + "` \\| ").Match(docs) {
			t.Errorf("docs/github.md has no row for output %s", name)
		}
	}
}

// TestActionInputsReachTheScan runs the entrypoint with inputs whose
// effect shows without a long scan: files that do not exist.
func TestActionInputsReachTheScan(t *testing.T) {
	t.Chdir(t.TempDir())
	for input, want := range map[string]string{
		"INPUT_CONFIG":   "config missing.yml: does not exist",
		"INPUT_BASELINE": "baseline missing.yml: does not exist",
		"INPUT_PATH":     "scan path missing.yml: does not exist",
	} {
		t.Run(input, func(t *testing.T) {
			t.Setenv(input, "missing.yml")
			code, _, stderr := runCLI(t, "action")
			if code != exitUsage || !strings.Contains(stderr, want) {
				t.Errorf("exit %d, want %d with %q:\n%s", code, exitUsage, want, stderr)
			}
		})
	}
	t.Run("INPUT_ARGS", func(t *testing.T) {
		t.Setenv("INPUT_ARGS", "--frobnicate")
		if code, _, stderr := runCLI(t, "action"); code != exitUsage || !strings.Contains(stderr, "unknown flag: --frobnicate") {
			t.Errorf("exit %d:\n%s", code, stderr)
		}
	})
}

// actionSetupInputs are the inputs of action.yml that install and cache
// scangate; they never reach the scan (TestActionYAML skips them).
var actionSetupInputs = []string{"go-version", "go-version-file", "version", "install", "cache", "skip-save-cache", "update-db"}

type compositeStep struct {
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	WorkingDirectory string            `yaml:"working-directory"`
	Env              map[string]string `yaml:"env"`
	With             map[string]string `yaml:"with"`
}

type compositeAction struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string          `yaml:"using"`
		Steps []compositeStep `yaml:"steps"`
	} `yaml:"runs"`
}

// readAction decodes action.yml into v and returns its text.
func readAction(t *testing.T, v any) string {
	t.Helper()
	b := testkit.ReadFile(t, "../../action.yml")
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return string(b)
}

// TestActionComposite checks the composite steps: no input is ever part of
// a script's text (only of its environment), every scan input reaches
// `scangate action` under the name getInput reads, and the outputs are the
// scan step's.
func TestActionComposite(t *testing.T) {
	t.Parallel()
	var a compositeAction
	text := readAction(t, &a)
	if a.Runs.Using != "composite" || len(a.Runs.Steps) == 0 {
		t.Fatalf("runs: %+v", a.Runs)
	}
	byID := map[string]compositeStep{}
	for i, s := range a.Runs.Steps {
		byID[s.ID] = s
		if (s.Run == "") == (s.Uses == "") {
			t.Errorf("step %d: want exactly one of run and uses", i)
		}
		if s.Run != "" && s.Shell != "bash" {
			t.Errorf("step %d: shell %q, want bash", i, s.Shell)
		}
		// An expression in a script is pasted into its text before the
		// shell reads it: an input there would be shell code.
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %d: an expression in run: %s", i, s.Run)
		}
		// Pinned by commit (TestWorkflowActionsPinned checks the tag comment).
		if s.Uses != "" && !regexp.MustCompile(`^actions/[a-z-]+(/[a-z-]+)?@[0-9a-f]{40}$`).MatchString(s.Uses) {
			t.Errorf("step %d: uses %s, want an actions/ action pinned by commit", i, s.Uses)
		}
	}
	scan, ok := byID["scan"]
	if !ok {
		t.Fatal("no step with id scan")
	}
	if !strings.HasSuffix(scan.Run, `/scangate" action`) {
		t.Errorf("the scan step runs %s, want scangate action", scan.Run)
	}
	for _, in := range actionInputs {
		key := "INPUT_" + strings.ToUpper(strings.ReplaceAll(in.name, "-", "_"))
		if got, want := scan.Env[key], "${{ inputs."+in.name+" }}"; got != want {
			t.Errorf("scan step env %s = %q, want %q", key, got, want)
		}
		if getInput(envOf(map[string]string{key: "x"}), in.name) != "x" {
			t.Errorf("getInput(%s) does not read %s", in.name, key)
		}
	}
	for _, name := range actionOutputs {
		if got, want := a.Outputs[name].Value, "${{ steps.scan.outputs."+name+" }}"; got != want {
			t.Errorf("output %s = %q, want %q", name, got, want)
		}
	}
	checkResultCache(t, a.Runs.Steps)
	install := byID["install"]
	if got := install.Env["SCANGATE_RELEASE_BASE_URL"]; got != "${{ github.server_url }}/${{ github.action_repository }}/releases/download" {
		t.Errorf("the install step's base URL is %q: it must come from the action's own repository, at step level", got)
	}
	if install.Run != `"$GITHUB_ACTION_PATH/scripts/action-install.sh"` {
		t.Errorf("the install step runs %s", install.Run)
	}
	// The setup inputs are used, and documented with their defaults.
	docs := testkit.ReadFile(t, "../../docs/github.md")
	for _, name := range actionSetupInputs {
		in, ok := a.Inputs[name]
		if !ok {
			t.Errorf("action.yml has no input %s", name)
			continue
		}
		if !strings.Contains(text, "inputs."+name+" ") {
			t.Errorf("input %s is not used", name)
		}
		def := "—"
		if in.Default != "" {
			def = "`" + in.Default + "`"
		}
		if !regexp.MustCompile("(?m)^\\| `" + regexp.QuoteMeta(name) + "` \\| " + regexp.QuoteMeta(def) + " \\|").Match(docs) {
			t.Errorf("docs/github.md has no row for input %s with default %s", name, def)
		}
	}
}

// checkResultCache holds the result cache's steps to golangci-lint-action's
// scheme: a key that does not change with every run (no run id), restore
// keys by prefix, and a save after the scan only when the restored entry
// was not the key's own and skip-save-cache is not set.
func checkResultCache(t *testing.T, steps []compositeStep) {
	t.Helper()
	var restore, save = -1, -1
	scan := slices.IndexFunc(steps, func(s compositeStep) bool { return s.ID == "scan" })
	for i, s := range steps {
		action, _, _ := strings.Cut(s.Uses, "@")
		switch action {
		case "actions/cache":
			if strings.Contains(s.With["path"], "scangate-results") {
				t.Errorf("step %d: the result cache with actions/cache saves an entry after every run whose key is new", i)
			}
		case "actions/cache/restore":
			restore = i
		case "actions/cache/save":
			save = i
		}
	}
	if restore < 0 || save < 0 || !(restore < scan && scan < save) {
		t.Fatalf("want the result cache restored before the scan (step %d) and saved after it: restore %d, save %d", scan, restore, save)
	}
	r, s := steps[restore], steps[save]
	key := r.With["key"]
	testkit.ContainsNone(t, "the result cache's key (it would change with every run)", key, "run_id", "run_attempt", "github.sha")
	testkit.ContainsAll(t, "the result cache's key", key, "steps.install.outputs.week", "hashFiles(", "go.sum", "github.job", "runner.os")
	prefix := key[:strings.Index(key, "${{ hashFiles(")]
	if rk := strings.Split(r.With["restore-keys"], "\n"); len(rk) == 0 || rk[0] != prefix {
		t.Errorf("restore-keys %q: want the key without its hash first (%q)", rk, prefix)
	}
	if r.With["path"] != s.With["path"] || s.With["key"] != "${{ steps."+r.ID+".outputs.cache-primary-key }}" {
		t.Errorf("the save step saves %q under %q; the restore step restores %q (id %q)", s.With["path"], s.With["key"], r.With["path"], r.ID)
	}
	testkit.ContainsAll(t, "the save step's if", s.If, "!cancelled()", "inputs.cache == 'true'", "inputs.skip-save-cache != 'true'", "steps."+r.ID+".outputs.cache-hit != 'true'")
}
