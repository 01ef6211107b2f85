package query_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

var metricsDef = storage.TableDef{
	Name: "metrics",
	Columns: []storage.Column{
		{Name: "host", Type: storage.TypeString},
		{Name: "ts", Type: storage.TypeTimestamp},
		{Name: "cpu", Type: storage.TypeFloat64, Nullable: true},
		{Name: "n", Type: storage.TypeInt64},
	},
	PartitionKey: []string{"host"},
	Buckets:      4,
	SortKey:      []string{"ts"},
}

// loadMetrics writes rows host h0..h9, ts i*10s, cpu i%100 (null when i%13
// == 0), n = i, in batches of 1000 at versions 2, 3, ...
func loadMetrics(t *testing.T, mem memory.Allocator, rows int) *storage.Store {
	s := storage.New(storage.Options{Allocator: mem, ChunkRows: 1024})
	require.NoError(t, s.CreateTable(1, metricsDef))
	v := uint64(2)
	for start := 0; start < rows; start += 1000 {
		b := array.NewRecordBuilder(mem, metricsDef.ArrowSchema())
		for i := start; i < min(start+1000, rows); i++ {
			b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("h%d", i%10))
			b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(int64(i) * 10_000_000))
			if i%13 == 0 {
				b.Field(2).AppendNull()
			} else {
				b.Field(2).(*array.Float64Builder).Append(float64(i % 100))
			}
			b.Field(3).(*array.Int64Builder).Append(int64(i))
		}
		rec := b.NewRecordBatch()
		b.Release()
		require.NoError(t, s.Apply(v, []storage.TableBatch{{Table: "metrics", Record: rec}}))
		rec.Release()
		v++
	}
	return s
}

func col(name string) plan.Col { return plan.Col{Name: name} }

func TestEngineSmoke(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) }) // cleanups run last-in first-out
	s := loadMetrics(t, mem, 10000)
	t.Cleanup(s.Close)

	run := func(p plan.Node) *query.Result {
		t.Helper()
		res, err := query.Execute(context.Background(), s, p, query.Options{Allocator: mem})
		require.NoError(t, err)
		t.Cleanup(res.Release)
		return res
	}
	res := run(&plan.Aggregate{
		Input: &plan.Scan{Table: "metrics"},
		Aggs: []plan.NamedAgg{
			{Name: "c", Agg: plan.Agg{Func: plan.AggCountStar}},
			{Name: "s", Agg: plan.Agg{Func: plan.AggSum, Arg: col("n")}},
			{Name: "cc", Agg: plan.Agg{Func: plan.AggCount, Arg: col("cpu")}},
			{Name: "d", Agg: plan.Agg{Func: plan.AggCountDistinct, Arg: col("host")}},
			{Name: "mx", Agg: plan.Agg{Func: plan.AggMax, Arg: col("ts")}},
		},
	})
	require.EqualValues(t, 1, res.NumRows())
	r := res.Records[0]
	require.EqualValues(t, 10000, r.Column(0).(*array.Int64).Value(0))
	require.EqualValues(t, 9999*10000/2, r.Column(1).(*array.Int64).Value(0))
	require.EqualValues(t, 10000-770, r.Column(2).(*array.Int64).Value(0))
	require.EqualValues(t, 10, r.Column(3).(*array.Int64).Value(0))
	require.EqualValues(t, 9999*10_000_000, r.Column(4).(*array.Timestamp).Value(0))

	// Filter on the sort key prunes chunks; group by host, order by host.
	res = run(&plan.Sort{
		Input: &plan.Aggregate{
			Input:   &plan.Filter{Input: &plan.Scan{Table: "metrics"}, Pred: plan.Bin{Op: plan.OpLt, L: col("ts"), R: plan.Lit{Value: plan.String("1970-01-01 00:16:40")}}},
			GroupBy: []plan.Named{{Name: "host", Expr: col("host")}},
			Aggs:    []plan.NamedAgg{{Name: "c", Agg: plan.Agg{Func: plan.AggCountStar}}},
		},
		Keys: []plan.SortKey{{Expr: col("host"), Desc: true}},
	})
	require.EqualValues(t, 10, res.NumRows())
	r = res.Records[0]
	require.Equal(t, "h9", r.Column(0).(*array.String).Value(0))
	require.EqualValues(t, 10, r.Column(1).(*array.Int64).Value(0)) // ts < 1000s: i < 100
	require.Greater(t, res.Stats.ChunksPruned, 0)
	t.Logf("stats: %+v", res.Stats)
}

// Min and max of an integer grouped by a dictionary-encoded string take
// the per-code path; every host's n runs over i ≡ h (mod 10).
func TestMinMaxByDictionaryCode(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	s := loadMetrics(t, mem, 10000)
	t.Cleanup(s.Close)
	res, err := query.Execute(context.Background(), s, &plan.Sort{
		Input: &plan.Aggregate{
			Input:   &plan.Scan{Table: "metrics"},
			GroupBy: []plan.Named{{Name: "host", Expr: col("host")}},
			Aggs: []plan.NamedAgg{
				{Name: "lo", Agg: plan.Agg{Func: plan.AggMin, Arg: col("n")}},
				{Name: "hi", Agg: plan.Agg{Func: plan.AggMax, Arg: col("n")}},
			},
		},
		Keys: []plan.SortKey{{Expr: col("host")}},
	}, query.Options{Allocator: mem})
	require.NoError(t, err)
	t.Cleanup(res.Release)
	require.EqualValues(t, 10, res.NumRows())
	r := res.Records[0]
	for h := 0; h < 10; h++ {
		require.Equal(t, fmt.Sprintf("h%d", h), r.Column(0).(*array.String).Value(h))
		require.EqualValues(t, h, r.Column(1).(*array.Int64).Value(h), "min n of h%d", h)
		require.EqualValues(t, 9990+h, r.Column(2).(*array.Int64).Value(h), "max n of h%d", h)
	}
}
