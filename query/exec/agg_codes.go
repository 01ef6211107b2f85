package exec

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// codeUpdater is implemented by aggregates that can accumulate by a
// chunk's dictionary codes and fold the per-code partials into groups
// once per chunk (remap[code] is the group). This drops the per-row group
// id from the hot loop of the common GROUP BY on one string column.
type codeUpdater interface {
	// updateCodes reports false, having changed nothing, when it cannot
	// take this vector (nulls, constants); the caller falls back to gids.
	updateCodes(v *vector, codes codeSlice, remap []int32) bool
}

// codeSlice holds a dictionary's indices in their stored width.
type codeSlice struct {
	u8  []uint8
	u16 []uint16
	i32 []int32
}

// code is the integer types chunks store dictionary indices in: small
// dictionaries keep one or two bytes per row.
type code interface{ ~uint8 | ~uint16 | ~int32 }

// rawCodes returns the first n indices of a dictionary array without
// widening them.
func rawCodes(a *array.Dictionary, n int) (codeSlice, bool) {
	switch idx := a.Indices().(type) {
	case *array.Uint8:
		return codeSlice{u8: idx.Uint8Values()[:n]}, true
	case *array.Uint16:
		return codeSlice{u16: idx.Uint16Values()[:n]}, true
	case *array.Int32:
		return codeSlice{i32: idx.Int32Values()[:n]}, true
	}
	return codeSlice{}, false
}

// dictGroups recognises the fused path: one GROUP BY key that is a
// dictionary-encoded string column without nulls, read whole. It returns
// the view's codes and each code's group (-1 for codes no row uses).
func (g *groupTable) dictGroups(b *batch) (codes codeSlice, remap []int32, ok bool) {
	if len(g.keys) != 1 || g.keys[0].strCol < 0 || b.sel != nil {
		return codes, nil, false
	}
	d, isDict := b.rec.Column(g.keys[0].strCol).(*array.Dictionary)
	if !isDict || d.NullN() > 0 {
		return codes, nil, false
	}
	if codes, ok = rawCodes(d, b.n); !ok {
		return codes, nil, false
	}
	// Only entries some row of the view uses may become groups. Storage
	// keeps a chunk's dictionary exact (every entry used), so a view of
	// the whole chunk uses them all; a slice of it (a sort-key range) may
	// not, and its codes are scanned for the ones in use.
	dict := stringsOf(d.Dictionary(), nil)
	remap = make([]int32, len(dict))
	if b.chunk == nil || b.rec != b.chunk.Record() {
		for c := range remap {
			remap[c] = -1
		}
		switch {
		case codes.u8 != nil:
			markUsed(codes.u8, remap)
		case codes.u16 != nil:
			markUsed(codes.u16, remap)
		default:
			markUsed(codes.i32, remap)
		}
	}
	for c, used := range remap {
		if used == 0 {
			remap[c] = g.dicts[0].str(dict[c])
		}
	}
	g.n = g.dicts[0].len()
	return codes, remap, true
}

// markUsed sets remap[c] to 0 for every code that occurs (others stay -1).
func markUsed[T code](cs []T, remap []int32) {
	for _, c := range cs {
		remap[c] = 0
	}
}

// gidsFromCodes expands codes to group ids, for aggregates without a fused
// loop.
func gidsFromCodes(codes codeSlice, remap, gids []int32) []int32 {
	switch {
	case codes.u8 != nil:
		return expandCodes(codes.u8, remap, gids)
	case codes.u16 != nil:
		return expandCodes(codes.u16, remap, gids)
	}
	return expandCodes(codes.i32, remap, gids)
}

func expandCodes[T code](cs []T, remap, gids []int32) []int32 {
	gids = resize(gids, len(cs))
	for k, c := range cs {
		gids[k] = remap[c]
	}
	return gids
}

func (a *countAgg) updateCodes(v *vector, codes codeSlice, remap []int32) bool {
	if !a.star && v.hasNulls() {
		return false
	}
	local := make([]int64, len(remap))
	switch {
	case codes.u8 != nil:
		countByCode(codes.u8, local)
	case codes.u16 != nil:
		countByCode(codes.u16, local)
	default:
		countByCode(codes.i32, local)
	}
	for c, cnt := range local {
		if g := remap[c]; g >= 0 {
			a.counts[g] += cnt
		}
	}
	return true
}

func countByCode[T code](cs []T, local []int64) {
	for _, c := range cs {
		local[c]++
	}
}

