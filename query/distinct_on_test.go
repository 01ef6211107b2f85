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
	for i, c := range cases {
		sorted := &plan.Sort{Input: &plan.Scan{Table: "metrics"}, Keys: c.keys}
		want := run(&plan.DistinctOn{Input: &plan.Limit{Input: sorted, Count: -1}, On: c.on}, 1)
		require.NotEmpty(t, want)
		for _, w := range []int{1, 2, 5} {
			got := run(&plan.DistinctOn{Input: sorted, On: c.on}, w)
			require.Equal(t, want, got, "case %d, %d workers", i, w)
		}
	}
}
