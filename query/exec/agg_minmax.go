package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/storage"
)

// minMaxAgg is min or max over integers, floats or strings. Floats use
// PostgreSQL's order (NaN above every number).
type minMaxAgg struct {
	max  bool
	typ  storage.ColumnType
	has  []bool
	ints []int64
	flts []float64
	strs []string
	sb   int64 // bytes of strings held
}

func (a *minMaxAgg) grow(n int) {
	a.has = growSlice(a.has, n)
	switch {
	case a.typ == storage.TypeFloat64:
		a.flts = growSlice(a.flts, n)
	case a.typ == storage.TypeString || a.typ == storage.TypeBinary:
		a.strs = growSlice(a.strs, n)
	default:
		a.ints = growSlice(a.ints, n)
	}
}

func (a *minMaxAgg) update(v *vector, n int, gids []int32) error {
	if v.typ == storage.TypeInvalid {
		return nil
	}
	switch {
	case v.flts != nil && !v.hasNulls() && !v.cnst:
		a.floatRun(v.flts[:n], gids)
	case v.flts != nil:
		nonNull(v, gids, func(k int, g int32) { a.float(g, v.flts[v.at(k)]) })
	case v.strs != nil:
		nonNull(v, gids, func(k int, g int32) { a.str(g, v.strs[v.at(k)]) })
	case gids == nil && !v.hasNulls() && !v.cnst:
		a.intRun(v.ints)
	case v.ints != nil && !v.hasNulls() && !v.cnst:
		for k, x := range v.ints[:n] {
			a.int(gids[k], x)
		}
	default:
		nonNull(v, gids, func(k int, g int32) { a.int(g, v.ints[v.at(k)]) })
	}
	return nil
}

// intRun folds a null-free run into group 0 with a plain loop.
func (a *minMaxAgg) intRun(xs []int64) {
	if len(xs) == 0 {
		return
	}
	m := xs[0]
	if a.max {
		for _, x := range xs {
			m = max(m, x)
		}
	} else {
		for _, x := range xs {
			m = min(m, x)
		}
	}
	a.int(0, m)
}

// floatRun folds a null-free vector with a plain loop: the per-slot
// closure of the general path costs more than the comparison.
func (a *minMaxAgg) floatRun(xs []float64, gids []int32) {
	if gids != nil {
		for k, x := range xs {
			a.float(gids[k], x)
		}
		return
	}
	if len(xs) == 0 {
		return
	}
	m := xs[0]
	if a.max {
		for _, x := range xs[1:] {
			if x > m || x != x {
				m = x
			}
		}
	} else {
		for _, x := range xs[1:] {
			if x < m || m != m {
				m = x
			}
		}
	}
	a.float(0, m)
}

func (a *minMaxAgg) int(g int32, x int64) {
	if !a.has[g] || (a.max && x > a.ints[g]) || (!a.max && x < a.ints[g]) {
		a.ints[g], a.has[g] = x, true
	}
}

// float folds x into group g. Plain comparisons order floats as
// PostgreSQL does here: NaN is above every number (a max that saw one
// stays NaN, a min replaces it by any number), -0 equals 0 (the first
// one seen stays).
func (a *minMaxAgg) float(g int32, x float64) {
	cur := a.flts[g]
	if !a.has[g] || (a.max && (x > cur || x != x)) || (!a.max && (x < cur || cur != cur)) {
		a.flts[g], a.has[g] = x, true
	}
}

func (a *minMaxAgg) str(g int32, x string) {
	if !a.has[g] || (a.max && x > a.strs[g]) || (!a.max && x < a.strs[g]) {
		a.sb += int64(len(x) - len(a.strs[g]))
		a.strs[g], a.has[g] = x, true
	}
}

func (a *minMaxAgg) merge(o aggregator, gmap []int32) {
	b := o.(*minMaxAgg)
	for g, has := range b.has {
		if !has {
			continue
		}
		switch {
		case b.flts != nil:
			a.float(gmap[g], b.flts[g])
		case b.strs != nil:
			a.str(gmap[g], b.strs[g])
		default:
			a.int(gmap[g], b.ints[g])
		}
	}
}

func (a *minMaxAgg) finish(mem memory.Allocator, groups int) (arrow.Array, error) {
	ab := newArrayBuilder(mem, a.typ, groups)
	for g := 0; g < groups; g++ {
		switch {
		case !a.has[g]:
			ab.append(true, 0, 0, "")
		case a.flts != nil:
			ab.append(false, 0, a.flts[g], "")
		case a.strs != nil:
			ab.append(false, 0, 0, a.strs[g])
		default:
			ab.append(false, a.ints[g], 0, "")
		}
	}
	return ab.finish(), nil
}

func (a *minMaxAgg) bytes() int64 { return int64(17*len(a.has)) + a.sb }
