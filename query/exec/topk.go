package exec

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// topKMax bounds the rows ORDER BY ... LIMIT keeps per morsel on the
// top-k path; a larger LIMIT + OFFSET sorts everything.
const topKMax = 10_000

// sortedTop answers a Limit over a Sort wanting the first k rows without
// sorting its whole input: each morsel of the Sort's input (projected
// when the Sort is over a projection) keeps only its first k rows in sort
// order, and the survivors of all morsels are sorted. The result is the
// full sort's first k rows, ties included: the morsels keep their rows in
// input order and the final sort is stable, so a row ahead of another in
// the full stable sort stays ahead. A projection of plain columns is not
// computed for the rows a morsel drops: its keys are read through a view
// of the chunk's columns, and only the k rows are copied out.
func (r *run) sortedTop(s *plan.Sort, k int) (*relation, error) {
	src, proj := s.Input, []plan.Named(nil)
	if p, ok := src.(*plan.Project); ok {
		src, proj = p.Input, p.Exprs
	}
	top, err := r.withInput(src, func(in *input, pred plan.Expr) (*relation, error) {
		if proj == nil {
			proj = passthrough(in.schema)
		}
		if cols, ok := columnsOf(proj, in.schema); ok {
			return r.topOfColumns(in, pred, proj, cols, s.Keys, k)
		}
		return r.projectEach(in, pred, proj, func(schema plan.Schema, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
			b := newBatch(rec, typesOf(schema), nil)
			rows, err := topRows(schema, b, s.Keys, k)
			if err != nil || rows == nil {
				rec.Retain()
				return rec, err
			}
			return r.take(schema, rec, rows).recs[0], nil
		})
	})
	if err != nil {
		return nil, err
	}
	defer top.release()
	return r.sort(top, s.Keys)
}

// columnsOf returns the input column each expression reads when every one
// is a plain column reference.
func columnsOf(exprs []plan.Named, in plan.Schema) ([]int, bool) {
	cols := make([]int, len(exprs))
	for i, e := range exprs {
		c, ok := colIndex(e.Expr, in)
		if !ok {
			return nil, false
		}
		cols[i] = c
	}
	return cols, true
}

// topOfColumns is sortedTop's pass over a projection of columns: per
// morsel, the filters, then the keys over a view of the projected
// columns, then a copy of the k rows kept.
func (r *run) topOfColumns(in *input, pred plan.Expr, proj []plan.Named, cols []int, keys []plan.SortKey, k int) (*relation, error) {
	filters, err := compileFilter(pred, in.schema)
	if err != nil {
		return nil, err
	}
	schema := make(plan.Schema, len(proj))
	for i, c := range cols {
		schema[i] = plan.Field{Name: proj[i].Name, Type: in.schema[c].Type}
	}
	types := typesOf(schema)
	out := make([]arrow.RecordBatch, len(in.morsels))
	bound := newTopBound(in, schema, cols, keys)
	order := bound.order(in.morsels)
	err = forEachMorsel(r.ctx, r.workersFor(len(in.morsels)), len(in.morsels), func(_, at int) error {
		i := order[at]
		if bound.skips(in.morsels[i].chunk) {
			return nil
		}
		b, done, err := r.startMorsel(in, in.morsels[i], filters)
		if err != nil {
			return err
		}
		defer done()
		if b.n == 0 {
			return nil
		}
		arrs := make([]arrow.Array, len(cols))
		fields := make([]arrow.Field, len(cols))
		for j, c := range cols {
			arrs[j] = b.rec.Column(c)
			fields[j] = arrow.Field{Name: schema[j].Name, Type: arrs[j].DataType(), Nullable: true}
		}
		view := array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, b.rec.NumRows())
		defer view.Release()
		vb := newBatch(view, types, b.sel)
		rows, err := topRows(schema, vb, keys, k)
		if err != nil {
			return err
		}
		if rows != nil && bound != nil {
			bound.offer(view.Column(bound.view), rows)
		}
		if rows == nil { // all of the view's rows
			rows = b.sel
			if rows == nil {
				rows = make([]int32, b.n)
				for j := range rows {
					rows[j] = int32(j)
				}
			}
		}
		rec := r.take(schema, view, rows).recs[0]
		out[i] = rec
		return r.budget.grow(storage.RecordBytes(rec), "ORDER BY ... LIMIT")
	})
	rel := &relation{schema: schema}
	for _, rec := range out {
		if rec != nil {
			rel.recs = append(rel.recs, rec)
		}
	}
	if err != nil {
		rel.release()
		return nil, err
	}
	return rel, nil
}

