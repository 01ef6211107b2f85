package query

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/query/exec"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// Errors a query can fail with, besides storage's (ErrNoTable,
// ErrFutureVersion) and plan's (ErrUnknownColumn, ErrTypeMismatch, ...).
var (
	ErrOverflow       = exec.ErrOverflow
	ErrDivisionByZero = exec.ErrDivisionByZero
	ErrMemoryLimit    = exec.ErrMemoryLimit
)

// DefaultMemoryLimit bounds the memory a query's state may use (group-by
// tables, distinct sets, materialised rows) when Options.MemoryLimit is 0.
const DefaultMemoryLimit = 1 << 30

// Source is where queries read: a *storage.Store.
type Source interface {
	Snapshot(version uint64, tables ...string) (*storage.Snapshot, error)
}

// Options tune one query. The zero value reads the latest version with one
// worker per core.
type Options struct {
	// Version to read at; 0 or storage.Latest means the latest applied.
	// A Scan's AsOf overrides it for that scan.
	Version uint64
	// Parallelism is the number of scan workers (default GOMAXPROCS).
	Parallelism int
	// MemoryLimit in bytes (default DefaultMemoryLimit; negative: none).
	MemoryLimit int64
	// Allocator for result arrays (default memory.DefaultAllocator).
	Allocator memory.Allocator
}

// Stats describe how a query ran.
type Stats struct {
	Version       uint64 // version read (of the first scan)
	ChunksScanned int
	ChunksPruned  int
	RowsScanned   int64 // rows of scanned chunks visible at the version read
	Workers       int
	Elapsed       time.Duration
}

// Result is a query's answer: Arrow records in the plan's output schema
// (strings plain utf8, timestamps µs UTC) and how it ran. Release it.
type Result struct {
	Schema  *arrow.Schema
	Records []arrow.RecordBatch
	Stats   Stats
}

// NumRows counts the result's rows.
func (r *Result) NumRows() int64 {
	var n int64
	for _, rec := range r.Records {
		n += rec.NumRows()
	}
	return n
}

// Release frees the result's records.
func (r *Result) Release() {
	for _, rec := range r.Records {
		rec.Release()
	}
	r.Records = nil
}

// Execute runs a logical plan against src. The context's cancellation and
// deadline stop it between chunks. Every scan of a table at the same
// version reads one consistent snapshot.
func Execute(ctx context.Context, src Source, p plan.Node, opts Options) (*Result, error) {
	start := time.Now()
	q, err := prepare(src, p, opts)
	if err != nil {
		return nil, err
	}
	defer q.snaps.release()
	return q.execute(ctx, start)
}

// prepared is a plan bound against the snapshots it reads.
type prepared struct {
	snaps  *snapshots
	bound  plan.Node
	schema plan.Schema
	opts   Options
}

// prepare takes the snapshots a plan reads and binds it; the caller
// releases q.snaps.
func prepare(src Source, p plan.Node, opts Options) (*prepared, error) {
	snaps, err := takeSnapshots(src, p, opts.Version)
	if err != nil {
		return nil, err
	}
	bound, schema, err := plan.Bind(p, snaps)
	if err != nil {
		snaps.release()
		return nil, err
	}
	return &prepared{snaps: snaps, bound: bound, schema: schema, opts: opts}, nil
}

func (q *prepared) config() exec.Config {
	limit := q.opts.MemoryLimit
	if limit == 0 {
		limit = DefaultMemoryLimit
	}
	return exec.Config{Workers: q.opts.Parallelism, MemoryLimit: limit, Allocator: q.opts.Allocator}
}

func (q *prepared) execute(ctx context.Context, start time.Time) (*Result, error) {
	schema, recs, st, err := exec.Run(ctx, q.bound, q.snaps, q.config())
	if err != nil {
		return nil, err
	}
	return &Result{
		Schema:  schema,
		Records: recs,
		Stats: Stats{
			Version:       q.snaps.defaultVersion(),
			ChunksScanned: st.ChunksScanned,
			ChunksPruned:  st.ChunksPruned,
			RowsScanned:   st.RowsScanned,
			Workers:       st.Workers,
			Elapsed:       time.Since(start),
		},
	}, nil
}
