package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/scangate/scangate/internal/testkit"
)

// The composite action (action.yml) and its installer
// (scripts/action-install.sh), tested without GitHub: a release that
// scripts/release-package.sh packages for this machine is served by an
// httptest server, and the action's run steps run as the runner runs them.

const testReleaseTag = "v9.9.9"

var testRelease struct {
	once sync.Once
	dir  string // holds checksums.txt and this platform's archive
	err  error
}

// releaseBuild packages, once, the programs scangateBinary built as this
// platform's release archive with scripts/release-package.sh, the script
// that scripts/release-build.sh ends with. A release build of its own would
// compile every dependency a second time with the release's flags (minutes
// on a cold cache); .ci/run runs scripts/release-build.sh itself and checks
// the version it stamps.
func releaseBuild(t *testing.T) string {
	t.Helper()
	bin := builtDir(t)
	testRelease.once.Do(func() {
		dir := filepath.Join(testTmp, "release", testReleaseTag)
		cmd := exec.Command("bash", "scripts/release-package.sh", dir, runtime.GOOS+"/"+runtime.GOARCH+"="+bin)
		cmd.Dir = "../../.."
		if out, err := cmd.CombinedOutput(); err != nil {
			testRelease.err = fmt.Errorf("release-package.sh: %v\n%s", err, out)
			return
		}
		testRelease.dir = dir
	})
	if testRelease.err != nil || testRelease.dir == "" {
		t.Fatalf("packaging the release: %v", testRelease.err)
	}
	return testRelease.dir
}

// hostRunner is RUNNER_OS and RUNNER_ARCH of this machine, and the name of
// its release archive.
func hostRunner(t *testing.T) (osName, arch, asset string) {
	t.Helper()
	osName = map[string]string{"linux": "Linux", "darwin": "macOS"}[runtime.GOOS]
	arch = map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	if osName == "" || arch == "" {
		t.Skipf("no release archive for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	// What the installer needs, as every GitHub-hosted runner has it.
	for _, tool := range []string{"bash", "curl", "tar", "gzip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s: %v", tool, err)
		}
	}
	return osName, arch, "scangate-" + runtime.GOOS + "-" + runtime.GOARCH + ".tar.gz"
}

// releaseServer serves root/<tag>/<file> at /<tag>/<file> and counts the
// requests for each path.
type releaseServer struct {
	*httptest.Server
	root string
	mu   sync.Mutex
	hits map[string]int
}

func newReleaseServer(t *testing.T) *releaseServer {
	s := &releaseServer{root: t.TempDir(), hits: map[string]int{}}
	fs := http.FileServer(http.Dir(s.root))
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		fs.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *releaseServer) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *releaseServer) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.hits {
		n += c
	}
	return n
}

// publishBroken publishes two releases an installer must refuse: v9.9.8,
// whose archive changed after its checksum was published, and v9.9.7,
// whose checksums.txt lacks this platform's archive.
func (s *releaseServer) publishBroken(t *testing.T) {
	t.Helper()
	_, _, asset := hostRunner(t)
	dir := s.publish(t, "v9.9.8")
	b := testkit.ReadFile(t, filepath.Join(dir, asset))
	b[len(b)/2] ^= 1
	if err := os.WriteFile(filepath.Join(dir, asset), b, 0o644); err != nil {
		t.Fatal(err)
	}
	dir = s.publish(t, "v9.9.7")
	if err := os.WriteFile(filepath.Join(dir, "checksums.txt"), []byte(strings.Repeat("0", 64)+"  scangate-plan9-amd64.tar.gz\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// publish copies the built release to the server as tag.
func (s *releaseServer) publish(t *testing.T, tag string) string {
	t.Helper()
	src := releaseBuild(t)
	dst := filepath.Join(s.root, filepath.FromSlash(tag))
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err == nil {
			err = os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// actionEnv is the environment of a run step: this process's, without
// anything of the runner's or scangate's, plus env.
func actionEnv(env map[string]string) []string {
	return testkit.Env(env, "GITHUB_", "RUNNER_", "SCANGATE_", "INPUT_")
}

// readOutputs reads a $GITHUB_OUTPUT file of name=value lines.
func readOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}
	} else if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			out[k] = v
		}
	}
	return out
}

type installResult struct {
	err     error
	log     string
	outputs map[string]string
}

