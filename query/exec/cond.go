package exec

import (
	"math"
	"unsafe"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// CASE and COALESCE evaluate their branches lazily, as SQL requires: a
// branch is evaluated over the sub-view of the rows that reach it, never
// over the whole batch, so a division by zero in a branch no row takes
// raises nothing. Results are scattered into one vector by slot.

// subset is the view of some slots of b (ascending positions in the view).
// All of them is b itself, which keeps its column cache.
func (b *batch) subset(slots []int32) *batch {
	if len(slots) == b.n {
		return b
	}
	rows := make([]int32, len(slots))
	for j, k := range slots {
		rows[j] = int32(row(b.sel, int(k)))
	}
	return b.withSel(rows)
}

func allSlots(n int) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = int32(i)
	}
	return s
}

// splitTrue splits slots by a condition evaluated over their sub-view:
// taken where it is true, rest where it is false or NULL.
func splitTrue(c *vector, slots []int32) (taken, rest []int32) {
	if c.cnst {
		if c.isNull(0) || !c.bools[0] {
			return nil, slots
		}
		return slots, nil
	}
	taken = make([]int32, 0, len(slots))
	rest = make([]int32, 0, len(slots))
	for j, k := range slots {
		if c.bools[j] && (c.nulls == nil || !c.nulls[j]) {
			taken = append(taken, k)
		} else {
			rest = append(rest, k)
		}
	}
	return taken, rest
}

// nullVector is n NULLs of type t with writable storage.
func nullVector(t storage.ColumnType, n int) *vector {
	v := &vector{typ: t, n: n, nulls: fill(true, n)}
	allocFor(v, n)
	return v
}

// cloneVector is a writable, non-constant copy of v with a null mask.
func cloneVector(v *vector, n int) *vector {
	if v.cnst {
		v = v.materialize(n)
		if v.nulls == nil {
			v.nulls = make([]bool, n)
		}
		return v
	}
	out := &vector{typ: v.typ, n: n, nulls: make([]bool, n)}
	if v.nulls != nil {
		copy(out.nulls, v.nulls)
	}
	switch {
	case v.ints != nil:
		out.ints = append([]int64(nil), v.ints...)
	case v.flts != nil:
		out.flts = append([]float64(nil), v.flts...)
	case v.bools != nil:
		out.bools = append([]bool(nil), v.bools...)
	default:
		out.strs = append([]string(nil), v.strs...)
	}
	return out
}

// scatter writes v's slots (one per entry of slots) into out at those
// slots. out has writable storage of the same kind as v.
func scatter(out, v *vector, slots []int32) {
	if v.typ == storage.TypeInvalid {
		return // all NULL: out's slots stay NULL
	}
	s := v.stride()
	switch {
	case out.ints != nil:
		scatterVals(out.ints, out.nulls, v.ints, v.nulls, s, slots)
	case out.flts != nil:
		scatterVals(out.flts, out.nulls, v.flts, v.nulls, s, slots)
	case out.bools != nil:
		scatterVals(out.bools, out.nulls, v.bools, v.nulls, s, slots)
	default:
		scatterVals(out.strs, out.nulls, v.strs, v.nulls, s, slots)
	}
}

func scatterVals[T any](dst []T, dnulls []bool, src []T, snulls []bool, stride int, slots []int32) {
	if snulls == nil {
		for j, k := range slots {
			dst[k] = src[j*stride]
			dnulls[k] = false
		}
		return
	}
	for j, k := range slots {
		if !snulls[j*stride] {
			dst[k] = src[j*stride]
			dnulls[k] = false
		}
	}
}

// finish drops an all-false null mask.
func (v *vector) finish() *vector {
	for _, n := range v.nulls {
		if n {
			return v
		}
	}
	v.nulls = nil
	return v
}

func compileCase(e plan.Case, in plan.Schema) (expr, error) {
	_, t, err := plan.BindExpr(e, in)
	if err != nil {
		return expr{}, err
	}
	conds := make([]evaluator, len(e.Whens))
	thens := make([]evaluator, len(e.Whens))
	for i, w := range e.Whens {
		c, err := compileExpr(w.Cond, in)
		if err != nil {
			return expr{}, err
		}
		x, err := compileExpr(w.Then, in)
		if err != nil {
			return expr{}, err
		}
		conds[i], thens[i] = castTo(c, storage.TypeBool).eval, castTo(x, t).eval
	}
	var els evaluator
	if e.Else != nil {
		x, err := compileExpr(e.Else, in)
		if err != nil {
			return expr{}, err
		}
		els = castTo(x, t).eval
	}
	if len(e.Whens) == 1 && isLit(e.Whens[0].Then) && (e.Else == nil || isLit(e.Else)) && (isIntLike(t) || t == storage.TypeFloat64) {
		return expr{t, caseConstEval(t, conds[0], thens[0], els, caseEval(t, conds, thens, els))}, nil
	}
	return expr{t, caseEval(t, conds, thens, els)}, nil
}

func isLit(e plan.Expr) bool {
	_, ok := e.(plan.Lit)
	return ok
}

