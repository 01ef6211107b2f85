package sql

import (
	"slices"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// PostgreSQL answers numeric where Strata's engine answers an int64 or a
// float64: sum of a bigint column, avg of an integer column, extract(),
// a decimal constant (1.5), and what is computed from those (sum(x) * 2,
// round(avg(x), 2), a sum of sums). The result columns carry
// Column.Numeric so the wire protocol declares numeric; the values are
// the engine's. A cast (avg(x)::float8) ends it, and so does combining it
// with a double precision operand, as numeric with float8 is float8 in
// PostgreSQL.

// numericCols flags n's output columns PostgreSQL would type numeric.
func (p *planner) numericCols(n plan.Node) ([]bool, error) {
	switch n := n.(type) {
	case *plan.Filter, *plan.Sort, *plan.Limit, *plan.DistinctOn:
		return p.numericCols(n.Children()[0])
	case *plan.Project:
		return p.numericOver(n.Input, func(flags []bool, in plan.Schema) []bool {
			out := make([]bool, len(n.Exprs))
			for i, e := range n.Exprs {
				out[i] = p.info(e.Expr, in, flags).numeric
			}
			return out
		})
	case *plan.Aggregate:
		return p.numericOver(n.Input, func(flags []bool, in plan.Schema) []bool {
			var out []bool
			for _, g := range n.GroupBy {
				out = append(out, p.info(g.Expr, in, flags).numeric)
			}
			for _, a := range n.Aggs {
				out = append(out, p.numericAgg(a.Agg, flags, in))
			}
			return out
		})
	case *plan.Values:
		return p.numericValues(n), nil
	}
	s, err := p.schemaOf(n)
	return make([]bool, len(s)), err
}

func (p *planner) info(e plan.Expr, in plan.Schema, flags []bool) typed {
	_, t, _ := p.walkTyped(e, in, flags, nil)
	return t
}

func (p *planner) numericOver(in plan.Node, f func([]bool, plan.Schema) []bool) ([]bool, error) {
	flags, err := p.numericCols(in)
	if err != nil {
		return nil, err
	}
	s, err := p.schemaOf(in)
	if err != nil {
		return nil, err
	}
	return f(flags, s), nil
}

// numericValues flags a Values column whose items combine into numeric.
func (p *planner) numericValues(n *plan.Values) []bool {
	out := make([]bool, len(n.Names))
	for j := range out {
		var items []typed
		for _, row := range n.Rows {
			if j < len(row) {
				items = append(items, p.info(row[j], nil, nil))
			}
		}
		out[j] = combined(items)
	}
	return out
}

func (p *planner) numericAgg(a plan.Agg, flags []bool, in plan.Schema) bool {
	if a.Arg == nil {
		return false
	}
	arg := p.info(a.Arg, in, flags)
	switch a.Func {
	case plan.AggSum:
		return arg.t == storage.TypeInt64 || arg.numeric
	case plan.AggAvg:
		return plan.IsInteger(arg.t) || arg.numeric
	case plan.AggMin, plan.AggMax:
		return arg.numeric
	}
	return false
}

// numericNode reports whether PostgreSQL would type e numeric, given what
// is known of its operands and its own type t.
func (p *planner) numericNode(e plan.Expr, kids []typed, in plan.Schema, flags []bool, t storage.ColumnType) bool {
	col := func(i int) bool { return i >= 0 && i < len(flags) && flags[i] }
	switch x := e.(type) {
	case plan.Lit:
		// A decimal constant (1.5) is numeric; a cast constant is a
		// plan.Cast (expr.go keeps it), so it does not come here.
		return x.Value.Type == storage.TypeFloat64 && !x.Value.Null
	case plan.Col:
		return col(in.Index(x.Name))
	case plan.ColAt:
		return col(x.Index)
	case plan.Neg:
		return kids[0].numeric
	case plan.Bin:
		return x.Op.IsArithmetic() && combined(kids)
	case plan.Coalesce:
		return combined(kids)
	case plan.Case:
		var branches []typed
		for i, k := range kids {
			if i%2 == 1 || i == 2*len(x.Whens) {
				branches = append(branches, k)
			}
		}
		return combined(branches)
	case plan.Func:
		switch x.Name {
		case "extract":
			return true
		case plan.FnAbs, plan.FnRound, plan.FnFloor, plan.FnCeil:
			return len(kids) > 0 && kids[0].numeric
		case plan.FnGreatest, plan.FnLeast, plan.FnNullIf:
			return combined(kids)
		}
	}
	return false
}

// combined reports whether values combined into one (operands, branches)
// make a numeric: one is numeric and none is double precision, which wins
// over numeric in PostgreSQL.
func combined(kids []typed) bool {
	numeric := false
	for _, k := range kids {
		if k.t == storage.TypeFloat64 && !k.numeric {
			return false
		}
		numeric = numeric || k.numeric
	}
	return numeric
}

// exactDivision makes a division with a numeric operand (sum(bigint) /
// count(*)) a float division: PostgreSQL's numeric division is exact
// where the engine's integer division truncates.
func (p *planner) exactDivision(n plan.Node) plan.Node {
	switch n := n.(type) {
	case *plan.Project:
		in := p.exactDivision(n.Input)
		return &plan.Project{Input: in, Exprs: mapNamedWith(n.Exprs, p.divFix(in))}
	case *plan.Filter:
		in := p.exactDivision(n.Input)
		return &plan.Filter{Input: in, Pred: p.divFix(in)(n.Pred)}
	case *plan.Sort:
		in := p.exactDivision(n.Input)
		f := p.divFix(in)
		keys := make([]plan.SortKey, len(n.Keys))
		for i, k := range n.Keys {
			keys[i] = plan.SortKey{Expr: f(k.Expr), Desc: k.Desc, Nulls: k.Nulls}
		}
		return &plan.Sort{Input: in, Keys: keys}
	case *plan.DistinctOn:
		in := p.exactDivision(n.Input)
		f := p.divFix(in)
		on := make([]plan.Expr, len(n.On))
		for i, e := range n.On {
			on[i] = f(e)
		}
		return &plan.DistinctOn{Input: in, On: on}
	case *plan.Aggregate:
		in := p.exactDivision(n.Input)
		f := p.divFix(in)
		aggs := make([]plan.NamedAgg, len(n.Aggs))
		for i, a := range n.Aggs {
			aggs[i] = a
			if a.Agg.Arg != nil {
				aggs[i].Agg.Arg = f(a.Agg.Arg)
			}
		}
		return &plan.Aggregate{Input: in, GroupBy: mapNamedWith(n.GroupBy, f), Aggs: aggs}
	case *plan.Limit:
		c := &plan.Limit{Input: p.exactDivision(n.Input), Count: n.Count, Offset: n.Offset}
		if lp, ok := p.limits[n]; ok {
			p.limits[c] = lp
		}
		return c
	}
	return n
}

func mapNamedWith(ns []plan.Named, f func(plan.Expr) plan.Expr) []plan.Named {
	out := make([]plan.Named, len(ns))
	for i, n := range ns {
		out[i] = plan.Named{Name: n.Name, Expr: f(n.Expr)}
	}
	return out
}

// divFix returns what rewrites the numeric divisions of an expression
// over in.
func (p *planner) divFix(in plan.Node) func(plan.Expr) plan.Expr {
	flags, err := p.numericCols(in)
	if err != nil || !slices.Contains(flags, true) {
		return func(e plan.Expr) plan.Expr { return e }
	}
	schema, err := p.schemaOf(in)
	if err != nil {
		return func(e plan.Expr) plan.Expr { return e }
	}
	fix := func(e plan.Expr, kids []typed) (plan.Expr, bool, error) {
		b, ok := e.(plan.Bin)
		if !ok || b.Op != plan.OpDiv || !(kids[0].numeric || kids[1].numeric) ||
			!plan.IsInteger(kids[0].t) || !plan.IsInteger(kids[1].t) {
			return e, false, nil
		}
		return plan.Bin{Op: plan.OpDiv, L: plan.Cast{X: b.L, To: storage.TypeFloat64}, R: b.R}, true, nil
	}
	return func(e plan.Expr) plan.Expr {
		out, _, err := p.walkTyped(e, schema, flags, fix)
		if err != nil {
			return e
		}
		return out
	}
}