// runInstall runs the installer with the runner's variables for this
// machine, toolCache as its tool cache, and env on top.
func runInstall(t *testing.T, srv *releaseServer, toolCache string, env map[string]string) installResult {
	t.Helper()
	osName, arch, _ := hostRunner(t)
	dir := t.TempDir()
	base := map[string]string{
		"RUNNER_OS": osName, "RUNNER_ARCH": arch, "RUNNER_TOOL_CACHE": toolCache, "RUNNER_TEMP": dir,
		"GITHUB_OUTPUT": filepath.Join(dir, "output"), "SCANGATE_RELEASE_BASE_URL": srv.URL,
	}
	for k, v := range env {
		base[k] = v
	}
	cmd := exec.Command("bash", "../../../scripts/action-install.sh")
	cmd.Env = actionEnv(base)
	out, err := cmd.CombinedOutput()
	return installResult{err: err, log: string(out), outputs: readOutputs(t, filepath.Join(dir, "output"))}
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b := testkit.ReadFile(t, path)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestActionInstallRelease: the first job downloads and verifies the
// archive; the second finds it in the tool cache and asks for nothing.
func TestActionInstallRelease(t *testing.T) {
	skipShort(t)
	t.Parallel()
	_, _, asset := hostRunner(t)
	srv := newReleaseServer(t)
	srv.publish(t, testReleaseTag)
	cache := t.TempDir()
	env := map[string]string{"SCANGATE_ACTION_REF": testReleaseTag}

	r := runInstall(t, srv, cache, env)
	if r.err != nil {
		t.Fatalf("cold install: %v\n%s", r.err, r.log)
	}
	want := filepath.Join(cache, "scangate", testReleaseTag, runtime.GOOS+"-"+runtime.GOARCH)
	if r.outputs["dir"] != want || !regexp.MustCompile(`^\d{4}-\d\d-\d\d$`).MatchString(r.outputs["day"]) || !regexp.MustCompile(`^\d{4}-W\d\d$`).MatchString(r.outputs["week"]) {
		t.Fatalf("outputs %v, want dir %s and a day", r.outputs, want)
	}
	if n := srv.count("/" + testReleaseTag + "/" + asset); n != 1 {
		t.Errorf("cold install: %d requests for the archive, want 1", n)
	}
	// The installed programs are the packaged ones, byte for byte, and run.
	// The govulncheck companion sits beside scangate, where it is looked for.
	for _, name := range []string{"scangate", "scangate-govulncheck"} {
		fi, err := os.Stat(filepath.Join(want, name))
		if err != nil || fi.Mode()&0o111 == 0 {
			t.Fatalf("installed %s: %v", name, err)
		}
		if got, packaged := sha256File(t, filepath.Join(want, name)), sha256File(t, filepath.Join(builtDir(t), name)); got != packaged {
			t.Errorf("installed %s has sha256 %s, the release's has %s", name, got, packaged)
		}
	}
	out, err := exec.Command(filepath.Join(want, "scangate"), "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "scangate ") {
		t.Errorf("installed scangate version: %v\n%s", err, out)
	}

	before := srv.total()
	r = runInstall(t, srv, cache, env)
	if r.err != nil {
		t.Fatalf("warm install: %v\n%s", r.err, r.log)
	}
	if r.outputs["dir"] != want || !strings.Contains(r.log, "from the tool cache") {
		t.Errorf("warm install: outputs %v\n%s", r.outputs, r.log)
	}
	if n := srv.total() - before; n != 0 {
		t.Errorf("warm install of a fixed release made %d requests, want none", n)
	}

	// A program changed in the tool cache since its install (a persistent
	// runner keeps the cache between jobs) is not run: the entry is
	// installed again from the verified archive, with a warning.
	marker := filepath.Join(t.TempDir(), "ran")
	for _, name := range []string{"scangate", "scangate-govulncheck"} {
		if err := os.WriteFile(filepath.Join(want, name), []byte("#!/bin/sh\ntouch "+marker+"\necho scangate v9.9.9\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		gets := srv.count("/" + testReleaseTag + "/" + asset)
		r = runInstall(t, srv, cache, env)
		if r.err != nil || r.outputs["dir"] != want {
			t.Fatalf("%s changed: %v, outputs %v\n%s", name, r.err, r.outputs, r.log)
		}
		if !strings.Contains(r.log, "::warning title=scangate install::"+want+" does not match the checksums recorded when it was installed (changed since): installing "+testReleaseTag+" again") {
			t.Errorf("%s changed: no warning\n%s", name, r.log)
		}
		if n := srv.count("/"+testReleaseTag+"/"+asset) - gets; n != 1 {
			t.Errorf("%s changed: %d downloads of the archive, want 1", name, n)
		}
		if got, packaged := sha256File(t, filepath.Join(want, name)), sha256File(t, filepath.Join(builtDir(t), name)); got != packaged {
			t.Errorf("%s changed: reinstalled with sha256 %s, the release's is %s", name, got, packaged)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the changed program in the tool cache ran")
	}

	// The version input wins over the ref (a commit pin names its release).
	r = runInstall(t, srv, cache, map[string]string{"SCANGATE_ACTION_REF": "0123456789abcdef0123456789abcdef01234567", "SCANGATE_VERSION": testReleaseTag})
	if r.err != nil || r.outputs["dir"] != want {
		t.Errorf("version input: %v, outputs %v\n%s", r.err, r.outputs, r.log)
	}
}

// TestActionInstallMovingTag: a major tag (v9) moves with each release, so
// a cached copy is checked against its current checksums.txt: the same
// archive is not downloaded again, a new one is.
func TestActionInstallMovingTag(t *testing.T) {
	skipShort(t)
	t.Parallel()
	_, _, asset := hostRunner(t)
	srv := newReleaseServer(t)
	dir := srv.publish(t, "v9")
	cache := t.TempDir()
	env := map[string]string{"SCANGATE_ACTION_REF": "v9"}
	path := "/v9/" + asset

	for i, wantGets := range []int{1, 1} {
		if r := runInstall(t, srv, cache, env); r.err != nil {
			t.Fatalf("install %d: %v\n%s", i, r.err, r.log)
		}
		if n := srv.count(path); n != wantGets {
			t.Errorf("install %d: %d requests for the archive, want %d", i, n, wantGets)
		}
	}
	if n := srv.count("/v9/checksums.txt"); n != 2 {
		t.Errorf("%d requests for checksums.txt, want 2", n)
	}

	// The next release: the same programs in a different archive (another
	// gzip header time: the compressed data and its CRC are unchanged, the
	// archive's sha256 is not).
	b := testkit.ReadFile(t, filepath.Join(dir, asset))
	b[4]++ // MTIME, little-endian, after ID1 ID2 CM FLG
	if err := os.WriteFile(filepath.Join(dir, asset), b, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256File(t, filepath.Join(dir, asset))
	if err := os.WriteFile(filepath.Join(dir, "checksums.txt"), []byte(sum+"  "+asset+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runInstall(t, srv, cache, env)
	if r.err != nil {
		t.Fatalf("install after the release: %v\n%s", r.err, r.log)
	}
	if n := srv.count(path); n != 2 {
		t.Errorf("after a new release: %d requests for the archive, want 2", n)
	}
	if got, _ := os.ReadFile(filepath.Join(r.outputs["dir"], ".sha256")); strings.TrimSpace(string(got)) != sum {
		t.Errorf("tool cache holds %q, want the new release's %s", got, sum)
	}
}

// TestActionInstallRefuses: what the installer must not install, each
// with an error that says what to do, and nothing left in the tool cache.
func TestActionInstallRefuses(t *testing.T) {
	skipShort(t)
	t.Parallel()
	osName, _, asset := hostRunner(t)
	srv := newReleaseServer(t)
	srv.publishBroken(t)

	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    string
		offline bool // refused before any request
	}{
		{"tampered archive", map[string]string{"SCANGATE_ACTION_REF": "v9.9.8"},
			"checksum mismatch for " + asset + " of v9.9.8: checksums.txt says ", false},
		{"archive not in checksums.txt", map[string]string{"SCANGATE_ACTION_REF": "v9.9.7"},
			"checksums.txt of v9.9.7 has no sha256 for " + asset, false},
		{"no such release", map[string]string{"SCANGATE_ACTION_REF": "v0.0.1"},
			"cannot download " + srv.URL + "/v0.0.1/checksums.txt", false},
		{"unknown arch", map[string]string{"SCANGATE_ACTION_REF": testReleaseTag, "RUNNER_ARCH": "ARM"},
			"no scangate release build for " + osName + "/ARM (releases cover", true},
		{"windows", map[string]string{"SCANGATE_ACTION_REF": testReleaseTag, "RUNNER_OS": "Windows", "RUNNER_ARCH": "X64"},
			"no scangate release build for Windows/X64 (releases cover Linux and macOS on X64 and ARM64); set install: source", true},
		{"a branch, release only", map[string]string{"SCANGATE_ACTION_REF": "main", "SCANGATE_INSTALL": "release"},
			`the action ref "main" is not a release tag: set input version`, true},
		{"a version that is not a tag", map[string]string{"SCANGATE_VERSION": "v1; touch pwned"},
			`input version: "v1; touch pwned" is not a release tag`, true},
		{"a version with a path", map[string]string{"SCANGATE_VERSION": "v1.2.3/../../x"},
			`input version: "v1.2.3/../../x" is not a release tag`, true},
		{"unknown install mode", map[string]string{"SCANGATE_ACTION_REF": testReleaseTag, "SCANGATE_INSTALL": "docker"},
			`input install: "docker" is not auto, release or source`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cache := t.TempDir()
			before := srv.total()
			r := runInstall(t, srv, cache, tc.env)
			if r.err == nil || !strings.Contains(r.log, tc.want) || !strings.Contains(r.log, "::error title=scangate install::") {
				t.Errorf("err %v, want a failure with %q:\n%s", r.err, tc.want, r.log)
			}
			if r.outputs["dir"] != "" {
				t.Errorf("a failed install set dir=%s", r.outputs["dir"])
			}
			var left []string
			filepath.WalkDir(cache, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					left = append(left, p)
				}
				return nil
			})
			if len(left) > 0 {
				t.Errorf("left in the tool cache: %v", left)
			}
			if tc.offline {
				if n := srv.total() - before; n != 0 {
					t.Errorf("%d requests before refusing", n)
				}
			}
		})
	}
	if _, err := os.Stat("pwned"); err == nil {
		t.Error("the version input ran as shell code")
	}
}

// TestActionInstallSource: a ref that is not a release (a branch, a fork)
// is built from the action's own checkout, with a warning saying how to
// get the download instead.
//
// The installer's go build runs through a go on PATH that records the
// command and runs it: its flags are the image's, which builtDir built
// already, so it links only.
func TestActionInstallSource(t *testing.T) {
	skipShort(t)
	t.Parallel()
	realGo, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go on PATH")
	}
	builtDir(t) // the image's build: the installer's reuses its packages
	shim, log := t.TempDir(), filepath.Join(t.TempDir(), "go.log")
	script := `#!/bin/bash
printf '%s\n' "CGO_ENABLED=${CGO_ENABLED-} GOWORK=${GOWORK-} go $*" >>'` + log + `'
exec '` + realGo + `' "$@"
`
	testkit.Script(t, filepath.Join(shim, "go"), script)
	srv := newReleaseServer(t)
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	r := runInstall(t, srv, t.TempDir(), map[string]string{"SCANGATE_ACTION_REF": "main", "GITHUB_ACTION_PATH": root,
		"PATH": shim + string(filepath.ListSeparator) + os.Getenv("PATH")})
	if r.err != nil {
		t.Fatalf("%v\n%s", r.err, r.log)
	}
	// The installer asked for the release build's flags.
	calls, _ := os.ReadFile(log)
	want := `CGO_ENABLED=0 GOWORK=off go build -trimpath -ldflags=-s -w -X main.version=main -o ` + r.outputs["dir"] + `/ ./cmd/scangate ./cmd/scangate-govulncheck`
	if !strings.Contains(string(calls), want+"\n") {
		t.Errorf("the installer's go commands:\n%s\nwant\n%s", calls, want)
	}
	if !strings.Contains(r.log, `::warning title=scangate install::the action ref "main" is not a release tag, so scangate is built from source`) {
		t.Errorf("no warning:\n%s", r.log)
	}
	if srv.total() != 0 {
		t.Error("a source build downloaded from the release server")
	}
	for _, name := range []string{"scangate", "scangate-govulncheck"} {
		if _, err := os.Stat(filepath.Join(r.outputs["dir"], name)); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(r.log, "scangate main (") {
		t.Errorf("the build is not stamped with the ref:\n%s", r.log)
	}
}

// expression is one ${{ }} of action.yml; only context paths are
// evaluated here (a.b or a.b.c), which keeps the expressions simple.
var expression = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// runComposite runs action.yml's run steps that have no condition (the
// install and the scan; the others are actions/cache and the database
// update), as the runner runs a bash step, with inputs over the defaults.
// It returns the action's outputs, the scan step's error and the log.
func runComposite(t *testing.T, srv *releaseServer, ws string, inputs map[string]string) (map[string]string, error, string) {
	t.Helper()
	osName, arch, _ := hostRunner(t)
	var a struct {
		Inputs  map[string]struct{ Default string }
		Outputs map[string]struct{ Value string }
		Runs    struct {
			Steps []struct {
				ID, If, Run      string
				WorkingDirectory string `yaml:"working-directory"`
				Env              map[string]string
			}
		}
	}
	b, err := os.ReadFile("../../../action.yml")
	if err == nil {
		err = yaml.Unmarshal(b, &a)
	}
	if err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	ctx := map[string]string{
		"github.server_url": srv.URL, "github.action_repository": "scangate/scangate", "github.action_ref": testReleaseTag,
		"github.workspace": ws, "runner.os": osName, "runner.arch": arch, "runner.temp": filepath.Join(tmp, "temp"),
	}
	for name, in := range a.Inputs {
		ctx["inputs."+name] = in.Default
	}
	for k, v := range inputs {
		ctx["inputs."+k] = v
	}
	eval := func(s string) string {
		return expression.ReplaceAllStringFunc(s, func(m string) string {
			p := expression.FindStringSubmatch(m)[1]
			v, ok := ctx[p]
			if !ok && !regexp.MustCompile(`^steps\.[\w-]+\.outputs\.[\w-]+$`).MatchString(p) {
				t.Fatalf("action.yml: expression %s is not a context value this test knows", m)
			}
			return v
		})
	}
	var log strings.Builder
	var scanErr error
	for i, s := range a.Runs.Steps {
		if s.Run == "" || s.If != "" {
			continue
		}
		output := filepath.Join(tmp, fmt.Sprintf("output-%d", i))
		env := map[string]string{
			"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": ws, "GITHUB_ACTION_PATH": root, "GITHUB_OUTPUT": output,
			"GITHUB_STEP_SUMMARY": filepath.Join(tmp, "summary.md"),
			"RUNNER_OS":           osName, "RUNNER_ARCH": arch, "RUNNER_TEMP": ctx["runner.temp"],
			"RUNNER_TOOL_CACHE": filepath.Join(tmp, "toolcache"),
		}
		for k, v := range s.Env {
			env[k] = eval(v)
		}
		script := filepath.Join(tmp, fmt.Sprintf("step-%d.sh", i))
		if err := os.WriteFile(script, []byte(s.Run), 0o644); err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(ctx["runner.temp"], 0o755)
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir = ws
		if s.WorkingDirectory != "" {
			cmd.Dir = eval(s.WorkingDirectory)
		}
		cmd.Env = actionEnv(env)
		out, err := cmd.CombinedOutput()
		log.Write(out)
		for k, v := range readOutputs(t, output) {
			ctx["steps."+s.ID+".outputs."+k] = v
		}
		if s.ID == "scan" {
			scanErr = err
		} else if err != nil {
			t.Fatalf("step %s: %v\n%s", s.ID, err, out)
		}
	}
	outs := map[string]string{}
	for name, o := range a.Outputs {
		outs[name] = eval(o.Value)
	}
	return outs, scanErr, log.String()
}

// TestActionCompositeRuns runs the action's steps on an empty workspace:
// the release is installed, the inputs reach the scan, and the scan step's
// outputs are the action's.
func TestActionCompositeRuns(t *testing.T) {
	skipShort(t)
	t.Parallel()
	srv := newReleaseServer(t)
	srv.publish(t, "scangate/scangate/releases/download/"+testReleaseTag)
	t.Run("inputs reach the scan", func(t *testing.T) {
		ws := t.TempDir()
		outs, err, log := runComposite(t, srv, ws, map[string]string{"fail-on": "critical", "sarif-file": "report.sarif"})
		if err != nil {
			t.Fatalf("scan step: %v\n%s", err, log)
		}
		if !strings.Contains(log, "scangate scan --fail-on critical --sarif report.sarif -- .") {
			t.Errorf("the scan's command line is not the inputs':\n%s", log)
		}
		if outs["verdict"] != "pass" || outs["sarif-file"] != "report.sarif" {
			t.Errorf("outputs %v", outs)
		}
		if _, err := os.Stat(filepath.Join(ws, "report.sarif")); err != nil {
			t.Error(err)
		}
	})
	t.Run("inputs are not shell code", func(t *testing.T) {
		ws := t.TempDir()
		_, err, log := runComposite(t, srv, ws, map[string]string{
			"scanners": `gosec$(touch pwned1)`, "args": "`touch pwned2`", "path": `."; touch pwned3; "`,
		})
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitUsage {
			t.Errorf("scan step: %v, want exit %d\n%s", err, exitUsage, log)
		}
		for _, f := range []string{"pwned1", "pwned2", "pwned3"} {
			if _, err := os.Stat(filepath.Join(ws, f)); err == nil {
				t.Errorf("an input ran as shell code: %s exists", f)
			}
		}
	})
}
