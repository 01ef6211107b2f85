package exec

import (
	"cmp"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// concat joins a relation's records into one (nil when it has no rows).
func (r *run) concat(rel *relation) (arrow.RecordBatch, error) {
	switch len(rel.recs) {
	case 0:
		return nil, nil
	case 1:
		rel.recs[0].Retain()
		return rel.recs[0], nil
	}
	cols := make([]arrow.Array, len(rel.schema))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	parts := make([]arrow.Array, len(rel.recs))
	for i := range rel.schema {
		for j, rec := range rel.recs {
			parts[j] = rec.Column(i)
		}
		c, err := array.Concatenate(parts, r.mem)
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	return array.NewRecordBatch(ArrowSchema(rel.schema), cols, rel.rows()), nil
}

// sortKeyVec is an evaluated sort key.
type sortKeyVec struct {
	v          *vector
	desc       bool
	nullsFirst bool
}

func (k *sortKeyVec) compare(a, b int) int {
	an, bn := k.v.isNull(a), k.v.isNull(b)
	switch {
	case an && bn:
		return 0
	case an:
		if k.nullsFirst {
			return -1
		}
		return 1
	case bn:
		if k.nullsFirst {
			return 1
		}
		return -1
	}
	var c int
	switch {
	case k.v.ints != nil:
		c = cmp.Compare(k.v.ints[a], k.v.ints[b])
	case k.v.flts != nil:
		c = storage.CompareFloat(k.v.flts[a], k.v.flts[b])
	case k.v.strs != nil:
		c = cmp.Compare(k.v.strs[a], k.v.strs[b])
	case k.v.bools != nil:
		c = cmp.Compare(b2i(k.v.bools[a]), b2i(k.v.bools[b]))
	}
	if k.desc {
		return -c
	}
	return c
}

// sort orders a relation by its keys (stable, so ties keep input order).
func (r *run) sort(rel *relation, keys []plan.SortKey) (*relation, error) {
	rec, err := r.concat(rel)
	if err != nil || rec == nil {
		return &relation{schema: rel.schema}, err
	}
	defer rec.Release()
	if rec.NumRows() == 0 {
		// Nothing to order, and no row to evaluate a key on: like every
		// other operator, an expression raises errors only for real rows.
		return &relation{schema: rel.schema}, nil
	}
	types := typesOf(rel.schema)
	b := newBatch(rec, types, nil)
	vecs := make([]sortKeyVec, len(keys))
	for i, k := range keys {
		e, err := compileExpr(k.Expr, rel.schema)
		if err != nil {
			return nil, err
		}
		v, err := e.eval(b)
		if err != nil {
			return nil, err
		}
		vecs[i] = sortKeyVec{v: v.materialize(b.n), desc: k.Desc, nullsFirst: k.NullsFirst()}
	}
	perm := make([]int32, b.n)
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortStableFunc(perm, func(x, y int32) int {
		for i := range vecs {
			if c := vecs[i].compare(int(x), int(y)); c != 0 {
				return c
			}
		}
		return 0
	})
	if err := r.budget.grow(storage.RecordBytes(rec)+int64(4*len(perm)), "sort"); err != nil {
		return nil, err
	}
	return r.take(rel.schema, rec, perm), nil
}

// take builds a relation of rec's rows in the order rows lists them.
func (r *run) take(schema plan.Schema, rec arrow.RecordBatch, rows []int32) *relation {
	cols := make([]arrow.Array, len(schema))
	for i, f := range schema {
		v := columnVector(f.Type, rec.Column(i), rows)
		cols[i] = vectorArray(r.mem, f.Type, v)
	}
	out := array.NewRecordBatch(ArrowSchema(schema), cols, int64(len(rows)))
	for _, c := range cols {
		c.Release()
	}
	return &relation{schema: schema, recs: []arrow.RecordBatch{out}}
}

// limit keeps rows [offset, offset+count) of a relation (all after offset
// when count < 0).
func (r *run) limit(rel *relation, count, offset int64) (*relation, error) {
	out := &relation{schema: rel.schema}
	skip := offset
	left := count
	for _, rec := range rel.recs {
		if left == 0 {
			break
		}
		n := rec.NumRows()
		if skip >= n {
			skip -= n
			continue
		}
		end := n
		if left > 0 {
			end = min(n, skip+left)
			left -= end - skip
		}
		out.recs = append(out.recs, rec.NewSlice(skip, end))
		skip = 0
	}
	return out, nil
}
