package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Sharding reads the tree to list and size its units, and merge reads
// reports from other jobs. A symlink out of the tree adds no unit and no
// byte from outside, and a report naming a file outside the root is
// refused rather than rendered.
func TestHostileShardInputs(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	secret := "package secret\n\nconst Token = \"outside-the-root-3f9c\"\n"
	if err := os.WriteFile(filepath.Join(outside, "go.mod"), []byte("module example.com/secret\n\ngo 1.21\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.go"), []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "requirements.txt"), []byte("jinja2==2.11.2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "lib"), os.DirFS("../../testdata/gosec/multi/lib")); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"linked": outside, "lib/linked.go": filepath.Join(outside, "secret.go"),
		"requirements.txt": filepath.Join(outside, "requirements.txt")} {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	var files []string
	var sizes []string
	for k := 1; k <= 2; k++ {
		f := filepath.Join(out, "s"+string(rune('0'+k))+".json")
		code, _, stderr := runCLI(t, "scan", "-q", "--no-cache", "--shard", string(rune('0'+k))+"/2", "--json", f, root)
		if code != 0 {
			t.Fatalf("shard %d: exit %d\n%s", k, code, stderr)
		}
		files = append(files, f)
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "outside-the-root") || strings.Contains(string(b), outside) || strings.Contains(string(b), "example.com/secret") {
			t.Errorf("shard %d's report holds something from outside the root", k)
		}
		for _, u := range readShard(t, f).Units {
			sizes = append(sizes, u.Kind+" "+u.Path)
			if strings.Contains(u.Path, "linked") {
				t.Errorf("a unit through a symlink: %s %s", u.Kind, u.Path)
			}
		}
	}
	if len(sizes) == 0 {
		t.Fatal("no units at all")
	}

	// A report naming a file outside the root.
	b, err := os.ReadFile(files[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"../../etc/passwd", "/etc/passwd", "lib/../../x.go"} {
		forged := strings.Replace(string(b), `"results": [`, `"results": [{"tool": "gosec", "findings": [{"tool": "gosec", "ruleId": "G101", "severity": "high", "message": "m", "location": {"path": "`+bad+`"}, "fingerprint": "f", "status": "new"}], "state": "completed", "durationMs": 0},`, 1)
		if forged == string(b) {
			t.Fatal("no results in the shard report")
		}
		if err := os.WriteFile(files[1], []byte(forged), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCLI(t, append([]string{"merge", "-q", "--no-cache", "--root", root}, files...)...)
		if code != exitUsage || !strings.Contains(stderr, "outside the scanned root") || !strings.Contains(stderr, "s2.json") {
			t.Errorf("forged path %s: exit %d\n%s", bad, code, stderr)
		}
	}
}
