// Package storage holds Strata's tables in memory as immutable, versioned
// Apache Arrow chunks, and encodes and restores them.
//
// It owns: table definitions (typed schema, partition key, sort key),
// partitions and their write buffers, immutable chunks with per-column
// statistics, row versions, rollbacks, consistent snapshots, and the
// persistence format. It knows nothing of queries, Raft or the network:
// callers hand it batches and versions, and read it through Snapshot.
//
// Every mutation carries a version chosen by the caller (the Raft log index
// in a node; a counter in tests) that must grow from call to call. A row
// keeps the version it was written at, so one chunk can answer reads at any
// version. Nothing a mutation does depends on the wall clock, randomness or
// map iteration order: replicas that apply the same mutations build the same
// chunks with the same IDs.
//
// Layout of a partition:
//
//	sealed chunks (ChunkRows rows each, sorted by the sort key)   write buffer pieces
//	[c0][c1][c2] ...                                               [4100][2048][16][1]
//
// A write appends a piece to the buffer; small pieces merge like a binary
// counter (equal sizes combine) until they reach 2048 rows, so a partition
// holds a bounded number of pieces however small the writes; when the buffer
// reaches ChunkRows rows it is sorted and cut into sealed chunks.
//
// Usage:
//
//	s := storage.New(storage.Options{})
//	_ = s.CreateTable(1, storage.TableDef{Name: "t", Columns: cols, SortKey: []string{"ts"}})
//	_ = s.Apply(2, []storage.TableBatch{{Table: "t", Record: rec}})
//	snap, _ := s.Snapshot(storage.Latest, "t")
//	defer snap.Release()
//	t, _ := snap.Table("t")
//	for _, ref := range t.Chunks() { ... t.Visibility(ref.Chunk) ... }
//
// Row numbers in error messages are 1-based within their batch.
package storage
