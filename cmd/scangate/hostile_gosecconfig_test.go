package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/scangate/scangate/internal/testkit"
)

// gosec's settings in the tree's .scangate.yml (scanners.gosec.config) are
// the repository's policy, as exclude and fail-on are: they reach gosec,
// a weakening one (a nosec tag) leaves its suppression visible, and a
// malformed one is a configuration error at its line, never a gosec panic.
func TestHostileInTreeGosecConfig(t *testing.T) {
	const src = `package app

import "crypto/md5"

func Sum(b []byte) [16]byte {
	return md5.Sum(b) // #nosec G401 -- cache key only
}

func Tag(b []byte) [16]byte {
	return md5.Sum(b) // #reviewed G401 -- cache key only
}
`
	scanWith := func(t *testing.T, cfg string) (hostileOutputs, string) {
		t.Helper()
		root := t.TempDir()
		testkit.WriteFiles(t, root, map[string]string{"go.mod": "module example.com/app\n\ngo 1.22\n", "app.go": src,
			".scangate.yml": "fail-on: medium\nscanners:\n  gosec:\n    exclude: [G501]\n    config:\n" + cfg})
		return scanHostile(t, root, "--scanners", "gosec"), root
	}

	// The tag suppresses as #nosec does, and says so in the report.
	o, _ := scanWith(t, "      global:\n        \"#nosec\": \"#reviewed\"\n")
	if o.code != 0 || !strings.Contains(o.sarif, `"#reviewed"`) && !strings.Contains(o.json, "#reviewed") {
		t.Errorf("#nosec tag from the tree: exit %d; the suppression's marker is not in the reports\n%s", o.code, o.stderr)
	}

	// nosec: true from the tree: both findings count, the gate fails.
	o, root := scanWith(t, "      global:\n        nosec: true\n")
	if o.code != exitFail || strings.Count(o.sarif, `"ruleId": "G401"`) != 2 {
		t.Errorf("nosec: true from the tree: exit %d, want %d with two G401 results\n%s", o.code, exitFail, o.stderr)
	}
	code, out, stderr := runCLI(t, "config", "print", root)
	if want := `(?m)^        nosec: true +# ` + regexp.QuoteMeta(filepath.Join(root, ".scangate.yml")) + `:7:16$`; code != 0 || !regexp.MustCompile(want).MatchString(out) {
		t.Errorf("config print: exit %d, want a line matching %s:\n%s%s", code, want, out, stderr)
	}

	// A regular expression gosec would panic on is refused at its line.
	o, root = scanWith(t, "      G101:\n        pattern: \"((\"\n")
	want := filepath.Join(root, ".scangate.yml") + ":7:18: scanners.gosec.config.G101.pattern: invalid regular expression"
	if o.code != exitUsage || !strings.Contains(o.stderr, want) || strings.Contains(o.stderr, "panic") {
		t.Errorf("bad pattern: exit %d, want %d and %q:\n%s", o.code, exitUsage, want, o.stderr)
	}
}
