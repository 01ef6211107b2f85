package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/stratadb/strata/client"
	"github.com/stratadb/strata/cmd/strata/internal/shell"
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
Output is printed as by ` + "`strata sql`" + ` (psql's aligned table, NULL empty);
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
	format, err := shell.ParseFormat(q.Format)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
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
	if err := shell.Write(out, format, res.Schema, res.Records, shell.PrintOptions{}); err != nil {
		return err
	}
	if format == shell.FormatTable {
		statsOut = out
	}
	printQueryStats(statsOut, res, took)
	return nil
}

func printQueryStats(out io.Writer, res *client.Result, took time.Duration) {
	st := res.Stats
	fmt.Fprintf(out, "(%d rows; version %d; %d chunks scanned, %d pruned; %d rows read by %d workers in %v; %v in all)\n",
		res.NumRows(), st.GetVersion(), st.GetChunksScanned(), st.GetChunksPruned(), st.GetRowsScanned(), st.GetWorkers(),
		time.Duration(st.GetElapsedUs())*time.Microsecond, took.Round(time.Microsecond))
}
