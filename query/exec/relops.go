package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// distinctOn keeps the first row of each distinct value of the keys, in
// the relation's order. Keys group as GROUP BY does (NULLs together, -0
// with 0, NaNs together), and a row is first when its group id is new:
// ids are dense in order of first appearance.
func (r *run) distinctOn(rel *relation, on []plan.Expr) (*relation, error) {
	keys, err := compileGroupKeys(on, rel.schema)
	if err != nil {
		return nil, err
	}
	groups := newGroupTable(keys)
	types := typesOf(rel.schema)
	out := &relation{schema: rel.schema}
	var gids []int32
	var charged int64
	for _, rec := range rel.recs {
		if rec.NumRows() == 0 {
			continue
		}
		seen := int32(groups.n)
		if gids, err = groups.assign(newBatch(rec, types, nil), gids); err != nil {
			out.release()
			return nil, err
		}
		keep := make([]int32, 0, len(gids))
		for k, g := range gids {
			if g == seen {
				keep = append(keep, int32(k))
				seen++
			}
		}
		now := groups.bytes()
		if err := r.budget.grow(now-charged, "DISTINCT ON"); err != nil {
			out.release()
			return nil, err
		}
		charged = now
		switch {
		case len(keep) == int(rec.NumRows()):
			rec.Retain()
			out.recs = append(out.recs, rec)
		case len(keep) > 0:
			out.recs = append(out.recs, r.take(rel.schema, rec, keep).recs...)
		}
	}
	return out, nil
}

// values evaluates a constant relation: every expression over a batch of
// one row and no columns, converted to its column's unified type.
func (r *run) values(n *plan.Values) (*relation, error) {
	schema, err := r.schema(n)
	if err != nil {
		return nil, err
	}
	one := array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, 1)
	defer one.Release()
	b := newBatch(one, nil, nil)
	cols := make([]arrow.Array, 0, len(schema))
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for c, f := range schema {
		ab := newArrayBuilder(r.mem, f.Type, len(n.Rows))
		for _, row := range n.Rows {
			v, err := evalConst(row[c], f.Type, b)
			if err != nil {
				ab.finish().Release()
				return nil, err
			}
			ab.appendVector(v)
		}
		cols = append(cols, ab.finish())
	}
	rec := array.NewRecordBatch(ArrowSchema(schema), cols, int64(len(n.Rows)))
	if err := r.budget.grow(storage.RecordBytes(rec), "VALUES"); err != nil {
		rec.Release()
		return nil, err
	}
	return &relation{schema: schema, recs: []arrow.RecordBatch{rec}}, nil
}

func evalConst(e plan.Expr, t storage.ColumnType, b *batch) (*vector, error) {
	x, err := compileExpr(e, nil)
	if err != nil {
		return nil, err
	}
	return castTo(x, t).eval(b)
}
