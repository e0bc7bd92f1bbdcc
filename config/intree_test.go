package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/scanners/bandit"
	"github.com/scangate/scangate/scanners/safety"
)

// A .scangate.yml inside the scanned tree is written by whoever wrote the
// tree: it may not name programs or the API key's variable, nor paths that
// lead out of the tree, nor write reports into .git. The same file from
// outside the tree (--config) may.
func TestInTreeConfigRefused(t *testing.T) {
	testkit.SkipOnWindows(t, "symlinks")
	base := t.TempDir()
	root := filepath.Join(base, "repo")
	testkit.Mkdir(t, filepath.Join(root, "reports"))
	testkit.Symlink(t, filepath.Join(base, "elsewhere"), filepath.Join(root, "link"))
	const body = `scanners:
  bandit:
    program: ./evil.sh
  safety:
    program: safety
    key-env: GITHUB_TOKEN
    db: ../safety-db
baseline: link/baseline.json
suppressions:
  file: /etc/passwd
db:
  dir: reports/db
outputs:
  sarif: ../../home/runner/.bashrc
  json: ~/report.json
  markdown: .git/hooks/pre-push
`
	testkit.Write(t, root, FileName, body)
	inside := filepath.Join(root, FileName)
	_, err := Load(inside, root)
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("in-tree config: err = %v, want problems", err)
	}
	want := []string{
		":3:14: scanners.bandit.program: a config file inside the scanned repository may not name a program: pass --config FILE from outside the tree",
		":5:14: scanners.safety.program: a config file inside the scanned repository may not name a program",
		":6:14: scanners.safety.key-env: a config file inside the scanned repository may not choose the environment variable sent to safety's server",
		`:7:9: scanners.safety.db: a config file inside the scanned repository may not choose the vulnerability database`,
		`:8:11: baseline: "link/baseline.json" resolves outside the scanned repository`,
		`:10:9: suppressions.file: "/etc/passwd" resolves outside`,
		`:12:8: db.dir: a config file inside the scanned repository may not choose the vulnerability database (one from the tree could leave out any advisory)`,
		`:14:10: outputs.sarif: "../../home/runner/.bashrc" resolves outside`,
		`:15:9: outputs.json: "~/report.json" resolves outside`,
		`:16:13: outputs.markdown: ".git/hooks/pre-push" is inside a .git directory`,
	}
	if len(ce.Problems) != len(want) {
		t.Errorf("got %d problems, want %d:\n%v", len(ce.Problems), len(want), err)
	}
	for i, w := range want {
		if i >= len(ce.Problems) || !strings.Contains(ce.Problems[i].String(), inside+w) {
			t.Errorf("problem %d: want %q in\n%v", i, inside+w, err)
		}
	}

	// Named through a link to the tree, the file is still the tree's.
	testkit.Symlink(t, root, filepath.Join(base, "repo-link"))
	if _, err := Load(filepath.Join(base, "repo-link", FileName), root); !errors.As(err, &ce) {
		t.Errorf("in-tree config named through a link: err = %v", err)
	}

	// The same settings from a file outside the tree are the user's own.
	testkit.Write(t, base, "trusted.yml", body)
	outside := filepath.Join(base, "trusted.yml")
	c, err := Load(outside, root)
	if err != nil {
		t.Fatalf("trusted config: %v", err)
	}
	if c.InTree || Options[bandit.Config](c).Program != "./evil.sh" || Options[safety.Config](c).KeyEnv != "GITHUB_TOKEN" ||
		c.Outputs.Markdown != filepath.Join(root, ".git", "hooks", "pre-push") {
		t.Errorf("trusted config not applied: %+v", c)
	}
}

// Paths inside the tree, and stdout, stay allowed in an in-tree file.
func TestInTreeConfigInsidePaths(t *testing.T) {
	root := t.TempDir()
	testkit.Write(t, root, FileName, "outputs:\n  sarif: out/scangate.sarif\n  json: '-'\nbaseline: .scangate-baseline.json\n")
	c, err := Load(filepath.Join(root, FileName), root)
	if err != nil {
		t.Fatal(err)
	}
	if !c.InTree || c.Outputs.SARIF != filepath.Join(root, "out", "scangate.sarif") || c.Outputs.JSON != "-" {
		t.Errorf("config %+v", c.Outputs)
	}
}
