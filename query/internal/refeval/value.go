package refeval

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

const usPerDay = 86_400_000_000

func isInteger(t storage.ColumnType) bool {
	return t == storage.TypeInt64 || t == storage.TypeInt32
}

func isNumeric(t storage.ColumnType) bool {
	return isInteger(t) || t == storage.TypeFloat64
}

func isTemporal(t storage.ColumnType) bool {
	return t == storage.TypeTimestamp || t == storage.TypeDate
}

func isBytes(t storage.ColumnType) bool {
	return t == storage.TypeString || t == storage.TypeBinary
}

// asFloat reads a numeric value as float64.
func asFloat(v plan.Value) float64 {
	if v.Type == storage.TypeFloat64 {
		return v.Float
	}
	return float64(v.Int)
}

// micros reads a temporal value as µs since the epoch (a date is midnight).
func micros(v plan.Value) int64 {
	if v.Type == storage.TypeDate {
		return v.Int * usPerDay
	}
	return v.Int
}

// CompareFloat orders floats as PostgreSQL does: NaN equals NaN and is
// above every number, -0 equals 0.
func CompareFloat(x, y float64) int {
	xn, yn := math.IsNaN(x), math.IsNaN(y)
	switch {
	case xn && yn:
		return 0
	case xn:
		return 1
	case yn:
		return -1
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// Compare orders two non-NULL values of comparable types: integers exactly,
// integers with floats as float64, timestamps with dates in µs, strings
// and binary bytewise, false before true.
func Compare(a, b plan.Value) int {
	switch {
	case isInteger(a.Type) && isInteger(b.Type):
		return cmp.Compare(a.Int, b.Int)
	case isNumeric(a.Type) && isNumeric(b.Type):
		return CompareFloat(asFloat(a), asFloat(b))
	case isTemporal(a.Type) && isTemporal(b.Type):
		return cmp.Compare(micros(a), micros(b))
	case a.Type == storage.TypeBool && b.Type == storage.TypeBool:
		return cmp.Compare(a.Int, b.Int)
	case isBytes(a.Type) && isBytes(b.Type):
		return strings.Compare(a.Str, b.Str)
	}
	panic(fmt.Sprintf("BUG: refeval cannot compare %v with %v", a.Type, b.Type))
}

// CompareSort orders two values (either may be NULL) for one sort key:
// NULLs where the key puts them, the rest by Compare, reversed when Desc.
func CompareSort(a, b plan.Value, k plan.SortKey) int {
	switch {
	case a.Null && b.Null:
		return 0
	case a.Null || b.Null:
		first := k.NullsFirst()
		if a.Null == first {
			return -1
		}
		return 1
	}
	c := Compare(a, b)
	if k.Desc {
		c = -c
	}
	return c
}

// appendKey appends a value's grouping identity: NULLs are one key, -0 and
// 0 are one key, every NaN is one key.
func appendKey(dst []byte, v plan.Value) []byte {
	if v.Null {
		return append(dst, 0)
	}
	switch {
	case v.Type == storage.TypeFloat64:
		f := v.Float
		switch {
		case math.IsNaN(f):
			f = math.NaN()
		case f == 0:
			f = 0
		}
		dst = append(dst, 1)
		return binary.BigEndian.AppendUint64(dst, math.Float64bits(f))
	case isBytes(v.Type):
		dst = append(dst, 2)
		dst = binary.AppendUvarint(dst, uint64(len(v.Str)))
		return append(dst, v.Str...)
	}
	dst = append(dst, 3)
	return binary.BigEndian.AppendUint64(dst, uint64(v.Int))
}

// FloatsClose compares floats with a relative tolerance of 1e-9 (absolute
// 1e-9 near zero): the engine sums in parallel in no fixed order, so sums
// and averages may differ from the reference's in the last bits. NaNs are
// equal, infinities equal only themselves.
func FloatsClose(a, b float64) bool {
	switch {
	case math.IsNaN(a) || math.IsNaN(b):
		return math.IsNaN(a) && math.IsNaN(b)
	case a == b:
		return true
	case math.IsInf(a, 0) || math.IsInf(b, 0):
		return false
	}
	d := math.Abs(a - b)
	return d <= 1e-9 || d <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

// ValuesMatch says whether an engine value matches a reference value:
// exactly, except floats, which use FloatsClose.
func ValuesMatch(got, want plan.Value) bool {
	if got.Null || want.Null {
		return got.Null == want.Null
	}
	if got.Type != want.Type {
		return false
	}
	switch got.Type {
	case storage.TypeFloat64:
		return FloatsClose(got.Float, want.Float)
	case storage.TypeString, storage.TypeBinary:
		return got.Str == want.Str
	}
	return got.Int == want.Int
}

// RowsMatch applies ValuesMatch to every column.
func RowsMatch(got, want []plan.Value) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !ValuesMatch(got[i], want[i]) {
			return false
		}
	}
	return true
}

// FormatRow prints a row for diffs.
func FormatRow(r []plan.Value) string {
	parts := make([]string, len(r))
	for i, v := range r {
		parts[i] = v.String()
		if v.Type == storage.TypeFloat64 && !v.Null && v.Float == 0 && math.Signbit(v.Float) {
			parts[i] = "-0"
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
