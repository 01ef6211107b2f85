package exec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// aggSpec is one compiled aggregate.
type aggSpec struct {
	fn  plan.AggFunc
	arg *expr // nil for count(*)
	out storage.ColumnType
}

// aggState is one worker's partial aggregate.
type aggState struct {
	groups   *groupTable
	aggs     []aggregator
	gids     []int32
	reported int64 // bytes already charged to the budget
}

func newAggState(keys []groupKey, specs []aggSpec) *aggState {
	st := &aggState{groups: newGroupTable(keys), aggs: make([]aggregator, len(specs))}
	for i, s := range specs {
		argType := storage.TypeInvalid
		if s.arg != nil {
			argType = s.arg.typ
		}
		st.aggs[i] = newAggregator(s.fn, argType, s.out)
		st.aggs[i].grow(st.groups.n)
	}
	return st
}

func (st *aggState) bytes() int64 {
	n := st.groups.bytes()
	for _, a := range st.aggs {
		n += a.bytes()
	}
	return n
}

// charge reports the state's growth to the budget.
func (st *aggState) charge(b *budget) error {
	now := st.bytes()
	delta := now - st.reported
	st.reported = now
	return b.grow(delta, "aggregation state")
}

// compileGroupKeys compiles grouping expressions (GROUP BY, DISTINCT ON).
func compileGroupKeys(exprs []plan.Expr, in plan.Schema) ([]groupKey, error) {
	keys := make([]groupKey, len(exprs))
	for i, x := range exprs {
		e, err := compileExpr(x, in)
		if err != nil {
			return nil, err
		}
		keys[i] = groupKey{expr: e, strCol: -1, int32Col: -1}
		if c, ok := colIndex(x, in); ok {
			switch e.typ {
			case storage.TypeString:
				keys[i].strCol = c
			case storage.TypeInt32, storage.TypeDate:
				keys[i].int32Col = c
			}
		}
	}
	return keys, nil
}

func compileAggregate(n *plan.Aggregate, in plan.Schema) ([]groupKey, []aggSpec, error) {
	exprs := make([]plan.Expr, len(n.GroupBy))
	for i, g := range n.GroupBy {
		exprs[i] = g.Expr
	}
	keys, err := compileGroupKeys(exprs, in)
	if err != nil {
		return nil, nil, err
	}
	specs := make([]aggSpec, len(n.Aggs))
	for i, a := range n.Aggs {
		_, out, err := plan.BindAgg(a.Agg, in)
		if err != nil {
			return nil, nil, err
		}
		specs[i] = aggSpec{fn: a.Agg.Func, out: out}
		if a.Agg.Arg != nil {
			e, err := compileExpr(a.Agg.Arg, in)
			if err != nil {
				return nil, nil, err
			}
			specs[i].arg = &e
		}
	}
	return keys, specs, nil
}

// aggregate runs filter + group + partial aggregates on every worker, then
// merges the partials once.
func (r *run) aggregate(in *input, pred plan.Expr, n *plan.Aggregate) (*relation, error) {
	filters, err := compileFilter(pred, in.schema)
	if err != nil {
		return nil, err
	}
	keys, specs, err := compileAggregate(n, in.schema)
	if err != nil {
		return nil, err
	}
	outSchema, err := r.schema(n)
	if err != nil {
		return nil, err
	}
	workers := r.workersFor(len(in.morsels))
	states := make([]*aggState, workers)
	err = forEachMorsel(r.ctx, workers, len(in.morsels), func(w, i int) error {
		if states[w] == nil {
			states[w] = newAggState(keys, specs)
		}
		return r.aggregateMorsel(in, in.morsels[i], filters, specs, states[w])
	})
	if err != nil {
		return nil, err
	}
	final := newAggState(keys, specs)
	for _, st := range states {
		if st == nil {
			continue
		}
		gmap := final.groups.absorb(st.groups)
		for j, a := range final.aggs {
			a.grow(final.groups.n)
			a.merge(st.aggs[j], gmap)
		}
		if err := final.charge(r.budget); err != nil {
			return nil, err
		}
	}
	return r.finishAggregate(final, outSchema, len(keys))
}

func (r *run) aggregateMorsel(in *input, m morsel, filters []filterStep, specs []aggSpec, st *aggState) error {
	b, done, err := r.startMorsel(in, m, filters)
	if err != nil {
		return err
	}
	defer done()
	if b.n == 0 {
		return nil
	}
	codes, remap, fused := st.groups.dictGroups(b)
	var gids []int32
	if len(st.groups.keys) > 0 && !fused {
		if gids, err = st.groups.assign(b, st.gids); err != nil {
			return err
		}
		st.gids = gids
	}
	for j, a := range st.aggs {
		a.grow(st.groups.n)
		in := aggInput{n: b.n, gids: gids, codes: codes}
		if arg := specs[j].arg; arg != nil {
			if in.v, err = arg.eval(b); err != nil {
				return err
			}
		}
		if _, ok := a.(interface{ takesNulls() }); !ok || fused {
			var skip bool
			if in, skip = in.withoutNulls(fused); skip {
				continue
			}
		}
		if fused {
			if cu, ok := a.(codeUpdater); ok && cu.updateCodes(in.v, in.codes, remap) {
				continue
			}
			if in.gids == nil {
				in.gids = gidsFromCodes(in.codes, remap, nil)
			}
		}
		if err := a.update(in.v, in.n, in.gids); err != nil {
			return err
		}
	}
	return st.charge(r.budget)
}

func (r *run) finishAggregate(st *aggState, schema plan.Schema, nkeys int) (*relation, error) {
	groups := st.groups.n
	cols := make([]arrow.Array, 0, len(schema))
	release := func() {
		for _, c := range cols {
			c.Release()
		}
	}
	for k := 0; k < nkeys; k++ {
		ab := newArrayBuilder(r.mem, schema[k].Type, groups)
		st.groups.keyArray(ab, k)
		cols = append(cols, ab.finish())
	}
	for _, a := range st.aggs {
		arr, err := a.finish(r.mem, groups)
		if err != nil {
			release()
			return nil, err
		}
		cols = append(cols, arr)
	}
	if len(cols) != len(schema) {
		release()
		return nil, fmt.Errorf("BUG: aggregate built %d columns for %d", len(cols), len(schema))
	}
	rec := array.NewRecordBatch(ArrowSchema(schema), cols, int64(groups))
	release()
	return &relation{schema: schema, recs: []arrow.RecordBatch{rec}}, nil
}
