package osv

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/scangate/scangate/finding"
	"github.com/scangate/scangate/internal/shellout"
	"github.com/scangate/scangate/internal/testkit"
	"github.com/scangate/scangate/vulndb"
)

// The golden files hold what the standalone osv-scanner v2.5.0 binary
// reports on the same inputs and database, trimmed to the fields compared.
// To record them again (after changing the fixtures):
//
//	GOTOOLCHAIN=local GOBIN=/tmp/osvbin go install github.com/google/osv-scanner/v2/cmd/osv-scanner@v2.5.0
//	go test ./scanners/osv -run TestGolden -args -osv-scanner=/tmp/osvbin/osv-scanner
//
// Each golden file's "command" field is the exact command that was run.
var standalone = flag.String("osv-scanner", "", "record the golden files with this osv-scanner v2.5.0 binary")

// goldenRow is one (lockfile, package, advisory group) as osv-scanner's JSON
// output gives it.
type goldenRow struct {
	Source      string   `json:"source"`
	Ecosystem   string   `json:"ecosystem"`
	Name        string   `json:"name"`
	Version     string   `json:"version"`
	IDs         []string `json:"ids"`
	Aliases     []string `json:"aliases"`
	MaxSeverity string   `json:"max_severity"`
}

type golden struct {
	Command string      `json:"command"`
	Version string      `json:"osv_scanner_version"`
	Rows    []goldenRow `json:"rows"`
}

var goldenCases = []struct {
	name      string
	root      string
	db        string
	lockfiles []string // nil: the whole tree, as osv-scanner's walk (-r) finds it
	// The tree's osv-scanner.toml files applied by the standalone binary:
	// scangate must mark (not drop) exactly what they hide.
	repoConfig bool
}{
	{"tree", treeDir, advisoriesDir, []string{"go.mod", "py/requirements.txt", "rb/Gemfile.lock", "web/package-lock.json"}, false},
	// Only the Python part of the example: its Go module and advisories are
	// another adapter's, and change with it.
	{"examples-requirements", examplesProj, examplesDB, []string{"requirements.txt"}, false},
	// Real lockfiles of eight kinds and real advisories (testdata/osv/real/README.md),
	// walked: the partly read pnpm lockfile keeps what it yielded.
	{"real", "../../testdata/osv/real", "../../testdata/osv/real-advisories", nil, false},
	// Probes of osv-scanner.toml ignores (testdata/osv/repoconfig/README.md).
	{"repoconfig", "../../testdata/osv/repoconfig", "../../testdata/osv/real-advisories", nil, true},
}

func TestGolden(t *testing.T) {
	for _, gc := range goldenCases {
		t.Run(gc.name, func(t *testing.T) {
			goldenFile := filepath.Join("../../testdata/osv/golden", gc.name+".json")
			dir := t.TempDir()
			db := filepath.Join(dir, "db")
			if _, err := vulndb.Import(gc.db, db); err != nil {
				t.Fatal(err)
			}
			if *standalone != "" {
				record(t, gc.root, db, gc.lockfiles, gc.repoConfig, goldenFile)
			}
			var want golden
			b := testkit.ReadFile(t, goldenFile)
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatalf("%s: %v", goldenFile, err)
			}

			res, err := scan(t, New(Options{MaxDBAge: -1}), gc.root, db, true)
			if err != nil {
				t.Fatal(err)
			}
			var got []goldenRow
			for _, f := range res.Findings {
				if gc.lockfiles != nil && !slices.Contains(gc.lockfiles, f.Location.Path) ||
					gc.repoConfig && f.Properties["osvScannerIgnore"] != "" {
					continue
				}
				got = append(got, toGolden(f))
			}
			sortGolden(got)
			if !reflect.DeepEqual(got, want.Rows) {
				g, _ := json.MarshalIndent(got, "", "  ")
				w, _ := json.MarshalIndent(want.Rows, "", "  ")
				t.Errorf("scangate's osv-scanner findings differ from the standalone binary's (%s):\ngot  %s\nwant %s", goldenFile, g, w)
			}
		})
	}
}

