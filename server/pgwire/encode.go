package pgwire

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/stratadb/strata/query/plan"
)

// Result values on the wire. A DataRow is
//
//	'D' | int32 length | int16 columns | per column: int32 n (-1: NULL) | n bytes
//
// Cells of Arrow results are encoded by one cellEncoder per column and
// record, chosen once from the array's type, the column's OID and format.

// Days and microseconds from the Unix epoch to PostgreSQL's (2000-01-01),
// the origin of binary dates and timestamps.
const (
	pgEpochDays   = 10957
	pgEpochMicros = pgEpochDays * 86400 * 1_000_000
)

// textStyle is what the session's variables change in text output.
type textStyle struct {
	efd int            // extra_float_digits
	loc *time.Location // TimeZone, for timestamptz
}

// cellEncoder appends row i's cell (length prefix included) to dst.
type cellEncoder func(dst []byte, i int) []byte

// valueAppender appends row i's value bytes (no prefix) to dst; the row is
// not NULL.
type valueAppender func(dst []byte, i int) []byte

func newCellEncoder(arr arrow.Array, c column, format int16, style textStyle) (cellEncoder, error) {
	val, err := newValueAppender(arr, c, format, style)
	if err != nil {
		return nil, err
	}
	return func(dst []byte, i int) []byte {
		if arr.IsNull(i) {
			return binary.BigEndian.AppendUint32(dst, math.MaxUint32)
		}
		start := len(dst)
		dst = append(dst, 0, 0, 0, 0)
		dst = val(dst, i)
		binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start-4))
		return dst
	}, nil
}

func newValueAppender(arr arrow.Array, c column, format int16, style textStyle) (valueAppender, error) {
	bin := format == formatBinary
	switch a := arr.(type) {
	case *array.Int64:
		return intAppender(a.Value, c.oid, bin)
	case *array.Int32:
		return intAppender(func(i int) int64 { return int64(a.Value(i)) }, c.oid, bin)
	case *array.Float64:
		return floatAppender(a.Value, c.oid, bin, style.efd)
	case *array.Boolean:
		if c.oid == oidBool {
			return func(dst []byte, i int) []byte { return appendBool(dst, a.Value(i), bin) }, nil
		}
	case *array.String:
		if isTextOID(c.oid) {
			return func(dst []byte, i int) []byte { return append(dst, a.Value(i)...) }, nil
		}
	case *array.Binary:
		if c.oid == oidBytea {
			return func(dst []byte, i int) []byte { return appendBytea(dst, a.Value(i), bin) }, nil
		}
	case *array.Timestamp:
		if c.oid == oidTimestamp || c.oid == oidTimestampTZ {
			mul, div := timestampScale(a.DataType().(*arrow.TimestampType).Unit)
			return func(dst []byte, i int) []byte {
				return appendTimestamp(dst, int64(a.Value(i))*mul/div, bin, c.oid, style.loc)
			}, nil
		}
	case *array.Date32:
		if c.oid == oidDate {
			return func(dst []byte, i int) []byte { return appendDate(dst, int64(a.Value(i)), bin) }, nil
		}
	case *array.Dictionary:
		dict, ok := a.Dictionary().(*array.String)
		if ok && isTextOID(c.oid) {
			return func(dst []byte, i int) []byte { return append(dst, dict.Value(a.GetValueIndex(i))...) }, nil
		}
	}
	return nil, newError(codeInternal, "result column \"%s\": cannot send %s as %s", c.name, arr.DataType(), pgTypeName(c.oid))
}

func isTextOID(oid uint32) bool {
	return oid == oidText || oid == oidVarchar || oid == oidName || oid == oidBPChar
}

func timestampScale(u arrow.TimeUnit) (mul, div int64) {
	switch u {
	case arrow.Second:
		return 1_000_000, 1
	case arrow.Millisecond:
		return 1000, 1
	case arrow.Nanosecond:
		return 1, 1000
	}
	return 1, 1
}

