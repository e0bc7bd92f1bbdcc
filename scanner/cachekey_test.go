package scanner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"

	"github.com/scangate/scangate/internal/resultcache"
)

func depKey(root string, rels ...string) (string, error) {
	k := (*resultcache.Cache)(nil).Key("test", "requirements")
	KeyDepFiles(k, root, rels...)
	return k.Sum(), k.Err()
}

// Includes are keyed by content, transitively, through symlinks; one that
// leads outside the root makes the key unusable.
func TestKeyDepFilesIncludes(t *testing.T) {
	root := t.TempDir()
	testkit.Write(t, root, "requirements.txt", "-r reqs/base.txt\nrequests==2.25.0\n")
	testkit.Write(t, root, "reqs/base.txt", "--constraint=constraints.in\n")
	testkit.Write(t, root, "reqs/constraints.in", "-c pins.cfg\n")
	testkit.Write(t, root, "reqs/pins.cfg", "jinja2==2.11.2\n")
	last, err := depKey(root, "requirements.txt")
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []func(){
		func() { testkit.Write(t, root, "reqs/pins.cfg", "jinja2==2.11.3\n") },
		func() {
			testkit.Write(t, root, "shared/pins.cfg", "jinja2==3.0.0\n")
			os.Remove(filepath.Join(root, "reqs/pins.cfg"))
			testkit.Symlink(t, "../shared/pins.cfg", filepath.Join(root, "reqs/pins.cfg"))
		},
		func() { testkit.Write(t, root, "shared/pins.cfg", "jinja2==3.0.1\n") },
		func() { os.Remove(filepath.Join(root, "shared/pins.cfg")) },
	} {
		c()
		sum, err := depKey(root, "requirements.txt")
		if err == nil && sum == last {
			t.Errorf("step %d: the key did not change", i)
		}
		last = sum
	}
	outside := t.TempDir()
	testkit.Write(t, outside, "pins.txt", "jinja2==2.11.2\n")
	os.Remove(filepath.Join(root, "reqs/pins.cfg"))
	testkit.Symlink(t, filepath.Join(outside, "pins.txt"), filepath.Join(root, "reqs/pins.cfg"))
	if _, err := depKey(root, "requirements.txt"); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("an include leading outside: error %v", err)
	}
	testkit.Write(t, root, "reqs/constraints.in", "-r ../../x.txt\n")
	if _, err := depKey(root, "requirements.txt"); err == nil || !strings.Contains(err.Error(), "outside the tree") {
		t.Errorf("an include climbing out: error %v", err)
	}
	testkit.Write(t, root, "reqs/constraints.in", "-r ../requirements.txt\n") // a cycle is pip's to report
	if _, err := depKey(root, "requirements.txt"); err != nil {
		t.Errorf("an include cycle: %v", err)
	}
}
