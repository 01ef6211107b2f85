package storage

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// ColumnType is the logical type of a column. Its numeric values are part of
// the persistence format: append new types, never renumber.
type ColumnType uint8

const (
	TypeInvalid   ColumnType = iota
	TypeInt64                // arrow int64
	TypeInt32                // arrow int32
	TypeFloat64              // arrow float64
	TypeBool                 // arrow boolean
	TypeString               // arrow utf8; chunks may hold it dictionary-encoded
	TypeBinary               // arrow binary
	TypeTimestamp            // arrow timestamp[us, tz=UTC]
	TypeDate                 // arrow date32 (days since the Unix epoch)
	// TypeDecimal is reserved for decimal128 (fixed precision and scale).
	// Room is left in the format; it is not accepted yet.
	TypeDecimal
)

var typeNames = [...]string{
	TypeInvalid:   "invalid",
	TypeInt64:     "int64",
	TypeInt32:     "int32",
	TypeFloat64:   "float64",
	TypeBool:      "bool",
	TypeString:    "string",
	TypeBinary:    "binary",
	TypeTimestamp: "timestamp",
	TypeDate:      "date",
	TypeDecimal:   "decimal",
}

func (t ColumnType) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// Valid reports whether t is a type that tables may use today.
func (t ColumnType) Valid() bool { return t >= TypeInt64 && t <= TypeDate }

// ParseColumnType accepts the names String returns plus common aliases
// (bigint, int, integer, double, boolean, text, varchar, bytea).
func ParseColumnType(s string) (ColumnType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "int64", "bigint", "int8":
		return TypeInt64, nil
	case "int32", "int", "integer", "int4":
		return TypeInt32, nil
	case "float64", "double", "float8", "double precision":
		return TypeFloat64, nil
	case "bool", "boolean":
		return TypeBool, nil
	case "string", "text", "varchar", "utf8":
		return TypeString, nil
	case "binary", "bytea", "bytes":
		return TypeBinary, nil
	case "timestamp", "timestamptz":
		return TypeTimestamp, nil
	case "date":
		return TypeDate, nil
	}
	return TypeInvalid, fmt.Errorf("%w: unknown column type %q", ErrInvalidSchema, s)
}

// TimestampType is the Arrow type of TypeTimestamp columns: microseconds, UTC.
var TimestampType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// ArrowType is the canonical Arrow type of a column type, the one query
// results and batches built by Strata use.
func (t ColumnType) ArrowType() arrow.DataType {
	switch t {
	case TypeInt64:
		return arrow.PrimitiveTypes.Int64
	case TypeInt32:
		return arrow.PrimitiveTypes.Int32
	case TypeFloat64:
		return arrow.PrimitiveTypes.Float64
	case TypeBool:
		return arrow.FixedWidthTypes.Boolean
	case TypeString:
		return arrow.BinaryTypes.String
	case TypeBinary:
		return arrow.BinaryTypes.Binary
	case TypeTimestamp:
		return TimestampType
	case TypeDate:
		return arrow.FixedWidthTypes.Date32
	}
	panic(fmt.Sprintf("BUG: no arrow type for %v", t))
}

// StringDictType is the Arrow type of a dictionary-encoded string column
// of a chunk whose dictionary has n entries: the narrowest index type that
// holds every code (uint8 up to 256 entries, uint16 up to 65536, else
// int32), which keeps a low-cardinality column at one byte a row.
func StringDictType(n int) *arrow.DictionaryType {
	return &arrow.DictionaryType{IndexType: dictIndexType(n), ValueType: arrow.BinaryTypes.String}
}

func dictIndexType(n int) arrow.DataType {
	switch {
	case n <= 1<<8:
		return arrow.PrimitiveTypes.Uint8
	case n <= 1<<16:
		return arrow.PrimitiveTypes.Uint16
	}
	return arrow.PrimitiveTypes.Int32
}

// isChunkIndexType reports the dictionary index types chunks use.
func isChunkIndexType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.UINT8, arrow.UINT16, arrow.INT32:
		return true
	}
	return false
}

// TypeOfArrow maps an Arrow type to the column type it can be stored as, or
// reports why it cannot. Dictionary-encoded strings count as strings.
func TypeOfArrow(dt arrow.DataType) (ColumnType, error) {
	switch dt.ID() {
	case arrow.INT64:
		return TypeInt64, nil
	case arrow.INT32:
		return TypeInt32, nil
	case arrow.FLOAT64:
		return TypeFloat64, nil
	case arrow.BOOL:
		return TypeBool, nil
	case arrow.STRING:
		return TypeString, nil
	case arrow.BINARY:
		return TypeBinary, nil
	case arrow.DATE32:
		return TypeDate, nil
	case arrow.TIMESTAMP:
		ts := dt.(*arrow.TimestampType)
		if ts.Unit != arrow.Microsecond {
			return TypeInvalid, fmt.Errorf("timestamp unit %s (want microseconds)", ts.Unit)
		}
		if ts.TimeZone != "" && ts.TimeZone != "UTC" {
			return TypeInvalid, fmt.Errorf("timestamp time zone %q (want UTC)", ts.TimeZone)
		}
		return TypeTimestamp, nil
	case arrow.DICTIONARY:
		d := dt.(*arrow.DictionaryType)
		if d.ValueType.ID() == arrow.STRING {
			return TypeString, nil
		}
		return TypeInvalid, fmt.Errorf("dictionary of %s (only dictionaries of utf8 strings are accepted)", d.ValueType)
	}
	return TypeInvalid, fmt.Errorf("arrow type %s is not supported", dt)
}
