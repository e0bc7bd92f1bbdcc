package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/scangate/scangate/model"
)

func newReportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Describe scangate's reports (the JSON report's schema)",
		Args:  cobra.NoArgs, // an unknown subcommand is a usage error, not help
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the JSON report (scangate scan --json)",
		Long: fmt.Sprintf(`Print the JSON Schema (draft 2020-12) of the JSON report that scangate scan
--json FILE writes, as built into this scangate: schemaVersion %d.

The JSON report is a contract for programs (a merge step, a dashboard, a
--baseline of a later scan). Its top-level "schemaVersion" changes only when
a key is renamed or removed or its meaning changes; new keys keep it, so
readers must ignore keys they do not know. Every object of the schema has
additionalProperties: false, so a report from a newer scangate with new keys
validates against that scangate's schema, not necessarily this one.
docs/json.md describes every key.`, model.SchemaVersion),
		Example: `  # Validate a report with any draft 2020-12 validator.
  scangate report schema > scangate-report.schema.json
  scangate scan --json report.json
  check-jsonschema --schemafile scangate-report.schema.json report.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write(model.Schema())
			return err
		},
	})
	return cmd
}
