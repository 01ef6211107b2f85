package storage

import (
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// maxStatString bounds the string min/max kept in stats: a longer value
// would make every chunk carry a copy of its largest string, and a truncated
// max would no longer be an upper bound.
const maxStatString = 256

// ColumnStats summarise one column of one chunk, over all its rows.
// Min and Max are meaningful only when HasRange is set: at least one
// non-null value exists, and (for floats) no NaN and (for strings) no value
// longer than 256 bytes hides the true bounds.
type ColumnStats struct {
	NullCount int
	HasRange  bool
	// MinInt/MaxInt for int64, int32, timestamp (µs), date (days) and bool (0/1).
	MinInt, MaxInt int64
	// MinFloat/MaxFloat for float64.
	MinFloat, MaxFloat float64
	// MinString/MaxString for string and binary, copied out of the chunk.
	MinString, MaxString string
}

// computeStats computes every column's statistics. A write-buffer piece
// (sealed false) skips the min/max of plain strings and binaries: those
// cost a string comparison per row, and a piece is short-lived and small,
// so pruning it by a string range is not worth it. HasRange false only
// ever means "cannot prune".
func computeStats(rec arrow.RecordBatch, sealed bool) []ColumnStats {
	out := make([]ColumnStats, rec.NumCols())
	for i, col := range rec.Columns() {
		if d, ok := col.(*array.Dictionary); ok {
			// Arrow builds the values array on first use and caches it in
			// the array: do it now, before the chunk is shared, or two
			// concurrent readers race to write the cache.
			d.Dictionary()
		}
		if _, isBytes := byteColumnOf(col); isBytes && !sealed {
			out[i] = ColumnStats{NullCount: col.NullN()}
			continue
		}
		out[i] = columnStats(col)
	}
	return out
}

func columnStats(a arrow.Array) ColumnStats {
	s := ColumnStats{NullCount: a.NullN()}
	if s.NullCount == a.Len() {
		return s
	}
	switch a := a.(type) {
	case *array.Int64:
		s.MinInt, s.MaxInt = intRange(a.Int64Values(), a)
	case *array.Int32:
		s.MinInt, s.MaxInt = intRange(a.Int32Values(), a)
	case *array.Timestamp:
		s.MinInt, s.MaxInt = intRange(a.TimestampValues(), a)
	case *array.Date32:
		s.MinInt, s.MaxInt = intRange(a.Date32Values(), a)
	case *array.Boolean:
		s.MinInt, s.MaxInt = boolRange(a)
	case *array.Float64:
		var ok bool
		s.MinFloat, s.MaxFloat, ok = floatRange(a)
		if !ok {
			return s
		}
	case *array.Dictionary:
		var ok bool
		s.MinString, s.MaxString, ok = dictRange(a)
		if !ok {
			return s
		}
	default:
		bc, isBytes := byteColumnOf(a)
		if !isBytes {
			return s
		}
		var ok bool
		s.MinString, s.MaxString, ok = stringRange(bc, a)
		if !ok {
			return s
		}
	}
	s.HasRange = true
	return s
}

type integer interface {
	~int64 | ~int32
}

func intRange[T integer](vals []T, a arrow.Array) (lo, hi int64) {
	lo, hi = math.MaxInt64, math.MinInt64
	if a.NullN() == 0 {
		for _, v := range vals {
			lo = min(lo, int64(v))
			hi = max(hi, int64(v))
		}
		return lo, hi
	}
	for i, v := range vals {
		if a.IsValid(i) {
			lo = min(lo, int64(v))
			hi = max(hi, int64(v))
		}
	}
	return lo, hi
}

func boolRange(a *array.Boolean) (lo, hi int64) {
	lo, hi = 1, 0
	for i := 0; i < a.Len(); i++ {
		if a.IsValid(i) {
			v := int64(0)
			if a.Value(i) {
				v = 1
			}
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	return lo, hi
}

// floatRange reports ok=false when a NaN is present: NaN sorts above every
// number (as in PostgreSQL), and a range that hides it would prune wrongly.
func floatRange(a *array.Float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	// Plain comparisons, not the min/max builtins: those handle NaN and
	// signed zeros per call, which made this loop several times slower.
	valid := validityOf(a)
	vals := a.Float64Values()
	if valid.bits == nil {
		return floatRangeDense(vals)
	}
	for i, v := range vals {
		if !valid.valid(i) {
			continue
		}
		if v != v {
			return 0, 0, false
		}
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi, true
}

// floatRangeDense is floatRange without nulls, four lanes at a time: the
// lanes' comparisons do not wait on each other, and a NaN anywhere makes
// the sum of a lane's differences NaN, checked once at the end.
func floatRangeDense(vals []float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	l0, l1, l2, l3 := lo, lo, lo, lo
	h0, h1, h2, h3 := hi, hi, hi, hi
	nan := 0.0
	i := 0
	for ; i+4 <= len(vals); i += 4 {
		v0, v1, v2, v3 := vals[i], vals[i+1], vals[i+2], vals[i+3]
		nan += (v0 - v0) + (v1 - v1) + (v2 - v2) + (v3 - v3)
		if v0 < l0 {
			l0 = v0
		}
		if v1 < l1 {
			l1 = v1
		}
		if v2 < l2 {
			l2 = v2
		}
		if v3 < l3 {
			l3 = v3
		}
		if v0 > h0 {
			h0 = v0
		}
		if v1 > h1 {
			h1 = v1
		}
		if v2 > h2 {
			h2 = v2
		}
		if v3 > h3 {
			h3 = v3
		}
	}
	for ; i < len(vals); i++ {
		v := vals[i]
		nan += v - v
		if v < l0 {
			l0 = v
		}
		if v > h0 {
			h0 = v
		}
	}
	// v - v is 0 for every finite v, NaN for a NaN and for ±Inf.
	if nan != nan {
		// A NaN, or only an infinity: rescan to tell them apart.
		for _, v := range vals {
			if v != v {
				return 0, 0, false
			}
		}
	}
	for _, x := range [...]float64{l1, l2, l3} {
		if x < l0 {
			l0 = x
		}
	}
	for _, x := range [...]float64{h1, h2, h3} {
		if x > h0 {
			h0 = x
		}
	}
	return l0, h0, true
}

func stringRange(bc byteColumn, a arrow.Array) (lo, hi string, ok bool) {
	first := true
	valid := validityOf(a)
	for i := 0; i < a.Len(); i++ {
		if valid.bits != nil && !valid.valid(i) {
			continue
		}
		v := bc.at(i)
		if len(v) > maxStatString {
			return "", "", false
		}
		if first || v < lo {
			lo = v
		}
		if first || v > hi {
			hi = v
		}
		first = false
	}
	return strings.Clone(lo), strings.Clone(hi), true
}

// dictRange is the range of a chunk's dictionary entries: chunk
// dictionaries are exact (every entry is used by a non-null row; see
// Chunk), so no pass over the rows is needed.
func dictRange(a *array.Dictionary) (lo, hi string, ok bool) {
	dict, isStr := a.Dictionary().(*array.String)
	if !isStr || dict.Len() == 0 {
		return "", "", false
	}
	bc, _ := byteColumnOf(dict)
	return stringRange(bc, dict)
}