// caseConstEval is CASE WHEN cond THEN c1 [ELSE c2] END with constant
// numeric branches, the conditional-count idiom (sum(CASE WHEN x > 0 THEN
// 1 ELSE 0 END)): one pass choosing between the two values by slot, no
// sub-views. The branches are constants, so evaluating them over the
// whole batch raises nothing that a lazy evaluation would not; should a
// constant's cast fail, the general evaluator decides (it raises only if a
// row takes that branch).
func caseConstEval(t storage.ColumnType, cond, then, els, general evaluator) evaluator {
	return func(b *batch) (*vector, error) {
		tv, err := then(b)
		if err != nil {
			return general(b)
		}
		ev := constVector(t, b.n, true, 0, 0, "")
		if els != nil {
			if ev, err = els(b); err != nil {
				return general(b)
			}
		}
		c, err := cond(b)
		if err != nil {
			return nil, err
		}
		if c.cnst {
			if c.isNull(0) || !c.bools[0] {
				return ev, nil
			}
			return tv, nil
		}
		out := &vector{typ: t, n: b.n}
		// taken[k]: the condition is true (not false, not NULL).
		taken := c.bools[:b.n]
		if c.nulls != nil {
			taken = make([]bool, b.n)
			for k, x := range c.bools[:b.n] {
				taken[k] = x && !c.nulls[k]
			}
		}
		if isIntLike(t) {
			out.ints = chooseInts(taken, constInt(tv), constInt(ev))
		} else {
			x, y := math.Float64bits(constFloat(tv)), math.Float64bits(constFloat(ev))
			bits := chooseInts(taken, int64(x), int64(y))
			out.flts = unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(bits))), len(bits))
		}
		if tn, en := tv.isNull(0), ev.isNull(0); tn || en {
			out.nulls = make([]bool, b.n)
			for k, tk := range taken {
				out.nulls[k] = (tk && tn) || (!tk && en)
			}
		}
		return out.finish(), nil
	}
}

// chooseInts is x where taken, else y, without a branch per slot: the
// condition is data (rain or not), which a branch predictor cannot learn.
func chooseInts(taken []bool, x, y int64) []int64 {
	out := make([]int64, len(taken))
	d := x ^ y
	for k, t := range taken {
		out[k] = y ^ (d & -b2i(t))
	}
	return out
}

func constInt(v *vector) int64 {
	if v.isNull(0) || v.ints == nil {
		return 0
	}
	return v.ints[0]
}

func constFloat(v *vector) float64 {
	if v.isNull(0) || v.flts == nil {
		return 0
	}
	return v.flts[0]
}

func caseEval(t storage.ColumnType, conds, thens []evaluator, els evaluator) evaluator {
	return func(b *batch) (*vector, error) {
		var out *vector
		done := func() (*vector, error) {
			if out == nil {
				return constVector(t, b.n, true, 0, 0, ""), nil
			}
			return out.finish(), nil
		}
		slots := allSlots(b.n)
		view := b
		for i, cond := range conds {
			c, err := cond(view)
			if err != nil {
				return nil, err
			}
			taken, rest := splitTrue(c, slots)
			if len(taken) > 0 {
				v, err := thens[i](b.subset(taken))
				if err != nil || len(taken) == b.n {
					return v, err // every row takes this branch
				}
				if out == nil {
					out = nullVector(t, b.n)
				}
				scatter(out, v, taken)
			}
			if slots = rest; len(slots) == 0 {
				return done()
			}
			view = b.subset(slots)
		}
		if els != nil {
			v, err := els(view)
			if err != nil || len(slots) == b.n {
				return v, err
			}
			if out == nil {
				out = nullVector(t, b.n)
			}
			scatter(out, v, slots)
		}
		return done()
	}
}

func compileCoalesce(e plan.Coalesce, in plan.Schema) (expr, error) {
	_, t, err := plan.BindExpr(e, in)
	if err != nil {
		return expr{}, err
	}
	args := make([]evaluator, len(e.Args))
	for i, a := range e.Args {
		x, err := compileExpr(a, in)
		if err != nil {
			return expr{}, err
		}
		args[i] = castTo(x, t).eval
	}
	return expr{t, coalesceEval(args)}, nil
}

// coalesceEval evaluates each argument over the rows still NULL after
// the ones before it.
func coalesceEval(args []evaluator) evaluator {
	return func(b *batch) (*vector, error) {
		first, err := args[0](b)
		if err != nil || !first.hasNulls() || len(args) == 1 {
			return first, err
		}
		out := cloneVector(first, b.n)
		slots := nullSlots(out, allSlots(b.n))
		for _, arg := range args[1:] {
			if len(slots) == 0 {
				break
			}
			v, err := arg(b.subset(slots))
			if err != nil {
				return nil, err
			}
			scatter(out, v, slots)
			slots = nullSlots(out, slots)
		}
		return out.finish(), nil
	}
}

// nullSlots keeps the slots where v is NULL.
func nullSlots(v *vector, slots []int32) []int32 {
	out := slots[:0:0]
	for _, k := range slots {
		if v.nulls[k] {
			out = append(out, k)
		}
	}
	return out
}
