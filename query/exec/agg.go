package exec

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// aggregator is the state of one aggregate over a worker's groups.
// update gets the argument evaluated over a batch view (nil for count(*))
// and the group of every slot (nil: everything is group 0); merge folds
// another worker's state in, its group g going to gmap[g].
type aggregator interface {
	grow(groups int)
	update(v *vector, n int, gids []int32) error
	merge(o aggregator, gmap []int32)
	finish(mem memory.Allocator, groups int) (arrow.Array, error)
	bytes() int64
}

// newAggregator makes the state for an aggregate whose argument has type
// arg and whose result has type out.
func newAggregator(f plan.AggFunc, arg, out storage.ColumnType) aggregator {
	switch f {
	case plan.AggCountStar:
		return &countAgg{star: true}
	case plan.AggCount:
		return &countAgg{}
	case plan.AggSum, plan.AggAvg:
		avg := f == plan.AggAvg
		if arg == storage.TypeFloat64 {
			return &floatSumAgg{avg: avg}
		}
		return &intSumAgg{avg: avg}
	case plan.AggMin, plan.AggMax:
		return &minMaxAgg{max: f == plan.AggMax, typ: out}
	case plan.AggCountDistinct:
		return newDistinctAgg(arg)
	}
	panic(fmt.Sprintf("BUG: no aggregator for %v", f))
}

func growSlice[T any](s []T, n int) []T {
	if len(s) >= n {
		return s
	}
	return append(s, make([]T, n-len(s))...)
}

// nonNull calls fn(slot, group) for every non-null slot.
func nonNull(v *vector, gids []int32, fn func(k int, g int32)) {
	for k := 0; k < v.n; k++ {
		if v.isNull(k) {
			continue
		}
		g := int32(0)
		if gids != nil {
			g = gids[k]
		}
		fn(k, g)
	}
}

// countAgg is count(*) and count(x).
type countAgg struct {
	star   bool
	counts []int64
}

func (a *countAgg) grow(n int) { a.counts = growSlice(a.counts, n) }

func (a *countAgg) update(v *vector, n int, gids []int32) error {
	switch {
	case gids == nil && (a.star || !v.hasNulls()):
		a.counts[0] += int64(n)
	case a.star || !v.hasNulls():
		countRuns(a.counts, gids, nil)
	case !v.cnst && v.nulls != nil && gids != nil:
		countRuns(a.counts, gids, v.nulls[:n])
	default:
		nonNull(v, gids, func(_ int, g int32) { a.counts[g]++ })
	}
	return nil
}

func (a *countAgg) merge(o aggregator, gmap []int32) {
	for g, c := range o.(*countAgg).counts {
		a.counts[gmap[g]] += c
	}
}

func (a *countAgg) finish(mem memory.Allocator, groups int) (arrow.Array, error) {
	ab := newArrayBuilder(mem, storage.TypeInt64, groups)
	for g := 0; g < groups; g++ {
		ab.append(false, a.counts[g], 0, "")
	}
	return ab.finish(), nil
}

func (a *countAgg) bytes() int64 { return int64(8 * len(a.counts)) }

// intSumAgg sums integers exactly in 128 bits, so only a final sum outside
// int64 is an error (PostgreSQL's numeric sum never overflows; ours
// refuses to return a wrapped value). It also serves avg over integers.
type intSumAgg struct {
	avg    bool
	hi     []int64
	lo     []uint64
	counts []int64
}

func (a *intSumAgg) grow(n int) {
	a.hi, a.lo, a.counts = growSlice(a.hi, n), growSlice(a.lo, n), growSlice(a.counts, n)
}

func (a *intSumAgg) update(v *vector, n int, gids []int32) error {
	if v.typ == storage.TypeInvalid {
		return nil
	}
	if gids == nil && !v.hasNulls() && !v.cnst {
		var lo uint64
		var hi int64
		if v.bounded && v.bound <= math.MaxInt64/int64(max(1, len(v.ints))) {
			s := sumPlain(v.ints) // statistics rule out overflow
			lo, hi = uint64(s), s>>63
		} else {
			lo, hi = sumInt128(v.ints)
		}
		a.add(0, lo, hi, int64(len(v.ints)))
		return nil
	}
	if gids != nil && !v.hasNulls() && !v.cnst {
		for k, x := range v.ints {
			g := gids[k]
			var c uint64
			a.lo[g], c = bits.Add64(a.lo[g], uint64(x), 0)
			a.hi[g] += x>>63 + int64(c)
			a.counts[g]++
		}
		return nil
	}
	nonNull(v, gids, func(k int, g int32) {
		x := v.ints[v.at(k)]
		a.add(g, uint64(x), x>>63, 1)
	})
	return nil
}

