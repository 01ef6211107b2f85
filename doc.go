// Package strata is the root of Strata, an in-memory, columnar, versioned
// analytics store. The code lives in the sub-packages; this package holds
// only repository-wide checks (deps_test.go) that keep the layout of
// ARCHITECTURE.md honest.
//
//	storage/  tables, immutable Arrow chunks, versions, snapshots, persistence
//	query/    logical plans and the vectorized, parallel engine over snapshots
//	raftlog/  the replicated log (arrives with the durable-node issue)
//	ingest/   the write path and its FSM (arrives with the durable-node issue)
//	server/   a node: gRPC, PostgreSQL wire, HTTP
//	client/   the Go client library
//	bench/    benchmarks
//	cmd/strata the one binary
package strata
