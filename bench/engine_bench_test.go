package bench

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// engineRows is the size of the table the scan benchmarks read.
const engineRows = 20_000_000

// scanDef is the table of the scan benchmarks: 100 hosts, a reading every
// second, rows sorted by time within each partition.
var scanDef = storage.TableDef{
	Name: "readings",
	Columns: []storage.Column{
		{Name: "ts", Type: storage.TypeTimestamp},
		{Name: "host", Type: storage.TypeString},
		{Name: "value", Type: storage.TypeFloat64},
		{Name: "n", Type: storage.TypeInt64},
	},
	PartitionKey: []string{"host"},
	SortKey:      []string{"ts"},
}

var (
	scanOnce  sync.Once
	scanStore *storage.Store
)

// readings returns the shared 20M-row store, built once per process.
func readings(b *testing.B) *storage.Store {
	scanOnce.Do(func() {
		s := storage.New(storage.Options{})
		if err := s.CreateTable(1, scanDef); err != nil {
			panic(err)
		}
		const batch = 1 << 16
		v := uint64(2)
		for start := 0; start < engineRows; start += batch {
			rec := readingsBatch(start, min(batch, engineRows-start))
			if err := s.Apply(v, []storage.TableBatch{{Table: "readings", Record: rec}}); err != nil {
				panic(err)
			}
			rec.Release()
			v++
		}
		scanStore = s
	})
	return scanStore
}

func readingsBatch(start, n int) arrow.RecordBatch {
	mem := memory.DefaultAllocator
	ts := array.NewTimestampBuilder(mem, storage.TimestampType)
	host := array.NewStringBuilder(mem)
	val := array.NewFloat64Builder(mem)
	num := array.NewInt64Builder(mem)
	for i := start; i < start+n; i++ {
		ts.Append(arrow.Timestamp(int64(i/100) * 1_000_000))
		host.Append(hostNames[i%100])
		val.Append(float64(i%1000) / 10)
		num.Append(int64(i % 1_000_003))
	}
	cols := []arrow.Array{ts.NewArray(), host.NewArray(), val.NewArray(), num.NewArray()}
	rec := array.NewRecordBatch(scanDef.ArrowSchema(), cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

var hostNames = func() []string {
	out := make([]string, 100)
	for i := range out {
		out[i] = fmt.Sprintf("host-%03d", i)
	}
	return out
}()

func runQuery(b *testing.B, s *storage.Store, p plan.Node) *query.Result {
	res, err := query.Execute(context.Background(), s, p, query.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return res
}

func reportRows(b *testing.B, rows int64) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkEngineSumInt64: SELECT sum(n) FROM readings, a full-column scan.
func BenchmarkEngineSumInt64(b *testing.B) {
	s := readings(b)
	p := &plan.Aggregate{Input: &plan.Scan{Table: "readings"},
		Aggs: []plan.NamedAgg{{Name: "s", Agg: plan.Agg{Func: plan.AggSum, Arg: plan.Col{Name: "n"}}}}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		runQuery(b, s, p).Release()
	}
	reportRows(b, engineRows)
}

// BenchmarkEngineBaselineSumInt64 is the reference: a plain Go loop over a
// []int64 of the same length, split over every core.
func BenchmarkEngineBaselineSumInt64(b *testing.B) {
	vals := make([]int64, engineRows)
	for i := range vals {
		vals[i] = int64(i % 1_000_003)
	}
	workers := runtime.GOMAXPROCS(0)
	sums := make([]int64, workers)
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		part := (len(vals) + workers - 1) / workers
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				var s int64
				for _, v := range vals[w*part : min((w+1)*part, len(vals))] {
					s += v
				}
				sums[w] = s
			}(w)
		}
		wg.Wait()
	}
	reportRows(b, engineRows)
}

// BenchmarkEngineGroupBy: SELECT host, avg(value) FROM readings GROUP BY host
// (100 groups).
func BenchmarkEngineGroupBy(b *testing.B) {
	s := readings(b)
	p := &plan.Aggregate{Input: &plan.Scan{Table: "readings"},
		GroupBy: []plan.Named{{Name: "host", Expr: plan.Col{Name: "host"}}},
		Aggs:    []plan.NamedAgg{{Name: "a", Agg: plan.Agg{Func: plan.AggAvg, Arg: plan.Col{Name: "value"}}}}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res := runQuery(b, s, p)
		if res.NumRows() != 100 {
			b.Fatalf("got %d groups", res.NumRows())
		}
		res.Release()
	}
	reportRows(b, engineRows)
}

