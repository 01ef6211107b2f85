package sql

import (
	"strconv"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// Planning asks the type of every node of an expression (to infer
// parameters, to report operator errors in PostgreSQL's words, to flag
// numeric results). Binding each node with plan.BindExpr would rebind
// its whole subtree, quadratic in a chain like a + b + c + ...; instead,
// walkTyped goes bottom-up once and types each node by binding a shallow
// copy whose composite operands are stand-in columns of their types, so
// the typing rules stay plan's own and the cost stays linear.

// typed is what walkTyped knows of a node.
type typed struct {
	t       storage.ColumnType // TypeInvalid: unknown (or ill-typed)
	numeric bool               // PostgreSQL would type it numeric (numeric.go)
}

// exprKids returns e's operands in a fixed order: Case as cond0, then0,
// cond1, then1, ..., [else]; In as x, items...; Between as x, lo, hi.
func exprKids(e plan.Expr) []plan.Expr {
	switch x := e.(type) {
	case plan.Bin:
		return []plan.Expr{x.L, x.R}
	case plan.Not:
		return []plan.Expr{x.X}
	case plan.Neg:
		return []plan.Expr{x.X}
	case plan.IsNull:
		return []plan.Expr{x.X}
	case plan.In:
		return append([]plan.Expr{x.X}, x.List...)
	case plan.Between:
		return []plan.Expr{x.X, x.Lo, x.Hi}
	case plan.DateTrunc:
		return []plan.Expr{x.X}
	case plan.TimeBucket:
		return []plan.Expr{x.X}
	case plan.Case:
		kids := make([]plan.Expr, 0, 2*len(x.Whens)+1)
		for _, w := range x.Whens {
			kids = append(kids, w.Cond, w.Then)
		}
		if x.Else != nil {
			kids = append(kids, x.Else)
		}
		return kids
	case plan.Coalesce:
		return x.Args
	case plan.Like:
		return []plan.Expr{x.X, x.Pattern}
	case plan.Cast:
		return []plan.Expr{x.X}
	case plan.Func:
		return x.Args
	}
	return nil
}

// withKids rebuilds e with new operands (in exprKids' order).
func withKids(e plan.Expr, k []plan.Expr) plan.Expr {
	switch x := e.(type) {
	case plan.Bin:
		return plan.Bin{Op: x.Op, L: k[0], R: k[1]}
	case plan.Not:
		return plan.Not{X: k[0]}
	case plan.Neg:
		return plan.Neg{X: k[0]}
	case plan.IsNull:
		return plan.IsNull{X: k[0], Not: x.Not}
	case plan.In:
		return plan.In{X: k[0], List: append([]plan.Expr(nil), k[1:]...), Not: x.Not}
	case plan.Between:
		return plan.Between{X: k[0], Lo: k[1], Hi: k[2], Not: x.Not}
	case plan.DateTrunc:
		return plan.DateTrunc{Unit: x.Unit, X: k[0]}
	case plan.TimeBucket:
		return plan.TimeBucket{Width: x.Width, Origin: x.Origin, X: k[0]}
	case plan.Case:
		c := plan.Case{Whens: make([]plan.When, len(x.Whens))}
		for i := range x.Whens {
			c.Whens[i] = plan.When{Cond: k[2*i], Then: k[2*i+1]}
		}
		if x.Else != nil {
			c.Else = k[len(k)-1]
		}
		return c
	case plan.Coalesce:
		return plan.Coalesce{Args: append([]plan.Expr(nil), k...)}
	case plan.Like:
		return plan.Like{X: k[0], Pattern: k[1], Not: x.Not, CaseInsensitive: x.CaseInsensitive}
	case plan.Cast:
		return plan.Cast{X: k[0], To: x.To}
	case plan.Func:
		return plan.Func{Name: x.Name, Args: append([]plan.Expr(nil), k...)}
	}
	return e
}

// isLeaf reports an expression without operands.
func isLeaf(e plan.Expr) bool {
	switch e.(type) {
	case plan.Col, plan.ColAt, plan.Lit, plan.Param:
		return true
	}
	return false
}

// typedVisit sees a node after its operands (with what is known of them);
// it may return a replacement for the node (and true).
type typedVisit func(e plan.Expr, kids []typed) (plan.Expr, bool, error)

// walkTyped walks e bottom-up over the input schema in, whose columns'
// numeric flags are flags, calling visit (if set) at each node, and
// returns e (with visit's replacements) and what is known of it.
func (p *planner) walkTyped(e plan.Expr, in plan.Schema, flags []bool, visit typedVisit) (plan.Expr, typed, error) {
	kids := exprKids(e)
	info := make([]typed, len(kids))
	if len(kids) > 0 {
		newKids := make([]plan.Expr, len(kids))
		for i, k := range kids {
			nk, ki, err := p.walkTyped(k, in, flags, visit)
			if err != nil {
				return nil, typed{}, err
			}
			newKids[i], info[i] = nk, ki
		}
		e = withKids(e, newKids)
	}
	if visit != nil {
		ne, changed, err := visit(e, info)
		if err != nil {
			return nil, typed{}, err
		}
		if changed {
			_, t, err := p.walkTyped(ne, in, flags, nil)
			return ne, t, err
		}
	}
	kids = exprKids(e)
	t := p.shallowType(e, kids, info, in)
	return e, typed{t: t, numeric: p.numericNode(e, info, in, flags, t)}, nil
}

// shallowType types e, whose composite operands have the types info, by
// binding e with those operands replaced by stand-in columns.
func (p *planner) shallowType(e plan.Expr, kids []plan.Expr, info []typed, in plan.Schema) storage.ColumnType {
	schema := in
	if len(kids) > 0 {
		stand := make([]plan.Expr, len(kids))
		for i, k := range kids {
			if isLeaf(k) {
				stand[i] = k
				continue
			}
			if len(schema) == len(in) {
				schema = append(plan.Schema(nil), in...)
			}
			name := "\x00" + strconv.Itoa(i)
			schema = append(schema, plan.Field{Name: name, Type: info[i].t})
			stand[i] = plan.Col{Name: name}
		}
		e = withKids(e, stand)
	}
	_, t, err := plan.BindExpr(mapExpr(e, p.paramNull), schema)
	if err != nil {
		return storage.TypeInvalid
	}
	return t
}

// typeOf is e's type over in (TypeInvalid when unknown or ill-typed).
func (p *planner) typeOf(e plan.Expr, in plan.Schema) storage.ColumnType {
	_, t, _ := p.walkTyped(e, in, nil, nil)
	return t.t
}
