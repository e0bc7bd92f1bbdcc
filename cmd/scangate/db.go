package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/scangate/scangate/vulndb"
)

const dbExitHelp = `
Exit status: 0 done, 1 failed (a bad advisory with --strict, a missing or
corrupt database, a download error, a partial update), 2 usage error.`

func newDBCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Build, check and update the local vulnerability database",
		Long: `The local vulnerability database is what govulncheck and osv-scanner read when
scangate scan runs with --offline. One directory holds both layouts:

  DIR/govulncheck/             govulncheck's file:// layout (index/, ID/<ID>.json)
  DIR/osv-scanner/             osv-scanner's, one osv-scalibr/<Ecosystem>/all.zip each
  DIR/scangate-db.json         what was imported, from where and when

DIR is --db, by default the user cache directory (for example
~/.cache/scangate/db). A scan given a directory or zip of raw OSV advisories
with --db imports it on the fly into a temporary database instead.`,
		Example: `  # Build the database from public exports copied to an air-gapped machine.
  scangate db import vulndb/data/osv advisory-database/vulns PyPI-all.zip
  scangate db status

  # Refresh it from osv.dev and vuln.go.dev (needs network).
  scangate db update`,
	}
	cmd.AddCommand(newDBImportCmd(), newDBStatusCmd(), newDBUpdateCmd())
	return cmd
}

// dbDir is --db, or the default database directory.
func dbDir(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	return vulndb.DefaultDir()
}

func dbFailed(err error) error { return &exitError{code: exitFail, err: err} }