// BenchmarkEngineFilteredSum: sum(n) over the first tenth of the time range;
// the sort key's stats prune about 90% of the chunks.
func BenchmarkEngineFilteredSum(b *testing.B) {
	s := readings(b)
	limit := plan.TimestampMicros(int64(engineRows/100/10) * 1_000_000)
	p := &plan.Aggregate{
		Input: &plan.Filter{Input: &plan.Scan{Table: "readings"},
			Pred: plan.Bin{Op: plan.OpLt, L: plan.Col{Name: "ts"}, R: plan.Lit{Value: limit}}},
		Aggs: []plan.NamedAgg{{Name: "s", Agg: plan.Agg{Func: plan.AggSum, Arg: plan.Col{Name: "n"}}}}}
	b.ReportAllocs()
	b.ResetTimer()
	var st query.Stats
	for b.Loop() {
		res := runQuery(b, s, p)
		st = res.Stats
		res.Release()
	}
	reportRows(b, engineRows)
	b.ReportMetric(100*float64(st.ChunksPruned)/float64(st.ChunksPruned+st.ChunksScanned), "%pruned")
}

// appendDef is a 10-column table for the append benchmark.
var appendDef = storage.TableDef{
	Name: "wide",
	Columns: []storage.Column{
		{Name: "ts", Type: storage.TypeTimestamp},
		{Name: "host", Type: storage.TypeString},
		{Name: "region", Type: storage.TypeString},
		{Name: "a", Type: storage.TypeInt64},
		{Name: "b", Type: storage.TypeInt64},
		{Name: "c", Type: storage.TypeInt32},
		{Name: "d", Type: storage.TypeFloat64},
		{Name: "e", Type: storage.TypeFloat64},
		{Name: "f", Type: storage.TypeFloat64},
		{Name: "g", Type: storage.TypeBool, Nullable: true},
	},
	SortKey: []string{"ts"},
}

func wideBatch(start, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, appendDef.ArrowSchema())
	defer b.Release()
	for i := start; i < start+n; i++ {
		b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(int64(i) * 1000))
		b.Field(1).(*array.StringBuilder).Append(hostNames[i%100])
		b.Field(2).(*array.StringBuilder).Append(hostNames[i%7])
		b.Field(3).(*array.Int64Builder).Append(int64(i))
		b.Field(4).(*array.Int64Builder).Append(int64(i * 7 % 1000))
		b.Field(5).(*array.Int32Builder).Append(int32(i % 50))
		b.Field(6).(*array.Float64Builder).Append(float64(i) / 3)
		b.Field(7).(*array.Float64Builder).Append(float64(i % 100))
		b.Field(8).(*array.Float64Builder).Append(1.5)
		if i%10 == 0 {
			b.Field(9).AppendNull()
		} else {
			b.Field(9).(*array.BooleanBuilder).Append(i%2 == 0)
		}
	}
	return b.NewRecordBatch()
}

// BenchmarkEngineAppend: Apply of 64Ki-row batches into a 10-column table,
// through validation, sealing (sort check, string dictionaries, stats).
// The partitioned case spreads every batch over 16 buckets by host.
func BenchmarkEngineAppend(b *testing.B) {
	for _, partitioned := range []bool{false, true} {
		b.Run(fmt.Sprintf("partitioned=%v", partitioned), func(b *testing.B) {
			def := appendDef
			if partitioned {
				def.PartitionKey = []string{"host"}
			}
			benchAppend(b, def)
		})
	}
}

func benchAppend(b *testing.B, def storage.TableDef) {
	const batchRows, batches = 1 << 16, 32
	recs := make([]arrow.RecordBatch, batches)
	for i := range recs {
		recs[i] = wideBatch(i*batchRows, batchRows)
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s := storage.New(storage.Options{})
		if err := s.CreateTable(1, def); err != nil {
			b.Fatal(err)
		}
		for i, rec := range recs {
			if err := s.Apply(uint64(i+2), []storage.TableBatch{{Table: def.Name, Record: rec}}); err != nil {
				b.Fatal(err)
			}
		}
		s.Close()
	}
	reportRows(b, batchRows*batches)
}
