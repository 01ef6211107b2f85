package exec

import (
	"cmp"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

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

// topPiece is a morsel of a relation: rows [off, off+rec.NumRows()) of
// relation record src.
type topPiece struct {
	rec arrow.RecordBatch
	src int32
	off int32
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

// distinctOnTop runs DistinctOn(on) over Sort(keys) of rel, where keys
// start with the ON expressions and rest are the others.
func (r *run) distinctOnTop(rel *relation, on []plan.Expr, keys, rest []plan.SortKey) (*relation, error) {
	if rel.rows() == 0 {
		return &relation{schema: rel.schema}, nil
	}
	gkeys, err := compileGroupKeys(on, rel.schema)
	if err != nil {
		return nil, err
	}
	rexprs := make([]expr, len(rest))
	for i, k := range rest {
		if rexprs[i], err = compileExpr(k.Expr, rel.schema); err != nil {
			return nil, err
		}
	}
	var pieces []topPiece
	for i, rec := range rel.recs {
		for off := int64(0); off < rec.NumRows(); off += morselRows {
			end := min(off+morselRows, rec.NumRows())
			p := topPiece{rec: rec, src: int32(i), off: int32(off)}
			if off != 0 || end != rec.NumRows() {
				p.rec = rec.NewSlice(off, end)
			}
			pieces = append(pieces, p)
		}
	}
	defer func() {
		for _, p := range pieces {
			if p.rec != rel.recs[p.src] {
				p.rec.Release()
			}
		}
	}()
	types := typesOf(rel.schema)
	workers := r.workersFor(len(pieces))
	states := make([]*topState, workers)
	charged := make([]int64, workers)
	err = forEachMorsel(r.ctx, workers, len(pieces), func(w, i int) error {
		st := states[w]
		if st == nil {
			st = newTopState(gkeys, rexprs)
			states[w] = st
		}
		p := pieces[i]
		if p.rec.NumRows() == 0 {
			return nil
		}
		b := newBatch(p.rec, types, nil)
		var err error
		if st.gids, err = st.groups.assign(b, st.gids); err != nil {
			return err
		}
		for k, e := range rexprs {
			v, err := e.eval(b)
			if err != nil {
				return err
			}
			st.vecs[k] = v.materialize(b.n)
		}
		for s, g := range st.gids {
			row := p.off + int32(s)
			if int(g) == len(st.src) || st.better(rest, st.vecs, s, p.src, row, int(g)) {
				st.take(st.vecs, s, p.src, row, int(g))
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
	// Gather the winners per record, then sort them by the full keys.
	rows := make([][]int32, len(rel.recs))
	for g := range all.src {
		rows[all.src[g]] = append(rows[all.src[g]], all.row[g])
	}
	winners := &relation{schema: rel.schema}
	defer winners.release()
	for i, rs := range rows {
		if len(rs) == 0 {
			continue
		}
		slices.Sort(rs)
		winners.recs = append(winners.recs, r.take(rel.schema, rel.recs[i], rs).recs...)
	}
	return r.sort(winners, keys)
}
