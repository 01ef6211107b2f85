package query_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

func sumN() plan.Node {
	return &plan.Aggregate{Input: &plan.Scan{Table: "metrics"},
		Aggs: []plan.NamedAgg{{Name: "s", Agg: plan.Agg{Func: plan.AggSum, Arg: col("n")}}}}
}

func TestCancellationAndDeadline(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	s := loadMetrics(t, mem, 50_000)
	t.Cleanup(s.Close)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := query.Execute(ctx, s, sumN(), query.Options{Allocator: mem})
	require.ErrorIs(t, err, context.Canceled)

	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err = query.Execute(ctx, s, sumN(), query.Options{Allocator: mem})
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// A cancellation arriving while workers run stops them between chunks.
	ctx, cancel = context.WithCancel(context.Background())
	slow := &plan.Aggregate{Input: &plan.Scan{Table: "metrics"},
		GroupBy: []plan.Named{{Name: "n", Expr: col("n")}},
		Aggs:    []plan.NamedAgg{{Name: "c", Agg: plan.Agg{Func: plan.AggCountDistinct, Arg: col("ts")}}}}
	done := make(chan error, 1)
	go func() {
		_, err := query.Execute(ctx, s, slow, query.Options{Allocator: mem, Parallelism: 1})
		done <- err
	}()
	cancel()
	if err := <-done; err != nil {
		require.ErrorIs(t, err, context.Canceled)
	}
}

func TestMemoryLimit(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	s := loadMetrics(t, mem, 20_000)
	t.Cleanup(s.Close)
	// 20000 groups need far more than 64 KiB of group-by state.
	p := &plan.Aggregate{Input: &plan.Scan{Table: "metrics"},
		GroupBy: []plan.Named{{Name: "n", Expr: col("n")}},
		Aggs:    []plan.NamedAgg{{Name: "c", Agg: plan.Agg{Func: plan.AggCountStar}}}}
	_, err := query.Execute(context.Background(), s, p, query.Options{Allocator: mem, MemoryLimit: 64 << 10})
	require.ErrorIs(t, err, query.ErrMemoryLimit)
	require.Contains(t, err.Error(), "aggregation state")

	// Materialised rows count too.
	_, err = query.Execute(context.Background(), s, &plan.Scan{Table: "metrics"}, query.Options{Allocator: mem, MemoryLimit: 64 << 10})
	require.ErrorIs(t, err, query.ErrMemoryLimit)

	res, err := query.Execute(context.Background(), s, p, query.Options{Allocator: mem})
	require.NoError(t, err, "the default limit allows it")
	require.EqualValues(t, 20_000, res.NumRows())
	res.Release()
}