func intAppender(get func(int) int64, oid uint32, bin bool) (valueAppender, error) {
	switch oid {
	case oidInt8, oidInt4, oidInt2, oidOID:
		size := int(typeSize(oid))
		return func(dst []byte, i int) []byte { return appendInt(dst, get(i), size, bin) }, nil
	case oidNumeric:
		return func(dst []byte, i int) []byte {
			if !bin {
				return strconv.AppendInt(dst, get(i), 10)
			}
			return appendNumericBinary(dst, strconv.AppendInt(nil, get(i), 10))
		}, nil
	}
	return nil, newError(codeInternal, "cannot send an integer as %s", pgTypeName(oid))
}

func floatAppender(get func(int) float64, oid uint32, bin bool, efd int) (valueAppender, error) {
	switch oid {
	case oidFloat8:
		return func(dst []byte, i int) []byte { return appendFloat8(dst, get(i), bin, efd) }, nil
	case oidNumeric:
		return func(dst []byte, i int) []byte {
			if !bin {
				return appendNumericFloat(dst, get(i))
			}
			return appendNumericBinary(dst, appendNumericFloat(nil, get(i)))
		}, nil
	}
	return nil, newError(codeInternal, "cannot send a float as %s", pgTypeName(oid))
}

// appendInt is int2/int4/int8/oid out: decimal text, or size bytes big
// endian.
func appendInt(dst []byte, v int64, size int, bin bool) []byte {
	if !bin {
		return strconv.AppendInt(dst, v, 10)
	}
	switch size {
	case 2:
		return binary.BigEndian.AppendUint16(dst, uint16(v))
	case 4:
		return binary.BigEndian.AppendUint32(dst, uint32(v))
	}
	return binary.BigEndian.AppendUint64(dst, uint64(v))
}

func appendBool(dst []byte, v, bin bool) []byte {
	switch {
	case bin && v:
		return append(dst, 1)
	case bin:
		return append(dst, 0)
	case v:
		return append(dst, 't')
	}
	return append(dst, 'f')
}

// appendBytea is bytea out in hex format (bytea_output = hex).
func appendBytea(dst, v []byte, bin bool) []byte {
	if bin {
		return append(dst, v...)
	}
	dst = append(dst, '\\', 'x')
	return hex.AppendEncode(dst, v)
}

// appendTimestamp is timestamp out ("2006-01-02 15:04:05.999999") or
// timestamptz out, in the session's time zone ("...+00", "...+05:30").
// Binary, both are microseconds since 2000-01-01 UTC.
func appendTimestamp(dst []byte, us int64, bin bool, oid uint32, loc *time.Location) []byte {
	if bin {
		return binary.BigEndian.AppendUint64(dst, uint64(us-pgEpochMicros))
	}
	if oid != oidTimestampTZ {
		return append(dst, plan.FormatTimestamp(us)...)
	}
	t := time.UnixMicro(us).In(loc)
	dst = t.AppendFormat(dst, "2006-01-02 15:04:05.999999")
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	dst = append(dst, sign, byte('0'+off/36000), byte('0'+off/3600%10))
	if m, sec := off/60%60, off%60; m != 0 || sec != 0 {
		dst = append(dst, ':', byte('0'+m/10), byte('0'+m%10))
		if sec != 0 {
			dst = append(dst, ':', byte('0'+sec/10), byte('0'+sec%10))
		}
	}
	return dst
}

func appendDate(dst []byte, days int64, bin bool) []byte {
	if bin {
		return binary.BigEndian.AppendUint32(dst, uint32(int32(days-pgEpochDays)))
	}
	return append(dst, plan.FormatDate(days)...)
}

// appendDataRowHeader starts a DataRow of n cells; finishMessage ends it.
func appendDataRowHeader(dst []byte, n int) ([]byte, int) {
	start := len(dst)
	dst = append(dst, 'D', 0, 0, 0, 0)
	return binary.BigEndian.AppendUint16(dst, uint16(n)), start
}

// finishMessage writes the length of the message started at start.
func finishMessage(dst []byte, start int) []byte {
	binary.BigEndian.PutUint32(dst[start+1:], uint32(len(dst)-start-1))
	return dst
}
