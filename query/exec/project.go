package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// project filters and computes output columns morsel by morsel, in
// parallel, keeping the morsels' order in the result.
func (r *run) project(in *input, pred plan.Expr, exprs []plan.Named) (*relation, error) {
	return r.projectEach(in, pred, exprs, nil)
}

// projectEach is project that passes each morsel's output through reduce
// (when set), which returns the record to keep (it may be the one given,
// retained) before the next morsel of that worker is projected.
func (r *run) projectEach(in *input, pred plan.Expr, exprs []plan.Named, reduce func(plan.Schema, arrow.RecordBatch) (arrow.RecordBatch, error)) (*relation, error) {
	filters, err := compileFilter(pred, in.schema)
	if err != nil {
		return nil, err
	}
	compiled := make([]expr, len(exprs))
	schema := make(plan.Schema, len(exprs))
	for i, ne := range exprs {
		if compiled[i], err = compileExpr(ne.Expr, in.schema); err != nil {
			return nil, err
		}
		schema[i] = plan.Field{Name: ne.Name, Type: outType(compiled[i].typ)}
	}
	arrowSchema := ArrowSchema(schema)
	out := make([]arrow.RecordBatch, len(in.morsels))
	workers := r.workersFor(len(in.morsels))
	err = forEachMorsel(r.ctx, workers, len(in.morsels), func(_, i int) error {
		rec, err := r.projectMorsel(in, in.morsels[i], filters, compiled, schema, arrowSchema)
		if err == nil && rec != nil && reduce != nil {
			var kept arrow.RecordBatch
			kept, err = reduce(schema, rec)
			rec.Release()
			rec = kept
		}
		out[i] = rec
		if err == nil && rec != nil {
			err = r.budget.grow(storage.RecordBytes(rec), "query result")
		}
		return err
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

func (r *run) projectMorsel(in *input, m morsel, filters []filterStep, exprs []expr, schema plan.Schema, as *arrow.Schema) (arrow.RecordBatch, error) {
	b, done, err := r.startMorsel(in, m, filters)
	if err != nil {
		return nil, err
	}
	defer done()
	if b.n == 0 {
		return nil, nil
	}
	cols := make([]arrow.Array, 0, len(exprs))
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for i, e := range exprs {
		v, err := e.eval(b)
		if err != nil {
			return nil, err
		}
		if v.cnst {
			v = v.materialize(b.n)
		}
		cols = append(cols, vectorArray(r.mem, schema[i].Type, v))
	}
	return array.NewRecordBatch(as, cols, int64(b.n)), nil
}
