package reporoot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tree creates dirs and files under a fresh directory: a name ending in
// "/" is a directory, "x -> y" a symbolic link, anything else a file with
// the given content.
func tree(t *testing.T, entries map[string]string) string {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range entries {
		p := filepath.Join(base, filepath.FromSlash(strings.TrimSuffix(name, "/")))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(name, "/"):
			err = os.MkdirAll(p, 0o755)
		case strings.HasPrefix(body, "-> "):
			target := strings.TrimPrefix(body, "-> ")
			if !filepath.IsAbs(target) {
				target = filepath.Join(base, target)
			}
			err = os.Symlink(target, p)
		default:
			err = os.WriteFile(p, []byte(body), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return base
}

func TestFind(t *testing.T) {
	for _, tc := range []struct {
		name       string
		entries    map[string]string
		scan, ws   string // relative to the tree; ws "" is unset
		wantDir    string
		wantPrefix string
	}{
		{name: "subdirectory of a checkout",
			entries: map[string]string{"ws/repo/.git/": "", "ws/repo/services/api/": ""},
			scan:    "ws/repo/services/api", ws: "ws", wantDir: "ws/repo", wantPrefix: "services/api"},
		{name: "the root itself",
			entries: map[string]string{"ws/.git/": ""},
			scan:    "ws", ws: "ws", wantDir: "ws", wantPrefix: ""},
		{name: "no workspace: the walk goes up to the repository",
			entries: map[string]string{"repo/.git/": "", "repo/a/b/c/": ""},
			scan:    "repo/a/b/c", wantDir: "repo", wantPrefix: "a/b/c"},
		{name: "a checkout nested below the workspace wins over one at the workspace",
			entries: map[string]string{"ws/.git/": "", "ws/src/.git/": "", "ws/src/svc/": ""},
			scan:    "ws/src/svc", ws: "ws", wantDir: "ws/src", wantPrefix: "svc"},
		{name: "a worktree or submodule: .git is a file, never read",
			entries: map[string]string{"ws/.git/": "", "ws/mod/.git": "gitdir: /etc\n", "ws/mod/pkg/": ""},
			scan:    "ws/mod/pkg", ws: "ws", wantDir: "ws/mod", wantPrefix: "pkg"},
		{name: ".git file pointing outside the workspace",
			entries: map[string]string{"outside/.git/": "", "ws/repo/.git": "gitdir: ../../outside/.git\n", "ws/repo/x/": ""},
			scan:    "ws/repo/x", ws: "ws", wantDir: "ws/repo", wantPrefix: "x"},
		{name: "a .git symlink is no marker",
			entries: map[string]string{"outside/.git/": "", "ws/.git/": "", "ws/services/.git": "-> outside/.git", "ws/services/api/": ""},
			scan:    "ws/services/api", ws: "ws", wantDir: "ws", wantPrefix: "services/api"},
		{name: "only a .git symlink: the scanned directory is the root",
			entries: map[string]string{"outside/.git/": "", "ws/.git": "-> outside/.git", "ws/svc/": ""},
			scan:    "ws/svc", ws: "ws", wantDir: "ws/svc", wantPrefix: ""},
		{name: "no .git: the scanned directory is the root",
			entries: map[string]string{"ws/svc/": ""},
			scan:    "ws/svc", ws: "ws", wantDir: "ws/svc", wantPrefix: ""},
		{name: "the search stops at the workspace",
			entries: map[string]string{".git/": "", "ws/svc/": ""},
			scan:    "ws/svc", ws: "ws", wantDir: "ws/svc", wantPrefix: ""},
		{name: "scanned directory outside the workspace",
			entries: map[string]string{"ws/.git/": "", "other/.git/": "", "other/sub/": ""},
			scan:    "other/sub", ws: "ws", wantDir: "other/sub", wantPrefix: ""},
		{name: "scanned through a symbolic link that leaves the workspace",
			entries: map[string]string{"ws/.git/": "", "other/.git/": "", "other/sub/": "", "ws/link": "-> other/sub"},
			scan:    "ws/link", ws: "ws", wantDir: "other/sub", wantPrefix: ""},
		{name: "scanned through a symbolic link within the repository",
			entries: map[string]string{"ws/.git/": "", "ws/services/api/": "", "ws/api": "-> ws/services/api"},
			scan:    "ws/api", ws: "ws", wantDir: "ws", wantPrefix: "services/api"},
		{name: "odd directory names are kept as they are",
			entries: map[string]string{"ws/.git/": "", "ws/a b/c%d:e,f/": ""},
			scan:    "ws/a b/c%d:e,f", ws: "ws", wantDir: "ws", wantPrefix: "a b/c%d:e,f"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := tree(t, tc.entries)
			ws := ""
			if tc.ws != "" {
				ws = filepath.Join(base, tc.ws)
			}
			got, err := Find(filepath.Join(base, tc.scan), ws)
			if err != nil {
				t.Fatal(err)
			}
			want := Root{Dir: filepath.Join(base, tc.wantDir), Prefix: tc.wantPrefix}
			if got != want {
				t.Errorf("Find = %+v, want %+v", got, want)
			}
		})
	}
}

func TestFindRelativePath(t *testing.T) {
	base := tree(t, map[string]string{"repo/.git/": "", "repo/services/api/": ""})
	t.Chdir(filepath.Join(base, "repo", "services"))
	got, err := Find("api", "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Prefix != "services/api" || got.Dir != filepath.Join(base, "repo") {
		t.Errorf("Find = %+v", got)
	}
}

func TestFindErrors(t *testing.T) {
	base := tree(t, map[string]string{"ws/.git/": ""})
	missing := filepath.Join(base, "nope")
	if _, err := Find(missing, ""); err == nil || !strings.Contains(err.Error(), "scan path "+missing) {
		t.Errorf("missing scan path: %v", err)
	}
	if _, err := Find(filepath.Join(base, "ws"), missing); err == nil || !strings.Contains(err.Error(), "GITHUB_WORKSPACE "+missing) {
		t.Errorf("missing workspace: %v", err)
	}
}
