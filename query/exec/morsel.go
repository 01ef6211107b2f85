package exec

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"golang.org/x/sync/errgroup"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// morsel is the unit of parallel work: a chunk of a table snapshot, or a
// slice of an intermediate result.
type morsel struct {
	rec   arrow.RecordBatch
	chunk *storage.Chunk // nil for intermediate results
}

// input is what a pipeline reads: the morsels left after pruning, the
// schema they are in, and how to find each morsel's visible rows.
type input struct {
	schema  plan.Schema
	types   []storage.ColumnType
	table   *storage.TableSnapshot // nil for intermediate results
	sortCol int                    // integer-like column sealed chunks are sorted on, or -1
	morsels []morsel
	pruned  int // chunks ruled out: prunedByKey + prunedByStats
	// prunedByKey counts chunks of partitions the filter's partition-key
	// values do not hash to; prunedByStats, chunks whose min/max rule it out.
	prunedByKey, prunedByStats int
	// buckets are the partitions that may hold matching rows (nil: all).
	buckets map[int]bool
}

// visible returns the rows of m a read sees: nil for all of them.
func (in *input) visible(m morsel) []int32 {
	if in.table == nil || m.chunk == nil {
		return nil
	}
	if in.table.Visibility(m.chunk) == storage.VisibleAll {
		return nil
	}
	return in.table.VisibleRows(m.chunk, make([]int32, 0, m.chunk.Rows()))
}

// tableInput lists a table snapshot's chunks that the filter cannot rule
// out by partition key or statistics.
func tableInput(t *storage.TableSnapshot, schema plan.Schema, pred plan.Expr) *input {
	in := &input{schema: schema, types: typesOf(schema), table: t, sortCol: sortedColumn(t.Def(), schema)}
	in.buckets = partitionBuckets(t.Def(), pred, schema)
	checks := compilePruning(pred, schema)
	for _, ref := range t.Chunks() {
		if in.buckets != nil && !in.buckets[ref.Partition] {
			in.prunedByKey++
			continue
		}
		if !passes(checks, ref.Chunk) {
			in.prunedByStats++
			continue
		}
		in.morsels = append(in.morsels, morsel{rec: ref.Chunk.Record(), chunk: ref.Chunk})
	}
	in.pruned = in.prunedByKey + in.prunedByStats
	return in
}

func passes(checks []chunkCheck, c *storage.Chunk) bool {
	for _, chk := range checks {
		if !chk(c) {
			return false
		}
	}
	return true
}

// morselRows is the size intermediate results are cut into.
const morselRows = 64 * 1024

// relationInput cuts an intermediate result into morsels.
func relationInput(r *relation) *input {
	in := &input{schema: r.schema, types: typesOf(r.schema), sortCol: -1}
	for _, rec := range r.recs {
		for off := int64(0); off < rec.NumRows(); off += morselRows {
			end := min(off+morselRows, rec.NumRows())
			if off == 0 && end == rec.NumRows() {
				in.morsels = append(in.morsels, morsel{rec: rec})
				continue
			}
			// Slices share the parent's buffers; the relation keeps them alive.
			s := rec.NewSlice(off, end)
			r.slices = append(r.slices, s)
			in.morsels = append(in.morsels, morsel{rec: s})
		}
	}
	return in
}

func typesOf(s plan.Schema) []storage.ColumnType {
	out := make([]storage.ColumnType, len(s))
	for i, f := range s {
		out[i] = f.Type
	}
	return out
}

// forEachMorsel runs fn over the morsels on up to `workers` goroutines,
// each pulling the next morsel when done with one. It stops at the first
// error or when ctx ends, checking between morsels.
func forEachMorsel(ctx context.Context, workers, n int, fn func(worker, i int) error) error {
	workers = max(1, min(workers, n))
	var next atomic.Int64
	g, ctx := errgroup.WithContext(ctx)
	for w := 0; w < workers; w++ {
		g.Go(func() error {
			for {
				if err := ctx.Err(); err != nil {
					return err
				}
				i := int(next.Add(1) - 1)
				if i >= n {
					return nil
				}
				if err := safeCall(fn, w, i); err != nil {
					return err
				}
			}
		})
	}
	return g.Wait()
}

func defaultWorkers(n int) int {
	if n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// safeCall runs one morsel, turning a panic into an error: worker
// goroutines are outside any server's recovery, and a bug in one query
// must not take the process down.
func safeCall(fn func(worker, i int) error, w, i int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: panic in query worker: %v\n%s", ErrInternal, r, debug.Stack())
		}
	}()
	return fn(w, i)
}
