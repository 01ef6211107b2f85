package exec

import (
	"cmp"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// compareKernel compares two vectors of the same type row by row.
func compareKernel(op plan.BinOp, a, b *vector) *vector {
	n, cnst := resultShape(a, b)
	out := &vector{typ: storage.TypeBool, n: max(a.n, b.n), cnst: cnst, nulls: mergeNulls(a, b, n, cnst)}
	out.bools = make([]bool, n)
	sa, sb := a.stride(), b.stride()
	switch {
	case a.typ == storage.TypeInvalid || b.typ == storage.TypeInvalid:
		// NULL compared with anything: every slot is NULL already.
	case a.flts != nil:
		compareFloats(op, a.flts, b.flts, sa, sb, out.bools)
	case a.ints != nil:
		compareOrdered(op, a.ints, b.ints, sa, sb, out.bools)
	case a.strs != nil:
		compareOrdered(op, a.strs, b.strs, sa, sb, out.bools)
	case a.bools != nil:
		compareOrdered(op, boolInts(a.bools), boolInts(b.bools), sa, sb, out.bools)
	}
	return out
}

func boolInts(bs []bool) []int8 {
	out := make([]int8, len(bs))
	for i, b := range bs {
		if b {
			out[i] = 1
		}
	}
	return out
}

func compareOrdered[T cmp.Ordered](op plan.BinOp, xs, ys []T, sa, sb int, out []bool) {
	switch op {
	case plan.OpEq:
		for i := range out {
			out[i] = xs[i*sa] == ys[i*sb]
		}
	case plan.OpNe:
		for i := range out {
			out[i] = xs[i*sa] != ys[i*sb]
		}
	case plan.OpLt:
		for i := range out {
			out[i] = xs[i*sa] < ys[i*sb]
		}
	case plan.OpLe:
		for i := range out {
			out[i] = xs[i*sa] <= ys[i*sb]
		}
	case plan.OpGt:
		for i := range out {
			out[i] = xs[i*sa] > ys[i*sb]
		}
	case plan.OpGe:
		for i := range out {
			out[i] = xs[i*sa] >= ys[i*sb]
		}
	}
}

// compareFloats uses PostgreSQL's order: NaN equals NaN and is above
// every number.
func compareFloats(op plan.BinOp, xs, ys []float64, sa, sb int, out []bool) {
	if sa == 1 && sb == 0 && ys[0] == ys[0] {
		compareFloatsConst(op, xs[:len(out)], ys[0], out)
		return
	}
	for i := range out {
		out[i] = testCmp(op, storage.CompareFloat(xs[i*sa], ys[i*sb]))
	}
}

// compareFloatsConst compares with a constant that is not NaN using the
// machine's comparisons, which agree with CompareFloat's order but for a
// NaN x: CompareFloat puts NaN above every number, IEEE makes every
// comparison with it false, so > and >= add it back.
func compareFloatsConst(op plan.BinOp, xs []float64, c float64, out []bool) {
	switch op {
	case plan.OpEq:
		for i, x := range xs {
			out[i] = x == c
		}
	case plan.OpNe:
		for i, x := range xs {
			out[i] = x != c
		}
	case plan.OpLt:
		for i, x := range xs {
			out[i] = x < c
		}
	case plan.OpLe:
		for i, x := range xs {
			out[i] = x <= c
		}
	case plan.OpGt: // x > c and x is NaN exclude each other: != is their or, without a branch
		for i, x := range xs {
			out[i] = (x > c) != (x != x)
		}
	case plan.OpGe:
		for i, x := range xs {
			out[i] = (x >= c) != (x != x)
		}
	default:
		panic("BUG: not a comparison")
	}
}

// testCmp applies a comparison operator to a three-way comparison result.
func testCmp(op plan.BinOp, c int) bool {
	switch op {
	case plan.OpEq:
		return c == 0
	case plan.OpNe:
		return c != 0
	case plan.OpLt:
		return c < 0
	case plan.OpLe:
		return c <= 0
	case plan.OpGt:
		return c > 0
	case plan.OpGe:
		return c >= 0
	}
	panic("BUG: not a comparison")
}
