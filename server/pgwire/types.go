package pgwire

import (
	"fmt"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/stratadb/strata/query/sql"
	"github.com/stratadb/strata/storage"
)

// PostgreSQL type OIDs (pg_type.oid) this endpoint speaks.
const (
	oidBool         uint32 = 16
	oidBytea        uint32 = 17
	oidChar         uint32 = 18 // "char", one byte
	oidName         uint32 = 19
	oidInt8         uint32 = 20
	oidInt2         uint32 = 21
	oidInt4         uint32 = 23
	oidText         uint32 = 25
	oidOID          uint32 = 26
	oidRegproc      uint32 = 24
	oidNameArray    uint32 = 1003
	oidRegclass     uint32 = 2205
	oidRegtype      uint32 = 2206
	oidRegnamespace uint32 = 4089
	oidRegrole      uint32 = 4096
	oidFloat4       uint32 = 700
	oidFloat8       uint32 = 701
	oidUnknown      uint32 = 705
	oidTextArray    uint32 = 1009
	oidBPChar       uint32 = 1042
	oidVarchar      uint32 = 1043
	oidDate         uint32 = 1082
	oidTimestamp    uint32 = 1114
	oidTimestampTZ  uint32 = 1184
	oidNumeric      uint32 = 1700
)

// Format codes of values on the wire.
const (
	formatText   int16 = 0
	formatBinary int16 = 1
)

// column is a result column as described to the client.
type column struct {
	name string
	oid  uint32
	typ  storage.ColumnType // TypeInvalid for columns of Go values (pg_catalog, SHOW)
}

// oidOfType is the OID a column type is sent as (0: none).
func oidOfType(t storage.ColumnType) uint32 {
	switch t {
	case storage.TypeInt64:
		return oidInt8
	case storage.TypeInt32:
		return oidInt4
	case storage.TypeFloat64:
		return oidFloat8
	case storage.TypeBool:
		return oidBool
	case storage.TypeString:
		return oidText
	case storage.TypeBinary:
		return oidBytea
	case storage.TypeTimestamp:
		return oidTimestampTZ
	case storage.TypeDate:
		return oidDate
	}
	return 0
}

// isOIDType reports the types sent as an unsigned 4-byte object id.
func isOIDType(oid uint32) bool {
	switch oid {
	case oidOID, oidRegproc, oidRegclass, oidRegtype, oidRegnamespace, oidRegrole:
		return true
	}
	return false
}

// typeOfOID is the column type a parameter the client declared with oid
// takes (TypeInvalid: left to inference), or false for types Strata does
// not have.
func typeOfOID(oid uint32) (storage.ColumnType, bool) {
	switch oid {
	case 0, oidUnknown:
		return storage.TypeInvalid, true
	case oidInt8:
		return storage.TypeInt64, true
	case oidInt4, oidInt2:
		return storage.TypeInt32, true
	case oidFloat8, oidFloat4, oidNumeric:
		return storage.TypeFloat64, true
	case oidBool:
		return storage.TypeBool, true
	case oidText, oidVarchar, oidBPChar, oidName, oidChar:
		return storage.TypeString, true
	case oidBytea:
		return storage.TypeBinary, true
	case oidTimestamp, oidTimestampTZ:
		return storage.TypeTimestamp, true
	case oidDate:
		return storage.TypeDate, true
	}
	return storage.TypeInvalid, false
}

// pgTypeName is a type's name as PostgreSQL's messages print it.
func pgTypeName(oid uint32) string {
	switch oid {
	case oidBool:
		return "boolean"
	case oidBytea:
		return "bytea"
	case oidChar:
		return `"char"`
	case oidName:
		return "name"
	case oidInt8:
		return "bigint"
	case oidInt2:
		return "smallint"
	case oidInt4:
		return "integer"
	case oidText:
		return "text"
	case oidOID:
		return "oid"
	case oidFloat4:
		return "real"
	case oidFloat8:
		return "double precision"
	case oidTextArray:
		return "text[]"
	case oidBPChar:
		return "character"
	case oidVarchar:
		return "character varying"
	case oidDate:
		return "date"
	case oidTimestamp:
		return "timestamp without time zone"
	case oidTimestampTZ:
		return "timestamp with time zone"
	case oidNumeric:
		return "numeric"
	}
	return fmt.Sprintf("type %d", oid)
}

// typeSize is pg_type.typlen: the width of fixed-size types, -1 otherwise.
func typeSize(oid uint32) int16 {
	switch oid {
	case oidBool, oidChar:
		return 1
	case oidInt2:
		return 2
	case oidInt4, oidOID, oidFloat4, oidDate, oidRegproc, oidRegclass, oidRegtype, oidRegnamespace, oidRegrole:
		return 4
	case oidInt8, oidFloat8, oidTimestamp, oidTimestampTZ:
		return 8
	case oidName:
		return 64
	}
	return -1
}

// sqlColumns describes the engine's result columns.
func sqlColumns(cols []sql.Column) ([]column, error) {
	out := make([]column, len(cols))
	for i, c := range cols {
		oid := oidOfType(c.Type)
		if oid == 0 {
			return nil, newError(codeFeatureNotSupported, "column %q has type %v, which the PostgreSQL protocol endpoint does not support", c.Name, c.Type)
		}
		if c.Numeric {
			if c.Type != storage.TypeInt64 && c.Type != storage.TypeInt32 && c.Type != storage.TypeFloat64 {
				return nil, newError(codeFeatureNotSupported, "column %q: numeric of %v is not supported", c.Name, c.Type)
			}
			oid = oidNumeric
		}
		out[i] = column{name: c.Name, oid: oid, typ: c.Type}
	}
	return out, nil
}

// rowDescription describes columns sent in formats (one per column).
func rowDescription(cols []column, formats []int16) *pgproto3.RowDescription {
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, c := range cols {
		f := formatText
		if formats != nil {
			f = formats[i]
		}
		fields[i] = pgproto3.FieldDescription{
			Name:         []byte(c.name),
			DataTypeOID:  c.oid,
			DataTypeSize: typeSize(c.oid),
			TypeModifier: -1,
			Format:       f,
		}
	}
	return &pgproto3.RowDescription{Fields: fields}
}

// resultFormats expands Bind's result format codes (none: all text; one:
// all alike; else one per column) to one per column.
func resultFormats(codes []int16, n int) ([]int16, error) {
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
		return nil, newError(codeProtocolViolation, "bind message has %d result formats but query has %d columns", len(codes), n)
	}
	for _, f := range out {
		if f != formatText && f != formatBinary {
			return nil, newError(codeProtocolViolation, "unsupported format code: %d", f)
		}
	}
	return out, nil
}
