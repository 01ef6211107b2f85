package exec

import "github.com/stratadb/strata/storage"

// Aggregates other than count(*) ignore NULLs. Rather than a null-aware
// variant of every typed loop, a vector with some NULLs is compacted once
// to its non-null slots (values, group ids, dictionary codes alike), and
// the null-free loops run on the result.

// nonNullSlots lists the slots of v that are not NULL.
func nonNullSlots(v *vector) []int32 {
	keep := make([]int32, 0, v.n)
	for k, null := range v.nulls[:v.n] {
		if !null {
			keep = append(keep, int32(k))
		}
	}
	return keep
}

// compactVector keeps the slots keep lists; the result has no NULLs.
func compactVector(v *vector, keep []int32) *vector {
	out := &vector{typ: v.typ, n: len(keep), bounded: v.bounded, bound: v.bound}
	switch {
	case v.ints != nil:
		out.ints = pick(v.ints, keep)
	case v.flts != nil:
		out.flts = pick(v.flts, keep)
	case v.bools != nil:
		out.bools = pick(v.bools, keep)
	case v.strs != nil:
		out.strs = pick(v.strs, keep)
		if v.codes != nil {
			out.dict, out.codes = v.dict, pick(v.codes, keep)
		}
	}
	return out
}

func compactCodes(c codeSlice, keep []int32) codeSlice {
	switch {
	case c.u8 != nil:
		return codeSlice{u8: pick(c.u8, keep)}
	case c.u16 != nil:
		return codeSlice{u16: pick(c.u16, keep)}
	}
	return codeSlice{i32: pick(c.i32, keep)}
}

// aggInput is what one aggregate consumes from a batch view.
type aggInput struct {
	v     *vector // nil for count(*)
	n     int
	gids  []int32   // nil: one group, or the fused path
	codes codeSlice // the fused path's codes
}

// withoutNulls drops the NULL slots of in.v (when it has some); skip is
// true when every slot is NULL, so there is nothing to aggregate.
func (in aggInput) withoutNulls(fused bool) (out aggInput, skip bool) {
	v := in.v
	if v == nil || v.cnst || v.nulls == nil {
		return in, v != nil && v.typ == storage.TypeInvalid
	}
	keep := nonNullSlots(v)
	if len(keep) == 0 {
		return in, true
	}
	out = aggInput{v: compactVector(v, keep), n: len(keep)}
	if in.gids != nil {
		out.gids = pick(in.gids, keep)
	}
	if fused {
		out.codes = compactCodes(in.codes, keep)
	}
	return out, false
}
