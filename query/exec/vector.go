package exec

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/stratadb/strata/storage"
)

// vector is an evaluated expression over one batch: n values of one type in
// plain Go slices. Integer-like types (int64, int32, timestamp µs, date
// days) live in ints, float64 in flts, bool in bools, string and binary in
// strs. A column of int64, timestamp or float64 aliases the Arrow buffer; a
// string aliases Arrow memory too. Vectors live for one batch only.
//
// A constant vector (cnst) holds one value at index 0 that stands for every
// row. Type storage.TypeInvalid is an untyped NULL.
type vector struct {
	typ   storage.ColumnType
	n     int
	cnst  bool
	ints  []int64
	flts  []float64
	bools []bool
	strs  []string
	nulls []bool // nil: no nulls; else len n (1 when cnst)
	// bounded says every value of ints is within [-bound, bound], known
	// from chunk statistics; sums use it to skip overflow checks.
	bounded bool
	bound   int64
	// A string vector read from a dictionary-encoded column also keeps
	// the dictionary and each slot's code, so consumers that map values
	// to ids can do it once per entry instead of once per row.
	dict  []string
	codes []int32
}

// at maps a row to its slot: 0 for constants.
func (v *vector) at(i int) int {
	if v.cnst {
		return 0
	}
	return i
}

func (v *vector) isNull(i int) bool {
	if v.typ == storage.TypeInvalid {
		return true
	}
	return v.nulls != nil && v.nulls[v.at(i)]
}

// stride is 0 for a constant and 1 otherwise, so kernels index with i*stride.
func (v *vector) stride() int {
	if v.cnst {
		return 0
	}
	return 1
}

func (v *vector) hasNulls() bool { return v.nulls != nil || v.typ == storage.TypeInvalid }

// materialize expands a constant to n rows (only where a kernel needs it).
func (v *vector) materialize(n int) *vector {
	if !v.cnst {
		return v
	}
	out := &vector{typ: v.typ, n: n}
	if v.hasNulls() && v.isNull(0) {
		out.nulls = make([]bool, n)
		for i := range out.nulls {
			out.nulls[i] = true
		}
	}
	switch {
	case v.ints != nil:
		out.ints = fill(v.ints[0], n)
	case v.flts != nil:
		out.flts = fill(v.flts[0], n)
	case v.bools != nil:
		out.bools = fill(v.bools[0], n)
	case v.strs != nil:
		out.strs = fill(v.strs[0], n)
	}
	if out.ints == nil && out.flts == nil && out.bools == nil && out.strs == nil {
		// A NULL constant: give it storage of its type so kernels can index.
		allocFor(out, n)
	}
	return out
}

func fill[T any](x T, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = x
	}
	return s
}

func allocFor(v *vector, n int) {
	switch {
	case isIntLike(v.typ), v.typ == storage.TypeInvalid:
		v.ints = make([]int64, n)
	case v.typ == storage.TypeFloat64:
		v.flts = make([]float64, n)
	case v.typ == storage.TypeBool:
		v.bools = make([]bool, n)
	default:
		v.strs = make([]string, n)
	}
}

func isIntLike(t storage.ColumnType) bool {
	switch t {
	case storage.TypeInt64, storage.TypeInt32, storage.TypeTimestamp, storage.TypeDate:
		return true
	}
	return false
}

