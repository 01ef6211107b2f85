package plan

import (
	"math"

	"github.com/stratadb/strata/storage"
)

// exactIntComparison rewrites an integer expression compared with a float
// constant into an integer comparison that gives the same answer as an
// exact (numeric) comparison, as PostgreSQL's: comparing in float64 would
// round large integers (9007199254740993 = 9007199254740992.0 would hold).
// x < 2.5 becomes x < 3, x = 2.5 becomes x <> x (false, or NULL for a
// NULL x), and bounds beyond int64 become x = x or x <> x.
func exactIntComparison(op BinOp, l Expr, lt storage.ColumnType, r Expr, rt storage.ColumnType) (Expr, bool) {
	x, xt, lit, litT := l, lt, r, rt
	if _, isLit := l.(Lit); isLit {
		x, xt, lit, litT = r, rt, l, lt
		op = op.Flip()
	}
	c, ok := lit.(Lit)
	if !ok || !IsInteger(xt) || litT != storage.TypeFloat64 || c.Value.Null {
		return nil, false
	}
	if _, xIsLit := x.(Lit); xIsLit {
		return nil, false
	}
	f := c.Value.Float
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, false // float comparison orders infinities right; NaN is left to it
	}
	always := Bin{OpEq, x, x} // true, or NULL for a NULL x
	never := Bin{OpNe, x, x}  // false, or NULL for a NULL x
	integral := f == math.Trunc(f)
	var bound float64
	switch op {
	case OpEq, OpNe:
		if !integral {
			if op == OpEq {
				return never, true
			}
			return always, true
		}
		bound = f
	case OpLt, OpGe:
		bound = math.Ceil(f)
	case OpLe, OpGt:
		bound = math.Floor(f)
	default:
		return nil, false
	}
	lo, hi := -9223372036854775808.0, 9223372036854775808.0 // the type's [lo, hi)
	if xt == storage.TypeInt32 {
		lo, hi = math.MinInt32, math.MaxInt32+1
	}
	switch {
	case bound >= hi: // above every value of x's type
		if op == OpLt || op == OpLe || op == OpNe {
			return always, true
		}
		return never, true
	case bound < lo: // below every value of x's type
		if op == OpGt || op == OpGe || op == OpNe {
			return always, true
		}
		return never, true
	}
	v := Int64(int64(bound))
	if xt == storage.TypeInt32 {
		v = Int32(int32(bound))
	}
	return Bin{op, x, Lit{v}}, true
}
