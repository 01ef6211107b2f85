package refeval

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// tuple is a row during evaluation. A non-nil err means the row's very
// existence is poisoned: a filter's predicate failed on it.
type tuple struct {
	cells []cell
	err   error
}

// cellErr returns the first poisoned cell's error, or nil.
func (t tuple) cellErr() error {
	for _, c := range t.cells {
		if c.err != nil {
			return c.err
		}
	}
	return nil
}

// rel is a node's output.
type rel struct {
	schema plan.Schema
	rows   []tuple
}

// run is one evaluation of a plan.
type run struct {
	db          *DB
	cat         catalog
	comp        compiler
	possible    []error // one error per sentinel met anywhere
	scanVersion uint64  // version the first scan read
	scanned     bool
	unstable    bool // a float sum depends on the order of addition
}

func newRun(db *DB, version uint64) *run {
	r := &run{db: db, cat: catalog{db: db, version: version}}
	r.comp.poison = func(err error) cell {
		r.note(err)
		return cell{err: err}
	}
	r.comp.unstable = func() { r.unstable = true }
	return r
}

// note records an error some evaluation may raise.
func (r *run) note(err error) {
	for _, e := range r.possible {
		if sameClass(e, err) {
			return
		}
	}
	r.possible = append(r.possible, err)
}

var sentinels = []error{
	ErrOverflow, ErrDivisionByZero, ErrFutureVersion, ErrNoTable,
	plan.ErrUnknownColumn, plan.ErrTypeMismatch, plan.ErrBadValue, plan.ErrInvalidPlan,
}

// Class returns the sentinel error err wraps (one of refeval's or plan's),
// or nil.
func Class(err error) error {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return s
		}
	}
	return nil
}

func sameClass(a, b error) bool {
	ca, cb := Class(a), Class(b)
	if ca == nil || cb == nil {
		return a == b
	}
	return ca == cb
}

func (r *run) node(n plan.Node) (*rel, error) {
	switch n := n.(type) {
	case *plan.Scan:
		return r.scan(n)
	case *plan.Filter:
		return r.filter(n)
	case *plan.Project:
		return r.project(n)
	case *plan.Aggregate:
		return r.aggregate(n)
	case *plan.Sort:
		in, err := r.node(n.Input)
		if err != nil {
			return nil, err
		}
		rows, _, err := r.sortRows(in, n.Keys)
		return &rel{in.schema, rows}, err
	case *plan.Limit:
		// Not at the root: one valid answer of many (the first rows).
		in, err := r.node(n.Input)
		if err != nil {
			return nil, err
		}
		lo, hi := window(len(in.rows), n.Count, n.Offset)
		return &rel{in.schema, in.rows[lo:hi]}, nil
	case *plan.DistinctOn:
		return r.distinctOn(n)
	case *plan.Values:
		return r.values(n)
	}
	return nil, fmt.Errorf("BUG: refeval: unknown node %T", n)
}

// window returns the positions a LIMIT count OFFSET offset keeps of n rows.
func window(n int, count, offset int64) (int, int) {
	lo := int(min(offset, int64(n)))
	hi := n
	if count >= 0 && int64(lo)+count < int64(n) {
		hi = lo + int(count)
	}
	return lo, hi
}

func (r *run) scan(n *plan.Scan) (*rel, error) {
	v, err := r.cat.scanVersion(n.AsOf)
	if err != nil {
		return nil, err
	}
	t, err := r.db.table(n.Table, v)
	if err != nil {
		return nil, err
	}
	if !r.scanned {
		r.scanned, r.scanVersion = true, v
	}
	sch := make(plan.Schema, len(t.Def.Columns))
	for i, c := range t.Def.Columns {
		sch[i] = plan.Field{Name: c.Name, Type: c.Type}
	}
	out := &rel{schema: sch}
	for _, vals := range t.VisibleRows(v) {
		cells := make([]cell, len(vals))
		for i, v := range vals {
			cells[i] = cell{v: v}
		}
		out.rows = append(out.rows, tuple{cells: cells})
	}
	return out, nil
}

