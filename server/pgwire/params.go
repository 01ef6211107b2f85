package pgwire

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// Parameters arrive in Bind as bytes, text or binary per format code, in
// the type described to the client (its own declaration, else the
// inferred one).

// paramFormats expands Bind's parameter format codes to one per parameter.
func paramFormats(codes []int16, n int) ([]int16, error) {
	out := make([]int16, n)
	switch len(codes) {
	case 0:
	case 1:
		for i := range out {
			out[i] = codes[0]
		}
	case n:
		copy(out, codes)
	default:
		return nil, newError(codeProtocolViolation, "bind message has %d parameter formats but %d parameters", len(codes), n)
	}
	for _, f := range out {
		if f != formatText && f != formatBinary {
			return nil, newError(codeProtocolViolation, "unsupported format code: %d", f)
		}
	}
	return out, nil
}

// paramError adds which parameter a value error concerns.
func paramError(err error, i int) error {
	if pe, ok := err.(*pgError); ok && pe.Where == "" {
		e := *pe
		e.Where = fmt.Sprintf("unnamed portal parameter $%d", i+1)
		return &e
	}
	return err
}

// decodeEngineParams turns Bind's values into the engine's typed values.
func decodeEngineParams(st *statement, values [][]byte, codes []int16) ([]plan.Value, error) {
	formats, err := paramFormats(codes, len(values))
	if err != nil {
		return nil, err
	}
	args := make([]plan.Value, len(st.prep.Params))
	for i, t := range st.prep.Params {
		v, err := decodeEngineParam(t, st.params[i], values[i], formats[i])
		if err != nil {
			return nil, paramError(err, i)
		}
		args[i] = v
	}
	return args, nil
}

func decodeEngineParam(t storage.ColumnType, oid uint32, b []byte, format int16) (plan.Value, error) {
	if b == nil {
		return plan.NullOf(t), nil
	}
	if format == formatText {
		return parseText(t, string(b))
	}
	v, err := decodeBinary(oid, b, t)
	if err != nil {
		return plan.Value{}, err
	}
	return convertValue(v, t)
}

func badBinary(oid uint32) error {
	return newError(codeInvalidBinary, "incorrect binary data format for type %s", pgTypeName(oid))
}

// binarySizes are the lengths of fixed-size binary formats.
var binarySizes = map[uint32]int{oidInt2: 2, oidInt4: 4, oidOID: 4, oidInt8: 8, oidFloat4: 4, oidFloat8: 8,
	oidBool: 1, oidTimestamp: 8, oidTimestampTZ: 8, oidDate: 4}

// decodeBinary reads a value in oid's binary format; numeric is read as
// the target type t.
func decodeBinary(oid uint32, b []byte, t storage.ColumnType) (plan.Value, error) {
	if n, ok := binarySizes[oid]; ok && len(b) != n {
		return plan.Value{}, badBinary(oid)
	}
	switch oid {
	case oidInt2:
		return plan.Int64(int64(int16(binary.BigEndian.Uint16(b)))), nil
	case oidInt4:
		return plan.Int64(int64(int32(binary.BigEndian.Uint32(b)))), nil
	case oidOID:
		return plan.Int64(int64(binary.BigEndian.Uint32(b))), nil
	case oidInt8:
		return plan.Int64(int64(binary.BigEndian.Uint64(b))), nil
	case oidFloat4:
		return plan.Float64(float64(math.Float32frombits(binary.BigEndian.Uint32(b)))), nil
	case oidFloat8:
		return plan.Float64(math.Float64frombits(binary.BigEndian.Uint64(b))), nil
	case oidBool:
		return plan.Bool(b[0] != 0), nil
	case oidText, oidVarchar, oidBPChar, oidName, oidChar, oidUnknown:
		return plan.String(string(b)), checkText(string(b))
	case oidBytea:
		return plan.Binary(append([]byte(nil), b...)), nil
	case oidTimestamp, oidTimestampTZ:
		return plan.TimestampMicros(int64(binary.BigEndian.Uint64(b)) + pgEpochMicros), nil
	case oidDate:
		return plan.Date(int32(binary.BigEndian.Uint32(b)) + pgEpochDays), nil
	case oidNumeric:
		text, ok := decodeNumericBinary(b)
		if !ok {
			return plan.Value{}, badBinary(oid)
		}
		if t == storage.TypeInt64 || t == storage.TypeInt32 {
			return parseText(storage.TypeInt64, text)
		}
		return parseText(storage.TypeFloat64, text)
	}
	return plan.Value{}, newError(codeFeatureNotSupported, "binary format of type %s is not supported", pgTypeName(oid))
}

