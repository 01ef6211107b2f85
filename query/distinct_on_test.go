package query_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/plan"
)

// TestDistinctOnTopPerGroup checks the top-1-per-group path of DISTINCT ON
// over a Sort led by the ON keys against the general path (the same Sort
// behind a no-op Limit, which the top path does not recognise), over
// several morsels, NULL groups and NULL remaining keys, ties, both NULL
// orders and directions, and several worker counts.
func TestDistinctOnTopPerGroup(t *testing.T) {
	s := benchLastPoint(t, 140_000, 997) // three 64Ki-row morsels
	defer s.Close()
	type tc struct {
		on   []plan.Expr
		keys []plan.SortKey
	}
	cases := []tc{
		{on: []plan.Expr{col("host")}, keys: []plan.SortKey{{Expr: col("host")}, {Expr: col("ts"), Desc: true}}},
		{on: []plan.Expr{col("host")}, keys: []plan.SortKey{{Expr: col("host"), Desc: true}}},
		{on: []plan.Expr{col("cpu")}, keys: []plan.SortKey{{Expr: col("cpu"), Nulls: plan.NullsFirst}, {Expr: col("n"), Desc: true}}},
		{on: []plan.Expr{col("cpu")}, keys: []plan.SortKey{{Expr: col("cpu"), Desc: true, Nulls: plan.NullsLast}, {Expr: col("ts")}}},
		{on: []plan.Expr{col("host")}, keys: []plan.SortKey{{Expr: col("host")}, {Expr: col("cpu"), Nulls: plan.NullsFirst}, {Expr: col("ts")}}},
		{on: []plan.Expr{col("host")}, keys: []plan.SortKey{{Expr: col("host")}, {Expr: col("cpu"), Desc: true, Nulls: plan.NullsLast}}},
		{on: []plan.Expr{col("host"), col("cpu")}, keys: []plan.SortKey{{Expr: col("cpu"), Desc: true}, {Expr: col("host")}, {Expr: col("n")}}},
		{on: []plan.Expr{bin(plan.OpMod, col("n"), lit(plan.Int64(7)))}, keys: []plan.SortKey{{Expr: bin(plan.OpMod, col("n"), lit(plan.Int64(7)))}, {Expr: col("cpu")}}},
	}
	run := func(p plan.Node, workers int) string {
		res, err := query.Execute(context.Background(), s, p, query.Options{Parallelism: workers})
		require.NoError(t, err)
		defer res.Release()
		var b strings.Builder
		for _, rec := range res.Records {
			for r := range int(rec.NumRows()) {
				for c := range int(rec.NumCols()) {
					fmt.Fprintf(&b, "%v|", rec.Column(c).ValueStr(r))
				}
				b.WriteByte('\n')
			}
		}
		return b.String()
	}
	// The pass streams over a scan under filters and a projection too: a
	// range on the sort key (ts), a residual filter, columns reordered and
	// a computed one.
	filtered := &plan.Filter{
		Input: &plan.Scan{Table: "metrics"},
		Pred: plan.And(
			bin(plan.OpGe, col("ts"), lit(plan.TimestampMicros(30_000*10_000_000))),
			bin(plan.OpLt, col("ts"), lit(plan.TimestampMicros(120_000*10_000_000))),
			bin(plan.OpNe, bin(plan.OpMod, col("n"), lit(plan.Int64(5))), lit(plan.Int64(0))),
		),
	}
	projected := &plan.Project{Input: filtered, Exprs: []plan.Named{
		{Name: "cpu", Expr: col("cpu")}, {Name: "n", Expr: col("n")}, {Name: "host", Expr: col("host")},
		{Name: "ts", Expr: col("ts")}, {Name: "n2", Expr: bin(plan.OpMul, col("n"), lit(plan.Int64(2)))},
	}}
	for i, c := range cases {
		for j, input := range []plan.Node{&plan.Scan{Table: "metrics"}, filtered, projected} {
			sorted := &plan.Sort{Input: input, Keys: c.keys}
			want := run(&plan.DistinctOn{Input: &plan.Limit{Input: sorted, Count: -1}, On: c.on}, 1)
			require.NotEmpty(t, want)
			for _, w := range []int{1, 2, 5} {
				got := run(&plan.DistinctOn{Input: sorted, On: c.on}, w)
				require.Equal(t, want, got, "case %d, input %d, %d workers", i, j, w)
			}
		}
	}
}
