package refeval

import (
	"fmt"
	"math"
	"math/big"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// cell is one value during evaluation. A non-nil err is poison: computing
// the value failed, and whoever needs the value fails with err.
//
// approx bounds how far a float value may be from what an engine computes
// for it: float sums depend on the order of addition, and an engine adds
// in parallel, in any order. 0 means exact. An exact comparison (or
// grouping) of values closer than their bounds is order-dependent, and
// the run is marked unstable rather than judged.
//
// signless marks a float zero whose sign depends on evaluation order: a
// GROUP BY key (-0 and 0 are one group; which one stands for it is the
// engine's choice) or a min or max over both zeros. Only text shows the
// sign, so a cast to text of such a zero makes the run unstable.
type cell struct {
	v        plan.Value
	err      error
	approx   float64
	signless bool
}

// fn computes an expression over one row.
type fn func(row []cell) cell

func nullCell(t storage.ColumnType) cell { return cell{v: plan.NullOf(t)} }

func boolCell(b bool) cell { return cell{v: plan.Bool(b)} }

// isTrue, isFalse: a clean, non-NULL boolean of that value.
func isTrue(c cell) bool  { return c.err == nil && !c.v.Null && c.v.Int != 0 }
func isFalse(c cell) bool { return c.err == nil && !c.v.Null && c.v.Int == 0 }

// compiler turns bound expressions into closures over a schema. poison
// records every error it hands out, so the run knows what may fail.
type compiler struct {
	poison   func(err error) cell
	unstable func() // an order-dependent comparison was made
}

// compile returns e's evaluator and static type (storage.TypeInvalid for
// an untyped NULL). A constant expression is also evaluated once here: an
// engine may fold constants while planning, so its errors (9223372036854775807
// + 1) are possible even when no row is ever evaluated.
func (c *compiler) compile(e plan.Expr, sch plan.Schema) (fn, storage.ColumnType, error) {
	f, t, err := c.compile1(e, sch)
	if err == nil && isConst(e) {
		f(nil)
	}
	return f, t, err
}

// isConst reports whether e references no column.
func isConst(e plan.Expr) bool {
	switch e := e.(type) {
	case plan.Col:
		return false
	case plan.Lit:
		return true
	case plan.Bin:
		return isConst(e.L) && isConst(e.R)
	case plan.Not:
		return isConst(e.X)
	case plan.Neg:
		return isConst(e.X)
	case plan.IsNull:
		return isConst(e.X)
	case plan.In:
		return isConst(e.X) // items are constants
	case plan.Between:
		return isConst(e.X) && isConst(e.Lo) && isConst(e.Hi)
	case plan.DateTrunc:
		return isConst(e.X)
	case plan.TimeBucket:
		return isConst(e.X)
	case plan.Case:
		for _, w := range e.Whens {
			if !isConst(w.Cond) || !isConst(w.Then) {
				return false
			}
		}
		return e.Else == nil || isConst(e.Else)
	case plan.Coalesce:
		return allConst(e.Args)
	case plan.Like:
		return isConst(e.X) && isConst(e.Pattern)
	case plan.Cast:
		return isConst(e.X)
	case plan.Func:
		return allConst(e.Args)
	}
	return false
}

func allConst(es []plan.Expr) bool {
	for _, e := range es {
		if !isConst(e) {
			return false
		}
	}
	return true
}

func (c *compiler) compile1(e plan.Expr, sch plan.Schema) (fn, storage.ColumnType, error) {
	switch e := e.(type) {
	case plan.Col:
		i := sch.Index(e.Name)
		if i < 0 {
			return nil, 0, fmt.Errorf("BUG: refeval: column %q not in %v", e.Name, sch)
		}
		return func(row []cell) cell { return row[i] }, sch[i].Type, nil
	case plan.ColAt:
		i := e.Index
		if i < 0 || i >= len(sch) {
			return nil, 0, fmt.Errorf("BUG: refeval: column position %d not in %v", i+1, sch)
		}
		return func(row []cell) cell { return row[i] }, sch[i].Type, nil
	case plan.Lit:
		v := e.Value
		return func([]cell) cell { return cell{v: v} }, v.Type, nil
	case plan.Bin:
		return c.compileBin(e, sch)
	case plan.Not:
		return c.compileNot(e, sch)
	case plan.Neg:
		return c.compileNeg(e, sch)
	case plan.IsNull:
		return c.compileIsNull(e, sch)
	case plan.In:
		return c.compileIn(e, sch)
	case plan.Between:
		return c.compileBetween(e, sch)
	case plan.DateTrunc:
		return c.compileTemporal(e.X, sch, func(us int64) (int64, error) { return dateTrunc(e.Unit, us) })
	case plan.TimeBucket:
		return c.compileTemporal(e.X, sch, func(us int64) (int64, error) { return timeBucket(e.Width, e.Origin, us) })
	case plan.Case, plan.Coalesce, plan.Like, plan.Cast, plan.Func:
		return c.compileMore(e, sch)
	}
	return nil, 0, fmt.Errorf("BUG: refeval: unknown expression %T", e)
}

func (c *compiler) compileBin(e plan.Bin, sch plan.Schema) (fn, storage.ColumnType, error) {
	l, lt, err := c.compile(e.L, sch)
	if err != nil {
		return nil, 0, err
	}
	r, rt, err := c.compile(e.R, sch)
	if err != nil {
		return nil, 0, err
	}
	switch {
	case e.Op == plan.OpAnd:
		return func(row []cell) cell { return and3(l(row), r(row)) }, storage.TypeBool, nil
	case e.Op == plan.OpOr:
		return func(row []cell) cell { return or3(l(row), r(row)) }, storage.TypeBool, nil
	case e.Op.IsComparison():
		op := e.Op
		return func(row []cell) cell { return c.compareCells(op, l(row), r(row)) }, storage.TypeBool, nil
	case e.Op.IsArithmetic():
		out := storage.TypeInt64
		if lt == storage.TypeFloat64 || rt == storage.TypeFloat64 {
			out = storage.TypeFloat64
		}
		op := e.Op
		return func(row []cell) cell { return c.arith(op, out, l(row), r(row)) }, out, nil
	}
	return nil, 0, fmt.Errorf("BUG: refeval: unknown operator %v", e.Op)
}

// and3 is SQL AND. A clean false decides the result even when the other
// side is poison: an engine may evaluate that side first and skip the other.
func and3(a, b cell) cell {
	switch {
	case isFalse(a) || isFalse(b):
		return boolCell(false)
	case a.err != nil:
		return a
	case b.err != nil:
		return b
	case a.v.Null || b.v.Null:
		return nullCell(storage.TypeBool)
	}
	return boolCell(true)
}

// or3 is SQL OR; a clean true decides it.
func or3(a, b cell) cell {
	switch {
	case isTrue(a) || isTrue(b):
		return boolCell(true)
	case a.err != nil:
		return a
	case b.err != nil:
		return b
	case a.v.Null || b.v.Null:
		return nullCell(storage.TypeBool)
	}
	return boolCell(false)
}

func not3(a cell) cell {
	if a.err != nil || a.v.Null {
		return a
	}
	return boolCell(a.v.Int == 0)
}

func (c *compiler) compareCells(op plan.BinOp, a, b cell) cell {
	switch {
	case a.err != nil:
		return a
	case b.err != nil:
		return b
	case a.v.Null || b.v.Null:
		return nullCell(storage.TypeBool)
	}
	if e := a.approx + b.approx; e > 0 && math.Abs(asFloat(a.v)-asFloat(b.v)) <= e {
		c.unstable()
	}
	k := Compare(a.v, b.v)
	switch op {
	case plan.OpEq:
		return boolCell(k == 0)
	case plan.OpNe:
		return boolCell(k != 0)
	case plan.OpLt:
		return boolCell(k < 0)
	case plan.OpLe:
		return boolCell(k <= 0)
	case plan.OpGt:
		return boolCell(k > 0)
	case plan.OpGe:
		return boolCell(k >= 0)
	}
	panic(fmt.Sprintf("BUG: refeval: comparison %v", op))
}

// arith computes an arithmetic operator: NULL in, NULL out; integers in
// exact arithmetic that must fit int64; floats in IEEE arithmetic, except
// that dividing by zero is an error for both.
func (c *compiler) arith(op plan.BinOp, out storage.ColumnType, a, b cell) cell {
	switch {
	case a.err != nil:
		return a
	case b.err != nil:
		return b
	case a.v.Null || b.v.Null:
		return nullCell(out)
	}
	if out == storage.TypeFloat64 {
		res := c.floatArith(op, asFloat(a.v), asFloat(b.v))
		res.approx = arithApprox(op, asFloat(a.v), asFloat(b.v), a.approx, b.approx, res)
		res.signless = res.err == nil && res.v.Float == 0 && (a.signless || b.signless)
		return res
	}
	return c.intArith(op, a.v.Int, b.v.Int)
}

// arithApprox propagates error bounds through x op y (first order, plus
// one rounding of the result when an input is inexact).
func arithApprox(op plan.BinOp, x, y, ex, ey float64, res cell) float64 {
	if ex+ey == 0 || res.err != nil {
		return 0
	}
	r := math.Abs(res.v.Float)
	var e float64
	switch op {
	case plan.OpAdd, plan.OpSub:
		e = ex + ey
	case plan.OpMul:
		e = math.Abs(y)*ex + math.Abs(x)*ey + ex*ey
	case plan.OpDiv:
		if math.Abs(y) <= ey {
			return math.Inf(1)
		}
		e = (ex + r*ey) / (math.Abs(y) - ey)
	}
	return e + r*0x1p-52
}

func (c *compiler) floatArith(op plan.BinOp, x, y float64) cell {
	switch op {
	case plan.OpAdd:
		return cell{v: plan.Float64(x + y)}
	case plan.OpSub:
		return cell{v: plan.Float64(x - y)}
	case plan.OpMul:
		return cell{v: plan.Float64(x * y)}
	case plan.OpDiv:
		if y == 0 {
			return c.poison(fmt.Errorf("%w: %v / %v", ErrDivisionByZero, x, y))
		}
		return cell{v: plan.Float64(x / y)}
	}
	panic(fmt.Sprintf("BUG: refeval: float %v", op))
}

func (c *compiler) intArith(op plan.BinOp, x, y int64) cell {
	a, b := big.NewInt(x), big.NewInt(y)
	r := new(big.Int)
	switch op {
	case plan.OpAdd:
		r.Add(a, b)
	case plan.OpSub:
		r.Sub(a, b)
	case plan.OpMul:
		r.Mul(a, b)
	case plan.OpDiv, plan.OpMod:
		if y == 0 {
			return c.poison(fmt.Errorf("%w: %d %v %d", ErrDivisionByZero, x, op, y))
		}
		if op == plan.OpDiv {
			r.Quo(a, b) // truncates toward zero
		} else {
			r.Rem(a, b) // sign of the dividend; MinInt64 % -1 is 0
		}
	default:
		panic(fmt.Sprintf("BUG: refeval: integer %v", op))
	}
	if !r.IsInt64() {
		return c.poison(fmt.Errorf("%w: %d %v %d", ErrOverflow, x, op, y))
	}
	return cell{v: plan.Int64(r.Int64())}
}

func (c *compiler) compileNot(e plan.Not, sch plan.Schema) (fn, storage.ColumnType, error) {
	x, _, err := c.compile(e.X, sch)
	if err != nil {
		return nil, 0, err
	}
	return func(row []cell) cell { return not3(x(row)) }, storage.TypeBool, nil
}

func (c *compiler) compileNeg(e plan.Neg, sch plan.Schema) (fn, storage.ColumnType, error) {
	x, t, err := c.compile(e.X, sch)
	if err != nil {
		return nil, 0, err
	}
	if t == storage.TypeInt32 {
		t = storage.TypeInt64
	}
	return func(row []cell) cell {
		a := x(row)
		switch {
		case a.err != nil:
			return a
		case a.v.Null:
			return nullCell(t)
		case t == storage.TypeFloat64:
			return cell{v: plan.Float64(-a.v.Float), approx: a.approx, signless: a.signless}
		}
		return c.intArith(plan.OpSub, 0, a.v.Int)
	}, t, nil
}

func (c *compiler) compileIsNull(e plan.IsNull, sch plan.Schema) (fn, storage.ColumnType, error) {
	x, _, err := c.compile(e.X, sch)
	if err != nil {
		return nil, 0, err
	}
	return func(row []cell) cell {
		a := x(row)
		if a.err != nil {
			return a
		}
		return boolCell(a.v.Null != e.Not)
	}, storage.TypeBool, nil
}

// compileIn: true when x equals an item; otherwise NULL when an item is
// NULL, else false; NOT IN negates that.
func (c *compiler) compileIn(e plan.In, sch plan.Schema) (fn, storage.ColumnType, error) {
	x, _, err := c.compile(e.X, sch)
	if err != nil {
		return nil, 0, err
	}
	items := make([]fn, len(e.List))
	for i, it := range e.List {
		if items[i], _, err = c.compile(it, sch); err != nil {
			return nil, 0, err
		}
	}
	return func(row []cell) cell {
		a := x(row)
		if a.err != nil {
			return a
		}
		res := boolCell(false)
		for _, it := range items {
			res = or3(res, c.compareCells(plan.OpEq, a, it(row)))
		}
		if e.Not {
			return not3(res)
		}
		return res
	}, storage.TypeBool, nil
}

func (c *compiler) compileBetween(e plan.Between, sch plan.Schema) (fn, storage.ColumnType, error) {
	x, _, err := c.compile(e.X, sch)
	if err != nil {
		return nil, 0, err
	}
	lo, _, err := c.compile(e.Lo, sch)
	if err != nil {
		return nil, 0, err
	}
	hi, _, err := c.compile(e.Hi, sch)
	if err != nil {
		return nil, 0, err
	}
	return func(row []cell) cell {
		a := x(row)
		res := and3(c.compareCells(plan.OpLe, lo(row), a), c.compareCells(plan.OpLe, a, hi(row)))
		if e.Not {
			return not3(res)
		}
		return res
	}, storage.TypeBool, nil
}

// compileTemporal applies f to a timestamp or date (as µs); the result is
// a timestamp.
func (c *compiler) compileTemporal(e plan.Expr, sch plan.Schema, f func(int64) (int64, error)) (fn, storage.ColumnType, error) {
	x, _, err := c.compile(e, sch)
	if err != nil {
		return nil, 0, err
	}
	return func(row []cell) cell {
		a := x(row)
		switch {
		case a.err != nil:
			return a
		case a.v.Null:
			return nullCell(storage.TypeTimestamp)
		}
		us, err := f(micros(a.v))
		if err != nil {
			return c.poison(err)
		}
		return cell{v: plan.TimestampMicros(us)}
	}, storage.TypeTimestamp, nil
}

// compileTruth compiles a filter predicate to answer "is it true?": a
// clean true or false (false covering NULL), or poison. It is SQL's
// three-valued logic except that a conjunct that is cleanly not true
// decides the answer even when another is poisoned: an engine may filter
// conjunct by conjunct, in any order, and never evaluate the rest on rows
// already dropped (x AND 1/0 with x NULL drops the row in any order).
func (c *compiler) compileTruth(e plan.Expr, sch plan.Schema) (fn, error) {
	return c.compileLogic(e, sch, true)
}

// compileLogic answers "is e true?" (want true) or "is e false?" (want
// false); NOT swaps the question, and AND/OR swap roles between the two.
func (c *compiler) compileLogic(e plan.Expr, sch plan.Schema, want bool) (fn, error) {
	switch e := e.(type) {
	case plan.Not:
		return c.compileLogic(e.X, sch, !want)
	case plan.Bin:
		if e.Op != plan.OpAnd && e.Op != plan.OpOr {
			break
		}
		l, err := c.compileLogic(e.L, sch, want)
		if err != nil {
			return nil, err
		}
		r, err := c.compileLogic(e.R, sch, want)
		if err != nil {
			return nil, err
		}
		// "Is a AND b true?" and "is a OR b false?" need both sides to say
		// yes: one clean no decides. The other two need one yes.
		if (e.Op == plan.OpAnd) == want {
			return func(row []cell) cell { return and3(l(row), r(row)) }, nil
		}
		return func(row []cell) cell { return or3(l(row), r(row)) }, nil
	}
	x, _, err := c.compile(e, sch)
	if err != nil {
		return nil, err
	}
	return func(row []cell) cell {
		v := x(row)
		switch {
		case v.err != nil:
			return v
		case v.v.Null:
			return boolCell(false)
		}
		return boolCell((v.v.Int != 0) == want)
	}, nil
}
