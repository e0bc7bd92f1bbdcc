package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/scangate/scangate/vulndb"
)

const dbExitHelp = `
Exit status: 0 done, 1 failed (bad advisory, missing or corrupt database,
download error), 2 usage error.`

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
		Example: `  # Build the database from advisories written in OSV format, then check it.
  scangate db import examples/vulndb
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
	var db string
	cmd := &cobra.Command{
		Use:   "import SRC",
		Short: "Build the database from a directory or .zip of OSV advisories",
		Long: `Import SRC, a directory (searched recursively) or a .zip of OSV JSON advisories,
one advisory per file named <ID>.json, into the database at --db, replacing
what was there in one step.

Every advisory is checked against the OSV schema as osv-scanner reads it: a
file that is not JSON, has a field outside the schema, a missing id or
modified time, an unknown ecosystem or an id that differs from its file name
fails the import with the file and the problem named (osv-scanner itself
would skip such an advisory without a word). GO- advisories also go into
govulncheck's layout; every advisory goes into the zip of each ecosystem it
affects.` + dbExitHelp,
		Example: `  scangate db import examples/vulndb
  scangate db import --db /srv/scangate-db advisories.zip`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := dbDir(db)
			if err != nil {
				return dbFailed(err)
			}
			st, err := vulndb.Import(args[0], dir)
			if err != nil {
				return dbFailed(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "imported %d advisories from %s into %s\n", st.Entries, args[0], dir)
			printStats(cmd.OutOrStdout(), st, time.Now(), 0)
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "database directory (default: the user cache dir, e.g. ~/.cache/scangate/db)")
	return cmd
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
import) and show, per ecosystem, the number of advisories and the newest
modification time, with the import time and the age of the data.

The age of a downloaded database is the time since db update; that of an
imported one is the time since its newest advisory was modified, since
importing an old export does not make it new. Above --max-age, status and
offline scans warn.` + dbExitHelp,
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
				return dbFailed(fmt.Errorf("database %s: %w", dir, err))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "database %s\n", dir)
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
	)
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download the public advisories (osv.dev, vuln.go.dev) into the database",
		Long: `Download osv.dev's export of each ecosystem (` + strings.Join(vulndb.DefaultUpdateEcosystems, ", ") + `)
and the Go vulnerability database (vuln.go.dev/vulndb.zip, the source of
govulncheck's layout), check every advisory, and replace the database at
--db in one step. Advisories that do not check are left out and listed by
db status. Needs network; scans with --offline never download anything.` + dbExitHelp,
		Example: `  scangate db update
  scangate db update --ecosystems Go,PyPI,npm --db /srv/scangate-db`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := dbDir(db)
			if err != nil {
				return dbFailed(err)
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			errw := cmd.ErrOrStderr()
			st, err := vulndb.Update(ctx, dir, vulndb.UpdateOptions{
				Ecosystems: ecosystems,
				Logf:       func(format string, a ...any) { fmt.Fprintf(errw, format+"\n", a...) },
			})
			if err != nil {
				return dbFailed(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "updated %s: %d advisories\n", dir, st.Entries)
			printStats(cmd.OutOrStdout(), st, time.Now(), 0)
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", "", "database directory (default: the user cache dir, e.g. ~/.cache/scangate/db)")
	cmd.Flags().StringSliceVar(&ecosystems, "ecosystems", nil, "OSV ecosystems to download (default: those of the lockfiles scangate scans)")
	durationVar(cmd.Flags(), &timeout, "timeout", 30*time.Minute, "give up after this long (30m, 2h, 1d)")
	return cmd
}

func printStats(w io.Writer, st *vulndb.Stats, now time.Time, maxAge time.Duration) {
	verb := "imported"
	if st.Origin == vulndb.OriginUpdate {
		verb = "downloaded"
	}
	fmt.Fprintf(w, "%s %s from %s (format %d)\n", verb, st.Imported.Local().Format("2006-01-02 15:04 MST"), st.Source, st.Format)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ECOSYSTEM\tADVISORIES\tNEWEST MODIFIED")
	for _, e := range st.Ecosystems {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", e.Name, e.Entries, e.NewestModified.UTC().Format("2006-01-02"))
	}
	tw.Flush()
	fmt.Fprintf(w, "govulncheck: %d GO- advisories on %d modules\n", st.Govulncheck.Entries, st.Govulncheck.Modules)
	if len(st.Rejected) > 0 {
		fmt.Fprintf(w, "left out advisories that did not check (listed in %s), first: %s\n", vulndb.MetaFile, st.Rejected[0].Error)
	}
	fmt.Fprintf(w, "data age: %s\n", vulndb.FormatAge(st.Age(now)))
	if maxAge != 0 {
		if warn := st.StaleWarning(maxAge, now); warn != "" {
			fmt.Fprintf(w, "warning: %s\n", warn)
		}
	}
}
