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

// typeOf is e's type over in (TypeInvalid when unknown or ill-typed).
func (p *planner) typeOf(e plan.Expr, in plan.Schema) storage.ColumnType {
	_, t, err := plan.BindExpr(p.substitute(e), in)
	if err != nil {
		return storage.TypeInvalid
	}
	return t
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
			if p.infer(e, at.in, at.want) {
				changed = true
			}
			return p.checkExpr(e, at)
		})
		if err != nil || !changed {
			return err
		}
	}
	return nil
}

// infer types e's untyped parameters from context; it reports a change.
func (p *planner) infer(e plan.Expr, in plan.Schema, want storage.ColumnType) bool {
	switch e := e.(type) {
	case plan.Param:
		return p.setParam(e.Index, want)
	case plan.Bin:
		return p.inferBin(e, in, want)
	case plan.Not:
		return p.infer(e.X, in, storage.TypeBool)
	case plan.Neg:
		return p.infer(e.X, in, want)
	case plan.IsNull:
		return p.infer(e.X, in, storage.TypeInvalid)
	case plan.In:
		return p.inferPeers(append([]plan.Expr{e.X}, e.List...), in, storage.TypeInvalid)
	case plan.Between:
		return p.inferPeers([]plan.Expr{e.X, e.Lo, e.Hi}, in, storage.TypeInvalid)
	case plan.Like:
		return or(p.infer(e.X, in, storage.TypeString), p.infer(e.Pattern, in, storage.TypeString))
	case plan.Cast:
		return p.infer(e.X, in, e.To)
	case plan.DateTrunc:
		return p.infer(e.X, in, storage.TypeTimestamp)
	case plan.TimeBucket:
		return p.infer(e.X, in, storage.TypeTimestamp)
	case plan.Case:
		changed := false
		branches := []plan.Expr{}
		for _, w := range e.Whens {
			changed = p.infer(w.Cond, in, storage.TypeBool) || changed
			branches = append(branches, w.Then)
		}
		if e.Else != nil {
			branches = append(branches, e.Else)
		}
		return p.inferPeers(branches, in, want) || changed
	case plan.Coalesce:
		return p.inferPeers(e.Args, in, want)
	case plan.Func:
		return p.inferFunc(e, in, want)
	}
	return false
}

func or(a, b bool) bool { return a || b }

func (p *planner) inferBin(e plan.Bin, in plan.Schema, want storage.ColumnType) bool {
	if e.Op.IsLogical() {
		return or(p.infer(e.L, in, storage.TypeBool), p.infer(e.R, in, storage.TypeBool))
	}
	lt, rt := p.typeOf(e.L, in), p.typeOf(e.R, in)
	if e.Op.IsArithmetic() && lt == storage.TypeInvalid && rt == storage.TypeInvalid && plan.IsNumeric(want) {
		lt, rt = want, want
	}
	return or(p.infer(e.L, in, rt), p.infer(e.R, in, lt))
}

// inferPeers gives expressions that must share a type the first known
// one (or want).
func (p *planner) inferPeers(es []plan.Expr, in plan.Schema, want storage.ColumnType) bool {
	t := want
	for _, e := range es {
		if et := p.typeOf(e, in); et != storage.TypeInvalid {
			t = et
			break
		}
	}
	changed := false
	for _, e := range es {
		changed = p.infer(e, in, t) || changed
	}
	return changed
}

func (p *planner) inferFunc(e plan.Func, in plan.Schema, want storage.ColumnType) bool {
	arg := func(i int, t storage.ColumnType) bool {
		return i < len(e.Args) && p.infer(e.Args[i], in, t)
	}
	switch e.Name {
	case plan.FnLower, plan.FnUpper, plan.FnLength:
		return arg(0, storage.TypeString)
	case plan.FnAbs, plan.FnFloor, plan.FnCeil:
		return arg(0, numericWant(want))
	case plan.FnRound:
		return or(arg(0, numericWant(want)), arg(1, storage.TypeInt32))
	case plan.FnDatePart, "extract":
		return or(arg(0, storage.TypeString), arg(1, storage.TypeTimestamp))
	case plan.FnGreatest, plan.FnLeast, plan.FnNullIf:
		return p.inferPeers(e.Args, in, want)
	}
	return false
}

func numericWant(want storage.ColumnType) storage.ColumnType {
	if plan.IsNumeric(want) {
		return want
	}
	return storage.TypeFloat64
}
