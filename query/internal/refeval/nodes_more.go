package refeval

import (
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// distinctOn keeps the first row of each group of equal On values (NULLs
// together, -0 with 0, NaNs together), in input order. Which row is first
// is defined only up to the input's order: rows its Sort ties (or, with
// no Sort below, any rows, since scan order is the engine's) may come
// either way, so when such rows of a group differ, the run is unstable.
// A row whose key is poisoned keeps its poison (no engine can place it).
func (r *run) distinctOn(n *plan.DistinctOn) (*rel, error) {
	in, err := r.node(n.Input)
	if err != nil {
		return nil, err
	}
	keys, _, err := r.comp.compileAll(n.On, in.schema)
	if err != nil {
		return nil, err
	}
	var order []plan.SortKey
	var orderExprs []plan.Expr
	if s, ok := n.Input.(*plan.Sort); ok {
		order = s.Keys
		for _, k := range order {
			orderExprs = append(orderExprs, k.Expr)
		}
	}
	orderFns, _, err := r.comp.compileAll(orderExprs, in.schema)
	if err != nil {
		return nil, err
	}
	type group struct {
		first int          // position in out.rows
		order []plan.Value // its sort key
	}
	groups := map[string]*group{}
	out := &rel{schema: in.schema}
	for _, t := range in.rows {
		id, kerr := r.groupID(keys, t)
		if kerr != nil {
			if t.err == nil {
				t.err = kerr
			}
			out.rows = append(out.rows, t)
			continue
		}
		ok := orderKey(orderFns, t)
		g, seen := groups[id]
		if !seen {
			groups[id] = &group{first: len(out.rows), order: ok}
			out.rows = append(out.rows, t)
			continue
		}
		if (order == nil || compareKeys(ok, g.order, order) == 0) && !RowsMatch(values(t), values(out.rows[g.first])) {
			r.unstable = true
		}
	}
	return out, nil
}

// groupID is a row's grouping identity under keys, or the poison of a key.
func (r *run) groupID(keys []fn, t tuple) (string, error) {
	var id []byte
	for _, f := range keys {
		c := f(t.cells)
		if c.err != nil {
			return "", c.err
		}
		if c.approx > 0 {
			r.unstable = true // the value may fall into another group
		}
		id = appendKey(id, c.v)
	}
	return string(id), nil
}

func orderKey(fns []fn, t tuple) []plan.Value {
	k := make([]plan.Value, len(fns))
	for i, f := range fns {
		if c := f(t.cells); c.err == nil {
			k[i] = c.v
		} else {
			k[i] = plan.Null()
		}
	}
	return k
}

// values evaluates a constant relation; each column's type is the widest
// of its rows' types.
func (r *run) values(n *plan.Values) (*rel, error) {
	fns := make([][]fn, len(n.Rows))
	types := make([][]storage.ColumnType, len(n.Names))
	for i, row := range n.Rows {
		fs, ts, err := r.comp.compileAll(row, nil)
		if err != nil {
			return nil, err
		}
		fns[i] = fs
		for c, t := range ts {
			types[c] = append(types[c], t)
		}
	}
	out := &rel{schema: make(plan.Schema, len(n.Names))}
	for c, name := range n.Names {
		out.schema[c] = plan.Field{Name: name, Type: widest(types[c]...)}
	}
	for _, fs := range fns {
		cells := make([]cell, len(fs))
		for c, f := range fs {
			cells[c] = convert(f(nil), out.schema[c].Type)
		}
		out.rows = append(out.rows, tuple{cells: cells})
	}
	return out, nil
}
