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

// BenchmarkDistinctOnLastPoint is the "last point per device" query over
// 1M rows of metrics with 1000 hosts:
//
//	SELECT DISTINCT ON (host) host, ts, cpu FROM metrics ORDER BY host, ts DESC
//
//	go test ./query -run '^$' -bench DistinctOnLastPoint -count 6
func BenchmarkDistinctOnLastPoint(b *testing.B) {
	const rows, hosts = 1 << 20, 1000
	s := benchLastPoint(b, rows, hosts)
	defer s.Close()
	p := &plan.Project{
		Input: &plan.DistinctOn{
			Input: &plan.Sort{Input: &plan.Scan{Table: "metrics"}, Keys: []plan.SortKey{{Expr: col("host")}, {Expr: col("ts"), Desc: true}}},
			On:    []plan.Expr{col("host")},
		},
		Exprs: []plan.Named{{Name: "host", Expr: col("host")}, {Name: "ts", Expr: col("ts")}, {Name: "cpu", Expr: col("cpu")}},
	}
	b.ReportAllocs()
	for b.Loop() {
		res, err := query.Execute(context.Background(), s, p, query.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if res.NumRows() != hosts {
			b.Fatalf("%d rows, want %d", res.NumRows(), hosts)
		}
		res.Release()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// benchLastPoint loads metricsDef rows over `hosts` hosts in 64K-row batches.
func benchLastPoint(tb testing.TB, rows, hosts int) *storage.Store {
	mem := memory.NewGoAllocator()
	s := storage.New(storage.Options{Allocator: mem})
	if err := s.CreateTable(1, metricsDef); err != nil {
		tb.Fatal(err)
	}
	names := make([]string, hosts)
	for i := range names {
		names[i] = fmt.Sprintf("host-%04d", i)
	}
	v := uint64(2)
	for start := 0; start < rows; start += 1 << 16 {
		bld := array.NewRecordBuilder(mem, metricsDef.ArrowSchema())
		for i := start; i < min(start+1<<16, rows); i++ {
			bld.Field(0).(*array.StringBuilder).Append(names[(i*7919)%hosts])
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
