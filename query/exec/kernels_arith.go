package exec

import (
	"fmt"
	"math"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// mergeNulls is the null mask of a binary operation: NULL if either is.
func mergeNulls(a, b *vector, n int, cnst bool) []bool {
	if !a.hasNulls() && !b.hasNulls() {
		return nil
	}
	if cnst {
		return []bool{a.isNull(0) || b.isNull(0)}
	}
	// One side without NULLs (a column against a constant): the other's.
	for _, x := range [2][2]*vector{{a, b}, {b, a}} {
		if !x[1].hasNulls() && !x[0].cnst && len(x[0].nulls) >= n {
			return append([]bool(nil), x[0].nulls[:n]...)
		}
	}
	out := make([]bool, n)
	for i := range out {
		out[i] = a.isNull(i) || b.isNull(i)
	}
	return out
}

// resultShape returns the row count and constness of a binary result.
func resultShape(a, b *vector) (int, bool) {
	if a.cnst && b.cnst {
		return 1, true
	}
	if a.cnst {
		return b.n, false
	}
	return a.n, false
}

func arithKernel(op plan.BinOp, t storage.ColumnType, a, b *vector) (*vector, error) {
	n, cnst := resultShape(a, b)
	out := &vector{typ: t, n: max(a.n, b.n), cnst: cnst, nulls: mergeNulls(a, b, n, cnst)}
	if t == storage.TypeFloat64 {
		out.flts = make([]float64, n)
		return out, arithFloats(op, a, b, out)
	}
	out.ints = make([]int64, n)
	return out, arithInts(op, a, b, out)
}

func arithInts(op plan.BinOp, a, b, out *vector) error {
	xs, ys, sa, sb := a.ints, b.ints, a.stride(), b.stride()
	res := out.ints
	for i := range res {
		if out.nulls != nil && out.nulls[i] {
			continue
		}
		x, y := xs[i*sa], ys[i*sb]
		var r int64
		switch op {
		case plan.OpAdd:
			r = x + y
			if (x^r)&(y^r) < 0 {
				return overflow(x, op, y)
			}
		case plan.OpSub:
			r = x - y
			if (x^y)&(x^r) < 0 {
				return overflow(x, op, y)
			}
		case plan.OpMul:
			r = x * y
			if x != 0 && (r/x != y || (x == -1 && y == math.MinInt64)) {
				return overflow(x, op, y)
			}
		case plan.OpDiv:
			if y == 0 {
				return ErrDivisionByZero
			}
			if x == math.MinInt64 && y == -1 {
				return overflow(x, op, y)
			}
			r = x / y
		case plan.OpMod:
			if y == 0 {
				return ErrDivisionByZero
			}
			r = x % y
		}
		res[i] = r
	}
	return nil
}

func overflow(x int64, op plan.BinOp, y int64) error {
	return fmt.Errorf("%w: %d %v %d", ErrOverflow, x, op, y)
}

func arithFloats(op plan.BinOp, a, b, out *vector) error {
	xs, ys, sa, sb := a.flts, b.flts, a.stride(), b.stride()
	res := out.flts
	switch op {
	case plan.OpAdd:
		for i := range res {
			res[i] = xs[i*sa] + ys[i*sb]
		}
	case plan.OpSub:
		for i := range res {
			res[i] = xs[i*sa] - ys[i*sb]
		}
	case plan.OpMul:
		for i := range res {
			res[i] = xs[i*sa] * ys[i*sb]
		}
	case plan.OpDiv:
		for i := range res {
			y := ys[i*sb]
			if y == 0 && (out.nulls == nil || !out.nulls[i]) {
				return ErrDivisionByZero
			}
			res[i] = xs[i*sa] / y
		}
	default:
		return fmt.Errorf("%w: %v on floats", plan.ErrTypeMismatch, op)
	}
	return nil
}

func negKernel(v *vector, t storage.ColumnType) (*vector, error) {
	n := len(v.ints) + len(v.flts)
	out := &vector{typ: t, n: v.n, cnst: v.cnst, nulls: v.nulls}
	if v.typ == storage.TypeInvalid {
		return constVector(t, v.n, true, 0, 0, ""), nil
	}
	if t == storage.TypeFloat64 {
		out.flts = make([]float64, n)
		for i, x := range v.flts {
			out.flts[i] = -x
		}
		return out, nil
	}
	out.ints = make([]int64, n)
	for i, x := range v.ints {
		if x == math.MinInt64 && (v.nulls == nil || !v.nulls[i]) {
			return nil, fmt.Errorf("%w: -(%d)", ErrOverflow, x)
		}
		out.ints[i] = -x
	}
	return out, nil
}

func intsToFloats(v *vector) *vector {
	out := &vector{typ: storage.TypeFloat64, n: v.n, cnst: v.cnst, nulls: v.nulls}
	out.flts = make([]float64, len(v.ints))
	for i, x := range v.ints {
		out.flts[i] = float64(x)
	}
	return out
}

const usPerDay = 86_400_000_000

func datesToTimestamps(v *vector) *vector {
	out := &vector{typ: storage.TypeTimestamp, n: v.n, cnst: v.cnst, nulls: v.nulls}
	out.ints = make([]int64, len(v.ints))
	for i, d := range v.ints {
		out.ints[i] = d * usPerDay
	}
	return out
}