func (a *floatSumAgg) updateCodes(v *vector, codes codeSlice, remap []int32) bool {
	if v.hasNulls() || v.cnst {
		return false
	}
	if codes.u8 != nil {
		a.updateByteCodes(v.flts, codes.u8, remap)
		return true
	}
	sums := make([]float64, len(remap))
	counts := make([]int64, len(remap))
	switch {
	case codes.u16 != nil:
		floatSumByCode(codes.u16, v.flts, sums, counts)
	default:
		floatSumByCode(codes.i32, v.flts, sums, counts)
	}
	for c, g := range remap {
		if g >= 0 {
			a.sums[g] += sums[c]
			a.counts[g] += counts[c]
		}
	}
	return true
}

func floatSumByCode[T code](cs []T, xs []float64, sums []float64, counts []int64) {
	xs = xs[:len(cs)]
	for k, c := range cs {
		sums[c] += xs[k]
		counts[c]++
	}
}

func (a *intSumAgg) updateCodes(v *vector, codes codeSlice, remap []int32) bool {
	if v.hasNulls() || v.cnst {
		return false
	}
	lo := make([]uint64, len(remap))
	hi := make([]int64, len(remap))
	counts := make([]int64, len(remap))
	switch {
	case codes.u8 != nil:
		intSumByCode(codes.u8, v.ints, lo, hi, counts)
	case codes.u16 != nil:
		intSumByCode(codes.u16, v.ints, lo, hi, counts)
	default:
		intSumByCode(codes.i32, v.ints, lo, hi, counts)
	}
	for c, g := range remap {
		if g >= 0 {
			a.add(g, lo[c], hi[c], counts[c])
		}
	}
	return true
}

func intSumByCode[T code](cs []T, xs []int64, lo []uint64, hi []int64, counts []int64) {
	xs = xs[:len(cs)]
	for k, c := range cs {
		x := xs[k]
		var carry uint64
		lo[c], carry = bits.Add64(lo[c], uint64(x), 0)
		hi[c] += x>>63 + int64(carry)
		counts[c]++
	}
}

// updateByteCodes is the hot loop of GROUP BY on a low-cardinality string
// with sum/avg of a float. One-byte codes index fixed arrays, so there are
// no bounds checks; and alternate rows go to two sets of sums, because
// when few groups interleave, the add for a row waits on the store of the
// same group's previous add, and two sets halve those chains.
func (a *floatSumAgg) updateByteCodes(flts []float64, codes []uint8, remap []int32) {
	var sums [2][256]float64
	var counts [2][256]int64
	xs := flts[:len(codes)]
	k := 0
	for ; k+2 <= len(codes); k += 2 {
		c0, c1 := codes[k], codes[k+1]
		sums[0][c0] += xs[k]
		sums[1][c1] += xs[k+1]
		counts[0][c0]++
		counts[1][c1]++
	}
	if k < len(codes) {
		sums[0][codes[k]] += xs[k]
		counts[0][codes[k]]++
	}
	for c, g := range remap {
		if g >= 0 {
			a.sums[g] += sums[0][c] + sums[1][c]
			a.counts[g] += counts[0][c] + counts[1][c]
		}
	}
}

// updateCodes folds integer min/max per dictionary code: one pass over
// the codes, then one fold per code into its group.
func (a *minMaxAgg) updateCodes(v *vector, codes codeSlice, remap []int32) bool {
	if v.hasNulls() || v.cnst || v.ints == nil {
		return false
	}
	best := make([]int64, len(remap))
	seen := make([]bool, len(remap))
	switch {
	case codes.u8 != nil:
		intMinMaxByCode(codes.u8, v.ints, best, seen, a.max)
	case codes.u16 != nil:
		intMinMaxByCode(codes.u16, v.ints, best, seen, a.max)
	default:
		intMinMaxByCode(codes.i32, v.ints, best, seen, a.max)
	}
	for c, g := range remap {
		if g >= 0 && seen[c] {
			a.int(g, best[c])
		}
	}
	return true
}

func intMinMaxByCode[T code](cs []T, xs []int64, best []int64, seen []bool, isMax bool) {
	xs = xs[:len(cs)]
	for k, c := range cs {
		x := xs[k]
		if !seen[c] || (isMax && x > best[c]) || (!isMax && x < best[c]) {
			best[c], seen[c] = x, true
		}
	}
}
