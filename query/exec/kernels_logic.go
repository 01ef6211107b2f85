package exec

import (
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// logicKernel is AND/OR in SQL's three-valued logic: FALSE AND NULL is
// FALSE, TRUE OR NULL is TRUE, otherwise NULL wins.
func logicKernel(op plan.BinOp, a, b *vector) *vector {
	n, cnst := resultShape(a, b)
	out := &vector{typ: storage.TypeBool, n: max(a.n, b.n), cnst: cnst, bools: make([]bool, n)}
	anyNull := a.hasNulls() || b.hasNulls()
	if anyNull {
		out.nulls = make([]bool, n)
	}
	dominant := op == plan.OpOr // the value that decides alone
	for i := 0; i < n; i++ {
		an, bn := a.isNull(i), b.isNull(i)
		x, y := !an && a.bools[a.at(i)], !bn && b.bools[b.at(i)]
		switch {
		case (!an && x == dominant) || (!bn && y == dominant):
			out.bools[i] = dominant
		case an || bn:
			out.nulls[i] = true
		default:
			out.bools[i] = !dominant
		}
	}
	return out
}

func notKernel(v *vector) *vector {
	out := &vector{typ: storage.TypeBool, n: v.n, cnst: v.cnst, nulls: v.nulls, bools: make([]bool, len(v.bools))}
	if v.typ == storage.TypeInvalid {
		return constVector(storage.TypeBool, v.n, true, 0, 0, "")
	}
	for i, b := range v.bools {
		out.bools[i] = !b
	}
	return out
}

func isNullKernel(v *vector, not bool) *vector {
	if v.cnst || v.typ == storage.TypeInvalid {
		return constVector(storage.TypeBool, v.n, false, b2i(v.isNull(0) != not), 0, "")
	}
	out := &vector{typ: storage.TypeBool, n: v.n, bools: make([]bool, v.n)}
	for i := range out.bools {
		out.bools[i] = v.isNull(i) != not
	}
	return out
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// valueSet is an IN list's constants, keyed by value in the compared type.
type valueSet struct {
	ints    map[int64]bool
	strs    map[string]bool
	flts    map[float64]bool
	intFlts map[float64]bool // float items an integer is compared with
	hasNaN  bool
	hasNull bool
}

func newValueSet(t storage.ColumnType, vals []plan.Value) *valueSet {
	s := &valueSet{ints: map[int64]bool{}, strs: map[string]bool{}, flts: map[float64]bool{}, intFlts: map[float64]bool{}}
	for _, v := range vals {
		switch {
		case v.Null:
			s.hasNull = true
		case plan.IsInteger(t) && v.Type == storage.TypeFloat64:
			s.intFlts[v.Float+0] = true
		case t == storage.TypeFloat64:
			f := v.Float
			if plan.IsInteger(v.Type) {
				f = float64(v.Int)
			}
			if f != f {
				s.hasNaN = true
			}
			s.flts[f+0] = true // +0 folds -0 into 0
		case t == storage.TypeTimestamp && v.Type == storage.TypeDate:
			s.ints[v.Int*usPerDay] = true
		case t == storage.TypeString || t == storage.TypeBinary:
			s.strs[v.Str] = true
		default:
			s.ints[v.Int] = true
		}
	}
	return s
}

func (s *valueSet) contains(v *vector, i int) bool {
	j := v.at(i)
	switch {
	case v.flts != nil:
		f := v.flts[j]
		if f != f {
			return s.hasNaN
		}
		return s.flts[f+0]
	case v.strs != nil:
		return s.strs[v.strs[j]]
	case v.bools != nil:
		return s.ints[b2i(v.bools[j])]
	}
	x := v.ints[j]
	return s.ints[x] || (len(s.intFlts) > 0 && s.intFlts[float64(x)] && exactFloat(x))
}

// exactFloat reports whether an integer converts to float64 exactly, so
// equality with a float item means what it says.
func exactFloat(x int64) bool {
	f := float64(x)
	return f >= -9.223372036854775808e18 && f < 9.223372036854775808e18 && int64(f) == x
}

// inKernel: x IN (list) is TRUE on a match, NULL when x is NULL or when it
// does not match and the list holds a NULL, FALSE otherwise.
func inKernel(v *vector, set *valueSet, not bool) *vector {
	n := v.n
	if v.cnst {
		n = 1
	}
	out := &vector{typ: storage.TypeBool, n: v.n, cnst: v.cnst, bools: make([]bool, n)}
	if v.hasNulls() || set.hasNull {
		out.nulls = make([]bool, n)
	}
	for i := 0; i < n; i++ {
		switch {
		case v.isNull(i):
			out.nulls[i] = true
		case set.contains(v, i):
			out.bools[i] = !not
		case set.hasNull:
			out.nulls[i] = true
		default:
			out.bools[i] = not
		}
	}
	return out
}
