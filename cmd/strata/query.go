package main

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/spf13/cobra"

	"github.com/stratadb/strata/client"
	"github.com/stratadb/strata/query/plan"
)

func queryCmd() *cobra.Command {
	q := queryOptions{}
	cmd := &cobra.Command{
		Use:   "query --table T [flags]",
		Short: "Run an aggregation query on a node (an interim command until SQL arrives)",
		Long: `query builds a plan from its flags (scan -> filter -> aggregate or select ->
sort -> limit), runs it on a node and prints the answer, then how it ran.

  --where "amount > 100 AND direction = 'debit' AND ts >= '2026-01-01'"
      conditions joined by AND: column op literal, op one of
      = != <> < <= > >=, literal a number, 'string', true or false;
      or column IS [NOT] NULL.
  --group-by account,direction
  --agg 'count(*)' --agg 'sum(amount)' --agg 'count(distinct account) as accounts'
      count(*), count(col), count(distinct col), sum, min, max, avg;
      output names: count, sum_amount, count_distinct_account (or AS name).
  --order-by 'sum(amount) desc' --order-by account
  --limit 10   --as-of 42 (read the table as of version 42)

Without --agg and --group-by it returns whole rows (--select picks columns).
--format csv and json (one object per line) print the stats line on
standard error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runQuery(cmd.Context(), q, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.Addr, "addr", defaultAddr, "a node's gRPC address")
	f.StringVar(&q.Table, "table", "", "the table to query (required)")
	f.StringVar(&q.Where, "where", "", "filter: conditions joined by AND")
	f.StringSliceVar(&q.Select, "select", nil, "columns to return (without --agg/--group-by)")
	f.StringSliceVar(&q.GroupBy, "group-by", nil, "columns to group by")
	f.StringArrayVar(&q.Aggs, "agg", nil, "an aggregate, e.g. 'sum(amount)' (repeatable)")
	f.StringArrayVar(&q.OrderBy, "order-by", nil, "'column [desc]' (repeatable)")
	f.Int64Var(&q.Limit, "limit", -1, "at most this many rows")
	f.Uint64Var(&q.AsOf, "as-of", 0, "read as of this version (0: latest)")
	f.StringVar(&q.Format, "format", "table", "table, csv or json")
	cmd.MarkFlagRequired("table")
	return cmd
}

// runQuery runs the query the options describe and prints the answer to
// out; stats go to out after a table, else to statsOut.
func runQuery(ctx context.Context, q queryOptions, out, statsOut io.Writer) error {
	format := strings.ToLower(q.Format)
	if format != "table" && format != "csv" && format != "json" {
		return fmt.Errorf("unknown --format %q (want table, csv or json)", q.Format)
	}
	req, err := buildQuery(q)
	if err != nil {
		return err
	}
	c, err := client.Dial(q.Addr, client.Options{})
	if err != nil {
		return err
	}
	defer c.Close()
	start := time.Now()
	res, err := c.Query(ctx, req)
	if err != nil {
		return rpcErr("query", err)
	}
	defer res.Release()
	took := time.Since(start)
	switch format {
	case "csv":
		err = writeCSV(out, res)
	case "json":
		err = writeJSONLines(out, res)
	default:
		printTable(out, res)
		statsOut = out
	}
	if err != nil {
		return err
	}
	printQueryStats(statsOut, res, took)
	return nil
}

// printTable writes the answer aligned, as the demo prints its results.
func printTable(out io.Writer, res *client.Result) {
	printRecords(out, res.Schema, res.Records)
}

func printQueryStats(out io.Writer, res *client.Result, took time.Duration) {
	st := res.Stats
	fmt.Fprintf(out, "(%d rows; version %d; %d chunks scanned, %d pruned; %d rows read by %d workers in %v; %v in all)\n",
		res.NumRows(), st.GetVersion(), st.GetChunksScanned(), st.GetChunksPruned(), st.GetRowsScanned(), st.GetWorkers(),
		time.Duration(st.GetElapsedUs())*time.Microsecond, took.Round(time.Microsecond))
}

// writeCSV writes a header and the rows; NULL is an empty field.
func writeCSV(out io.Writer, res *client.Result) error {
	w := csv.NewWriter(out)
	if err := w.Write(fieldNames(res.Schema)); err != nil {
		return err
	}
	for _, rec := range res.Records {
		for r := 0; r < int(rec.NumRows()); r++ {
			row := make([]string, rec.NumCols())
			for c := range row {
				if !rec.Column(c).IsNull(r) {
					row[c] = formatCell(rec.Column(c), r)
				}
			}
			if err := w.Write(row); err != nil {
				return err
			}
		}
	}
	w.Flush()
	return w.Error()
}

// writeJSONLines writes one object per row, keys in column order:
// numbers, strings, booleans, null; timestamps and dates as text
// (RFC 3339, YYYY-MM-DD), binary as base64.
func writeJSONLines(out io.Writer, res *client.Result) error {
	names := make([][]byte, res.Schema.NumFields())
	for i, f := range res.Schema.Fields() {
		names[i], _ = json.Marshal(f.Name)
	}
	var line []byte
	for _, rec := range res.Records {
		for r := 0; r < int(rec.NumRows()); r++ {
			line = append(line[:0], '{')
			for c := range names {
				if c > 0 {
					line = append(line, ',')
				}
				line = append(append(line, names[c]...), ':')
				line = appendJSONValue(line, rec.Column(c), r)
			}
			line = append(line, '}', '\n')
			if _, err := out.Write(line); err != nil {
				return err
			}
		}
	}
	return nil
}

func appendJSONValue(dst []byte, a arrow.Array, i int) []byte {
	if a.IsNull(i) {
		return append(dst, "null"...)
	}
	switch a := a.(type) {
	case *array.Int64:
		return strconv.AppendInt(dst, a.Value(i), 10)
	case *array.Int32:
		return strconv.AppendInt(dst, int64(a.Value(i)), 10)
	case *array.Float64:
		f := a.Value(i)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return strconv.AppendQuote(dst, strconv.FormatFloat(f, 'g', -1, 64))
		}
		return strconv.AppendFloat(dst, f, 'g', -1, 64)
	case *array.Boolean:
		return strconv.AppendBool(dst, a.Value(i))
	case *array.Timestamp:
		t := a.Value(i).ToTime(a.DataType().(*arrow.TimestampType).Unit).UTC()
		return strconv.AppendQuote(dst, t.Format(time.RFC3339Nano))
	case *array.Date32:
		return strconv.AppendQuote(dst, plan.FormatDate(int64(a.Value(i))))
	case *array.Binary:
		return strconv.AppendQuote(dst, base64.StdEncoding.EncodeToString(a.Value(i)))
	}
	b, err := json.Marshal(client.Value(a, i))
	if err != nil {
		return strconv.AppendQuote(dst, a.ValueStr(i))
	}
	return append(dst, b...)
}
