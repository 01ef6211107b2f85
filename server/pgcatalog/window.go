package pgcatalog

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
)

// winPlan holds the window function calls of a (non-aggregating)
// SELECT: row_number, rank and dense_rank over PARTITION BY and ORDER BY.
type winPlan struct {
	specs []*winSpec
}

type winSpec struct {
	name      string
	partition []*expr
	order     []*expr
	dir       []sortKey
}

var windowFuncs = map[string]bool{"row_number": true, "rank": true, "dense_rank": true}

func (c *compiler) compileWindow(fe *tree.FuncExpr, name string, sc *scope) (*expr, error) {
	w := fe.WindowDef
	switch {
	case !windowFuncs[name]:
		return nil, unsupported("window function " + name)
	case sc.win == nil:
		return nil, unsupported("window functions here")
	case w.RefName != "" || w.Name != "":
		return nil, unsupported("named windows")
	case w.Frame != nil:
		return nil, unsupported("window frames")
	case len(fe.Exprs) > 0:
		return nil, errorf(codeUndefinedFunction, "function %s with arguments does not exist", name)
	}
	inner := *sc
	inner.win = nil
	spec := &winSpec{name: name}
	for _, p := range w.Partitions {
		x, err := c.compileExpr(p, &inner)
		if err != nil {
			return nil, err
		}
		spec.partition = append(spec.partition, x)
	}
	for _, o := range w.OrderBy {
		x, err := c.compileExpr(o.Expr, &inner)
		if err != nil {
			return nil, err
		}
		spec.order = append(spec.order, x)
		spec.dir = append(spec.dir, orderDirection(o))
	}
	i := len(sc.win.specs)
	sc.win.specs = append(sc.win.specs, spec)
	return &expr{typ: oidInt8, eval: func(_ *evalCtx, f *frame) (any, error) {
		if f == nil || i >= len(f.aggs) {
			return nil, errorf(codeInternal, "BUG: window function outside its frame")
		}
		return f.aggs[i], nil
	}}, nil
}

// apply computes every window function for frames (the rows after
// WHERE), storing the values in each frame's aggs.
func (w *winPlan) apply(ec *evalCtx, frames []*frame) error {
	for _, f := range frames {
		f.aggs = make([]any, len(w.specs))
	}
	for si, s := range w.specs {
		parts := map[string][]int{}
		var order []string
		for i, f := range frames {
			k, err := evalAll(ec, s.partition, f)
			if err != nil {
				return err
			}
			key := string(rowKey(k))
			if _, ok := parts[key]; !ok {
				order = append(order, key)
			}
			parts[key] = append(parts[key], i)
		}
		for _, key := range order {
			idx := parts[key]
			keys := make([][]any, len(idx))
			rows := make([][]any, len(idx))
			for j, i := range idx {
				k, err := evalAll(ec, s.order, frames[i])
				if err != nil {
					return err
				}
				keys[j], rows[j] = k, []any{int64(i)}
			}
			sortRows(rows, keys, s.dir)
			rank, dense := int64(1), int64(1)
			for j := range rows {
				if j > 0 && compareKeys(keys[j-1], keys[j], s.dir) != 0 {
					rank, dense = int64(j+1), dense+1
				}
				v := int64(j + 1)
				switch s.name {
				case "rank":
					v = rank
				case "dense_rank":
					v = dense
				}
				frames[rows[j][0].(int64)].aggs[si] = v
			}
		}
	}
	return nil
}
