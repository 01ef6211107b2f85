package plan

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/stratadb/strata/storage"
)

// SQLTypeName is a type's PostgreSQL name, as error messages spell it.
func SQLTypeName(t storage.ColumnType) string {
	switch t {
	case storage.TypeInt64:
		return "bigint"
	case storage.TypeInt32:
		return "integer"
	case storage.TypeFloat64:
		return "double precision"
	case storage.TypeBool:
		return "boolean"
	case storage.TypeString:
		return "text"
	case storage.TypeBinary:
		return "bytea"
	case storage.TypeTimestamp:
		return "timestamp"
	case storage.TypeDate:
		return "date"
	}
	return t.String()
}

// CanCast reports whether CAST(x AS to) is defined for an x of type from:
// between numbers, integers and booleans, dates and timestamps, anything
// to and from text, text to binary, and NULL to anything.
func CanCast(from, to storage.ColumnType) bool {
	switch {
	case !to.Valid():
		return false
	case from == to, from == storage.TypeInvalid:
		return true
	case from == storage.TypeString, to == storage.TypeString:
		return true
	case IsNumeric(from) && IsNumeric(to):
		return true
	case IsInteger(from) && to == storage.TypeBool, from == storage.TypeBool && IsInteger(to):
		return true
	case IsTemporal(from) && IsTemporal(to):
		return true
	}
	return false
}

// CastValue converts a constant as CAST does (see Cast). A string that
// does not parse is ErrBadValue; a value outside the target's range is
// ErrOutOfRange.
func CastValue(v Value, to storage.ColumnType) (Value, error) {
	from := v.Type
	if !CanCast(from, to) {
		return v, fmt.Errorf("%w: cannot cast type %s to %s", ErrTypeMismatch, SQLTypeName(from), SQLTypeName(to))
	}
	switch {
	case v.Null:
		return NullOf(to), nil
	case from == to:
		return v, nil
	case from == storage.TypeString:
		return ParseAs(v.Str, to)
	case to == storage.TypeString:
		return String(FormatText(v)), nil
	case from == storage.TypeFloat64:
		n, err := FloatToInt(v.Float, to)
		return Value{Type: to, Int: n}, err
	case to == storage.TypeFloat64:
		return Float64(float64(v.Int)), nil
	case to == storage.TypeBool:
		return Bool(v.Int != 0), nil
	case to == storage.TypeInt32:
		if v.Int < math.MinInt32 || v.Int > math.MaxInt32 {
			return v, fmt.Errorf("%w: integer out of range: %d", ErrOutOfRange, v.Int)
		}
		return Int32(int32(v.Int)), nil
	case to == storage.TypeInt64:
		return Int64(v.Int), nil
	case to == storage.TypeTimestamp: // from a date
		return TimestampMicros(v.Int * usPerDay), nil
	case to == storage.TypeDate: // from a timestamp
		return Value{Type: storage.TypeDate, Int: floorDiv(v.Int, usPerDay)}, nil
	}
	return v, fmt.Errorf("BUG: cast from %v to %v", from, to)
}

const usPerDay = 86_400_000_000

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// FloatToInt rounds a float to the nearest integer of type to, ties to
// even as PostgreSQL's float8-to-integer casts (rint) do,
// (int64 or int32); NaN, infinities and values outside the type are
// ErrOutOfRange.
func FloatToInt(f float64, to storage.ColumnType) (int64, error) {
	r := math.RoundToEven(f)
	lo, hi := -9.223372036854775808e18, 9.223372036854775808e18 // [lo, hi)
	if to == storage.TypeInt32 {
		lo, hi = math.MinInt32, math.MaxInt32+1
	}
	if !(r >= lo && r < hi) { // NaN fails too
		return 0, fmt.Errorf("%w: %s out of range: %s", ErrOutOfRange, SQLTypeName(to), FormatFloat8(f))
	}
	return int64(r), nil
}

