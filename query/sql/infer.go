package sql

import (
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// Parameter types are inferred from context, as PostgreSQL does, where
// the client declared none:
//   - compared with, or in arithmetic with, an operand of a known type:
//     that type (a = $1, $1 < ts, a + $1, x BETWEEN $1 AND $2, x IN ($1));
//   - an operand of AND, OR, NOT, WHERE, HAVING, a CASE condition: boolean;
//   - LIKE's operands, lower/upper/length's argument: text;
//   - CAST($1 AS t), $1::t: t;
//   - date_trunc, date_bin, time_bucket, extract: timestamp;
//   - a CASE branch, COALESCE, NULLIF, GREATEST, LEAST argument: the type
//     of the others; abs, round, floor, ceil: double precision;
//   - LIMIT, OFFSET: bigint; an INSERT value: its column's type.
// Inference repeats until nothing changes ($1 = $2 AND $2 = a types
// both). A parameter still unknown is 42P18, as in PostgreSQL.

// substitute replaces parameters with NULLs of their types (untyped when
// unknown), so plan.Bind can type a plan that holds them.
func (p *planner) substitute(e plan.Expr) plan.Expr {
	if e == nil {
		return nil
	}
	return mapExpr(e, p.paramNull)
}

// paramNull replaces a parameter with a NULL of its type.
func (p *planner) paramNull(x plan.Expr) plan.Expr {
	par, ok := x.(plan.Param)
	if !ok {
		return x
	}
	if t := p.paramType(par.Index); t != storage.TypeInvalid {
		return plan.Lit{Value: plan.NullOf(t)}
	}
	return plan.Lit{Value: plan.Null()}
}

// schemaOf binds a plan (parameters substituted) and returns its output.
func (p *planner) schemaOf(n plan.Node) (plan.Schema, error) {
	sub, err := mapNode(n, p.paramNull, nil)
	if err != nil {
		return nil, err
	}
	_, s, err := plan.Bind(sub, p.cat)
	if err != nil {
		return nil, bindError(err)
	}
	return s, nil
}

// site is where an expression of a plan sits: its node's input schema,
// the type its context wants (TypeInvalid: any), and, for a predicate,
// its clause (WHERE, HAVING).
type site struct {
	in     plan.Schema
	want   storage.ColumnType
	clause string
}

// visitFn sees one expression of a plan.
type visitFn func(e plan.Expr, at site) error

// visitPlan calls fn for every expression of n, children first.
func (p *planner) visitPlan(n plan.Node, fn visitFn) error {
	var in plan.Schema
	for _, c := range n.Children() {
		if err := p.visitPlan(c, fn); err != nil {
			return err
		}
		s, err := p.schemaOf(c)
		if err != nil {
			return err
		}
		in = s
	}
	anyType := site{in: in}
	switch n := n.(type) {
	case *plan.Filter:
		clause := "WHERE"
		if _, ok := n.Input.(*plan.Aggregate); ok {
			clause = "HAVING"
		}
		return fn(n.Pred, site{in: in, want: storage.TypeBool, clause: clause})
	case *plan.Project:
		return visitNamed(n.Exprs, anyType, fn)
	case *plan.Aggregate:
		if err := visitNamed(n.GroupBy, anyType, fn); err != nil {
			return err
		}
		for _, a := range n.Aggs {
			if a.Agg.Arg != nil {
				if err := fn(a.Agg.Arg, anyType); err != nil {
					return err
				}
			}
		}
	case *plan.Sort:
		for _, k := range n.Keys {
			if err := fn(k.Expr, anyType); err != nil {
				return err
			}
		}
	case *plan.DistinctOn:
		for _, e := range n.On {
			if err := fn(e, anyType); err != nil {
				return err
			}
		}
	case *plan.Values:
		return p.visitValues(n, fn)
	}
	return nil
}

func visitNamed(ns []plan.Named, at site, fn visitFn) error {
	for _, x := range ns {
		if err := fn(x.Expr, at); err != nil {
			return err
		}
	}
	return nil
}

// visitValues visits a Values column by column: an untyped item wants
// the type of the column's first typed one.
func (p *planner) visitValues(n *plan.Values, fn visitFn) error {
	for j := range n.Names {
		want := storage.TypeInvalid
		for _, row := range n.Rows {
			if j < len(row) {
				if t := p.typeOf(row[j], nil); t != storage.TypeInvalid {
					want = t
					break
				}
			}
		}
		for _, row := range n.Rows {
			if j < len(row) {
				if err := fn(row[j], site{want: want}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// inferPlan infers parameter types over a plan until nothing changes,
// checking each expression's operators on the way (typecheck.go), so an
// operator error is reported in PostgreSQL's words before binding a node
// above it would report it in the planner's.
func (p *planner) inferPlan(n plan.Node) error {
	for range 8 {
		changed := false
		err := p.visitPlan(n, func(e plan.Expr, at site) error {
			_, root, err := p.walkTyped(e, at.in, nil, func(x plan.Expr, kids []typed) (plan.Expr, bool, error) {
				if p.inferKids(x, kids) {
					changed = true
				}
				return x, false, p.checkNode(x, kids)
			})
			if err != nil {
				return err
			}
			if p.pushWant(e, at.want) {
				changed = true
			}
			return p.checkRoot(root, at)
		})
		if err != nil || !changed {
			return err
		}
	}
	return nil
}

// inferKids types e's untyped parameter operands from their peers and
// from what e wants of them; it reports a change.
func (p *planner) inferKids(e plan.Expr, kids []typed) bool {
	ops := exprKids(e)
	switch x := e.(type) {
	case plan.Bin:
		if x.Op.IsLogical() {
			return or(p.pushWant(x.L, storage.TypeBool), p.pushWant(x.R, storage.TypeBool))
		}
		return or(p.pushWant(x.L, kids[1].t), p.pushWant(x.R, kids[0].t))
	case plan.Not:
		return p.pushWant(x.X, storage.TypeBool)
	case plan.In, plan.Between, plan.Coalesce:
		return p.pushPeers(ops, kids, storage.TypeInvalid)
	case plan.Like:
		return or(p.pushWant(x.X, storage.TypeString), p.pushWant(x.Pattern, storage.TypeString))
	case plan.Cast:
		return p.pushWant(x.X, x.To)
	case plan.DateTrunc:
		return p.pushWant(x.X, storage.TypeTimestamp)
	case plan.TimeBucket:
		return p.pushWant(x.X, storage.TypeTimestamp)
	case plan.Case:
		changed := false
		var branches []plan.Expr
		var info []typed
		for i, op := range ops {
			if i%2 == 0 && i < 2*len(x.Whens) {
				changed = p.pushWant(op, storage.TypeBool) || changed
				continue
			}
			branches, info = append(branches, op), append(info, kids[i])
		}
		return p.pushPeers(branches, info, storage.TypeInvalid) || changed
	case plan.Func:
		return p.inferFunc(x, kids)
	}
	return false
}

func or(a, b bool) bool { return a || b }

// pushPeers gives operands that must share a type the first known one
// (or want).
func (p *planner) pushPeers(ops []plan.Expr, kids []typed, want storage.ColumnType) bool {
	t := want
	for _, k := range kids {
		if k.t != storage.TypeInvalid {
			t = k.t
			break
		}
	}
	changed := false
	for _, op := range ops {
		changed = p.pushWant(op, t) || changed
	}
	return changed
}

func (p *planner) inferFunc(e plan.Func, kids []typed) bool {
	arg := func(i int, t storage.ColumnType) bool {
		return i < len(e.Args) && p.pushWant(e.Args[i], t)
	}
	switch e.Name {
	case plan.FnLower, plan.FnUpper, plan.FnLength:
		return arg(0, storage.TypeString)
	case plan.FnAbs, plan.FnFloor, plan.FnCeil:
		return arg(0, storage.TypeFloat64)
	case plan.FnRound:
		return or(arg(0, storage.TypeFloat64), arg(1, storage.TypeInt32))
	case plan.FnDatePart, "extract":
		return or(arg(0, storage.TypeString), arg(1, storage.TypeTimestamp))
	case plan.FnGreatest, plan.FnLeast, plan.FnNullIf:
		return p.pushPeers(e.Args, kids, storage.TypeInvalid)
	}
	return false
}

// pushWant gives the parameters e stands for the type t: e itself, or
// through the expressions whose type is their operands' (a negation, CASE
// branches, COALESCE, GREATEST, LEAST, NULLIF, abs, round, ...).
func (p *planner) pushWant(e plan.Expr, t storage.ColumnType) bool {
	if t == storage.TypeInvalid {
		return false
	}
	switch x := e.(type) {
	case plan.Param:
		return p.setParam(x.Index, t)
	case plan.Neg:
		return p.pushWant(x.X, t)
	case plan.Case:
		changed := false
		for _, w := range x.Whens {
			changed = p.pushWant(w.Then, t) || changed
		}
		if x.Else != nil {
			changed = p.pushWant(x.Else, t) || changed
		}
		return changed
	case plan.Coalesce:
		return p.pushAll(x.Args, t)
	case plan.Func:
		switch x.Name {
		case plan.FnGreatest, plan.FnLeast, plan.FnNullIf:
			return p.pushAll(x.Args, t)
		case plan.FnAbs, plan.FnFloor, plan.FnCeil, plan.FnRound:
			if plan.IsNumeric(t) && len(x.Args) > 0 {
				return p.pushWant(x.Args[0], t)
			}
		}
	}
	return false
}

func (p *planner) pushAll(es []plan.Expr, t storage.ColumnType) bool {
	changed := false
	for _, e := range es {
		changed = p.pushWant(e, t) || changed
	}
	return changed
}
