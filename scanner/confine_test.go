package scanner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
)

func TestConfineDropsRulesKnownOnlyOutside(t *testing.T) {
	root, other := t.TempDir(), t.TempDir()
	for _, f := range []string{filepath.Join(root, "in.py"), filepath.Join(other, "x.py")} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{"out.py": filepath.Join(other, "x.py"), "alias.py": "in.py", "dir": other, "loop": "loop"} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	res := &finding.Result{
		Findings: []finding.Finding{
			{RuleID: "A", Location: finding.Location{Path: "in.py"}},
			{RuleID: "B", Location: finding.Location{Path: "out.py"}},
			{RuleID: "A", Location: finding.Location{Path: "dir/x.py"}},
			{RuleID: "C", Location: finding.Location{Path: "alias.py"}},
			{RuleID: "D", Location: finding.Location{Path: "loop"}},
			{RuleID: "E", Location: finding.Location{Path: "gone.py"}},
			{RuleID: "F"},
		},
		Rules: []finding.Rule{{ID: "A"}, {ID: "B"}, {ID: "C"}, {ID: "D"}, {ID: "E"}, {ID: "F"}},
	}
	// A loop resolves nowhere: no file of the tree can be there.
	res.Tool = "bandit"
	confine(NewPaths(root, ""), res)
	if len(res.Notifications) != 1 || !strings.Contains(res.Notifications[0].Message, "bandit: 3 findings located outside the scanned root") {
		t.Errorf("notifications %+v", res.Notifications)
	}
	var kept, rules []string
	for _, f := range res.Findings {
		kept = append(kept, f.RuleID+":"+f.Location.Path)
	}
	for _, r := range res.Rules {
		rules = append(rules, r.ID)
	}
	if got, want := fmt.Sprint(kept), "[A:in.py C:alias.py E:gone.py F:]"; got != want {
		t.Errorf("kept %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(rules), "[A C E F]"; got != want {
		t.Errorf("rules %s, want %s (B was only outside)", got, want)
	}
}