// topRows returns the rows (positions in b.rec, ascending) of b's first k
// slots in key order, or nil when b has no more than k. Keys that are not
// plain columns are evaluated up front, so their errors are raised as by
// the full sort.
func topRows(schema plan.Schema, b *batch, keys []plan.SortKey, k int) ([]int32, error) {
	if b.n <= k {
		return nil, nil
	}
	// The first key is read for every slot, so it is a vector; later
	// column keys are read row by row, only for the slots tying on the
	// keys before them.
	cmps := make([]func(x, y int32) int, len(keys))
	for i, key := range keys {
		if c, ok := colIndex(key.Expr, schema); ok && i > 0 {
			if rk, ok := rowKeyOf(b.rec.Column(c), b.sel, key); ok {
				cmps[i] = rk
				continue
			}
		}
		e, err := compileExpr(key.Expr, schema)
		if err != nil {
			return nil, err
		}
		v, err := e.eval(b)
		if err != nil {
			return nil, err
		}
		kv := &sortKeyVec{v: v.materialize(b.n), desc: key.Desc, nullsFirst: key.NullsFirst()}
		cmps[i] = func(x, y int32) int { return kv.compare(int(x), int(y)) }
	}
	// before orders slots as the stable sort does: by the keys, then by
	// position.
	before := func(x, y int32) bool {
		for _, cmp := range cmps {
			if c := cmp(x, y); c != 0 {
				return c < 0
			}
		}
		return x < y
	}
	// A heap of the k best slots so far, the worst at the root.
	h := make([]int32, 0, k)
	for i := int32(0); i < int32(b.n); i++ {
		if len(h) < k {
			h = append(h, i)
			for c := len(h) - 1; c > 0; {
				p := (c - 1) / 2
				if !before(h[p], h[c]) {
					break
				}
				h[p], h[c] = h[c], h[p]
				c = p
			}
			continue
		}
		if !before(i, h[0]) {
			continue
		}
		h[0] = i
		for p := 0; ; {
			c := 2*p + 1
			if c >= len(h) {
				break
			}
			if c+1 < len(h) && before(h[c], h[c+1]) {
				c++
			}
			if !before(h[p], h[c]) {
				break
			}
			h[p], h[c] = h[c], h[p]
			p = c
		}
	}
	slices.Sort(h) // input order: the final stable sort breaks ties by it
	for j, slot := range h {
		h[j] = int32(row(b.sel, int(slot)))
	}
	return h, nil
}

// rowKeyOf compares two slots of the view sel of a column by reading the
// Arrow array at their rows, in the order a sort key asks for (NULLs,
// direction), as sortKeyVec.compare does over a vector. ok is false for
// a column type it does not read.
func rowKeyOf(a arrow.Array, sel []int32, key plan.SortKey) (func(x, y int32) int, bool) {
	var cmpRows func(r, s int) int
	switch a := a.(type) {
	case *array.Float64:
		vals := a.Float64Values()
		cmpRows = func(r, s int) int { return storage.CompareFloat(vals[r], vals[s]) }
	case *array.Int64, *array.Int32, *array.Timestamp, *array.Date32:
		at := intReader(a)
		cmpRows = func(r, s int) int { return cmp.Compare(at(r), at(s)) }
	case *array.String:
		cmpRows = func(r, s int) int { return strings.Compare(a.Value(r), a.Value(s)) }
	case *array.Dictionary:
		dict := stringsOf(a.Dictionary(), nil)
		cmpRows = func(r, s int) int { return strings.Compare(dict[a.GetValueIndex(r)], dict[a.GetValueIndex(s)]) }
	case *array.Boolean:
		cmpRows = func(r, s int) int { return cmp.Compare(b2i(a.Value(r)), b2i(a.Value(s))) }
	default:
		return nil, false
	}
	nullsFirst, desc := key.NullsFirst(), key.Desc
	return func(x, y int32) int {
		r, s := row(sel, int(x)), row(sel, int(y))
		rn, sn := a.IsNull(r), a.IsNull(s)
		switch {
		case rn && sn:
			return 0
		case rn:
			if nullsFirst {
				return -1
			}
			return 1
		case sn:
			if nullsFirst {
				return 1
			}
			return -1
		}
		c := cmpRows(r, s)
		if desc {
			return -c
		}
		return c
	}, true
}