// add adds a 128-bit value (hi:lo) and a count to group g.
func (a *intSumAgg) add(g int32, lo uint64, hi int64, n int64) {
	var c uint64
	a.lo[g], c = bits.Add64(a.lo[g], lo, 0)
	a.hi[g] += hi + int64(c)
	a.counts[g] += n
}

// sumPlain sums values known not to overflow.
func sumPlain(xs []int64) int64 { return sum4(xs) }

// sum4 sums with four independent accumulators, so consecutive adds do
// not wait on each other.
func sum4[T int64 | float64](xs []T) T {
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(xs); i += 4 {
		s0 += xs[i]
		s1 += xs[i+1]
		s2 += xs[i+2]
		s3 += xs[i+3]
	}
	for ; i < len(xs); i++ {
		s0 += xs[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// sumInt128 sums without overflow: blocks of int64 adds whose overflow
// is detected and redone in 128 bits, so the common case is a plain loop.
func sumInt128(xs []int64) (lo uint64, hi int64) {
	const block = 1024
	for start := 0; start < len(xs); start += block {
		part := xs[start:min(start+block, len(xs))]
		var s0, s1, s2, s3 int64
		var ovf int64
		i := 0
		for ; i+4 <= len(part); i += 4 {
			x0, x1, x2, x3 := part[i], part[i+1], part[i+2], part[i+3]
			n0, n1, n2, n3 := s0+x0, s1+x1, s2+x2, s3+x3
			ovf |= (s0 ^ n0) & (x0 ^ n0)
			ovf |= (s1 ^ n1) & (x1 ^ n1)
			ovf |= (s2 ^ n2) & (x2 ^ n2)
			ovf |= (s3 ^ n3) & (x3 ^ n3)
			s0, s1, s2, s3 = n0, n1, n2, n3
		}
		for ; i < len(part); i++ {
			n0 := s0 + part[i]
			ovf |= (s0 ^ n0) & (part[i] ^ n0)
			s0 = n0
		}
		if ovf < 0 {
			for _, x := range part {
				var c uint64
				lo, c = bits.Add64(lo, uint64(x), 0)
				hi += x>>63 + int64(c)
			}
			continue
		}
		for _, s := range [4]int64{s0, s1, s2, s3} {
			var c uint64
			lo, c = bits.Add64(lo, uint64(s), 0)
			hi += s>>63 + int64(c)
		}
	}
	return lo, hi
}

func (a *intSumAgg) merge(o aggregator, gmap []int32) {
	b := o.(*intSumAgg)
	for g := range b.counts {
		a.add(gmap[g], b.lo[g], b.hi[g], b.counts[g])
	}
}

func (a *intSumAgg) finish(mem memory.Allocator, groups int) (arrow.Array, error) {
	t := storage.TypeInt64
	if a.avg {
		t = storage.TypeFloat64
	}
	ab := newArrayBuilder(mem, t, groups)
	for g := 0; g < groups; g++ {
		lo, hi, n := a.lo[g], a.hi[g], a.counts[g]
		switch {
		case n == 0:
			ab.append(true, 0, 0, "")
		case a.avg:
			ab.append(false, 0, int128Float(lo, hi)/float64(n), "")
		case hi != int64(lo)>>63:
			ab.finish().Release()
			return nil, fmt.Errorf("%w: sum is %s, outside int64", ErrOverflow, int128String(lo, hi))
		default:
			ab.append(false, int64(lo), 0, "")
		}
	}
	return ab.finish(), nil
}

func (a *intSumAgg) bytes() int64 { return int64(24 * len(a.counts)) }

// int128Float converts hi:lo to the nearest float64. Summing the two
// halves as floats would cancel catastrophically for small negatives
// (-3 is hi=-1, lo=2^64-3), so values that fit int64 convert directly and
// negatives are converted as their magnitude.
func int128Float(lo uint64, hi int64) float64 {
	if hi == int64(lo)>>63 {
		return float64(int64(lo))
	}
	if hi < 0 {
		nlo, borrow := bits.Sub64(0, lo, 0)
		nhi := -hi - int64(borrow)
		return -(float64(uint64(nhi))*math.Exp2(64) + float64(nlo))
	}
	return float64(hi)*math.Exp2(64) + float64(lo)
}

func int128String(lo uint64, hi int64) string {
	return fmt.Sprintf("about %.6g", int128Float(lo, hi))
}

// floatSumAgg is sum and avg over float64.
type floatSumAgg struct {
	avg    bool
	sums   []float64
	counts []int64
}

func (a *floatSumAgg) grow(n int) { a.sums, a.counts = growSlice(a.sums, n), growSlice(a.counts, n) }

func (a *floatSumAgg) update(v *vector, n int, gids []int32) error {
	if v.typ == storage.TypeInvalid {
		return nil
	}
	switch {
	case gids == nil && !v.hasNulls() && !v.cnst:
		a.sums[0] += sum4(v.flts)
		a.counts[0] += int64(len(v.flts))
	case !v.hasNulls() && !v.cnst:
		a.sumRuns(v.flts[:n], gids, nil)
	case !v.cnst && v.nulls != nil && gids != nil:
		a.sumRuns(v.flts[:n], gids, v.nulls[:n])
	default:
		nonNull(v, gids, func(k int, g int32) {
			a.sums[g] += v.flts[v.at(k)]
			a.counts[g]++
		})
	}
	return nil
}

// countRuns adds to counts[g] the slots of each group g (the non-NULL
// ones when nulls is set). Sorted chunks give a group long runs of
// slots, so a run is counted in a register and stored once: adding to
// counts[g] slot by slot makes each add wait for the previous store.
func countRuns(counts []int64, gids []int32, nulls []bool) {
	if len(gids) == 0 {
		return
	}
	g, acc := gids[0], int64(0)
	for k, gk := range gids {
		if gk != g {
			counts[g] += acc
			g, acc = gk, 0
		}
		if nulls == nil {
			acc++
		} else {
			acc += 1 - b2i(nulls[k]) // no branch on data
		}
	}
	counts[g] += acc
}

// sumRuns is countRuns for a float sum and count, skipping NULLs.
func (a *floatSumAgg) sumRuns(xs []float64, gids []int32, nulls []bool) {
	if len(gids) == 0 {
		return
	}
	g, sum, cnt := gids[0], 0.0, int64(0)
	for k, gk := range gids[:len(xs)] {
		if gk != g {
			a.sums[g] += sum
			a.counts[g] += cnt
			g, sum, cnt = gk, 0, 0
		}
		if nulls != nil && nulls[k] {
			continue
		}
		sum += xs[k]
		cnt++
	}
	a.sums[g] += sum
	a.counts[g] += cnt
}

// takesNulls marks the aggregators whose update skips NULL slots itself,
// cheaper than compacting the input first.
func (*countAgg) takesNulls()    {}
func (*floatSumAgg) takesNulls() {}

func (a *floatSumAgg) merge(o aggregator, gmap []int32) {
	b := o.(*floatSumAgg)
	for g := range b.counts {
		a.sums[gmap[g]] += b.sums[g]
		a.counts[gmap[g]] += b.counts[g]
	}
}

func (a *floatSumAgg) finish(mem memory.Allocator, groups int) (arrow.Array, error) {
	ab := newArrayBuilder(mem, storage.TypeFloat64, groups)
	for g := 0; g < groups; g++ {
		switch {
		case a.counts[g] == 0:
			ab.append(true, 0, 0, "")
		case a.avg:
			ab.append(false, 0, a.sums[g]/float64(a.counts[g]), "")
		default:
			ab.append(false, 0, a.sums[g], "")
		}
	}
	return ab.finish(), nil
}

func (a *floatSumAgg) bytes() int64 { return int64(16 * len(a.counts)) }
