package exec

import (
	"cmp"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// compileFunc compiles a bound scalar function call (plan.Func), its
// result type as plan.BindExpr gives it.
func compileFunc(e plan.Func, in plan.Schema) (expr, error) {
	_, t, err := plan.BindExpr(e, in)
	if err != nil {
		return expr{}, err
	}
	args := make([]expr, len(e.Args))
	for i, a := range e.Args {
		if args[i], err = compileExpr(a, in); err != nil {
			return expr{}, err
		}
	}
	switch e.Name {
	case plan.FnAbs:
		x := castTo(args[0], t)
		return expr{t, unaryErr(x.eval, func(v *vector) (*vector, error) { return absKernel(v, t) })}, nil
	case plan.FnRound:
		return compileRound(args, t), nil
	case plan.FnFloor, plan.FnCeil:
		f := math.Floor
		if e.Name == plan.FnCeil {
			f = math.Ceil
		}
		x := castTo(args[0], storage.TypeFloat64)
		return expr{t, unary(x.eval, func(v *vector) *vector { return mapFloats(v, f) })}, nil
	case plan.FnLower, plan.FnUpper:
		f := strings.ToLower
		if e.Name == plan.FnUpper {
			f = strings.ToUpper
		}
		x := castTo(args[0], storage.TypeString)
		return expr{t, unary(x.eval, func(v *vector) *vector { return mapStrings(v, f) })}, nil
	case plan.FnLength:
		count := utf8.RuneCountInString
		if args[0].typ == storage.TypeBinary {
			count = func(s string) int { return len(s) }
		}
		x := args[0]
		if x.typ == storage.TypeInvalid {
			x = castTo(x, storage.TypeString)
		}
		return expr{t, unary(x.eval, func(v *vector) *vector { return lengths(v, count) })}, nil
	case plan.FnNullIf:
		a, b := castTo(args[0], t), castTo(args[1], t)
		return expr{t, binary(a.eval, b.eval, func(x, y *vector) (*vector, error) { return nullIfKernel(x, y), nil })}, nil
	case plan.FnGreatest, plan.FnLeast:
		return compileBest(args, t, e.Name == plan.FnGreatest), nil
	case plan.FnDatePart:
		return compileDatePart(e, args)
	}
	return expr{}, fmt.Errorf("%w: cannot evaluate function %s", plan.ErrInvalidPlan, e.Name)
}

func unaryErr(x evaluator, k func(*vector) (*vector, error)) evaluator {
	return func(b *batch) (*vector, error) {
		v, err := x(b)
		if err != nil {
			return nil, err
		}
		return k(v)
	}
}

func absKernel(v *vector, t storage.ColumnType) (*vector, error) {
	if v.flts != nil {
		return mapFloats(v, math.Abs), nil
	}
	lowest := int64(math.MinInt64)
	if t == storage.TypeInt32 {
		lowest = math.MinInt32
	}
	out := &vector{typ: t, n: v.n, cnst: v.cnst, nulls: v.nulls, ints: make([]int64, len(v.ints))}
	for i, x := range v.ints {
		if x == lowest && (v.nulls == nil || !v.nulls[i]) {
			return nil, fmt.Errorf("%w: abs(%d)", ErrOverflow, x)
		}
		if x < 0 {
			x = -x
		}
		out.ints[i] = x
	}
	return out, nil
}

func mapFloats(v *vector, f func(float64) float64) *vector {
	out := &vector{typ: storage.TypeFloat64, n: v.n, cnst: v.cnst, nulls: v.nulls, flts: make([]float64, len(v.flts))}
	for i, x := range v.flts {
		out.flts[i] = f(x)
	}
	return out
}

// mapStrings applies f to every non-NULL slot, once per dictionary entry
// when v has one; the result keeps the codes, with the mapped entries as
// its dictionary (entries no row of the view uses stay unmapped).
func mapStrings(v *vector, f func(string) string) *vector {
	out := &vector{typ: storage.TypeString, n: v.n, cnst: v.cnst, nulls: v.nulls, strs: make([]string, len(v.strs))}
	if v.codes != nil && !v.cnst {
		dict := make([]string, len(v.dict))
		done := make([]bool, len(v.dict))
		for k, c := range v.codes {
			if v.nulls != nil && v.nulls[k] {
				continue
			}
			if !done[c] {
				dict[c], done[c] = f(v.dict[c]), true
			}
			out.strs[k] = dict[c]
		}
		out.dict, out.codes = dict, v.codes
		return out
	}
	for i, s := range v.strs {
		if v.nulls == nil || !v.nulls[i] {
			out.strs[i] = f(s)
		}
	}
	return out
}

func lengths(v *vector, count func(string) int) *vector {
	out := &vector{typ: storage.TypeInt32, n: v.n, cnst: v.cnst, nulls: v.nulls, ints: make([]int64, len(v.strs))}
	for i, s := range v.strs {
		if v.nulls == nil || !v.nulls[i] {
			out.ints[i] = int64(count(s))
		}
	}
	return out
}

// nullIfKernel is a, except NULL where a = b.
func nullIfKernel(a, b *vector) *vector {
	eq := compareKernel(plan.OpEq, a, b)
	if eq.cnst && (eq.isNull(0) || !eq.bools[0]) {
		return a
	}
	out := cloneVector(a, a.n)
	for k := range out.nulls {
		if !eq.isNull(k) && eq.bools[eq.at(k)] {
			out.nulls[k] = true
		}
	}
	return out
}

// compileBest is greatest (or least): every argument is evaluated, NULLs
// are ignored, and the result is NULL only when all are.
func compileBest(args []expr, t storage.ColumnType, greatest bool) expr {
	evals := make([]evaluator, len(args))
	for i, a := range args {
		evals[i] = castTo(a, t).eval
	}
	sign := -1
	if greatest {
		sign = 1
	}
	return expr{t, func(b *batch) (*vector, error) {
		first, err := evals[0](b)
		if err != nil || len(evals) == 1 {
			return first, err
		}
		out := cloneVector(first, b.n)
		for _, ev := range evals[1:] {
			v, err := ev(b)
			if err != nil {
				return nil, err
			}
			foldBest(out, v, sign)
		}
		return out.finish(), nil
	}}
}

// foldBest takes v's slot wherever out is NULL or v's value beats out's
// (compares with the sign wanted).
func foldBest(out, v *vector, sign int) {
	if v.typ == storage.TypeInvalid {
		return
	}
	s := v.stride()
	switch {
	case out.ints != nil:
		foldVals(out.ints, out.nulls, v.ints, v.nulls, s, sign, cmp.Compare[int64])
	case out.flts != nil:
		foldVals(out.flts, out.nulls, v.flts, v.nulls, s, sign, storage.CompareFloat)
	case out.bools != nil:
		foldVals(out.bools, out.nulls, v.bools, v.nulls, s, sign, compareBools)
	default:
		foldVals(out.strs, out.nulls, v.strs, v.nulls, s, sign, strings.Compare)
	}
}

func compareBools(a, b bool) int { return cmp.Compare(b2i(a), b2i(b)) }

func foldVals[T any](dst []T, dn []bool, src []T, sn []bool, stride, sign int, compare func(a, b T) int) {
	for k := range dst {
		j := k * stride
		if sn != nil && sn[j] {
			continue
		}
		if dn[k] || compare(src[j], dst[k])*sign > 0 {
			dst[k], dn[k] = src[j], false
		}
	}
}

func compileRound(args []expr, t storage.ColumnType) expr {
	x := castTo(args[0], t)
	if len(args) == 1 {
		if t == storage.TypeFloat64 {
			return expr{t, unary(x.eval, func(v *vector) *vector { return mapFloats(v, math.Round) })}
		}
		return x // an integer is its own round
	}
	d := castTo(args[1], storage.TypeInt64)
	return expr{t, binary(x.eval, d.eval, func(v, digits *vector) (*vector, error) {
		return roundKernel(v, digits, t)
	})}
}

// roundKernel is round(x, digits) row by row.
func roundKernel(v, digits *vector, t storage.ColumnType) (*vector, error) {
	n, cnst := resultShape(v, digits)
	out := &vector{typ: t, n: max(v.n, digits.n), cnst: cnst, nulls: mergeNulls(v, digits, n, cnst)}
	sv, sd := v.stride(), digits.stride()
	if t == storage.TypeFloat64 {
		out.flts = make([]float64, n)
		for k := range out.flts {
			if out.nulls == nil || !out.nulls[k] {
				out.flts[k] = roundFloatDigits(v.flts[k*sv], digits.ints[k*sd])
			}
		}
		return out, nil
	}
	out.ints = make([]int64, n)
	for k := range out.ints {
		if out.nulls != nil && out.nulls[k] {
			continue
		}
		r, err := roundIntDigits(v.ints[k*sv], digits.ints[k*sd], t)
		if err != nil {
			return nil, err
		}
		out.ints[k] = r
	}
	return out, nil
}
