package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/plan"
)

// printResult writes a result as an aligned table, then how it ran.
func printResult(out io.Writer, res *query.Result) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	names := make([]string, len(res.Schema.Fields()))
	for i, f := range res.Schema.Fields() {
		names[i] = f.Name
	}
	fmt.Fprintln(tw, strings.Join(names, "\t")+"\t")
	for _, rec := range res.Records {
		for r := 0; r < int(rec.NumRows()); r++ {
			cells := make([]string, rec.NumCols())
			for c := range cells {
				cells[c] = formatCell(rec.Column(c), r)
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
		}
	}
	tw.Flush()
	st := res.Stats
	fmt.Fprintf(out, "(%d rows; version %d; %d chunks scanned, %d pruned; %d rows read by %d workers in %v)\n\n",
		res.NumRows(), st.Version, st.ChunksScanned, st.ChunksPruned, st.RowsScanned, st.Workers, st.Elapsed)
}

// formatCell prints a value as psql would.
func formatCell(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "NULL"
	}
	switch a := a.(type) {
	case *array.Timestamp:
		return plan.FormatTimestamp(int64(a.Value(i)))
	case *array.Date32:
		return plan.FormatDate(int64(a.Value(i)))
	case *array.Float64:
		return strconv.FormatFloat(a.Value(i), 'g', -1, 64)
	case *array.Boolean:
		if a.Value(i) {
			return "t"
		}
		return "f"
	}
	return a.ValueStr(i)
}
