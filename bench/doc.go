// Package bench is Strata's benchmark suite.
//
// The comparison behind `strata bench` (RunSuite): seeded, deterministic
// datasets (telemetry, weather, transactions; data_*.go) are generated
// once into memory and loaded into Strata (the Go client's Writer over
// gRPC, into an in-process node or one given by address) and into a real
// PostgreSQL server (COPY, then the indexes a PostgreSQL user would create,
// then ANALYZE; a Debian cluster the suite creates as root, a private
// initdb otherwise, or a server by URL), and optionally DuckDB (build tag
// duckdb). Every query runs with the same SQL text on each engine (where a
// dialect differs, Query holds per-engine text), the answers are compared
// (CompareResults), then timed; the report (report.md, ratios.svg) goes to
// bench/results/<timestamp>, and bench/RESULTS.md keeps the latest run at
// the default size.
//
// The in-process engine benchmarks (engine_bench_test.go) measure the
// storage and query engine against a plain Go loop over a slice, the
// memory-bandwidth reference, and ingest_bench_test.go the write path:
//
//	go test ./bench -run '^$' -bench 'Engine|Ingest' -benchtime 3x
//
// Compare runs with benchstat:
//
//	go test ./bench -run '^$' -bench Engine -benchtime 3x -count 6 > new.txt
//	benchstat old.txt new.txt
//
// bench may import client, proto, server, storage and query; it starts
// servers only to benchmark them.
package bench
