package sql

import (
	"slices"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// PostgreSQL answers numeric where Strata's engine answers an int64 or a
// float64: sum of a bigint column, avg of an integer column, and what is
// computed from those (sum(x) * 2, round(avg(x), 2), a sum of sums). The
// result columns carry Column.Numeric so the wire protocol declares
// numeric; the values are the engine's. A cast (avg(x)::float8) ends it,
// and so does arithmetic with a double precision operand, as numeric
// with float8 is float8 in PostgreSQL.

// numericCols flags n's output columns PostgreSQL would type numeric.
func (p *planner) numericCols(n plan.Node) ([]bool, error) {
	switch n := n.(type) {
	case *plan.Filter, *plan.Sort, *plan.Limit, *plan.DistinctOn:
		return p.numericCols(n.Children()[0])
	case *plan.Project:
		return p.numericOver(n.Input, func(flags []bool, in plan.Schema) []bool {
			out := make([]bool, len(n.Exprs))
			for i, e := range n.Exprs {
				out[i] = p.isNumeric(e.Expr, flags, in)
			}
			return out
		})
	case *plan.Aggregate:
		return p.numericOver(n.Input, func(flags []bool, in plan.Schema) []bool {
			var out []bool
			for _, g := range n.GroupBy {
				out = append(out, p.isNumeric(g.Expr, flags, in))
			}
			for _, a := range n.Aggs {
				out = append(out, p.numericAgg(a.Agg, flags, in))
			}
			return out
		})
	}
	if v, ok := n.(*plan.Values); ok {
		out := make([]bool, len(v.Names))
		for j := range out {
			items := make([]plan.Expr, 0, len(v.Rows))
			for _, row := range v.Rows {
				if j < len(row) {
					items = append(items, row[j])
				}
			}
			out[j] = p.combined(nil, nil, items...)
		}
		return out, nil
	}
	s, err := p.schemaOf(n)
	return make([]bool, len(s)), err
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

func (p *planner) numericAgg(a plan.Agg, flags []bool, in plan.Schema) bool {
	if a.Arg == nil {
		return false
	}
	t := p.typeOf(a.Arg, in)
	argNumeric := p.isNumeric(a.Arg, flags, in)
	switch a.Func {
	case plan.AggSum:
		return t == storage.TypeInt64 || argNumeric
	case plan.AggAvg:
		return plan.IsInteger(t) || argNumeric
	case plan.AggMin, plan.AggMax:
		return argNumeric
	}
	return false
}

// isNumeric reports an expression PostgreSQL would type numeric.
func (p *planner) isNumeric(e plan.Expr, flags []bool, in plan.Schema) bool {
	col := func(i int) bool { return i >= 0 && i < len(flags) && flags[i] }
	switch e := e.(type) {
	case plan.Lit:
		// A decimal constant (1.5) is numeric; a cast constant is a
		// plan.Cast (expr.go keeps it), so it does not come here.
		return e.Value.Type == storage.TypeFloat64 && !e.Value.Null
	case plan.Col:
		return col(in.Index(e.Name))
	case plan.ColAt:
		return col(e.Index)
	case plan.Neg:
		return p.isNumeric(e.X, flags, in)
	case plan.Bin:
		return e.Op.IsArithmetic() && p.combined(flags, in, e.L, e.R)
	case plan.Coalesce:
		return p.combined(flags, in, e.Args...)
	case plan.Case:
		branches := []plan.Expr{e.Else}
		for _, w := range e.Whens {
			branches = append(branches, w.Then)
		}
		return p.combined(flags, in, branches...)
	case plan.Func:
		switch e.Name {
		case "extract":
			return true
		case plan.FnAbs, plan.FnRound, plan.FnFloor, plan.FnCeil:
			return len(e.Args) > 0 && p.isNumeric(e.Args[0], flags, in)
		case plan.FnGreatest, plan.FnLeast, plan.FnNullIf:
			return p.combined(flags, in, e.Args...)
		}
	}
	return false
}

// combined reports whether expressions combined into one value (operands,
// branches) make a numeric: one is numeric and none is double precision,
// which wins over numeric in PostgreSQL.
func (p *planner) combined(flags []bool, in plan.Schema, es ...plan.Expr) bool {
	numeric := false
	for _, x := range es {
		if x == nil {
			continue
		}
		if p.isFloat(x, flags, in) {
			return false
		}
		numeric = numeric || p.isNumeric(x, flags, in)
	}
	return numeric
}

// isFloat reports a double precision operand that is not numeric.
func (p *planner) isFloat(e plan.Expr, flags []bool, in plan.Schema) bool {
	return p.typeOf(e, in) == storage.TypeFloat64 && !p.isNumeric(e, flags, in)
}

// exactDivision makes a division with a numeric operand (sum(bigint) /
// count(*)) a float division: PostgreSQL's numeric division is exact
// where the engine's integer division truncates.
func (p *planner) exactDivision(n plan.Node) plan.Node {
	switch n := n.(type) {
	case *plan.Project:
		in := p.exactDivision(n.Input)
		return &plan.Project{Input: in, Exprs: mapNamed(n.Exprs, p.divFix(in))}
	case *plan.Filter:
		in := p.exactDivision(n.Input)
		return &plan.Filter{Input: in, Pred: mapExpr(n.Pred, p.divFix(in))}
	case *plan.Sort:
		in := p.exactDivision(n.Input)
		f := p.divFix(in)
		keys := make([]plan.SortKey, len(n.Keys))
		for i, k := range n.Keys {
			keys[i] = plan.SortKey{Expr: mapExpr(k.Expr, f), Desc: k.Desc, Nulls: k.Nulls}
		}
		return &plan.Sort{Input: in, Keys: keys}
	case *plan.DistinctOn:
		in := p.exactDivision(n.Input)
		return &plan.DistinctOn{Input: in, On: mapExprs(n.On, p.divFix(in))}
	case *plan.Aggregate:
		in := p.exactDivision(n.Input)
		f := p.divFix(in)
		aggs := make([]plan.NamedAgg, len(n.Aggs))
		for i, a := range n.Aggs {
			aggs[i] = a
			if a.Agg.Arg != nil {
				aggs[i].Agg.Arg = mapExpr(a.Agg.Arg, f)
			}
		}
		return &plan.Aggregate{Input: in, GroupBy: mapNamed(n.GroupBy, f), Aggs: aggs}
	case *plan.Limit:
		c := &plan.Limit{Input: p.exactDivision(n.Input), Count: n.Count, Offset: n.Offset}
		if lp, ok := p.limits[n]; ok {
			p.limits[c] = lp
		}
		return c
	}
	return n
}

// divFix rewrites the numeric divisions of expressions over in.
func (p *planner) divFix(in plan.Node) func(plan.Expr) plan.Expr {
	flags, err := p.numericCols(in)
	if err != nil || !slices.Contains(flags, true) {
		return func(e plan.Expr) plan.Expr { return e }
	}
	schema, err := p.schemaOf(in)
	if err != nil {
		return func(e plan.Expr) plan.Expr { return e }
	}
	return func(e plan.Expr) plan.Expr {
		b, ok := e.(plan.Bin)
		if !ok || b.Op != plan.OpDiv || !(p.isNumeric(b.L, flags, schema) || p.isNumeric(b.R, flags, schema)) ||
			!plan.IsInteger(p.typeOf(b.L, schema)) || !plan.IsInteger(p.typeOf(b.R, schema)) {
			return e
		}
		return plan.Bin{Op: plan.OpDiv, L: plan.Cast{X: b.L, To: storage.TypeFloat64}, R: b.R}
	}
}
