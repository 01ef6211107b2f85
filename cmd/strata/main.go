// Command strata is Strata's one binary: `server` runs a node, `load`
// feeds it files, `sql` is the SQL shell, `query` asks with flags,
// `cluster` shows and changes members, `demo` runs an embedded node with live data and the shell, and
// `version` prints the version. It wires flags to configuration; the work
// is done by the packages it imports.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/stratadb/strata/cmd/strata/internal/shell"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	root := &cobra.Command{
		Use:           "strata",
		Short:         "Strata: an in-memory, columnar, versioned analytics store",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(versionCmd(), demoCmd(), serverCmd(), clusterCmd(), devKafkaCmd(), pipelineCmd(), loadCmd(), sqlCmd(), queryCmd(), benchCmd())
	if err := root.Execute(); err != nil {
		var failed *shell.Failed
		if !errors.As(err, &failed) { // the shell printed its own
			fmt.Fprintln(os.Stderr, "strata:", err)
		}
		os.Exit(1)
	}
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "strata %s\n", version)
		},
	}
}