// filter keeps rows whose predicate is true. A row whose predicate is
// poisoned stays, with its existence poisoned; a later filter that is
// cleanly false for it may still drop it (an engine may run that one first).
func (r *run) filter(n *plan.Filter) (*rel, error) {
	in, err := r.node(n.Input)
	if err != nil {
		return nil, err
	}
	pred, err := r.comp.compileTruth(n.Pred, in.schema)
	if err != nil {
		return nil, err
	}
	out := &rel{schema: in.schema}
	for _, t := range in.rows {
		c := pred(t.cells)
		switch {
		case c.err != nil:
			if t.err == nil {
				t.err = c.err
			}
			out.rows = append(out.rows, t)
		case isTrue(c):
			out.rows = append(out.rows, t)
		}
	}
	return out, nil
}

func (r *run) project(n *plan.Project) (*rel, error) {
	in, err := r.node(n.Input)
	if err != nil {
		return nil, err
	}
	out := &rel{schema: make(plan.Schema, len(n.Exprs))}
	fns := make([]fn, len(n.Exprs))
	for i, ne := range n.Exprs {
		f, t, err := r.comp.compile(ne.Expr, in.schema)
		if err != nil {
			return nil, err
		}
		if t == storage.TypeInvalid {
			t = storage.TypeString // a bare NULL is text, as in PostgreSQL
		}
		fns[i], out.schema[i] = f, plan.Field{Name: ne.Name, Type: t}
	}
	for _, t := range in.rows {
		cells := make([]cell, len(fns))
		for i, f := range fns {
			cells[i] = retype(f(t.cells), out.schema[i].Type)
		}
		out.rows = append(out.rows, tuple{cells: cells, err: t.err})
	}
	return out, nil
}

// retype gives a NULL the column's type and checks a value has it.
func retype(c cell, t storage.ColumnType) cell {
	switch {
	case c.err != nil:
		return c
	case c.v.Null:
		return nullCell(t)
	case c.v.Type != t:
		panic(fmt.Sprintf("BUG: refeval: value %v of type %v in a %v column", c.v, c.v.Type, t))
	}
	return c
}

// sortRows orders rows by keys (stable). A row whose key is poisoned gets
// its existence poisoned: where it goes is unknown. It also returns each
// row's key values.
func (r *run) sortRows(in *rel, keys []plan.SortKey) ([]tuple, [][]plan.Value, error) {
	fns := make([]fn, len(keys))
	for i, k := range keys {
		f, _, err := r.comp.compile(k.Expr, in.schema)
		if err != nil {
			return nil, nil, err
		}
		fns[i] = f
	}
	type keyed struct {
		t tuple
		k []plan.Value
		e float64
	}
	rows := make([]keyed, len(in.rows))
	approx := make([]float64, len(in.rows)) // widest key error bound per row
	for i, t := range in.rows {
		k := make([]plan.Value, len(fns))
		for j, f := range fns {
			c := f(t.cells)
			if c.err != nil && t.err == nil {
				t.err = c.err
			}
			if c.approx > 0 {
				approx[i] = max(approx[i], c.approx)
			}
			k[j] = c.v
			if c.err != nil {
				k[j] = plan.Null()
			}
		}
		rows[i] = keyed{t, k, approx[i]}
	}
	slices.SortStableFunc(rows, func(a, b keyed) int { return compareKeys(a.k, b.k, keys) })
	checkNearTies(r, rows, func(kr keyed) ([]plan.Value, float64) { return kr.k, kr.e })
	out := make([]tuple, len(rows))
	ks := make([][]plan.Value, len(rows))
	for i, kr := range rows {
		out[i], ks[i] = kr.t, kr.k
	}
	return out, ks, nil
}

// compareKeys orders two rows' sort-key values.
func compareKeys(a, b []plan.Value, keys []plan.SortKey) int {
	for i, k := range keys {
		if c := CompareSort(a[i], b[i], k); c != 0 {
			return c
		}
	}
	return 0
}

// checkNearTies marks the run unstable when two neighbours in sort order
// have float keys closer than their error bounds: an engine's sums may
// order them the other way, and under a LIMIT choose other rows.
func checkNearTies[T any](r *run, rows []T, key func(T) ([]plan.Value, float64)) {
	for i := 1; i < len(rows); i++ {
		ka, ea := key(rows[i-1])
		kb, eb := key(rows[i])
		if ea+eb == 0 {
			continue
		}
		for j := range ka {
			a, b := ka[j], kb[j]
			if a.Type == storage.TypeFloat64 && b.Type == storage.TypeFloat64 && !a.Null && !b.Null &&
				math.Abs(a.Float-b.Float) <= ea+eb {
				r.unstable = true
				return
			}
		}
	}
}
