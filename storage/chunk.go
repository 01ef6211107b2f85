package storage

import (
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
)

// ChunkID names a chunk for its whole life and across replicas: every field
// is derived from applied data, so replicas that applied the same log give
// their chunks the same IDs. Persistence uses it to reuse chunks it has
// already written.
type ChunkID struct {
	Table     uint64 // the version that created the table (unique per table incarnation)
	Partition uint32
	Seq       uint64 // per-partition counter of chunks ever built
}

func (id ChunkID) String() string {
	return fmt.Sprintf("%016x-%04x-%016x", id.Table, id.Partition, id.Seq)
}

// Chunk is an immutable set of rows of one partition: an Arrow record with
// the table's columns (strings possibly dictionary-encoded), the version each
// row was written at, and per-column statistics.
//
// A string column may be dictionary-encoded; its dictionary then holds
// exactly the distinct values the chunk's rows use, each once.
//
// A sealed chunk holds up to the table's chunk row target, sorted by the sort
// key. An unsealed chunk is a piece of a partition's write buffer, in
// insertion order; pieces are merged and sealed as the buffer grows. Either
// kind never changes after it is built.
//
// Chunks are reference counted: the store holds one reference while the
// chunk is part of its current state, and every Snapshot holds one for each
// chunk it can read. Release frees the Arrow memory when the last holder
// lets go.
type Chunk struct {
	id       ChunkID
	rec      arrow.RecordBatch
	versions []uint64 // per row; nil when every row is at minV
	minV     uint64
	maxV     uint64
	stats    []ColumnStats
	sealed   bool
	sorted   bool // rows are in sort-key order
	refs     atomic.Int64
	size     atomic.Int64 // Bytes, computed on first use
}

// ID returns the chunk's stable identity.
func (c *Chunk) ID() ChunkID { return c.id }

// Record returns the chunk's rows. The record belongs to the chunk: do not
// release it; hold the chunk (or a Snapshot) while reading it.
func (c *Chunk) Record() arrow.RecordBatch { return c.rec }

// Rows is the number of rows, visible or not.
func (c *Chunk) Rows() int { return int(c.rec.NumRows()) }

// Column returns column i (table order) of the chunk.
func (c *Chunk) Column(i int) arrow.Array { return c.rec.Column(i) }

// Stats returns the statistics of column i (table order). They cover every
// row of the chunk, whatever the read version.
func (c *Chunk) Stats(i int) ColumnStats { return c.stats[i] }

// MinVersion and MaxVersion bound the versions of the chunk's rows.
func (c *Chunk) MinVersion() uint64 { return c.minV }
func (c *Chunk) MaxVersion() uint64 { return c.maxV }

// Version returns the version row i was written at.
func (c *Chunk) Version(i int) uint64 {
	if c.versions == nil {
		return c.minV
	}
	return c.versions[i]
}

// Sealed reports whether the chunk is a sealed, full, sorted chunk rather
// than a piece of a write buffer.
func (c *Chunk) Sealed() bool { return c.sealed }

// Sorted reports whether rows are ordered by the table's sort key (nulls
// last), so a range on its first column can be found by binary search.
func (c *Chunk) Sorted() bool { return c.sorted }

// Retain adds a reference.
func (c *Chunk) Retain() { c.refs.Add(1) }

// Release drops a reference and frees the chunk's memory with the last one.
func (c *Chunk) Release() {
	switch n := c.refs.Add(-1); {
	case n == 0:
		c.rec.Release()
	case n < 0:
		panic("BUG: chunk released more often than retained")
	}
}

// newChunk takes ownership of rec.
func newChunk(id ChunkID, rec arrow.RecordBatch, versions []uint64, sealed, sorted bool) *Chunk {
	c := &Chunk{id: id, rec: rec, sealed: sealed, sorted: sorted}
	c.minV, c.maxV = versionBounds(versions)
	if c.minV == c.maxV {
		versions = nil
	}
	c.versions = versions
	c.stats = computeStats(rec, sealed)
	c.refs.Store(1)
	return c
}

// newConstChunk builds a chunk whose rows all have version v.
func newConstChunk(id ChunkID, rec arrow.RecordBatch, v uint64, sealed, sorted bool) *Chunk {
	c := &Chunk{id: id, rec: rec, minV: v, maxV: v, sealed: sealed, sorted: sorted}
	c.stats = computeStats(rec, sealed)
	c.refs.Store(1)
	return c
}

func versionBounds(vs []uint64) (lo, hi uint64) {
	if len(vs) == 0 {
		return 0, 0
	}
	lo, hi = vs[0], vs[0]
	for _, v := range vs[1:] {
		lo = min(lo, v)
		hi = max(hi, v)
	}
	return lo, hi
}
