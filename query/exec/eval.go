package exec

import (
	"fmt"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// evaluator computes an expression over a batch view.
type evaluator func(b *batch) (*vector, error)

// expr is a compiled, typed expression.
type expr struct {
	typ  storage.ColumnType
	eval evaluator
}

// compileExpr turns a bound expression into an evaluator over rows of the
// input schema. Type decisions are taken here, once per query.
func compileExpr(e plan.Expr, in plan.Schema) (expr, error) {
	switch e := e.(type) {
	case plan.Col:
		i := in.Index(e.Name)
		if i < 0 {
			return expr{}, fmt.Errorf("%w: %q", plan.ErrUnknownColumn, e.Name)
		}
		return expr{in[i].Type, func(b *batch) (*vector, error) { return b.column(i), nil }}, nil
	case plan.ColAt:
		i := e.Index
		if i < 0 || i >= len(in) {
			return expr{}, fmt.Errorf("%w: column position %d", plan.ErrUnknownColumn, i+1)
		}
		return expr{in[i].Type, func(b *batch) (*vector, error) { return b.column(i), nil }}, nil
	case plan.Lit:
		v := e.Value
		return expr{v.Type, func(b *batch) (*vector, error) {
			return constVector(v.Type, b.n, v.Null, v.Int, v.Float, v.Str), nil
		}}, nil
	case plan.Bin:
		return compileBin(e, in)
	case plan.Not:
		x, err := compileExpr(e.X, in)
		if err != nil {
			return expr{}, err
		}
		return expr{storage.TypeBool, unary(x.eval, notKernel)}, nil
	case plan.Neg:
		x, err := compileExpr(e.X, in)
		if err != nil {
			return expr{}, err
		}
		t := x.typ
		if t == storage.TypeInt32 {
			t = storage.TypeInt64
		}
		return expr{t, func(b *batch) (*vector, error) {
			v, err := x.eval(b)
			if err != nil {
				return nil, err
			}
			return negKernel(v, t)
		}}, nil
	case plan.IsNull:
		x, err := compileExpr(e.X, in)
		if err != nil {
			return expr{}, err
		}
		not := e.Not
		return expr{storage.TypeBool, unary(x.eval, func(v *vector) *vector { return isNullKernel(v, not) })}, nil
	case plan.In:
		return compileIn(e, in)
	case plan.Between:
		lo := plan.Bin{Op: plan.OpGe, L: e.X, R: e.Lo}
		hi := plan.Bin{Op: plan.OpLe, L: e.X, R: e.Hi}
		var both plan.Expr = plan.Bin{Op: plan.OpAnd, L: lo, R: hi}
		if e.Not {
			both = plan.Not{X: both}
		}
		return compileExpr(both, in)
	case plan.DateTrunc:
		return compileTemporal(e.X, in, func(v *vector) *vector { return truncKernel(v, e.Unit) })
	case plan.TimeBucket:
		return compileTemporal(e.X, in, func(v *vector) *vector { return bucketKernel(v, e.Width, e.Origin) })
	case plan.Case:
		return compileCase(e, in)
	case plan.Coalesce:
		return compileCoalesce(e, in)
	case plan.Like:
		return compileLikeExpr(e, in)
	case plan.Cast:
		return compileCast(e, in)
	case plan.Func:
		return compileFunc(e, in)
	case plan.Param:
		return expr{}, fmt.Errorf("%w: parameter $%d has no value", plan.ErrInvalidPlan, e.Index)
	}
	return expr{}, fmt.Errorf("%w: cannot evaluate %T", plan.ErrInvalidPlan, e)
}

func unary(x evaluator, k func(*vector) *vector) evaluator {
	return func(b *batch) (*vector, error) {
		v, err := x(b)
		if err != nil {
			return nil, err
		}
		return k(v), nil
	}
}

// compileTemporal evaluates a timestamp-or-date argument as µs and applies k.
func compileTemporal(x plan.Expr, in plan.Schema, k func(*vector) *vector) (expr, error) {
	c, err := compileExpr(x, in)
	if err != nil {
		return expr{}, err
	}
	arg := castTo(c, storage.TypeTimestamp)
	return expr{storage.TypeTimestamp, unary(arg.eval, k)}, nil
}

// castTo converts an expression to a type it is compared or computed in:
// integers to float64, dates to timestamps, NULLs to anything.
func castTo(e expr, t storage.ColumnType) expr {
	switch {
	case e.typ == t:
		return e
	case e.typ == storage.TypeInvalid:
		return expr{t, unary(e.eval, func(v *vector) *vector {
			return constVector(t, v.n, true, 0, 0, "")
		})}
	case t == storage.TypeFloat64 && plan.IsInteger(e.typ):
		return expr{t, unary(e.eval, intsToFloats)}
	case t == storage.TypeTimestamp && e.typ == storage.TypeDate:
		return expr{t, unary(e.eval, datesToTimestamps)}
	case t == storage.TypeInt64 && e.typ == storage.TypeInt32:
		return expr{t, e.eval} // both live in ints
	}
	panic(fmt.Sprintf("BUG: no cast from %v to %v", e.typ, t))
}

func compileBin(e plan.Bin, in plan.Schema) (expr, error) {
	l, err := compileExpr(e.L, in)
	if err != nil {
		return expr{}, err
	}
	r, err := compileExpr(e.R, in)
	if err != nil {
		return expr{}, err
	}
	switch {
	case e.Op.IsLogical():
		op := e.Op
		return expr{storage.TypeBool, binary(l.eval, r.eval, func(a, b *vector) (*vector, error) {
			return logicKernel(op, a, b), nil
		})}, nil
	case e.Op.IsComparison():
		t, ok := plan.CommonType(l.typ, r.typ)
		if !ok {
			return expr{}, fmt.Errorf("%w: cannot compare %v with %v in %v", plan.ErrTypeMismatch, l.typ, r.typ, e)
		}
		l, r = castTo(l, t), castTo(r, t)
		op := e.Op
		return expr{storage.TypeBool, binary(l.eval, r.eval, func(a, b *vector) (*vector, error) {
			return compareKernel(op, a, b), nil
		})}, nil
	}
	t := storage.TypeInt64
	if l.typ == storage.TypeFloat64 || r.typ == storage.TypeFloat64 {
		t = storage.TypeFloat64
	}
	l, r = castTo(l, t), castTo(r, t)
	op := e.Op
	return expr{t, binary(l.eval, r.eval, func(a, b *vector) (*vector, error) {
		return arithKernel(op, t, a, b)
	})}, nil
}

func binary(l, r evaluator, k func(a, b *vector) (*vector, error)) evaluator {
	return func(b *batch) (*vector, error) {
		x, err := l(b)
		if err != nil {
			return nil, err
		}
		y, err := r(b)
		if err != nil {
			return nil, err
		}
		return k(x, y)
	}
}

func compileIn(e plan.In, in plan.Schema) (expr, error) {
	x, err := compileExpr(e.X, in)
	if err != nil {
		return expr{}, err
	}
	t := x.typ
	vals := make([]plan.Value, 0, len(e.List))
	for _, item := range e.List {
		lit, ok := item.(plan.Lit)
		if !ok {
			return expr{}, fmt.Errorf("%w: IN list items must be constants", plan.ErrInvalidPlan)
		}
		ct, ok := plan.CommonType(t, lit.Value.Type)
		// An integer compared with a float item stays an integer: the set
		// checks it against each item in that item's own type, as
		// x = a OR x = b would, so large integers are not rounded.
		intVsFloat := plan.IsInteger(t) && lit.Value.Type == storage.TypeFloat64
		if ok && ct != t && ct != storage.TypeInvalid && !intVsFloat {
			t = ct
		}
		vals = append(vals, lit.Value)
	}
	if plan.IsInteger(t) {
		t = storage.TypeInt64
	}
	x = castTo(x, t)
	set := newValueSet(t, vals)
	not := e.Not
	return expr{storage.TypeBool, unary(x.eval, func(v *vector) *vector { return inKernel(v, set, not) })}, nil
}

// colIndex resolves a column reference (by name or position) to its input
// position.
func colIndex(e plan.Expr, in plan.Schema) (int, bool) {
	switch e := e.(type) {
	case plan.Col:
		i := in.Index(e.Name)
		return i, i >= 0
	case plan.ColAt:
		return e.Index, e.Index >= 0 && e.Index < len(in)
	}
	return -1, false
}