// convertValue casts a decoded value to the parameter's type where
// PostgreSQL's implicit casts would.
func convertValue(v plan.Value, t storage.ColumnType) (plan.Value, error) {
	if v.Type == t {
		return v, nil
	}
	switch {
	case v.Type == storage.TypeInt64 && t == storage.TypeInt32:
		if err := checkIntRange(v.Int, t); err != nil {
			return plan.Value{}, err
		}
		return plan.Int32(int32(v.Int)), nil
	case v.Type == storage.TypeInt64 && t == storage.TypeFloat64:
		return plan.Float64(float64(v.Int)), nil
	case v.Type == storage.TypeFloat64 && (t == storage.TypeInt64 || t == storage.TypeInt32):
		f := math.RoundToEven(v.Float)
		if math.IsNaN(f) || f < math.MinInt64 || f >= math.MaxInt64 {
			return plan.Value{}, newError(codeOutOfRange, "bigint out of range")
		}
		return convertValue(plan.Int64(int64(f)), t)
	case v.Type == storage.TypeDate && t == storage.TypeTimestamp:
		return plan.TimestampMicros(v.Int * 86400 * 1_000_000), nil
	case v.Type == storage.TypeTimestamp && t == storage.TypeDate:
		return plan.Date(int32(floorDiv(v.Int, 86400*1_000_000))), nil
	case v.Type == storage.TypeString:
		return parseText(t, v.Str)
	}
	return plan.Value{}, newError("42804", "cannot use a value of type %v where %v is expected", v.Type, t)
}

// decodeSystemParams turns Bind's values into the Go values pg_catalog
// queries take, typed per the OIDs they declared.
func decodeSystemParams(st *statement, values [][]byte, codes []int16) ([]any, error) {
	formats, err := paramFormats(codes, len(values))
	if err != nil {
		return nil, err
	}
	args := make([]any, len(st.sys.params))
	for i, want := range st.sys.params {
		if values[i] == nil {
			continue
		}
		v, err := decodeSystemParam(want, st.params[i], values[i], formats[i])
		if err != nil {
			return nil, paramError(err, i)
		}
		args[i] = v
	}
	return args, nil
}

func decodeSystemParam(want, oid uint32, b []byte, format int16) (any, error) {
	var text string
	if format == formatText {
		text = string(b)
	} else {
		t, ok := typeOfOID(oid)
		if !ok || t == storage.TypeInvalid {
			t = storage.TypeString
		}
		v, err := decodeBinary(oid, b, t)
		if err != nil {
			return nil, err
		}
		text = valueText(v)
	}
	return goValueFromText(want, text)
}

// valueText prints a decoded value as its text input would read it.
func valueText(v plan.Value) string {
	switch v.Type {
	case storage.TypeString:
		return v.Str
	case storage.TypeBool:
		return strconv.FormatBool(v.Int != 0)
	case storage.TypeFloat64:
		return strconv.FormatFloat(v.Float, 'g', -1, 64)
	case storage.TypeTimestamp:
		return plan.FormatTimestamp(v.Int)
	case storage.TypeDate:
		return plan.FormatDate(v.Int)
	}
	return strconv.FormatInt(v.Int, 10)
}

// goValueFromText reads text as a Go value of oid's type.
func goValueFromText(oid uint32, s string) (any, error) {
	switch oid {
	case oidOID:
		v, err := parseInt(s, 64, oidOID)
		if err == nil && (v < 0 || v > math.MaxUint32) {
			err = newError(codeOutOfRange, "value \"%s\" is out of range for type oid", s)
		}
		return uint32(v), err
	case oidInt2:
		v, err := parseInt(s, 16, oidInt2)
		return int16(v), err
	case oidInt4:
		v, err := parseInt(s, 32, oidInt4)
		return int32(v), err
	case oidInt8:
		return parseInt(s, 64, oidInt8)
	case oidBool:
		return parseBool(s)
	case oidFloat8, oidFloat4, oidNumeric:
		return parseFloat(s)
	case oidTextArray:
		return nil, newError(codeFeatureNotSupported, "array parameters are not supported")
	}
	return s, checkText(s)
}

// appendGoCell appends a length-prefixed cell of a Go value (nil: NULL)
// sent as oid in format.
func appendGoCell(dst []byte, oid uint32, format int16, v any, style textStyle) ([]byte, error) {
	if v == nil {
		return binary.BigEndian.AppendUint32(dst, math.MaxUint32), nil
	}
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	dst, err := appendGoValue(dst, oid, format == formatBinary, v, style)
	if err != nil {
		return dst[:start], err
	}
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start-4))
	return dst, nil
}

