package main

import (
	"fmt"
	"io"

	"github.com/stratadb/strata/cmd/strata/internal/shell"
	"github.com/stratadb/strata/query"
)

// printResult writes an in-process engine result as a table (the shell's
// printer), then how it ran.
func printResult(out io.Writer, res *query.Result) {
	shell.WriteTable(out, res.Schema, res.Records, shell.PrintOptions{})
	st := res.Stats
	fmt.Fprintf(out, "(%d rows; version %d; %d chunks scanned, %d pruned; %d rows read by %d workers in %v)\n\n",
		res.NumRows(), st.Version, st.ChunksScanned, st.ChunksPruned, st.RowsScanned, st.Workers, st.Elapsed)
}
