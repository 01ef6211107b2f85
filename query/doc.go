// Package query runs Strata's queries: it takes the storage snapshots a
// logical plan needs (one per version read, so every scan at a version is
// consistent), binds the plan against the tables' definitions, and runs it
// with the engine in query/exec.
//
// The plan language lives in query/plan; SQL text arrives with the SQL
// issue and produces the same plans. query reads storage only through
// Snapshot and its exported read API; it knows nothing of Raft or the
// network. Writes (DDL, rows, rollbacks) are not queries: callers send them
// through the write path.
//
// Usage:
//
//	res, err := query.Execute(ctx, store, p, query.Options{Version: v})
//	if err != nil { ... } // storage.ErrFutureVersion, plan.ErrUnknownColumn, query.ErrOverflow, ...
//	defer res.Release()
//	for _, rec := range res.Records { ... } // Arrow records in res.Schema
//	fmt.Println(res.Stats.ChunksScanned, res.Stats.ChunksPruned, res.Stats.Elapsed)
//
//	e, err := query.Explain(ctx, store, p, query.Options{}) // what a run would read, not run
//	fmt.Println(e)                                         // PostgreSQL-like plan lines
//	e, res, err = query.ExplainAnalyze(ctx, store, p, opts) // run too: a footer with its Stats
package query
