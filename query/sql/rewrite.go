package sql

import (
	"github.com/stratadb/strata/query/plan"
)

// mapExpr rebuilds e bottom-up, replacing each node by f of it.
func mapExpr(e plan.Expr, f func(plan.Expr) plan.Expr) plan.Expr {
	m := func(x plan.Expr) plan.Expr {
		if x == nil {
			return nil
		}
		return mapExpr(x, f)
	}
	switch x := e.(type) {
	case plan.Bin:
		e = plan.Bin{Op: x.Op, L: m(x.L), R: m(x.R)}
	case plan.Not:
		e = plan.Not{X: m(x.X)}
	case plan.Neg:
		e = plan.Neg{X: m(x.X)}
	case plan.IsNull:
		e = plan.IsNull{X: m(x.X), Not: x.Not}
	case plan.In:
		e = plan.In{X: m(x.X), List: mapExprs(x.List, f), Not: x.Not}
	case plan.Between:
		e = plan.Between{X: m(x.X), Lo: m(x.Lo), Hi: m(x.Hi), Not: x.Not}
	case plan.DateTrunc:
		e = plan.DateTrunc{Unit: x.Unit, X: m(x.X)}
	case plan.TimeBucket:
		e = plan.TimeBucket{Width: x.Width, Origin: x.Origin, X: m(x.X)}
	case plan.Case:
		c := plan.Case{Whens: make([]plan.When, len(x.Whens)), Else: m(x.Else)}
		for i, w := range x.Whens {
			c.Whens[i] = plan.When{Cond: m(w.Cond), Then: m(w.Then)}
		}
		e = c
	case plan.Coalesce:
		e = plan.Coalesce{Args: mapExprs(x.Args, f)}
	case plan.Like:
		e = plan.Like{X: m(x.X), Pattern: m(x.Pattern), Not: x.Not, CaseInsensitive: x.CaseInsensitive}
	case plan.Cast:
		e = plan.Cast{X: m(x.X), To: x.To}
	case plan.Func:
		e = plan.Func{Name: x.Name, Args: mapExprs(x.Args, f)}
	}
	return f(e)
}

func mapExprs(es []plan.Expr, f func(plan.Expr) plan.Expr) []plan.Expr {
	out := make([]plan.Expr, len(es))
	for i, e := range es {
		out[i] = mapExpr(e, f)
	}
	return out
}

func mapNamed(ns []plan.Named, f func(plan.Expr) plan.Expr) []plan.Named {
	out := make([]plan.Named, len(ns))
	for i, n := range ns {
		out[i] = plan.Named{Name: n.Name, Expr: mapExpr(n.Expr, f)}
	}
	return out
}

// mapNode copies a plan with every expression mapped by f; onLimit, if
// set, may change the copy of each Limit (it gets the original too).
func mapNode(n plan.Node, f func(plan.Expr) plan.Expr, onLimit func(orig, c *plan.Limit) error) (plan.Node, error) {
	child := func(c plan.Node) (plan.Node, error) { return mapNode(c, f, onLimit) }
	switch n := n.(type) {
	case *plan.Scan:
		c := *n
		return &c, nil
	case *plan.Filter:
		in, err := child(n.Input)
		return &plan.Filter{Input: in, Pred: mapExpr(n.Pred, f)}, err
	case *plan.Project:
		in, err := child(n.Input)
		return &plan.Project{Input: in, Exprs: mapNamed(n.Exprs, f)}, err
	case *plan.Aggregate:
		in, err := child(n.Input)
		aggs := make([]plan.NamedAgg, len(n.Aggs))
		for i, a := range n.Aggs {
			aggs[i] = a
			if a.Agg.Arg != nil {
				aggs[i].Agg.Arg = mapExpr(a.Agg.Arg, f)
			}
		}
		return &plan.Aggregate{Input: in, GroupBy: mapNamed(n.GroupBy, f), Aggs: aggs}, err
	case *plan.Sort:
		in, err := child(n.Input)
		keys := make([]plan.SortKey, len(n.Keys))
		for i, k := range n.Keys {
			keys[i] = plan.SortKey{Expr: mapExpr(k.Expr, f), Desc: k.Desc, Nulls: k.Nulls}
		}
		return &plan.Sort{Input: in, Keys: keys}, err
	case *plan.DistinctOn:
		in, err := child(n.Input)
		return &plan.DistinctOn{Input: in, On: mapExprs(n.On, f)}, err
	case *plan.Limit:
		in, err := child(n.Input)
		if err != nil {
			return nil, err
		}
		c := &plan.Limit{Input: in, Count: n.Count, Offset: n.Offset}
		if onLimit != nil {
			err = onLimit(n, c)
		}
		return c, err
	case *plan.Values:
		rows := make([][]plan.Expr, len(n.Rows))
		for i, r := range n.Rows {
			rows[i] = mapExprs(r, f)
		}
		return &plan.Values{Names: n.Names, Rows: rows}, nil
	}
	return n, nil
}

// visitExprs calls fn for every expression node of n's plan, top-down.
func visitExprs(n plan.Node, fn func(plan.Expr)) {
	g := func(e plan.Expr) plan.Expr { fn(e); return e }
	_, _ = mapNode(n, g, nil)
}
