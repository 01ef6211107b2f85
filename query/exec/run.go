package exec

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// Tables resolves a plan's scans to table snapshots (the query package
// takes the snapshots and keeps them alive while Run works).
type Tables interface {
	plan.Catalog
	Table(scan *plan.Scan) (*storage.TableSnapshot, error)
}

// Config tunes a run.
type Config struct {
	Workers     int   // scan workers; 0 means GOMAXPROCS
	MemoryLimit int64 // bytes of query state; <= 0 means unlimited
	Allocator   memory.Allocator
}

// Stats count what a run read.
type Stats struct {
	ChunksScanned int
	ChunksPruned  int
	RowsScanned   int64
	Workers       int
}

// Run executes a bound plan and returns its rows in the plan's schema. The
// caller releases the records.
func Run(ctx context.Context, p plan.Node, tables Tables, cfg Config) (*arrow.Schema, []arrow.RecordBatch, Stats, error) {
	if cfg.Allocator == nil {
		cfg.Allocator = memory.DefaultAllocator
	}
	r := &run{ctx: ctx, tables: tables, mem: cfg.Allocator, workers: defaultWorkers(cfg.Workers), budget: &budget{limit: cfg.MemoryLimit}}
	rel, err := r.node(p)
	if err != nil {
		return nil, nil, Stats{}, err
	}
	stats := Stats{
		ChunksScanned: int(r.scanned.Load()),
		ChunksPruned:  int(r.pruned.Load()),
		RowsScanned:   r.rows.Load(),
		Workers:       int(r.maxWorkers.Load()),
	}
	recs := rel.recs
	rel.recs = nil
	rel.release()
	return ArrowSchema(rel.schema), recs, stats, nil
}

type run struct {
	ctx     context.Context
	tables  Tables
	mem     memory.Allocator
	workers int
	budget  *budget

	scanned, pruned atomic.Int64
	rows            atomic.Int64
	maxWorkers      atomic.Int64
}

// relation is an intermediate or final result held in memory.
type relation struct {
	schema plan.Schema
	recs   []arrow.RecordBatch
	slices []arrow.RecordBatch // morsel views of recs
}

func (r *relation) release() {
	for _, rec := range r.recs {
		rec.Release()
	}
	for _, s := range r.slices {
		s.Release()
	}
	r.recs, r.slices = nil, nil
}

func (r *relation) rows() int64 {
	var n int64
	for _, rec := range r.recs {
		n += rec.NumRows()
	}
	return n
}

// budget is a query's memory limit, shared by its workers.
type budget struct {
	limit int64
	used  atomic.Int64
}

func (b *budget) grow(delta int64, what string) error {
	if b.limit <= 0 {
		return nil
	}
	if used := b.used.Add(delta); used > b.limit {
		return fmt.Errorf("%w: %s needs over %d bytes (limit %d)", ErrMemoryLimit, what, used, b.limit)
	}
	return nil
}

func (r *run) schema(n plan.Node) (plan.Schema, error) {
	_, s, err := plan.Bind(n, r.tables)
	return s, err
}

func (r *run) node(n plan.Node) (*relation, error) {
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	switch n := n.(type) {
	case *plan.Aggregate:
		return r.withInput(n.Input, func(in *input, pred plan.Expr) (*relation, error) { return r.aggregate(in, pred, n) })
	case *plan.Project:
		return r.withInput(n.Input, func(in *input, pred plan.Expr) (*relation, error) { return r.project(in, pred, n.Exprs) })
	case *plan.Filter, *plan.Scan:
		return r.withInput(n, func(in *input, pred plan.Expr) (*relation, error) {
			return r.project(in, pred, passthrough(in.schema))
		})
	case *plan.Sort:
		in, err := r.node(n.Input)
		if err != nil {
			return nil, err
		}
		defer in.release()
		return r.sort(in, n.Keys)
	case *plan.Limit:
		if n.Count > 0 && n.Offset >= 0 && n.Count+n.Offset <= topKMax {
			if s, ok := n.Input.(*plan.Sort); ok {
				top, err := r.sortedTop(s, int(n.Count+n.Offset))
				if err != nil {
					return nil, err
				}
				defer top.release()
				return r.limit(top, n.Count, n.Offset)
			}
			// A select list of columns over ORDER BY: the same rows
			// whether it is taken before or after the Limit, and it
			// cannot fail on the rows the Limit drops.
			if p, ok := n.Input.(*plan.Project); ok && onlyColumns(p.Exprs) {
				if s, ok := p.Input.(*plan.Sort); ok {
					return r.node(&plan.Project{Input: &plan.Limit{Input: s, Count: n.Count, Offset: n.Offset}, Exprs: p.Exprs})
				}
			}
		}
		in, err := r.node(n.Input)
		if err != nil {
			return nil, err
		}
		defer in.release()
		return r.limit(in, n.Count, n.Offset)
	case *plan.DistinctOn:
		if s, ok := n.Input.(*plan.Sort); ok {
			if rest, ok := topRestKeys(n.On, s.Keys); ok {
				// Stream over the Sort's input: a projection (if any) over
				// filters over a scan runs morsel by morsel inside the pass.
				src, proj := s.Input, []plan.Named(nil)
				if p, ok := src.(*plan.Project); ok {
					src, proj = p.Input, p.Exprs
				}
				return r.withInput(src, func(in *input, pred plan.Expr) (*relation, error) {
					if proj == nil {
						proj = passthrough(in.schema)
					}
					return r.distinctOnTop(in, pred, proj, n.On, s.Keys, rest)
				})
			}
		}
		in, err := r.node(n.Input)
		if err != nil {
			return nil, err
		}
		defer in.release()
		return r.distinctOn(in, n.On)
	case *plan.Values:
		return r.values(n)
	}
	return nil, fmt.Errorf("%w: cannot execute %T", plan.ErrInvalidPlan, n)
}

