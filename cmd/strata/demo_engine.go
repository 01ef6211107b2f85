package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// demoStart is the engine demo's first reading's time: 2026-01-01 00:00
// UTC; readings follow every demoStep µs (each host every 10 s).
var demoStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()

const demoStep = 10_000_000 / demoHosts

// runEngineDemo is `strata demo --engine`: the engine in-process, without
// a node, on rows generated readings.
func runEngineDemo(ctx context.Context, out io.Writer, rows int) error {
	s := storage.New(storage.Options{})
	defer s.Close()
	if err := s.CreateTable(1, telemetryDef); err != nil {
		return err
	}
	start := time.Now()
	version := uint64(2)
	for i := 0; i < rows; i += 100_000 {
		rec := telemetryBatch(memory.DefaultAllocator, int64(i), min(100_000, rows-i), demoStart+int64(i)*demoStep, demoStep)
		err := s.Apply(version, []storage.TableBatch{{Table: "telemetry", Record: rec}})
		rec.Release()
		if err != nil {
			return err
		}
		version++
	}
	took := time.Since(start)
	info, err := s.DescribeTable("telemetry")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "loaded %d rows in %v (%.1fM rows/s): %d sealed chunks, %d buffered rows, version %d\n\n",
		info.Rows, took.Round(time.Millisecond), float64(rows)/took.Seconds()/1e6, info.SealedChunks, info.BufferedRows, s.Applied())
	for _, q := range demoQueries(rows) {
		fmt.Fprintf(out, "-- %s\n", q.title)
		res, err := query.Execute(ctx, s, q.plan, query.Options{})
		if err != nil {
			return fmt.Errorf("%s: %w", q.title, err)
		}
		printResult(out, res)
		res.Release()
	}
	return nil
}

type demoQuery struct {
	title string
	plan  plan.Node
}

func col(name string) plan.Expr { return plan.Col{Name: name} }

func demoQueries(rows int) []demoQuery {
	scan := &plan.Scan{Table: "telemetry"}
	lastHour := plan.TimestampMicros(demoStart + int64(rows)*demoStep - 3_600_000_000)
	return []demoQuery{
		{"SELECT count(*), avg(cpu), max(mem_mb) FROM telemetry", &plan.Aggregate{Input: scan, Aggs: []plan.NamedAgg{
			{Name: "count", Agg: plan.Agg{Func: plan.AggCountStar}},
			{Name: "avg_cpu", Agg: plan.Agg{Func: plan.AggAvg, Arg: col("cpu")}},
			{Name: "max_mem_mb", Agg: plan.Agg{Func: plan.AggMax, Arg: col("mem_mb")}},
		}}},
		{"SELECT region, count(*), avg(cpu) FROM telemetry GROUP BY region ORDER BY region", &plan.Sort{
			Input: &plan.Aggregate{Input: scan, GroupBy: []plan.Named{{Name: "region", Expr: col("region")}}, Aggs: []plan.NamedAgg{
				{Name: "count", Agg: plan.Agg{Func: plan.AggCountStar}},
				{Name: "avg_cpu", Agg: plan.Agg{Func: plan.AggAvg, Arg: col("cpu")}},
			}},
			Keys: []plan.SortKey{{Expr: col("region")}},
		}},
		{"SELECT date_trunc('day', ts) AS day, count(DISTINCT host), sum(mem_mb) FROM telemetry GROUP BY day ORDER BY day LIMIT 5", &plan.Limit{
			Input: &plan.Sort{
				Input: &plan.Aggregate{Input: scan,
					GroupBy: []plan.Named{{Name: "day", Expr: plan.DateTrunc{Unit: plan.TruncDay, X: col("ts")}}},
					Aggs: []plan.NamedAgg{
						{Name: "hosts", Agg: plan.Agg{Func: plan.AggCountDistinct, Arg: col("host")}},
						{Name: "sum_mem_mb", Agg: plan.Agg{Func: plan.AggSum, Arg: col("mem_mb")}},
					}},
				Keys: []plan.SortKey{{Expr: col("day")}},
			},
			Count: 5,
		}},
		{"SELECT host, max(cpu) FROM telemetry WHERE ts >= <last hour> GROUP BY host ORDER BY max(cpu) DESC, host LIMIT 3", &plan.Limit{
			Input: &plan.Sort{
				Input: &plan.Aggregate{
					Input:   &plan.Filter{Input: scan, Pred: plan.Bin{Op: plan.OpGe, L: col("ts"), R: plan.Lit{Value: lastHour}}},
					GroupBy: []plan.Named{{Name: "host", Expr: col("host")}},
					Aggs:    []plan.NamedAgg{{Name: "max_cpu", Agg: plan.Agg{Func: plan.AggMax, Arg: col("cpu")}}},
				},
				Keys: []plan.SortKey{{Expr: col("max_cpu"), Desc: true}, {Expr: col("host")}},
			},
			Count: 3,
		}},
	}
}
