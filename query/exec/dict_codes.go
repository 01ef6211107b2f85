package exec

import (
	"github.com/apache/arrow-go/v18/arrow/array"
)

// dictCodes returns a dictionary array's indices as int32: aliased when
// stored as int32, widened from the narrower widths chunks use for small
// dictionaries.
func dictCodes(a *array.Dictionary) []int32 { return selectedCodes(a, nil) }

// selectedCodes returns the indices of the rows sel names (all rows when
// sel is nil) as int32. Only the named rows are read: a selective filter
// over a chunk does not pay for widening the whole chunk's codes.
func selectedCodes(a *array.Dictionary, sel []int32) []int32 {
	switch idx := a.Indices().(type) {
	case *array.Int32:
		return pick(idx.Int32Values(), sel)
	case *array.Uint8:
		return widen[int32](idx.Uint8Values(), sel)
	case *array.Uint16:
		return widen[int32](idx.Uint16Values(), sel)
	}
	n := a.Len()
	if sel != nil {
		n = len(sel)
	}
	out := make([]int32, n)
	for k := range out {
		if r := row(sel, k); a.IsValid(r) {
			out[k] = int32(a.GetValueIndex(r))
		}
	}
	return out
}

// keptRowsOf returns the rows of the view sel (its first n; all rows when
// sel is nil) whose dictionary code keep marks, reading the codes in
// their stored width. A null row's code is arbitrary: it is bounded here,
// and the caller's dropNulls decides.
func keptRowsOf(a *array.Dictionary, sel []int32, n int, keep []bool) []int32 {
	switch idx := a.Indices().(type) {
	case *array.Uint8:
		return keptRows(idx.Uint8Values(), sel, n, keep)
	case *array.Uint16:
		return keptRows(idx.Uint16Values(), sel, n, keep)
	case *array.Int32:
		return keptRows(idx.Int32Values(), sel, n, keep)
	}
	return keptRows(selectedCodes(a, nil), sel, n, keep)
}

// keptRows counts before it allocates: an equality filter on a tag keeps
// a few hundred rows of a chunk, and a slice sized for the whole view
// would be zeroed for nothing.
func keptRows[T code](codes []T, sel []int32, n int, keep []bool) []int32 {
	kept := func(c T) bool { return int(uint32(c)) < len(keep) && keep[c] }
	count := 0
	if sel == nil {
		for _, c := range codes[:n] {
			if kept(c) {
				count++
			}
		}
		out := make([]int32, 0, count)
		for r, c := range codes[:n] {
			if kept(c) {
				out = append(out, int32(r))
			}
		}
		return out
	}
	for _, r := range sel[:n] {
		if kept(codes[r]) {
			count++
		}
	}
	out := make([]int32, 0, count)
	for _, r := range sel[:n] {
		if kept(codes[r]) {
			out = append(out, r)
		}
	}
	return out
}