func TestOverflowAndVersions(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	s := storage.New(storage.Options{Allocator: mem})
	t.Cleanup(s.Close)
	def := storage.TableDef{Name: "big", Columns: []storage.Column{{Name: "x", Type: storage.TypeInt64}}}
	require.NoError(t, s.CreateTable(1, def))
	write := func(v uint64, xs ...int64) {
		b := array.NewInt64Builder(mem)
		b.AppendValues(xs, nil)
		arr := b.NewArray()
		b.Release()
		rec := array.NewRecordBatch(def.ArrowSchema(), []arrow.Array{arr}, int64(len(xs)))
		arr.Release()
		require.NoError(t, s.Apply(v, []storage.TableBatch{{Table: "big", Record: rec}}))
		rec.Release()
	}
	write(2, math.MaxInt64, 1)
	write(3, -10)
	sum := &plan.Aggregate{Input: &plan.Scan{Table: "big"},
		Aggs: []plan.NamedAgg{{Name: "s", Agg: plan.Agg{Func: plan.AggSum, Arg: col("x")}}}}

	_, err := query.Execute(context.Background(), s, sum, query.Options{Allocator: mem, Version: 2})
	require.ErrorIs(t, err, query.ErrOverflow, "MaxInt64+1 does not fit")

	res, err := query.Execute(context.Background(), s, sum, query.Options{Allocator: mem})
	require.NoError(t, err, "an intermediate overflow that comes back in range is fine")
	require.EqualValues(t, math.MaxInt64-9, res.Records[0].Column(0).(*array.Int64).Value(0))
	require.EqualValues(t, 3, res.Stats.Version)
	res.Release()

	add := &plan.Project{Input: &plan.Scan{Table: "big"},
		Exprs: []plan.Named{{Name: "y", Expr: plan.Bin{Op: plan.OpAdd, L: col("x"), R: plan.Lit{Value: plan.Int64(1)}}}}}
	_, err = query.Execute(context.Background(), s, add, query.Options{Allocator: mem})
	require.ErrorIs(t, err, query.ErrOverflow)

	div := &plan.Project{Input: &plan.Scan{Table: "big"},
		Exprs: []plan.Named{{Name: "y", Expr: plan.Bin{Op: plan.OpDiv, L: col("x"), R: plan.Lit{Value: plan.Int64(0)}}}}}
	_, err = query.Execute(context.Background(), s, div, query.Options{Allocator: mem})
	require.ErrorIs(t, err, query.ErrDivisionByZero)

	// A row that a filter removes is never evaluated, so it cannot fail.
	safe := &plan.Project{
		Input: &plan.Filter{Input: &plan.Scan{Table: "big"}, Pred: plan.Bin{Op: plan.OpLt, L: col("x"), R: plan.Lit{Value: plan.Int64(0)}}},
		Exprs: []plan.Named{{Name: "y", Expr: plan.Bin{Op: plan.OpAdd, L: col("x"), R: plan.Lit{Value: plan.Int64(1)}}}}}
	res, err = query.Execute(context.Background(), s, safe, query.Options{Allocator: mem})
	require.NoError(t, err)
	require.EqualValues(t, 1, res.NumRows())
	res.Release()

	_, err = query.Execute(context.Background(), s, sum, query.Options{Allocator: mem, Version: 4})
	require.ErrorIs(t, err, storage.ErrFutureVersion)
	_, err = query.Execute(context.Background(), s, &plan.Scan{Table: "nope"}, query.Options{Allocator: mem})
	require.ErrorIs(t, err, storage.ErrNoTable)
	_, err = query.Execute(context.Background(), s, &plan.Project{Input: &plan.Scan{Table: "big"},
		Exprs: []plan.Named{{Name: "z", Expr: col("zz")}}}, query.Options{Allocator: mem})
	require.ErrorIs(t, err, plan.ErrUnknownColumn)
	require.True(t, errors.Is(err, plan.ErrUnknownColumn))
}

// TestSlicedStrings reads strings through record slices (a LIMIT with an
// offset, and a sort-key range inside a sorted chunk), whose offsets do
// not start at zero.
func TestSlicedStrings(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	s := loadMetrics(t, mem, 5000)
	t.Cleanup(s.Close)
	inner := &plan.Limit{Input: &plan.Sort{Input: &plan.Scan{Table: "metrics"}, Keys: []plan.SortKey{{Expr: col("n")}}}, Count: 20, Offset: 1234}
	p := &plan.Project{Input: inner, Exprs: []plan.Named{{Name: "host", Expr: col("host")}, {Name: "n", Expr: col("n")}}}
	res, err := query.Execute(context.Background(), s, p, query.Options{Allocator: mem})
	require.NoError(t, err)
	defer res.Release()
	require.EqualValues(t, 20, res.NumRows())
	r := res.Records[0]
	for i := 0; i < 20; i++ {
		n := r.Column(1).(*array.Int64).Value(i)
		require.EqualValues(t, 1234+i, n)
		require.Equal(t, fmt.Sprintf("h%d", n%10), r.Column(0).(*array.String).Value(i))
	}
	// ts = n*10s and chunks are sorted by ts: a range is a slice of a chunk.
	f := &plan.Project{
		Input: &plan.Filter{Input: &plan.Scan{Table: "metrics"}, Pred: plan.Between{X: col("ts"),
			Lo: plan.Lit{Value: plan.TimestampMicros(2000 * 10_000_000)}, Hi: plan.Lit{Value: plan.TimestampMicros(2100 * 10_000_000)}}},
		Exprs: []plan.Named{{Name: "host", Expr: col("host")}, {Name: "n", Expr: col("n")}}}
	res2, err := query.Execute(context.Background(), s, f, query.Options{Allocator: mem})
	require.NoError(t, err)
	defer res2.Release()
	require.EqualValues(t, 101, res2.NumRows())
	for _, rec := range res2.Records {
		for i := 0; i < int(rec.NumRows()); i++ {
			n := rec.Column(1).(*array.Int64).Value(i)
			require.Equal(t, fmt.Sprintf("h%d", n%10), rec.Column(0).(*array.String).Value(i), "row n=%d", n)
		}
	}
}
