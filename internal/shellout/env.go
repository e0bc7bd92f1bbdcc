package shellout

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/scangate/scangate/internal/intree"
)

// envExact are the variables a child may inherit by exact name: what the go
// command, a pip- or Debian-installed Python tool and TLS need to run where
// the user runs them.
var envExact = map[string]bool{
	"PATH": true, "HOME": true, "USER": true, "LOGNAME": true, "TMPDIR": true,
	"LANG": true, "LANGUAGE": true, "TZ": true,
	"CC": true, "CXX": true, "AR": true,
	"HTTP_PROXY": true, "HTTPS_PROXY": true, "NO_PROXY": true,
	"http_proxy": true, "https_proxy": true, "no_proxy": true,
	"SSL_CERT_FILE": true, "SSL_CERT_DIR": true,
	"XDG_CACHE_HOME": true, "XDG_CONFIG_HOME": true,
	// A Python tool installed in a virtualenv or with pip --user.
	"VIRTUAL_ENV": true, "PYTHONPATH": true, "PYTHONHOME": true, "PYTHONUSERBASE": true,
	"PYTHONNOUSERSITE": true, "PYTHONIOENCODING": true, "PYTHONUTF8": true,
	// Windows: programs do not start without some of these.
	"SYSTEMROOT": true, "SystemRoot": true, "WINDIR": true, "COMSPEC": true, "PATHEXT": true,
	"TEMP": true, "TMP": true, "USERPROFILE": true, "APPDATA": true, "LOCALAPPDATA": true,
}

// envPrefixes are the families a child may inherit: locale and the C
// toolchain settings the go command reads. The go command's own variables
// are matched by isGoVar.
var envPrefixes = []string{"LC_", "CGO_", "PKG_CONFIG"}

// isGoVar matches the go command's variables (GOFLAGS, GOPROXY, GO111MODULE,
// ...): "GO" and letters or digits, never an underscore, so that
// GOOGLE_APPLICATION_CREDENTIALS and the like stay out.
func isGoVar(k string) bool {
	if len(k) <= 2 || !strings.HasPrefix(k, "GO") {
		return false
	}
	for _, r := range k[2:] {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// IsSecretName reports whether an environment variable's name says it holds
// a credential: such a variable never reaches a child, even when allowed by
// name, because a job's token must not meet a tool that reads the scanned
// repository.
func IsSecretName(k string) bool {
	u := strings.ToUpper(k)
	switch {
	case u == "GITHUB_TOKEN", strings.HasPrefix(u, "ACTIONS_"), strings.HasPrefix(u, "AWS_"),
		strings.HasSuffix(u, "_KEY"):
		return true
	}
	for _, s := range []string{"TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL"} {
		if strings.Contains(u, s) {
			return true
		}
	}
	return false
}

func allowedName(k string) bool {
	if IsSecretName(k) {
		return false
	}
	if envExact[k] || isGoVar(k) {
		return true
	}
	if runtime.GOOS == "windows" && envExact[strings.ToUpper(k)] {
		return true
	}
	for _, p := range envPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// Env returns the environment of every child: the allowed variables of the
// current environment (see envExact, isGoVar, envPrefixes) minus any whose
// name looks like a credential (IsSecretName), with PATH and PYTHONPATH cut
// to absolute directories outside root, the scanned tree ("" when there is
// none), so that neither a program nor a Python module can come from it.
// The extra "KEY=value" entries are added last, replacing any of the same
// name; they are the caller's own decisions (GOTOOLCHAIN=local, an API key
// an adapter passes on purpose) and are not filtered.
func Env(root string, extra ...string) []string {
	t := newTree(root)
	var env []string
	for _, e := range os.Environ() {
		k, v, ok := strings.Cut(e, "=")
		if !ok || k == "" || !allowedName(k) {
			continue
		}
		switch k {
		case "PATH", "PYTHONPATH":
			v = t.searchPath(v)
		}
		env = append(env, k+"="+v)
	}
	for _, e := range extra {
		k, _, _ := strings.Cut(e, "=")
		out := env[:0]
		for _, x := range env {
			if xk, _, _ := strings.Cut(x, "="); xk != k {
				out = append(out, x)
			}
		}
		env = append(out, e)
	}
	return env
}

// tree answers whether a path lies inside the scanned root, after
// symbolic links on both sides.
type tree struct{ root string }

func newTree(root string) tree {
	if root == "" {
		return tree{}
	}
	return tree{root: intree.Real(root)}
}

// contains reports whether p, resolved, is root or lies under it.
func (t tree) contains(p string) bool {
	return t.root != "" && intree.Within(t.root, intree.Real(p))
}

// rel names p relative to the tree for messages, never as a machine path.
func (t tree) rel(p string) string { return intree.Rel(t.root, p) }

// InTree reports whether p lies inside root once symbolic links of both are
// resolved; a path that does not exist yet is judged by its longest
// existing ancestor.
func InTree(root, p string) bool { return intree.Contains(root, p) }

// searchPath keeps the absolute entries of a PATH-like list that lie
// outside the tree: a relative entry ("", ".", "bin") would be resolved
// against the child's working directory, which is often the scanned root.
func (t tree) searchPath(list string) string {
	var keep []string
	for _, d := range filepath.SplitList(list) {
		if d == "" || !filepath.IsAbs(d) || t.contains(d) {
			continue
		}
		keep = append(keep, d)
	}
	return strings.Join(keep, string(os.PathListSeparator))
}

// unkeyed are the variables that name only where a child keeps scratch or
// cache files, or where a program is looked up, never what it answers: a
// cache key leaves them out, so that a result cache restored on another
// runner (another TMPDIR, a PATH with other tool directories) still
// serves. The program itself is keyed by its identity instead (the go
// command's version, bandit's executable), and the go command's module
// and build caches are content-addressed.
var unkeyed = map[string]bool{
	"PATH": true, "TMPDIR": true, "TEMP": true, "TMP": true,
	"GOCACHE": true, "GOMODCACHE": true, "GOPATH": true, "XDG_CACHE_HOME": true,
}

// KeyEnv is the part of a child's environment (Env's result) that can
// change its answer: what a result cache key holds.
func KeyEnv(env []string) []string {
	var out []string
	for _, e := range env {
		if k, _, _ := strings.Cut(e, "="); !unkeyed[k] {
			out = append(out, e)
		}
	}
	return out
}