func newDBImportCmd() *cobra.Command {
	var (
		db     string
		strict bool
	)
	cmd := &cobra.Command{
		Use:   "import SRC [SRC...]",
		Short: "Build the database from public advisory exports or your own OSV advisories",
		Long: `Import every SRC into the database at --db, replacing what was there in one
step. A SRC is a directory (searched recursively) or a .zip of advisories in
OSV JSON (<ID>.json) or YAML (<ID>.yaml), which takes the public databases as
published:

  osv.dev's per-ecosystem exports     <Ecosystem>/all.zip, unzipped or not
  golang/vulndb                        data/osv
  pypa/advisory-database               vulns (YAML)
  github/advisory-database             advisories (nested folders)

Several sources are merged; of several advisories with one ID, the one
modified last wins (the source named first on a tie). Withdrawn advisories
are counted and kept out of matching, as govulncheck and osv-scanner ignore
them. An advisory that names no package with ranges or versions can match
nothing: it is counted and listed, not an error.

Every file is checked against the OSV schema as osv-scanner reads it (a
field outside the schema, a missing id or modified time, an unknown
ecosystem, an id that differs from the file name, bad JSON or YAML):
osv-scanner itself would skip such an advisory without a word. A file that
does not check is reported with the problem, skipped and counted. With
--strict, for databases you curate yourself, any such file, or a live
advisory that can match nothing, or an ID twice in one source, fails the
whole import and the database is left as it was.

GO- advisories also go into govulncheck's layout; every live advisory goes
into the zip of each ecosystem it affects. The age of each ecosystem's data
(see db status) is that of the newest advisory in the sources it came from.` + dbExitHelp,
		Example: `  # Air-gapped: copy the public databases over, then import them together.
  scangate db import vulndb/data/osv advisory-database/vulns PyPI-all.zip npm-all.zip

  # Your own curated advisories, all or nothing.
  scangate db import --strict --db /srv/scangate-db advisories/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := dbDir(db)
			if err != nil {
				return dbFailed(err)
			}
			start := time.Now()
			st, err := vulndb.ImportSources(args, dir, vulndb.ImportOptions{Strict: strict})
			if err != nil {
				return dbFailed(err)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "imported into %s in %s: %s\n", dir, time.Since(start).Round(time.Millisecond), importSummary(st))
			printProblems(cmd.ErrOrStderr(), st)
			printStats(out, st, time.Now(), 0)
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "database directory (default: the user cache dir, e.g. ~/.cache/scangate/db)")
	cmd.Flags().BoolVar(&strict, "strict", false, "fail the whole import on any bad or unmatchable advisory (curated databases)")
	return cmd
}

// importSummary is the one line that says what an import or update holds:
// advisories per ecosystem, withdrawn, unmatchable, skipped.
func importSummary(st *vulndb.Stats) string {
	var ecos []string
	for _, e := range st.Ecosystems {
		ecos = append(ecos, fmt.Sprintf("%s %d", e.Name, e.Entries))
	}
	return fmt.Sprintf("%d advisories (%s; govulncheck %d), %d withdrawn, %d unmatchable, %d skipped",
		st.Entries, strings.Join(ecos, ", "), st.Govulncheck.Entries, st.Withdrawn, st.Unmatchable, st.Skipped)
}

// printProblems lists the skipped files and the unmatchable advisories.
func printProblems(w io.Writer, st *vulndb.Stats) {
	for _, r := range st.Rejected {
		fmt.Fprintf(w, "skipped: %s\n", r.Error)
	}
	if st.Unmatchable > 0 {
		more := ""
		if st.Unmatchable > len(st.UnmatchableIDs) {
			more = fmt.Sprintf(" and %d more", st.Unmatchable-len(st.UnmatchableIDs))
		}
		fmt.Fprintf(w, "warning: %d advisories name no package with ranges or versions and can match nothing: %s%s\n",
			st.Unmatchable, strings.Join(st.UnmatchableIDs, ", "), more)
	}
}

func newDBStatusCmd() *cobra.Command {
	var (
		db     string
		maxAge time.Duration
	)
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show what the database holds and how old it is",
		Long: `Check the database at --db (every file against the checksums recorded at
import) and show, per ecosystem, the number of advisories, the newest
modification time, the date its data is current as of, and its age; the
counts of withdrawn, unmatchable and skipped advisories; and, after a
partial db update, the sources that failed.

An ecosystem's data is as new as its download (db update; a source that
failed keeps its previous data and date), or, for db import, as the newest
advisory (modified or published) of the exports it came from, since
importing an old export today does not make it new. golang/vulndb's
data/osv records carry no dates: their files' modification time counts.
Ecosystems older than --max-age are marked stale and named in a warning;
offline scans warn about the stale ecosystems they use (db.max-age).

A directory or zip of raw OSV advisories, which scan also takes as --db, is
described as such, with what a scan would read from it.` + dbExitHelp,
		Example: `  scangate db status
  scangate db status --db /srv/scangate-db --max-age 72h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := dbDir(db)
			if err != nil {
				return dbFailed(err)
			}
			st, err := vulndb.Status(dir)
			if err != nil {
				// A directory or zip that scan reads as raw advisories is
				// not corrupt: say what it is and what it holds.
				raw, rerr := vulndb.OpenWith(dir, vulndb.OpenOptions{Logf: func(string, ...any) {}})
				switch {
				case rerr != nil:
					return dbFailed(fmt.Errorf("database %s: %w", dir, rerr)) // why scan refuses it too
				case !raw.Temporary:
					return dbFailed(fmt.Errorf("database %s: %w", dir, err))
				}
				defer raw.Close()
				fmt.Fprintf(cmd.OutOrStdout(), "%s: raw OSV advisories, not an imported database: scan reads them as they are, importing them into a temporary database each time (scangate db import %s --db DIR makes a lasting one); read just now:\n", dir, dir)
				st = raw.Stats
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "database %s\n", dir)
			}
			printStats(cmd.OutOrStdout(), st, time.Now(), maxAge)
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "database directory (default: the user cache dir, e.g. ~/.cache/scangate/db)")
	durationVar(cmd.Flags(), &maxAge, "max-age", vulndb.DefaultMaxAge, "warn when the data is older than this (12h, 7d)")
	return cmd
}

