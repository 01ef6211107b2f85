package plan

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/stratadb/strata/storage"
)

// Value is a typed constant. Type is storage.TypeInvalid only for an
// untyped NULL, which takes the type of whatever it is compared with.
type Value struct {
	Type  storage.ColumnType
	Null  bool
	Int   int64   // int64, int32, bool (0/1), timestamp (µs since the epoch, UTC), date (days)
	Float float64 // float64
	Str   string  // string, binary
}

func Null() Value                    { return Value{Null: true} }
func Int64(v int64) Value            { return Value{Type: storage.TypeInt64, Int: v} }
func Int32(v int32) Value            { return Value{Type: storage.TypeInt32, Int: int64(v)} }
func Float64(v float64) Value        { return Value{Type: storage.TypeFloat64, Float: v} }
func String(v string) Value          { return Value{Type: storage.TypeString, Str: v} }
func Binary(v []byte) Value          { return Value{Type: storage.TypeBinary, Str: string(v)} }
func TimestampMicros(us int64) Value { return Value{Type: storage.TypeTimestamp, Int: us} }
func Timestamp(t time.Time) Value    { return TimestampMicros(t.UnixMicro()) }
func Date(daysSinceEpoch int32) Value {
	return Value{Type: storage.TypeDate, Int: int64(daysSinceEpoch)}
}

func Bool(v bool) Value {
	if v {
		return Value{Type: storage.TypeBool, Int: 1}
	}
	return Value{Type: storage.TypeBool}
}

// NullOf is a NULL of a known type.
func NullOf(t storage.ColumnType) Value { return Value{Type: t, Null: true} }

func (v Value) String() string {
	if v.Null {
		return "NULL"
	}
	switch v.Type {
	case storage.TypeInt64, storage.TypeInt32:
		return strconv.FormatInt(v.Int, 10)
	case storage.TypeFloat64:
		return strconv.FormatFloat(v.Float, 'g', -1, 64)
	case storage.TypeBool:
		return strconv.FormatBool(v.Int != 0)
	case storage.TypeString:
		return strconv.Quote(v.Str)
	case storage.TypeBinary:
		return `'\x` + hex.EncodeToString([]byte(v.Str)) + `'`
	case storage.TypeTimestamp:
		return "'" + FormatTimestamp(v.Int) + "'"
	case storage.TypeDate:
		return "'" + FormatDate(v.Int) + "'"
	}
	return fmt.Sprintf("value(%v)", v.Type)
}

// FormatTimestamp prints µs since the epoch as PostgreSQL prints a
// timestamp: "2006-01-02 15:04:05[.ffffff]".
func FormatTimestamp(us int64) string {
	return time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05.999999")
}

// FormatDate prints days since the epoch as "2006-01-02".
func FormatDate(days int64) string {
	return time.Unix(days*86400, 0).UTC().Format("2006-01-02")
}

var timestampLayouts = []string{
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
}

// ParseTimestamp reads the timestamp literals PostgreSQL accepts most often;
// a value without a zone is UTC.
func ParseTimestamp(s string) (int64, error) {
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixMicro(), nil
		}
	}
	return 0, fmt.Errorf("%w: invalid timestamp %q", ErrBadValue, s)
}

// ParseDate reads "YYYY-MM-DD".
func ParseDate(s string) (int64, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, fmt.Errorf("%w: invalid date %q", ErrBadValue, s)
	}
	return t.Unix() / 86400, nil
}
