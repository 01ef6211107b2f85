package exec

import (
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/stratadb/strata/query/plan"
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
// the full stable sort stays ahead.
func (r *run) sortedTop(s *plan.Sort, k int) (*relation, error) {
	src, proj := s.Input, []plan.Named(nil)
	if p, ok := src.(*plan.Project); ok {
		src, proj = p.Input, p.Exprs
	}
	top, err := r.withInput(src, func(in *input, pred plan.Expr) (*relation, error) {
		if proj == nil {
			proj = passthrough(in.schema)
		}
		return r.projectEach(in, pred, proj, func(schema plan.Schema, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
			return r.topOf(schema, rec, s.Keys, k)
		})
	})
	if err != nil {
		return nil, err
	}
	defer top.release()
	return r.sort(top, s.Keys)
}

// topOf returns rec's first k rows in key order (rec itself when it has
// no more), in their order in rec.
func (r *run) topOf(schema plan.Schema, rec arrow.RecordBatch, keys []plan.SortKey, k int) (arrow.RecordBatch, error) {
	n := int(rec.NumRows())
	if n <= k {
		rec.Retain()
		return rec, nil
	}
	b := newBatch(rec, typesOf(schema), nil)
	vecs := make([]sortKeyVec, len(keys))
	for i, key := range keys {
		e, err := compileExpr(key.Expr, schema)
		if err != nil {
			return nil, err
		}
		v, err := e.eval(b)
		if err != nil {
			return nil, err
		}
		vecs[i] = sortKeyVec{v: v.materialize(b.n), desc: key.Desc, nullsFirst: key.NullsFirst()}
	}
	// before orders rows as the stable sort does: by the keys, then by
	// position.
	before := func(x, y int32) bool {
		for i := range vecs {
			if c := vecs[i].compare(int(x), int(y)); c != 0 {
				return c < 0
			}
		}
		return x < y
	}
	// A heap of the k best rows so far, the worst at the root.
	h := make([]int32, 0, k)
	for i := int32(0); i < int32(n); i++ {
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
	return r.take(schema, rec, h).recs[0], nil
}