// toGolden maps a finding back to osv-scanner's terms: the group's IDs
// (representative first), its aliases (IDs and aliases, sorted), and the
// CVSS score as osv-scanner prints it.
func toGolden(f finding.Finding) goldenRow {
	ids := []string{f.RuleID}
	if s := f.Properties["osvIds"]; s != "" {
		ids = strings.Split(s, ",")
	}
	aliases := append([]string{f.RuleID}, f.Aliases...)
	sort.Strings(aliases)
	sev := ""
	if f.Score > 0 {
		sev = strconv.FormatFloat(f.Score, 'f', 1, 64)
	}
	version := f.Package.Version
	if f.Package.Ecosystem == "Go" { // we spell Go versions as Go does, osv-scanner without the v
		version = finding.NormalizeVersion("Go", version)
	}
	return goldenRow{f.Location.Path, f.Package.Ecosystem, f.Package.Name, version, ids, aliases, sev}
}

func sortGolden(rows []goldenRow) {
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.IDs[0] < b.IDs[0]
	})
}

// record runs the standalone binary offline on the lockfiles, with the
// database's osv-scanner layout as --local-db-path (v2.5.0 reads
// <path>/osv-scalibr/<Ecosystem>/all.zip, whatever its docs say), an empty
// config (as scangate, so that a repository's osv-scanner.toml is not
// applied) and call analysis off (as scangate, which leaves it to
// govulncheck).
func record(t *testing.T, root, db string, lockfiles []string, repoConfig bool, goldenFile string) {
	empty := filepath.Join(t.TempDir(), "empty.toml")
	os.WriteFile(empty, nil, 0o644)
	args := []string{"scan", "source", "--offline", "--local-db-path=" + filepath.Join(db, "osv-scanner"),
		"--config=" + empty, "--no-call-analysis=all", "--format=json"}
	if repoConfig {
		args = slices.DeleteFunc(args, func(a string) bool { return a == "--config="+empty })
	}
	for _, l := range lockfiles {
		args = append(args, "-L", l)
	}
	if lockfiles == nil {
		args = append(args, "-r", ".")
	}
	out, err := shellout.Run(context.Background(), shellout.Cmd{Program: *standalone, Args: args, Dir: root})
	if err != nil {
		t.Fatal(err)
	}
	if out.ExitCode > 1 { // 1: vulnerabilities found
		t.Fatalf("%s exited %d: %s", *standalone, out.ExitCode, out.StderrTail(10))
	}
	ver, err := shellout.Run(context.Background(), shellout.Cmd{Program: *standalone, Args: []string{"--version"}})
	if err != nil {
		t.Fatal(err)
	}
	var doc osvResults // the fields the golden keeps are among those the converter is given
	if err := json.Unmarshal(out.Stdout, &doc); err != nil {
		t.Fatalf("osv-scanner output: %v", err)
	}
	abs, _ := filepath.Abs(root)
	g := golden{Version: strings.TrimSpace(strings.SplitN(string(ver.Stdout), "\n", 2)[0])}
	for _, r := range doc.Results {
		src, _ := filepath.Rel(abs, r.Source.Path)
		for _, p := range r.Packages {
			for _, gr := range p.Groups {
				g.Rows = append(g.Rows, goldenRow{filepath.ToSlash(src), p.Package.Ecosystem, p.Package.Name, p.Package.Version,
					gr.IDs, gr.Aliases, gr.MaxSeverity})
			}
		}
	}
	sortGolden(g.Rows)
	rel, _ := filepath.Rel("../..", root)
	cmd := append([]string{"cd " + filepath.ToSlash(rel) + " &&", "osv-scanner"}, args...)
	g.Command = strings.Join(cmd, " ")
	g.Command = strings.ReplaceAll(g.Command, filepath.Join(db, "osv-scanner"), "$DB/osv-scanner")
	g.Command = strings.ReplaceAll(g.Command, empty, "$EMPTY_TOML")
	g.Command += fmt.Sprintf("   # $DB: scangate db import of %s", filepath.ToSlash(mustRel(t, root)))
	if !repoConfig {
		g.Command += "; $EMPTY_TOML: an empty file"
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(g); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(goldenFile, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %s", goldenFile)
}

func mustRel(t *testing.T, root string) string {
	for _, gc := range goldenCases {
		if gc.root == root {
			rel, _ := filepath.Rel("../..", gc.db)
			return rel
		}
	}
	t.Fatal("unknown root")
	return ""
}
