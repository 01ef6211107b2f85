package query_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// BenchmarkExprs measures the newer expressions over 1M rows of metrics
// (host a dictionary-encoded string of 10 values), each as a filtered
// count so the result is small:
//
//	go test ./query -run '^$' -bench Exprs -count 6 > new.txt; benchstat old.txt new.txt
func BenchmarkExprs(b *testing.B) {
	const rows = 1 << 20
	s := benchMetrics(b, rows)
	defer s.Close()
	str := func(v string) plan.Expr { return lit(plan.String(v)) }
	exprs := map[string]plan.Expr{
		"like-prefix":   like(col("host"), str("h1%"), false, false),
		"ilike-general": like(col("host"), str("H_"), false, true),
		"case": bin(plan.OpGt, plan.Case{Whens: []plan.When{{Cond: bin(plan.OpEq, col("n"), lit(plan.Int64(0))), Then: lit(plan.Int64(0))}},
			Else: bin(plan.OpDiv, lit(plan.Int64(1_000_000)), col("n"))}, lit(plan.Int64(10))),
		"coalesce":         bin(plan.OpGt, plan.Coalesce{Args: []plan.Expr{col("cpu"), lit(plan.Float64(0))}}, lit(plan.Float64(50))),
		"cast-text":        bin(plan.OpEq, plan.Cast{X: col("n"), To: storage.TypeString}, str("77")),
		"ref-eq-fast-path": bin(plan.OpEq, col("host"), str("h1")),
		"ref-arith":        bin(plan.OpEq, bin(plan.OpMod, col("n"), lit(plan.Int64(7))), lit(plan.Int64(0))),
		"date_part":        bin(plan.OpEq, fn("date_part", str("hour"), col("ts")), lit(plan.Float64(3))),
	}
	for name, e := range exprs {
		b.Run(name, func(b *testing.B) {
			p := &plan.Aggregate{Input: &plan.Filter{Input: &plan.Scan{Table: "metrics"}, Pred: e},
				Aggs: []plan.NamedAgg{{Name: "c", Agg: plan.Agg{Func: plan.AggCountStar}}}}
			b.ReportAllocs()
			for b.Loop() {
				res, err := query.Execute(context.Background(), s, p, query.Options{})
				if err != nil {
					b.Fatal(err)
				}
				res.Release()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// benchMetrics loads metricsDef rows as loadMetrics does, in 64K-row batches.
func benchMetrics(tb testing.TB, rows int) *storage.Store {
	mem := memory.NewGoAllocator()
	s := storage.New(storage.Options{Allocator: mem})
	if err := s.CreateTable(1, metricsDef); err != nil {
		tb.Fatal(err)
	}
	v := uint64(2)
	for start := 0; start < rows; start += 1 << 16 {
		bld := array.NewRecordBuilder(mem, metricsDef.ArrowSchema())
		for i := start; i < min(start+1<<16, rows); i++ {
			bld.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("h%d", i%10))
			bld.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(int64(i) * 10_000_000))
			if i%13 == 0 {
				bld.Field(2).AppendNull()
			} else {
				bld.Field(2).(*array.Float64Builder).Append(float64(i % 100))
			}
			bld.Field(3).(*array.Int64Builder).Append(int64(i))
		}
		rec := bld.NewRecordBatch()
		bld.Release()
		if err := s.Apply(v, []storage.TableBatch{{Table: "metrics", Record: rec}}); err != nil {
			tb.Fatal(err)
		}
		rec.Release()
		v++
	}
	return s
}