// onlyColumns reports whether every expression is a column reference.
func onlyColumns(exprs []plan.Named) bool {
	for _, e := range exprs {
		switch e.Expr.(type) {
		case plan.Col, plan.ColAt:
		default:
			return false
		}
	}
	return true
}

func passthrough(s plan.Schema) []plan.Named {
	out := make([]plan.Named, len(s))
	for i, f := range s {
		out[i] = plan.Named{Name: f.Name, Expr: plan.ColAt{Index: i, Name: f.Name}}
	}
	return out
}

// withInput peels the filters off n, builds the input they apply to (a
// table scan, pruned, or an intermediate result) and runs fn on it.
func (r *run) withInput(n plan.Node, fn func(in *input, pred plan.Expr) (*relation, error)) (*relation, error) {
	n, pred := peelFilters(n)
	schema, err := r.schema(n)
	if err != nil {
		return nil, err
	}
	if scan, ok := n.(*plan.Scan); ok {
		t, err := r.tables.Table(scan)
		if err != nil {
			return nil, err
		}
		in := tableInput(t, schema, pred)
		r.scanned.Add(int64(len(in.morsels)))
		r.pruned.Add(int64(in.pruned))
		return fn(in, pred)
	}
	rel, err := r.node(n)
	if err != nil {
		return nil, err
	}
	defer rel.release()
	return fn(relationInput(rel), pred)
}

// peelFilters returns the node under a chain of filters and their
// predicates joined, inner ones first (nil when n is no filter). A scan
// under filters reads through them: they prune its chunks.
func peelFilters(n plan.Node) (plan.Node, plan.Expr) {
	var preds []plan.Expr
	for {
		f, ok := n.(*plan.Filter)
		if !ok {
			return n, plan.And(preds...)
		}
		preds = append([]plan.Expr{f.Pred}, preds...)
		n = f.Input
	}
}

// startMorsel makes the view of a morsel's visible rows and applies the
// filters; b.n == 0 means nothing is left. The caller calls done when it
// has finished with the batch.
func (r *run) startMorsel(in *input, m morsel, filters []filterStep) (b *batch, done func(), err error) {
	b, _, done, err = r.startMorselAt(in, m, filters)
	return b, done, err
}

// startMorselAt is startMorsel that also returns the offset in m.rec of
// the batch's record (a sorted chunk's range may be sliced out of it).
func (r *run) startMorselAt(in *input, m morsel, filters []filterStep) (b *batch, off int, done func(), err error) {
	done = func() {}
	vis := in.visible(m)
	rec := m.rec
	var answered []bool
	if vis == nil {
		lo, hi, ans, ok := narrowSorted(in, m, filters)
		switch {
		case ok && lo == hi:
			if in.table != nil {
				r.rows.Add(int64(rec.NumRows()))
			}
			return newBatch(rec, in.types, []int32{}), 0, done, nil
		case ok && (lo > 0 || hi < int(rec.NumRows())):
			rec = rec.NewSlice(int64(lo), int64(hi))
			done = rec.Release
			off = lo
		}
		answered = ans
	}
	b = newBatch(rec, in.types, vis)
	b.chunk = m.chunk
	if in.table != nil {
		visible := len(vis)
		if vis == nil {
			visible = int(m.rec.NumRows())
		}
		r.rows.Add(int64(visible))
	}
	for i, f := range filters {
		if b.n == 0 {
			break
		}
		if answered != nil && answered[i] {
			continue
		}
		if m.chunk != nil && f.all != nil && f.all(m.chunk) {
			continue
		}
		rows, err := f.sel(b)
		if err != nil {
			done()
			return nil, 0, func() {}, err
		}
		b = b.withSel(rows)
	}
	return b, off, done, nil
}

func (r *run) workersFor(n int) int {
	w := workersFor(r.workers, n)
	for {
		cur := r.maxWorkers.Load()
		if int64(w) <= cur || r.maxWorkers.CompareAndSwap(cur, int64(w)) {
			return w
		}
	}
}

// workersFor is how many of the configured workers n morsels keep busy.
func workersFor(workers, n int) int { return max(1, min(workers, n)) }
