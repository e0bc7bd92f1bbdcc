package e2e

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanners/govulncheck"
)

// No Docker engine runs where these tests run: they check the Dockerfile's
// structure and run its build stage's go build on the host. What is not
// run: the apt-get and pip steps, and the image itself.

type stage struct {
	from, name string
	lines      []string // instructions after FROM, continuation lines joined
}

func parseDockerfile(t *testing.T) (args map[string]string, stages []stage) {
	t.Helper()
	b := testkit.ReadFile(t, "../../../Dockerfile")
	args = map[string]string{}
	var cur []string
	var logical []string
	for _, l := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(l)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && len(cur) == 0) {
			continue
		}
		if strings.HasSuffix(trimmed, `\`) {
			cur = append(cur, strings.TrimSuffix(trimmed, `\`))
			continue
		}
		cur = append(cur, trimmed)
		logical = append(logical, strings.Join(cur, " "))
		cur = nil
	}
	for _, l := range logical {
		word, rest, _ := strings.Cut(l, " ")
		switch strings.ToUpper(word) {
		case "ARG":
			if len(stages) == 0 {
				k, v, _ := strings.Cut(rest, "=")
				args[k] = v
			}
		case "FROM":
			f := strings.Fields(rest)
			s := stage{from: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.name = f[2]
			}
			if m := regexp.MustCompile(`^\$\{(\w+)\}$`).FindStringSubmatch(s.from); m != nil {
				s.from = args[m[1]]
			}
			stages = append(stages, s)
			continue
		}
		if len(stages) > 0 {
			stages[len(stages)-1].lines = append(stages[len(stages)-1].lines, l)
		}
	}
	return args, stages
}

func TestDockerfile(t *testing.T) {
	_, stages := parseDockerfile(t)
	byName := map[string]stage{}
	for _, s := range stages {
		byName[s.name] = s
		// An earlier stage, or an image pinned by a version tag.
		if _, tag, ok := strings.Cut(s.from, ":"); ok {
			if !regexp.MustCompile(`^\d+(\.\d+)+-`).MatchString(tag) {
				t.Errorf("stage %s: base %s is not pinned to a version", s.name, s.from)
			}
		} else if byName[s.from].name == "" {
			t.Errorf("stage %s: base %s is neither a stage nor a tagged image", s.name, s.from)
		}
	}
	if len(stages) < 3 {
		t.Fatalf("want a multi-stage build, got %d stages", len(stages))
	}
	if b := byName["build"]; !strings.HasPrefix(b.from, "golang:1.26.8-") {
		t.Errorf("build stage uses %q, want the pinned Go 1.26.8", b.from)
	}
	// The last stage, the default target, runs as a Docker action: it must
	// run scangate, as root (GitHub's requirement for Docker actions).
	last := stages[len(stages)-1]
	if last.name != "action" {
		t.Errorf("last stage %q, want action", last.name)
	}
	rt := byName["runtime"]
	for _, l := range last.lines {
		if strings.HasPrefix(strings.ToUpper(l), "USER") {
			t.Errorf("the action stage must not change the user: %s", l)
		}
	}
	joined := strings.Join(rt.lines, "\n")
	testkit.ContainsAll(t, "runtime stage", joined, `ENTRYPOINT ["scangate"]`, "COPY --from=build /out/scangate /out/scangate-govulncheck /usr/local/bin/",
		"COPY --from=build /usr/local/go /usr/local/go", "COPY --from=python /opt/py /opt/py", "GOTOOLCHAIN=local", "safe.directory")
	// Nothing else: the runtime installs python3, git and CA certificates.
	for _, l := range rt.lines {
		if i := strings.Index(l, "apt-get install"); i >= 0 {
			pkgs := strings.Fields(strings.SplitN(l[i:], "&&", 2)[0])[2:]
			pkgs = slices.DeleteFunc(pkgs, func(p string) bool { return strings.HasPrefix(p, "-") })
			if strings.Join(pkgs, " ") != "python3 git ca-certificates" {
				t.Errorf("runtime installs %v", pkgs)
			}
		}
	}
	if n := byName["nonroot"]; !slices.Contains(n.lines, "USER scangate") {
		t.Error("no nonroot target running as the scangate user")
	}
	if _, _, err := dockerBuild(t); err != nil {
		t.Error(err)
	}
}

// dockerBuild returns the build stage's go build as a command line for the
// host: its environment assignments, its arguments with VERSION set and
// the output moved into a temporary directory.
func dockerBuild(t *testing.T) (env, args []string, err error) {
	t.Helper()
	_, stages := parseDockerfile(t)
	for _, s := range stages {
		if s.name != "build" {
			continue
		}
		for _, l := range s.lines {
			if !strings.HasPrefix(l, "RUN ") || !strings.Contains(l, "go build") {
				continue
			}
			words, err := shellWords(strings.TrimPrefix(l, "RUN "))
			if err != nil {
				return nil, nil, err
			}
			i := slices.Index(words, "go")
			env, args = words[:i], words[i+1:]
			for _, e := range env {
				if !strings.Contains(e, "=") {
					t.Fatalf("unexpected word before go: %q", e)
				}
			}
			if !slices.Contains(args, "-trimpath") || !slices.Contains(env, "CGO_ENABLED=0") {
				t.Errorf("the build stage should build a static, reproducible binary: %s", l)
			}
			// Both programs, into one directory: the govulncheck adapter
			// looks for its companion beside scangate.
			if !slices.Contains(args, "./cmd/scangate") || !slices.Contains(args, "./cmd/"+govulncheck.Companion) {
				t.Errorf("the build stage should build scangate and %s: %s", govulncheck.Companion, l)
			}
			return env, args, nil
		}
	}
	t.Fatal("no go build in the build stage")
	return nil, nil, nil
}

// shellWords splits a RUN line into words as the image's shell does,
// with VERSION set.
func shellWords(line string) ([]string, error) {
	cmd := exec.Command("bash", "-c", `printf '%s\0' `+line)
	cmd.Env = append(os.Environ(), "VERSION=dockerfile-check")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("bash: %v: %s", err, line)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00"), nil
}

// scangateBinary builds both programs with the Dockerfile's go build (its
// output directory and link flags), once per test binary, for tests that
// need a real executable. Each test gets its own copy of both programs in
// a temporary directory (tests change what sits beside scangate), and the
// path of its scangate.
func scangateBinary(t *testing.T) string {
	t.Helper()
	src := builtDir(t)
	dir := t.TempDir()
	for _, name := range []string{"scangate", govulncheck.Companion} {
		data := testkit.ReadFile(t, filepath.Join(src, name))
		testkit.Script(t, filepath.Join(dir, name), string(data))
	}
	return filepath.Join(dir, "scangate")
}

// builtDir builds both programs once (see scangateBinary) and returns the
// directory that holds them; tests must not change it.
//
// The build is the image's, flags and all (CGO_ENABLED=0 -trimpath): not
// the race-instrumented test build, since the programs run real scans and
// the race detector would multiply their CPU; scangate's own code is
// race-tested in-process by cmd/scangate's tests. .ci/run builds the same
// flags first (scripts/dockerfile-check.sh), so this build links only.
func builtDir(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		env, args, err := dockerBuild(t)
		if err != nil {
			built.err = err
			return
		}
		i := slices.Index(args, "-o")
		if i < 0 {
			built.err = errors.New("the build stage's go build has no -o")
			return
		}
		if !strings.HasSuffix(args[i+1], "/") {
			built.err = fmt.Errorf("the build stage's go build -o %s: want a directory for both programs", args[i+1])
			return
		}
		dir := filepath.Join(testTmp, "docker-build")
		args[i+1] = dir + string(filepath.Separator)
		cmd := exec.Command("go", args...)
		cmd.Dir = "../../.."
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
			return
		}
		built.dir = dir
	})
	if built.err != nil || built.dir == "" {
		t.Fatalf("building scangate: %v", cmp.Or(built.err, errors.New("failed in an earlier test")))
	}
	return built.dir
}

// built is the Dockerfile build of both programs, shared by the tests.
var built struct {
	once sync.Once
	dir  string
	err  error
}