// topBound is the first sort key's value a row must reach to enter the
// top k: the worst first key among some morsel's k kept rows (k rows at
// least that good exist). A chunk whose statistics put every row strictly
// behind it holds no row of the answer and is skipped; morsels are taken
// best statistics first, so the bound rises early. It applies when the
// first key is a float or integer-like column of a table; nil otherwise.
type topBound struct {
	mu               sync.Mutex
	col, view        int // the key's input column, and its column in the view
	desc, nullsFirst bool
	float            bool
	has              bool
	f                float64
	i                int64
}

func newTopBound(in *input, schema plan.Schema, cols []int, keys []plan.SortKey) *topBound {
	j, ok := colIndex(keys[0].Expr, schema)
	if !ok || in.table == nil {
		return nil
	}
	t := schema[j].Type
	if t != storage.TypeFloat64 && (!isIntLike(t) || t == storage.TypeBool) {
		return nil
	}
	return &topBound{col: cols[j], view: j, desc: keys[0].Desc, nullsFirst: keys[0].NullsFirst(), float: t == storage.TypeFloat64}
}

// order lists the morsels best statistics first (all in place when there
// is no bound); results stay indexed by morsel, so the order of the rows
// does not change.
func (t *topBound) order(ms []morsel) []int {
	order := make([]int, len(ms))
	for i := range order {
		order[i] = i
	}
	if t == nil {
		return order
	}
	best := func(m morsel) (float64, bool) {
		if m.chunk == nil {
			return 0, false
		}
		st := m.chunk.Stats(t.col)
		if !st.HasRange {
			return 0, false
		}
		switch {
		case t.float && t.desc:
			return st.MaxFloat, true
		case t.float:
			return -st.MinFloat, true
		case t.desc:
			return float64(st.MaxInt), true
		}
		return -float64(st.MinInt), true
	}
	slices.SortStableFunc(order, func(a, b int) int {
		x, okx := best(ms[a])
		y, oky := best(ms[b])
		switch {
		case okx != oky: // chunks without a range first: they cannot be skipped
			if !okx {
				return -1
			}
			return 1
		case !okx:
			return 0
		}
		return cmp.Compare(y, x)
	})
	return order
}

// skips reports whether every row of chunk c sorts strictly after the bound.
func (t *topBound) skips(c *storage.Chunk) bool {
	if t == nil || c == nil {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	st := c.Stats(t.col)
	if !t.has || !st.HasRange || (st.NullCount > 0 && t.nullsFirst) {
		return false
	}
	switch {
	case t.float && t.desc:
		return storage.CompareFloat(st.MaxFloat, t.f) < 0
	case t.float:
		return storage.CompareFloat(st.MinFloat, t.f) > 0
	case t.desc:
		return st.MaxInt < t.i
	}
	return st.MinInt > t.i
}

// offer raises the bound to the worst first key of a morsel's k kept rows
// (positions in a, the key's column).
func (t *topBound) offer(a arrow.Array, rows []int32) {
	if t == nil || len(rows) == 0 {
		return
	}
	var wf float64
	var wi int64
	var ints func(int) int64
	if !t.float {
		ints = intReader(a)
	}
	first := true
	for _, r := range rows {
		if a.IsNull(int(r)) {
			if t.nullsFirst {
				continue // NULLs come first: never the worst of the kept rows
			}
			return // a NULL is the worst, and bounds nothing
		}
		var f float64
		var i int64
		if t.float {
			f = a.(*array.Float64).Value(int(r))
		} else {
			i = ints(int(r))
		}
		if first || t.worse(f, i, wf, wi) {
			wf, wi, first = f, i, false
		}
	}
	if first {
		return // only NULLs
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.has || t.worse(t.f, t.i, wf, wi) {
		t.f, t.i, t.has = wf, wi, true
	}
}

// worse reports whether first key (f, i) sorts after (g, j).
func (t *topBound) worse(f float64, i int64, g float64, j int64) bool {
	c := cmp.Compare(i, j)
	if t.float {
		c = storage.CompareFloat(f, g)
	}
	if t.desc {
		return c < 0
	}
	return c > 0
}
