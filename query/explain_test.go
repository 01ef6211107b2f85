package query_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// TestExplainMatchesRun checks that EXPLAIN's chunk and partition counts,
// computed without running, are what a run of the same plan reports.
func TestExplainMatchesRun(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	s := loadMetrics(t, mem, 20000)
	t.Cleanup(s.Close)
	str := func(v string) plan.Expr { return plan.Lit{Value: plan.String(v)} }
	scan := &plan.Scan{Table: "metrics"}
	early := plan.Bin{Op: plan.OpLt, L: col("ts"), R: str("1970-01-01 01:00:00")}
	host := plan.Bin{Op: plan.OpEq, L: col("host"), R: str("h3")}
	sumByHost := func(in plan.Node) plan.Node {
		return &plan.Aggregate{Input: in, GroupBy: []plan.Named{{Name: "host", Expr: col("host")}},
			Aggs: []plan.NamedAgg{{Name: "s", Agg: plan.Agg{Func: plan.AggSum, Arg: col("n")}}}}
	}
	plans := map[string]plan.Node{
		"no filter":    sumByHost(scan),
		"by stats":     sumByHost(&plan.Filter{Input: scan, Pred: early}),
		"by key":       sumByHost(&plan.Filter{Input: scan, Pred: host}),
		"both, nested": sumByHost(&plan.Filter{Input: &plan.Filter{Input: scan, Pred: early}, Pred: host}),
		"sort over a projection": &plan.Sort{Input: &plan.Project{Input: &plan.Filter{Input: scan, Pred: plan.And(early, host)},
			Exprs: []plan.Named{{Name: "n", Expr: col("n")}}}, Keys: []plan.SortKey{{Expr: col("n"), Desc: true}}},
		"distinct on":  &plan.DistinctOn{Input: &plan.Filter{Input: scan, Pred: host}, On: []plan.Expr{col("host")}},
		"nothing kept": sumByHost(&plan.Filter{Input: scan, Pred: plan.Bin{Op: plan.OpLt, L: col("n"), R: plan.Lit{Value: plan.Int64(-1)}}}),
		"like prefix":  sumByHost(&plan.Filter{Input: scan, Pred: plan.Like{X: col("host"), Pattern: str("h%")}}),
		"like prunes":  sumByHost(&plan.Filter{Input: scan, Pred: plan.Like{X: col("host"), Pattern: str("x%")}}),
	}
	for name, p := range plans {
		t.Run(name, func(t *testing.T) {
			opts := query.Options{Allocator: mem, Parallelism: 2}
			e, err := query.Explain(context.Background(), s, p, opts)
			require.NoError(t, err)
			res, err := query.Execute(context.Background(), s, p, opts)
			require.NoError(t, err)
			defer res.Release()
			require.Len(t, e.Scans, 1)
			sc := e.Scans[0]
			require.Equal(t, res.Stats.ChunksScanned, sc.ChunksScanned, e.String())
			require.Equal(t, res.Stats.ChunksPruned, sc.ChunksPruned(), e.String())
			require.Equal(t, sc.Chunks, sc.ChunksScanned+sc.ChunksPruned())
			require.Equal(t, res.Stats.Workers, e.Workers)
			require.Equal(t, res.Stats.Version, e.Version)

			ea, res2, err := query.ExplainAnalyze(context.Background(), s, p, opts)
			require.NoError(t, err)
			defer res2.Release()
			require.True(t, ea.Analyzed)
			require.Equal(t, res.NumRows(), ea.Rows)
			require.Equal(t, res.Stats.ChunksPruned, ea.Stats.ChunksPruned)
			require.Equal(t, res.Stats.RowsScanned, ea.Stats.RowsScanned)
			require.Equal(t, e.Scans, ea.Scans)
			t.Logf("\n%s", ea)
		})
	}
}

func TestExplainText(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	s := loadMetrics(t, mem, 20000)
	t.Cleanup(s.Close)
	p := &plan.Aggregate{
		Input: &plan.Filter{Input: &plan.Filter{Input: &plan.Scan{Table: "metrics"},
			Pred: plan.Bin{Op: plan.OpGe, L: col("ts"), R: plan.Lit{Value: plan.String("1970-01-03")}}},
			Pred: plan.Bin{Op: plan.OpEq, L: col("host"), R: plan.Lit{Value: plan.String("h3")}}},
		GroupBy: []plan.Named{{Name: "host", Expr: col("host")}},
		Aggs:    []plan.NamedAgg{{Name: "s", Agg: plan.Agg{Func: plan.AggSum, Arg: col("n")}}},
	}
	e, err := query.Explain(context.Background(), s, p, query.Options{Parallelism: 2})
	require.NoError(t, err)
	lines := e.Lines()
	require.Len(t, lines, 4, e.String())
	require.Equal(t, `Aggregate sum(n) AS s GROUP BY host AS host`, lines[0])
	require.Equal(t, `  -> Filter (host = "h3")`, lines[1])
	require.Equal(t, `    -> Filter (ts >= '1970-01-03 00:00:00')`, lines[2]) // the literal bound as a timestamp
	re := regexp.MustCompile(`^      -> Scan metrics  partitions: 1 of 4  chunks: (\d+) of (\d+) \((\d+) pruned by partition key, (\d+) by stats\)  workers: (\d)$`)
	require.Regexp(t, re, lines[3])
	sc := e.Scans[0]
	require.Equal(t, 1, sc.PartitionsRead)
	require.Positive(t, sc.PrunedByKey)
	require.Positive(t, sc.PrunedByStats)

	// Analyzed: the same lines and a footer.
	ea, res, err := query.ExplainAnalyze(context.Background(), s, p, query.Options{Parallelism: 2, Allocator: mem})
	require.NoError(t, err)
	defer res.Release()
	al := ea.Lines()
	require.Equal(t, lines, al[:4])
	footer := strings.Join(al[4:], "\n")
	for _, want := range []string{"Rows returned: 1", "Chunks: ", "Rows scanned: ", "Workers: ", "Elapsed: "} {
		require.Contains(t, footer, want)
	}
}

func TestExplainWithoutScans(t *testing.T) {
	s := storage.New(storage.Options{})
	t.Cleanup(s.Close)
	v := &plan.Values{Names: []string{"x"}, Rows: [][]plan.Expr{{plan.Lit{Value: plan.Int64(1)}}}}
	e, err := query.Explain(context.Background(), s, &plan.Project{Input: v,
		Exprs: []plan.Named{{Name: "y", Expr: plan.Bin{Op: plan.OpAdd, L: col("x"), R: plan.Lit{Value: plan.Int64(1)}}}}}, query.Options{})
	require.NoError(t, err)
	require.Empty(t, e.Scans)
	require.Equal(t, []string{"Project (x + 1) AS y", "  -> Values 1 rows (x)"}, e.Lines())

	_, err = query.Explain(context.Background(), s, &plan.Scan{Table: "nope"}, query.Options{})
	require.ErrorIs(t, err, storage.ErrNoTable)
}