// ParseAs reads text as a value of type t, as CAST(text AS t) does in
// PostgreSQL: surrounding whitespace is ignored (except for text and
// binary, which take the string as it is), a value that does not parse
// is ErrBadValue naming it, one that parses but does not fit is
// ErrOutOfRange.
func ParseAs(s string, t storage.ColumnType) (Value, error) {
	bad := func() (Value, error) {
		return Value{}, fmt.Errorf("%w: invalid input syntax for type %s: %q", ErrBadValue, SQLTypeName(t), s)
	}
	trimmed := strings.Trim(s, pgSpace)
	switch t {
	case storage.TypeString:
		return String(s), nil
	case storage.TypeBinary:
		return Binary([]byte(s)), nil
	case storage.TypeInt64, storage.TypeInt32:
		return parseInt(s, trimmed, t)
	case storage.TypeFloat64:
		return parseFloat8(s, trimmed)
	case storage.TypeBool:
		if b, ok := parseBool(trimmed); ok {
			return Bool(b), nil
		}
		return bad()
	case storage.TypeTimestamp:
		if us, err := ParseTimestamp(trimmed); err == nil {
			return TimestampMicros(us), nil
		}
		return bad()
	case storage.TypeDate:
		if d, err := ParseDate(trimmed); err == nil {
			return Value{Type: storage.TypeDate, Int: d}, nil
		}
		if us, err := ParseTimestamp(trimmed); err == nil {
			return Value{Type: storage.TypeDate, Int: floorDiv(us, usPerDay)}, nil
		}
		return bad()
	}
	return Value{}, fmt.Errorf("%w: cannot cast text to %v", ErrTypeMismatch, t)
}

// pgSpace is the whitespace PostgreSQL's input functions skip.
const pgSpace = " \t\n\r\v\f"

func parseInt(s, trimmed string, t storage.ColumnType) (Value, error) {
	n, err := strconv.ParseInt(trimmed, 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return Value{}, fmt.Errorf("%w: value %q is out of range for type %s", ErrOutOfRange, s, SQLTypeName(t))
		}
		return Value{}, fmt.Errorf("%w: invalid input syntax for type %s: %q", ErrBadValue, SQLTypeName(t), s)
	}
	if t == storage.TypeInt32 {
		if n < math.MinInt32 || n > math.MaxInt32 {
			return Value{}, fmt.Errorf("%w: value %q is out of range for type integer", ErrOutOfRange, s)
		}
		return Int32(int32(n)), nil
	}
	return Int64(n), nil
}

// parseFloat8 accepts decimal notation and PostgreSQL's spellings of the
// specials (NaN, Infinity, inf, case-insensitive, signed infinities).
// Hexadecimal floats and digit separators, which Go would read, are
// refused; a value that overflows, or a non-zero one that underflows to
// zero, is out of range.
func parseFloat8(s, trimmed string) (Value, error) {
	bad := fmt.Errorf("%w: invalid input syntax for type double precision: %q", ErrBadValue, s)
	if strings.ContainsAny(trimmed, "xX_pP") {
		return Value{}, bad
	}
	f, err := strconv.ParseFloat(trimmed, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return Value{}, fmt.Errorf("%w: %q is out of range for type double precision", ErrOutOfRange, s)
		}
		return Value{}, bad
	}
	if f == 0 && strings.ContainsAny(mantissa(trimmed), "123456789") {
		return Value{}, fmt.Errorf("%w: %q is out of range for type double precision", ErrOutOfRange, s)
	}
	return Float64(f), nil
}

// mantissa is a decimal number's text before its exponent.
func mantissa(s string) string {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		return s[:i]
	}
	return s
}

// parseBool reads PostgreSQL's boolean spellings: any prefix of true,
// false, yes, no (on and off need two letters), 1 and 0, in any case.
func parseBool(s string) (bool, bool) {
	l := strings.ToLower(s)
	switch {
	case l == "":
		return false, false
	case l == "1":
		return true, true
	case l == "0":
		return false, true
	case strings.HasPrefix("true", l), strings.HasPrefix("yes", l):
		return true, true
	case strings.HasPrefix("false", l), strings.HasPrefix("no", l):
		return false, true
	case len(l) >= 2 && strings.HasPrefix("on", l):
		return true, true
	case len(l) >= 2 && strings.HasPrefix("off", l):
		return false, true
	}
	return false, false
}

// FormatText renders a non-NULL value as CAST(x AS text) does.
func FormatText(v Value) string {
	switch v.Type {
	case storage.TypeInt64, storage.TypeInt32:
		return strconv.FormatInt(v.Int, 10)
	case storage.TypeFloat64:
		return FormatFloat8(v.Float)
	case storage.TypeBool:
		return strconv.FormatBool(v.Int != 0)
	case storage.TypeString:
		return v.Str
	case storage.TypeBinary:
		return FormatBytea(v.Str)
	case storage.TypeTimestamp:
		return FormatTimestamp(v.Int)
	case storage.TypeDate:
		return FormatDate(v.Int)
	}
	return v.String()
}

// FormatBytea prints bytes in PostgreSQL's hex format: \x0a1b.
func FormatBytea(b string) string { return `\x` + hex.EncodeToString([]byte(b)) }

// FormatFloat8 prints a float as PostgreSQL 15 prints a double precision:
// the shortest digits that read back exactly, in exponent form when the
// decimal exponent is below -4 or at least 15; NaN, Infinity, -Infinity.
func FormatFloat8(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 15 {
		return e
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