// columnVector converts the rows sel names (all rows when sel is nil) of
// an Arrow column to a vector of logical type t. Without a selection,
// int64, timestamp and float64 columns are not copied.
func columnVector(t storage.ColumnType, a arrow.Array, sel []int32) *vector {
	n := a.Len()
	if sel != nil {
		n = len(sel)
	}
	v := &vector{typ: t, n: n, nulls: nullsOf(a, sel)}
	switch a := a.(type) {
	case *array.Int64:
		v.ints = pick(a.Int64Values(), sel)
	case *array.Timestamp:
		ts := a.TimestampValues()
		v.ints = pick(unsafe.Slice((*int64)(unsafe.SliceData(ts)), len(ts)), sel)
	case *array.Int32:
		v.ints = widen[int64](a.Int32Values(), sel)
	case *array.Date32:
		v.ints = widen[int64](a.Date32Values(), sel)
	case *array.Float64:
		v.flts = pick(a.Float64Values(), sel)
	case *array.Boolean:
		v.bools = make([]bool, n)
		for k := range v.bools {
			v.bools[k] = a.Value(row(sel, k))
		}
	case *array.Dictionary:
		v.dict = stringsOf(a.Dictionary(), nil)
		v.codes = selectedCodes(a, sel)
		v.strs = make([]string, n)
		for k, c := range v.codes {
			if v.nulls == nil || !v.nulls[k] {
				v.strs[k] = v.dict[c]
			}
		}
	case *array.Null:
		v.typ = storage.TypeInvalid
	default:
		v.strs = stringsOf(a, sel)
	}
	if v.ints == nil && v.flts == nil && v.bools == nil && v.strs == nil {
		allocFor(v, v.n)
	}
	return v
}

// row is the k-th selected row.
func row(sel []int32, k int) int {
	if sel == nil {
		return k
	}
	return int(sel[k])
}

func pick[T any](vals []T, sel []int32) []T {
	if sel == nil {
		return vals
	}
	out := make([]T, len(sel))
	for k, r := range sel {
		out[k] = vals[r]
	}
	return out
}

// widen converts the selected values (all when sel is nil) to a wider
// integer type: int32 columns to int64 slots, narrow dictionary codes to
// int32.
func widen[U int32 | int64, T ~uint8 | ~uint16 | ~int32](vals []T, sel []int32) []U {
	if sel == nil {
		out := make([]U, len(vals))
		for i, x := range vals {
			out[i] = U(x)
		}
		return out
	}
	out := make([]U, len(sel))
	for k, r := range sel {
		out[k] = U(vals[r])
	}
	return out
}

// nullsOf expands the validity of the selected rows; nil when there are no
// nulls.
func nullsOf(a arrow.Array, sel []int32) []bool {
	if a.NullN() == 0 {
		return nil
	}
	n := a.Len()
	if sel != nil {
		n = len(sel)
	}
	out := make([]bool, n)
	bits, off := a.NullBitmapBytes(), a.Data().Offset()
	for k := range out {
		out[k] = bits == nil || !bitutil.BitIsSet(bits, off+row(sel, k))
	}
	return out
}

// stringsOf returns the selected values of a plain string or binary array
// as strings that alias Arrow memory.
func stringsOf(a arrow.Array, sel []int32) []string {
	var offsets []int32
	var data []byte
	switch a := a.(type) {
	case *array.String:
		offsets = a.ValueOffsets()
	case *array.Binary:
		offsets = a.ValueOffsets()
	default:
		panic("BUG: stringsOf " + a.DataType().String())
	}
	// The whole data buffer: ValueOffsets are absolute even in a sliced
	// array, while ValueBytes starts at the slice's first value.
	if buf := a.Data().Buffers()[2]; buf != nil {
		data = buf.Bytes()
	}
	n := a.Len()
	if sel != nil {
		n = len(sel)
	}
	out := make([]string, n)
	for k := range out {
		i := row(sel, k)
		lo, hi := offsets[i], offsets[i+1]
		if hi > lo {
			out[k] = unsafe.String(&data[lo], int(hi-lo))
		}
	}
	return out
}

// constVector is a one-slot vector standing for every row.
func constVector(t storage.ColumnType, n int, null bool, i int64, f float64, s string) *vector {
	v := &vector{typ: t, n: n, cnst: true}
	if null || t == storage.TypeInvalid {
		v.nulls = []bool{true}
	}
	switch {
	case isIntLike(t), t == storage.TypeInvalid:
		v.ints = []int64{i}
	case t == storage.TypeFloat64:
		v.flts = []float64{f}
	case t == storage.TypeBool:
		v.bools = []bool{i != 0}
	default:
		v.strs = []string{s}
	}
	return v
}