func newDBUpdateCmd() *cobra.Command {
	var (
		db         string
		ecosystems []string
		timeout    time.Duration
		osvURL     string
		goURL      string
	)
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download the public advisories (osv.dev, vuln.go.dev) into the database",
		Long: `Download osv.dev's export of each ecosystem (` + strings.Join(vulndb.DefaultUpdateEcosystems, ", ") + `)
as <osv-url>/<Ecosystem>/all.zip, and the Go vulnerability database (the
source of govulncheck's layout) through its API at <go-url> (index/db.json,
index/modules.json, index/vulns.json, ID/<ID>.json). Every download is
checked (its length, the storage's checksum when it sends one, each entry
against the index) and tried again when it fails; every advisory is checked
as db import does.

The database at --db stays as it was, and usable by scans, until the new
one is complete; it is then replaced in one step. When some sources fail
and others succeed, the others are updated, the failed ones keep the data
they had (db status shows their age), and the command names them and exits
1. When every source fails nothing changes.

The URLs can point at a mirror: --osv-url and --go-url, or the environment
variables SCANGATE_OSV_URL and SCANGATE_GOVULNDB_URL. Needs network; scans
with --offline never download anything. Without network, build the database
with scangate db import.` + dbExitHelp,
		Example: `  scangate db update
  scangate db update --ecosystems Go,PyPI,npm --db /srv/scangate-db
  SCANGATE_OSV_URL=https://mirror.example/osv scangate db update`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := dbDir(db)
			if err != nil {
				return dbFailed(err)
			}
			if osvURL == "" {
				osvURL = os.Getenv("SCANGATE_OSV_URL")
			}
			if goURL == "" {
				goURL = os.Getenv("SCANGATE_GOVULNDB_URL")
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			errw := cmd.ErrOrStderr()
			st, err := vulndb.Update(ctx, dir, vulndb.UpdateOptions{
				Ecosystems:  ecosystems,
				OSVURL:      osvURL,
				GoVulnDBURL: goURL,
				Logf:        func(format string, a ...any) { fmt.Fprintf(errw, format+"\n", a...) },
			})
			if st == nil {
				return dbFailed(err)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "updated %s: %s\n", dir, importSummary(st))
			printStats(out, st, time.Now(), 0)
			if err != nil { // partial: the database was updated, not whole
				return dbFailed(err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "database directory (default: the user cache dir, e.g. ~/.cache/scangate/db)")
	cmd.Flags().StringSliceVar(&ecosystems, "ecosystems", nil, "OSV ecosystems to download (default: those of the lockfiles scangate scans)")
	durationVar(cmd.Flags(), &timeout, "timeout", 30*time.Minute, "give up after this long (30m, 2h, 1d)")
	cmd.Flags().StringVar(&osvURL, "osv-url", "", "base URL of osv.dev's exports (default $SCANGATE_OSV_URL, else "+vulndb.DefaultOSVURL+")")
	cmd.Flags().StringVar(&goURL, "go-url", "", "base URL of the Go vulnerability database (default $SCANGATE_GOVULNDB_URL, else "+vulndb.DefaultGoVulnDBURL+")")
	return cmd
}

func printStats(w io.Writer, st *vulndb.Stats, now time.Time, maxAge time.Duration) {
	verb := "imported"
	if st.Origin == vulndb.OriginUpdate {
		verb = "downloaded"
	}
	fmt.Fprintf(w, "%s %s from %s (format %d)\n", verb, st.Imported.Local().Format("2006-01-02 15:04 MST"), st.Source, st.Format)
	limit := maxAge
	if limit == 0 {
		limit = vulndb.DefaultMaxAge
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ECOSYSTEM\tADVISORIES\tNEWEST MODIFIED\tDATA OF\tAGE")
	for i := range st.Ecosystems {
		e := &st.Ecosystems[i]
		t := st.EcosystemTime(e)
		age, stale := "unknown", ""
		if !t.IsZero() {
			age = vulndb.FormatAge(now.Sub(t))
			if limit > 0 && now.Sub(t) > limit {
				stale = " (stale)"
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s%s\n", e.Name, e.Entries, day(e.NewestModified), day(t), age, stale)
	}
	tw.Flush()
	fmt.Fprintf(w, "govulncheck: %d GO- advisories on %d modules\n", st.Govulncheck.Entries, st.Govulncheck.Modules)
	if st.Withdrawn+st.Unmatchable+st.Skipped > 0 {
		fmt.Fprintf(w, "left out: %d withdrawn, %d unmatchable, %d files skipped (listed in %s)\n",
			st.Withdrawn, st.Unmatchable, st.Skipped, vulndb.MetaFile)
	}
	if st.Origin == vulndb.OriginUpdate {
		for _, r := range st.Rejected {
			if !strings.HasSuffix(r.File, ".json") && !strings.HasSuffix(r.File, ".yaml") {
				fmt.Fprintf(w, "%s: %s\n", r.File, r.Error)
			}
		}
	}
	if maxAge != 0 {
		if warn := st.StaleWarning(maxAge, now); warn != "" {
			fmt.Fprintf(w, "warning: %s\n", warn)
		}
	}
}

// day prints a date, or "-" for none.
func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}
