package storage

import (
	"cmp"
	"slices"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// sortKeyColumn holds one sort-key column's values in gather order, so the
// comparator reads flat slices instead of going through Arrow per row.
type sortKeyColumn struct {
	ints   []int64
	floats []float64
	strs   []string // alias Arrow memory; valid during the gather only
	nulls  []bool   // nil: no nulls
}

// sortRefs orders refs by the sort key (ascending, nulls last, NaN above
// every number, ties in their current order) and reports whether it had to
// move anything. Already-sorted input, the common case for time-ordered
// streams, costs one comparison pass.
func sortRefs(def *TableDef, srcs []arrow.RecordBatch, refs []rowRef) bool {
	if len(def.SortKey) == 0 || len(refs) < 2 {
		return false
	}
	keys := make([]sortKeyColumn, len(def.SortKey))
	for k, name := range def.SortKey {
		col := def.ColumnIndex(name)
		keys[k] = extractSortKey(def.Columns[col].Type, srcs, col, refs)
	}
	compare := func(a, b int32) int {
		for k := range keys {
			if c := keys[k].compare(int(a), int(b)); c != 0 {
				return c
			}
		}
		return 0
	}
	sorted := true
	for i := 1; i < len(refs); i++ {
		if compare(int32(i-1), int32(i)) > 0 {
			sorted = false
			break
		}
	}
	if sorted {
		return false
	}
	perm := make([]int32, len(refs))
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortStableFunc(perm, compare)
	old := slices.Clone(refs)
	for i, p := range perm {
		refs[i] = old[p]
	}
	return true
}

func (k *sortKeyColumn) compare(a, b int) int {
	if k.nulls != nil {
		na, nb := k.nulls[a], k.nulls[b]
		switch {
		case na && nb:
			return 0
		case na:
			return 1
		case nb:
			return -1
		}
	}
	switch {
	case k.ints != nil:
		return cmp.Compare(k.ints[a], k.ints[b])
	case k.floats != nil:
		return CompareFloat(k.floats[a], k.floats[b])
	default:
		return cmp.Compare(k.strs[a], k.strs[b])
	}
}

func extractSortKey(t ColumnType, srcs []arrow.RecordBatch, col int, refs []rowRef) sortKeyColumn {
	var k sortKeyColumn
	vs := make([]validity, len(srcs))
	hasNulls := false
	for i, s := range srcs {
		vs[i] = validityOf(s.Column(col))
		hasNulls = hasNulls || vs[i].bits != nil
	}
	if hasNulls {
		k.nulls = make([]bool, len(refs))
		for i, r := range refs {
			k.nulls[i] = !vs[r.src].valid(int(r.row))
		}
	}
	switch t {
	case TypeFloat64:
		k.floats = make([]float64, len(refs))
		for i, r := range refs {
			k.floats[i] = srcs[r.src].Column(col).(*array.Float64).Value(int(r.row))
		}
	case TypeString, TypeBinary:
		ss := make([]stringSource, len(srcs))
		for i, s := range srcs {
			ss[i] = stringSourceOf(s.Column(col))
		}
		k.strs = make([]string, len(refs))
		for i, r := range refs {
			k.strs[i], _ = ss[r.src].at(int(r.row))
		}
	default:
		vals := make([][]int64, len(srcs))
		for i, s := range srcs {
			vals[i] = intValues(s.Column(col))
		}
		k.ints = make([]int64, len(refs))
		for i, r := range refs {
			k.ints[i] = vals[r.src][r.row]
		}
	}
	return k
}

// intValues reads an integer-like column (int64, int32, timestamp, date,
// bool) as int64s: aliased for int64 and timestamp, widened otherwise.
func intValues(a arrow.Array) []int64 {
	switch a := a.(type) {
	case *array.Int64:
		return a.Int64Values()
	case *array.Timestamp:
		ts := a.TimestampValues()
		return unsafe.Slice((*int64)(unsafe.SliceData(ts)), len(ts))
	}
	out := make([]int64, a.Len())
	for i := range out {
		out[i] = intValue(a, i)
	}
	return out
}

// CompareFloat orders floats as PostgreSQL does: NaN equals NaN and sorts
// above every other value, -0 equals 0.
func CompareFloat(a, b float64) int {
	an, bn := a != a, b != b
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return cmp.Compare(a, b)
}

// intValue reads row i of an integer-like column (int64, int32, timestamp,
// date, bool) as an int64.
func intValue(a arrow.Array, i int) int64 {
	switch a := a.(type) {
	case *array.Int64:
		return a.Value(i)
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Timestamp:
		return int64(a.Value(i))
	case *array.Date32:
		return int64(a.Value(i))
	case *array.Boolean:
		if a.Value(i) {
			return 1
		}
		return 0
	}
	panic("BUG: intValue of " + a.DataType().String())
}
