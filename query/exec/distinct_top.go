package exec

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// DISTINCT ON over a Sort whose leading keys are the DISTINCT ON
// expressions ("last point per device") keeps one row per group: the first
// of the group in sort order. Rather than sorting every row, distinctOnTop
// makes one parallel pass that keeps, per group, the best row by the
// remaining sort keys (ties: the earliest row of the input, which is the
// row the stable sort would put first), then sorts only the survivors.

// topRestKeys reports whether DistinctOn(on) over Sort(keys) can run as a
// top-1 per group: the first len(on) keys are the ON expressions, in any
// order and direction. It returns the remaining keys.
func topRestKeys(on []plan.Expr, keys []plan.SortKey) ([]plan.SortKey, bool) {
	if len(on) == 0 || len(keys) < len(on) {
		return nil, false
	}
	want := map[string]int{}
	for _, e := range on {
		want[e.String()]++
	}
	for _, k := range keys[:len(on)] {
		s := k.Expr.String()
		if want[s] == 0 {
			return nil, false
		}
		want[s]--
	}
	return keys[len(on):], true
}

// topState is one worker's best row per group.
type topState struct {
	groups *groupTable
	gids   []int32
	src    []int32   // per group: relation record of the best row
	row    []int32   // per group: its row in that record
	best   []*vector // per remaining key: the best row's value, per group
	vecs   []*vector // scratch: the remaining keys over the current batch
}

func newTopState(keys []groupKey, rest []expr) *topState {
	st := &topState{groups: newGroupTable(keys), best: make([]*vector, len(rest)), vecs: make([]*vector, len(rest))}
	for i, e := range rest {
		st.best[i] = &vector{typ: e.typ}
	}
	return st
}

func (st *topState) bytes() int64 {
	n := st.groups.bytes() + 8*int64(len(st.src))
	for _, v := range st.best {
		n += 9 * int64(len(v.nulls)) // value + null flag; strings alias their batch
	}
	return n
}

// compareAt orders row i of a against row j of b (same type, neither
// constant) as a sort key does.
func compareAt(a *vector, i int, b *vector, j int, desc, nullsFirst bool) int {
	an, bn := a.isNull(i), b.isNull(j)
	switch {
	case an && bn:
		return 0
	case an:
		if nullsFirst {
			return -1
		}
		return 1
	case bn:
		if nullsFirst {
			return 1
		}
		return -1
	}
	var c int
	switch {
	case a.ints != nil:
		c = cmp.Compare(a.ints[i], b.ints[j])
	case a.flts != nil:
		c = storage.CompareFloat(a.flts[i], b.flts[j])
	case a.strs != nil:
		c = cmp.Compare(a.strs[i], b.strs[j])
	case a.bools != nil:
		c = cmp.Compare(b2i(a.bools[i]), b2i(b.bools[j]))
	}
	if desc {
		return -c
	}
	return c
}

// setAt stores row i of v as group g's value in best (g <= groups so far).
func setAt(best *vector, g int, v *vector, i int) {
	if g == len(best.nulls) {
		best.nulls = append(best.nulls, false)
		switch {
		case isIntLike(best.typ), best.typ == storage.TypeInvalid:
			best.ints = append(best.ints, 0)
		case best.typ == storage.TypeFloat64:
			best.flts = append(best.flts, 0)
		case best.typ == storage.TypeBool:
			best.bools = append(best.bools, false)
		default:
			best.strs = append(best.strs, "")
		}
		best.n = len(best.nulls)
	}
	if v.isNull(i) {
		best.nulls[g] = true
		return
	}
	best.nulls[g] = false
	switch {
	case best.ints != nil:
		best.ints[g] = v.ints[i]
	case best.flts != nil:
		best.flts[g] = v.flts[i]
	case best.bools != nil:
		best.bools[g] = v.bools[i]
	case best.strs != nil:
		best.strs[g] = v.strs[i]
	}
}