func appendGoValue(dst []byte, oid uint32, bin bool, v any, style textStyle) ([]byte, error) {
	switch oid {
	case oidInt2, oidInt4, oidInt8, oidOID, oidRegproc, oidRegclass, oidRegtype, oidRegnamespace, oidRegrole:
		n, ok := toInt64(v)
		if !ok {
			break
		}
		if isOIDType(oid) && !bin {
			return strconv.AppendUint(dst, uint64(uint32(n)), 10), nil
		}
		return appendInt(dst, n, int(typeSize(oid)), bin), nil
	case oidBool:
		if b, ok := v.(bool); ok {
			return appendBool(dst, b, bin), nil
		}
	case oidFloat8, oidFloat4:
		f, ok := toFloat64(v)
		if !ok {
			break
		}
		if oid == oidFloat4 {
			if bin {
				return binary.BigEndian.AppendUint32(dst, math.Float32bits(float32(f))), nil
			}
			return strconv.AppendFloat(dst, f, 'g', -1, 32), nil
		}
		return appendFloat8(dst, f, bin, style.efd), nil
	case oidNumeric:
		return appendGoNumeric(dst, v, bin)
	case oidBytea:
		if b, ok := v.([]byte); ok {
			return appendBytea(dst, b, bin), nil
		}
	case oidTextArray, oidNameArray:
		if a, ok := v.([]string); ok {
			elem := oidText
			if oid == oidNameArray {
				elem = oidName
			}
			return appendTextArray(dst, a, bin, elem), nil
		}
	case oidTimestamp, oidTimestampTZ:
		if t, ok := v.(time.Time); ok {
			return appendTimestamp(dst, t.UnixMicro(), bin, oid, style.loc), nil
		}
	}
	if s, ok := v.(string); ok {
		return append(dst, s...), nil
	}
	if bin {
		return dst, newError(codeInternal, "BUG: cannot send %T as %s", v, pgTypeName(oid))
	}
	return fmt.Append(dst, v), nil
}

func appendGoNumeric(dst []byte, v any, bin bool) ([]byte, error) {
	var text []byte
	switch x := v.(type) {
	case string:
		text = []byte(x)
	case float64:
		text = appendNumericFloat(nil, x)
	default:
		n, ok := toInt64(v)
		if !ok {
			return dst, newError(codeInternal, "BUG: cannot send %T as numeric", v)
		}
		text = strconv.AppendInt(nil, n, 10)
	}
	if bin {
		return appendNumericBinary(dst, text), nil
	}
	return append(dst, text...), nil
}

func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		return int64(x), true
	case uint:
		return int64(x), true
	}
	return 0, false
}

func toFloat64(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	}
	n, ok := toInt64(v)
	return float64(n), ok
}

// appendTextArray is text[] out: {a,"b c",NULL-free} in text format, or
// the array binary format (one dimension, lower bound 1, element text).
func appendTextArray(dst []byte, a []string, bin bool, elem uint32) []byte {
	if bin {
		ndim := uint32(1)
		if len(a) == 0 {
			ndim = 0
		}
		dst = binary.BigEndian.AppendUint32(dst, ndim)
		dst = binary.BigEndian.AppendUint32(dst, 0) // no NULLs
		dst = binary.BigEndian.AppendUint32(dst, elem)
		if ndim == 0 {
			return dst
		}
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(a)))
		dst = binary.BigEndian.AppendUint32(dst, 1)
		for _, s := range a {
			dst = binary.BigEndian.AppendUint32(dst, uint32(len(s)))
			dst = append(dst, s...)
		}
		return dst
	}
	dst = append(dst, '{')
	for i, s := range a {
		if i > 0 {
			dst = append(dst, ',')
		}
		if !arrayNeedsQuotes(s) {
			dst = append(dst, s...)
			continue
		}
		dst = append(dst, '"')
		for j := 0; j < len(s); j++ {
			if s[j] == '"' || s[j] == '\\' {
				dst = append(dst, '\\')
			}
			dst = append(dst, s[j])
		}
		dst = append(dst, '"')
	}
	return append(dst, '}')
}

func arrayNeedsQuotes(s string) bool {
	return s == "" || strings.EqualFold(s, "NULL") || strings.ContainsAny(s, "{},\"\\ \t\n\r\v\f")
}
