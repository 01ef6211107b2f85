// Package bench is Strata's benchmark suite. Today it holds the in-process
// engine benchmarks (engine_bench_test.go), which measure the storage and
// query engine against a plain Go loop over a slice, the memory-bandwidth
// reference:
//
//	go test ./bench -run '^$' -bench Engine -benchtime 3x
//
// Compare runs with benchstat:
//
//	go test ./bench -run '^$' -bench Engine -benchtime 3x -count 6 > new.txt
//	benchstat old.txt new.txt
//
// The suite against PostgreSQL (datasets, runners, reports) arrives with
// the benchmark issue. bench may import client, proto, storage and query;
// it starts servers only to benchmark them.
package bench