// better reports whether candidate (row i of cand, at src/row) beats group
// g's current best in st.
func (st *topState) better(rest []plan.SortKey, cand []*vector, i int, src, row int32, g int) bool {
	for k, key := range rest {
		if c := compareAt(cand[k], i, st.best[k], g, key.Desc, key.NullsFirst()); c != 0 {
			return c < 0
		}
	}
	return src < st.src[g] || src == st.src[g] && row < st.row[g]
}

func (st *topState) take(cand []*vector, i int, src, row int32, g int) {
	if g == len(st.src) {
		st.src = append(st.src, src)
		st.row = append(st.row, row)
	} else {
		st.src[g], st.row[g] = src, row
	}
	for k := range st.best {
		setAt(st.best[k], g, cand[k], i)
	}
}

// distinctOnTop runs DistinctOn(on) over Sort(keys) of proj over the rows
// of in that pass pred, where keys start with the ON expressions and rest
// are the others. It streams over in's morsels: per morsel it evaluates the
// projection (as the Project would, so a row's error is still raised) and
// the keys over it, keeping per group the (morsel, row) of the best row
// and its remaining key values; only the winners' rows are projected into
// the result. Memory follows the groups, not the rows.
func (r *run) distinctOnTop(in *input, pred plan.Expr, proj []plan.Named, on []plan.Expr, keys, rest []plan.SortKey) (*relation, error) {
	filters, err := compileFilter(pred, in.schema)
	if err != nil {
		return nil, err
	}
	pexprs := make([]expr, len(proj))
	schema := make(plan.Schema, len(proj))
	for i, ne := range proj {
		if pexprs[i], err = compileExpr(ne.Expr, in.schema); err != nil {
			return nil, err
		}
		schema[i] = plan.Field{Name: ne.Name, Type: outType(pexprs[i].typ)}
	}
	gkeys, err := compileGroupKeys(on, schema)
	if err != nil {
		return nil, err
	}
	// Plain columns project without copying: the key batch reads the
	// input's arrays (dictionaries included) under the input's view.
	cols := make([]int, len(proj))
	plain := true
	for i, ne := range proj {
		c, ok := colIndex(ne.Expr, in.schema)
		plain = plain && ok
		cols[i] = c
	}
	rexprs := make([]expr, len(rest))
	for i, k := range rest {
		if rexprs[i], err = compileExpr(k.Expr, schema); err != nil {
			return nil, err
		}
	}
	types := typesOf(schema)
	workers := r.workersFor(len(in.morsels))
	states := make([]*topState, workers)
	charged := make([]int64, workers)
	err = forEachMorsel(r.ctx, workers, len(in.morsels), func(w, i int) error {
		st := states[w]
		if st == nil {
			st = newTopState(gkeys, rexprs)
			states[w] = st
		}
		b, off, done, err := r.startMorselAt(in, in.morsels[i], filters)
		if err != nil {
			return err
		}
		defer done()
		if b.n == 0 {
			return nil
		}
		kb, release, err := r.keyBatch(b, pexprs, cols, plain, types)
		if err != nil {
			return err
		}
		defer release()
		if st.gids, err = st.groups.assign(kb, st.gids); err != nil {
			return err
		}
		for k, e := range rexprs {
			v, err := e.eval(kb)
			if err != nil {
				return err
			}
			st.vecs[k] = v.materialize(kb.n)
		}
		src := int32(i)
		for s, g := range st.gids {
			row := int32(off + s)
			if b.sel != nil {
				row = int32(off) + b.sel[s]
			}
			if int(g) == len(st.src) || st.better(rest, st.vecs, s, src, row, int(g)) {
				st.take(st.vecs, s, src, row, int(g))
			}
		}
		now := st.bytes()
		if err := r.budget.grow(now-charged[w], "DISTINCT ON"); err != nil {
			return err
		}
		charged[w] = now
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Merge the workers' bests into the first state's groups.
	var all *topState
	for _, st := range states {
		if st == nil {
			continue
		}
		if all == nil {
			all = st
			continue
		}
		gmap := all.groups.absorb(st.groups)
		for g, to := range gmap {
			if int(to) == len(all.src) || all.better(rest, st.best, g, st.src[g], st.row[g], int(to)) {
				all.take(st.best, g, st.src[g], st.row[g], int(to))
			}
		}
	}
	if all == nil || len(all.src) == 0 {
		return &relation{schema: schema}, nil
	}
	// Project the winners, morsel by morsel, then sort them by the keys.
	rows := map[int32][]int32{}
	for g := range all.src {
		rows[all.src[g]] = append(rows[all.src[g]], all.row[g])
	}
	srcs := make([]int32, 0, len(rows))
	for m := range rows {
		srcs = append(srcs, m)
	}
	slices.Sort(srcs)
	as := ArrowSchema(schema)
	out := make([]arrow.RecordBatch, len(srcs))
	err = forEachMorsel(r.ctx, r.workersFor(len(srcs)), len(srcs), func(_, j int) error {
		m := in.morsels[srcs[j]]
		rs := rows[srcs[j]]
		slices.Sort(rs)
		b := newBatch(m.rec, in.types, rs)
		b.chunk = m.chunk
		cols := make([]arrow.Array, 0, len(pexprs))
		defer func() {
			for _, c := range cols {
				c.Release()
			}
		}()
		for k, e := range pexprs {
			v, err := projectedVector(e, b)
			if err != nil {
				return err
			}
			cols = append(cols, vectorArray(r.mem, schema[k].Type, v))
		}
		out[j] = array.NewRecordBatch(as, cols, int64(b.n))
		return r.budget.grow(storage.RecordBytes(out[j]), "DISTINCT ON")
	})
	winners := &relation{schema: schema}
	for _, rec := range out {
		if rec != nil {
			winners.recs = append(winners.recs, rec)
		}
	}
	defer winners.release()
	if err != nil {
		return nil, err
	}
	return r.sort(winners, keys)
}

// projectedVector evaluates a projection over b as a column of its output
// type: constants spread over the view, an untyped NULL as text.
func projectedVector(e expr, b *batch) (*vector, error) {
	v, err := e.eval(b)
	if err != nil {
		return nil, err
	}
	if v.typ == storage.TypeInvalid {
		nulls := make([]bool, b.n)
		for i := range nulls {
			nulls[i] = true
		}
		return &vector{typ: storage.TypeString, n: b.n, strs: make([]string, b.n), nulls: nulls}, nil
	}
	return v.materialize(b.n), nil
}

// keyBatch is the Sort's input over view b: the projection's columns, as
// the input's arrays under b's selection when every projection is a plain
// column, else evaluated into a record of b's rows. Expressions over it
// see the projected schema. The caller calls release when done.
func (r *run) keyBatch(b *batch, pexprs []expr, cols []int, plain bool, types []storage.ColumnType) (*batch, func(), error) {
	arrs := make([]arrow.Array, len(pexprs))
	fields := make([]arrow.Field, len(pexprs))
	sel, n := b.sel, b.n
	if plain {
		for i, c := range cols {
			arrs[i] = b.rec.Column(c)
			arrs[i].Retain()
		}
		n = int(b.rec.NumRows())
	} else {
		sel = nil
		for i, e := range pexprs {
			v, err := projectedVector(e, b)
			if err != nil {
				for _, a := range arrs[:i] {
					a.Release()
				}
				return nil, nil, err
			}
			arrs[i] = vectorArray(r.mem, types[i], v)
		}
	}
	for i, a := range arrs {
		fields[i] = arrow.Field{Name: fmt.Sprintf("c%d", i), Type: a.DataType(), Nullable: true}
	}
	rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	var charged int64
	if !plain {
		charged = storage.RecordBytes(rec)
	}
	release := func() {
		rec.Release()
		_ = r.budget.grow(-charged, "DISTINCT ON")
	}
	if err := r.budget.grow(charged, "DISTINCT ON"); err != nil {
		release()
		return nil, func() {}, err
	}
	return newBatch(rec, types, sel), release, nil
}
