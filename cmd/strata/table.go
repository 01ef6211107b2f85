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
	printRecords(out, res.Schema, res.Records)
	st := res.Stats
	fmt.Fprintf(out, "(%d rows; version %d; %d chunks scanned, %d pruned; %d rows read by %d workers in %v)\n\n",
		res.NumRows(), st.Version, st.ChunksScanned, st.ChunksPruned, st.RowsScanned, st.Workers, st.Elapsed)
}

// printRecords writes records as an aligned table with a header.
func printRecords(out io.Writer, schema *arrow.Schema, recs []arrow.RecordBatch) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(fieldNames(schema), "\t")+"\t")
	for _, rec := range recs {
		for r := 0; r < int(rec.NumRows()); r++ {
			cells := make([]string, rec.NumCols())
			for c := range cells {
				cells[c] = formatCell(rec.Column(c), r)
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
		}
	}
	tw.Flush()
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
