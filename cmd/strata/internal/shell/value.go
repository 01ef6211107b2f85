package shell

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Cell is row i of a as psql prints it, and whether it is NULL (then
// the text is empty): integers in decimal, floats in the shortest form
// that reads back exactly (exponent outside 1e-4..1e15, as PostgreSQL),
// booleans t/f, timestamps "2006-01-02 15:04:05[.ffffff]" in UTC, dates
// "2006-01-02", binary as \x and lower-case hex. Dictionary-encoded
// arrays print their values.
func Cell(a arrow.Array, i int) (string, bool) {
	if a.IsNull(i) {
		return "", true
	}
	switch a := a.(type) {
	case *array.Dictionary:
		return Cell(a.Dictionary(), a.GetValueIndex(i))
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10), false
	case *array.Int32:
		return strconv.FormatInt(int64(a.Value(i)), 10), false
	case *array.Int16:
		return strconv.FormatInt(int64(a.Value(i)), 10), false
	case *array.Int8:
		return strconv.FormatInt(int64(a.Value(i)), 10), false
	case *array.Uint64:
		return strconv.FormatUint(a.Value(i), 10), false
	case *array.Float64:
		return FormatFloat(a.Value(i), 64), false
	case *array.Float32:
		return FormatFloat(float64(a.Value(i)), 32), false
	case *array.Boolean:
		if a.Value(i) {
			return "t", false
		}
		return "f", false
	case *array.String:
		return a.Value(i), false
	case *array.LargeString:
		return a.Value(i), false
	case *array.Binary:
		return `\x` + hex.EncodeToString(a.Value(i)), false
	case *array.LargeBinary:
		return `\x` + hex.EncodeToString(a.Value(i)), false
	case *array.Timestamp:
		return FormatTimestamp(timestampOf(a, i)), false
	case *array.Date32:
		return a.Value(i).ToTime().UTC().Format(time.DateOnly), false
	case *array.Date64:
		return a.Value(i).ToTime().UTC().Format(time.DateOnly), false
	}
	return a.ValueStr(i), false
}

func timestampOf(a *array.Timestamp, i int) time.Time {
	return a.Value(i).ToTime(a.DataType().(*arrow.TimestampType).Unit).UTC()
}

// FormatTimestamp prints t in UTC as PostgreSQL prints a timestamp:
// seconds, then a fraction only as long as needed.
func FormatTimestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.999999")
}

// FormatFloat prints f as PostgreSQL prints float8 (bits 64) or float4
// (bits 32): the shortest text that reads back exactly, fixed-point for
// decimal exponents from -4 to 14, else 1.5e+20 style; Infinity,
// -Infinity and NaN spelled out.
func FormatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	e := strconv.FormatFloat(f, 'e', -1, bits)
	exp, _ := strconv.Atoi(e[strings.LastIndexByte(e, 'e')+1:]) // "+20", "-07"
	if exp >= -4 && exp < 15 {
		return strconv.FormatFloat(f, 'f', -1, bits)
	}
	return e
}

// numericType reports whether psql would right-align a column of t.
func numericType(t arrow.DataType) bool {
	if d, ok := t.(*arrow.DictionaryType); ok {
		t = d.ValueType
	}
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128, arrow.DECIMAL256:
		return true
	}
	return false
}

// AppendJSON appends row i of a as a JSON value (see WriteJSON).
func AppendJSON(dst []byte, a arrow.Array, i int) []byte {
	if a.IsNull(i) {
		return append(dst, "null"...)
	}
	switch a := a.(type) {
	case *array.Dictionary:
		return AppendJSON(dst, a.Dictionary(), a.GetValueIndex(i))
	case *array.Boolean:
		return strconv.AppendBool(dst, a.Value(i))
	case *array.Timestamp:
		return strconv.AppendQuote(dst, timestampOf(a, i).Format(time.RFC3339Nano))
	}
	s, _ := Cell(a, i)
	if numericType(a.DataType()) && s != "NaN" && !strings.HasSuffix(s, "Infinity") {
		return append(dst, s...)
	}
	return appendJSONString(dst, s)
}

// appendJSONString appends s quoted as JSON, without escaping <, > and &.
func appendJSONString(dst []byte, s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	return append(dst, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...)
}
