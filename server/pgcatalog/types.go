package pgcatalog

import (
	"strings"

	"github.com/stratadb/strata/storage"
)

// Type OIDs this package refers to by name (PostgreSQL's, see pg_type.dat).
const (
	oidBool         uint32 = 16
	oidBytea        uint32 = 17
	oidChar         uint32 = 18
	oidName         uint32 = 19
	oidInt8         uint32 = 20
	oidInt2         uint32 = 21
	oidInt2Vector   uint32 = 22
	oidInt4         uint32 = 23
	oidRegproc      uint32 = 24
	oidText         uint32 = 25
	oidOID          uint32 = 26
	oidXID          uint32 = 28
	oidOIDVector    uint32 = 30
	oidPgNodeTree   uint32 = 194
	oidFloat4       uint32 = 700
	oidFloat8       uint32 = 701
	oidUnknown      uint32 = 705
	oidNameArray    uint32 = 1003
	oidInt2Array    uint32 = 1005
	oidInt4Array    uint32 = 1007
	oidTextArray    uint32 = 1009
	oidInt8Array    uint32 = 1016
	oidOIDArray     uint32 = 1028
	oidBpchar       uint32 = 1042
	oidVarchar      uint32 = 1043
	oidDate         uint32 = 1082
	oidTimestamp    uint32 = 1114
	oidTimestampTZ  uint32 = 1184
	oidNumeric      uint32 = 1700
	oidRegclass     uint32 = 2205
	oidRegtype      uint32 = 2206
	oidRecord       uint32 = 2249
	oidAnyArray     uint32 = 2277
	oidRegnamespace uint32 = 4089
	oidRegrole      uint32 = 4096
)

// typeDef is one pg_type row (the columns Strata answers with).
type typeDef struct {
	oid                               uint32
	name                              string
	len                               int16
	byVal                             bool
	typtype, category                 byte
	preferred                         bool
	delim                             byte
	elem, array                       uint32
	input, output, receive, send      uint32
	modIn, modOut, analyze, subscript uint32
	align, storage                    byte
	collation                         uint32
	format                            string // format_type(oid, NULL)
}

// procDef is a pg_proc row of a type's I/O function.
type procDef struct {
	oid     uint32
	name    string
	ret     uint32
	argType []uint32
}

// kind is how a type's values are held while evaluating: every integer
// and OID as int64, floats and numeric as float64, arrays as []any, and
// everything else (text, name, "char", dates, ...) as its text form.
type kind uint8

const (
	kText kind = iota
	kBool
	kInt
	kFloat
	kOID
	kArray
)

var (
	typeByOID  = map[uint32]*typeDef{}
	typeByName = map[string]*typeDef{}
	procByOID  = map[uint32]*procDef{}
	procByName = map[string]*procDef{}
)

// typeAliases are the SQL-standard names PostgreSQL also accepts.
var typeAliases = map[string]string{
	"integer": "int4", "int": "int4", "smallint": "int2", "bigint": "int8",
	"boolean": "bool", "double precision": "float8", "real": "float4",
	"float": "float8", "decimal": "numeric", "character varying": "varchar",
	"character": "bpchar", `"char"`: "char", "timestamp without time zone": "timestamp",
	"timestamp with time zone": "timestamptz", "time without time zone": "time",
	"time with time zone": "timetz", "bit varying": "varbit",
}

func init() {
	for i := range pgTypes {
		t := &pgTypes[i]
		typeByOID[t.oid] = t
		typeByName[t.name] = t
	}
	for alias, name := range typeAliases {
		typeByName[alias] = typeByName[name]
	}
	for i := range pgProcs {
		p := &pgProcs[i]
		procByOID[p.oid] = p
		procByName[p.name] = p
	}
}

// kindOf is the evaluation kind of a type.
func kindOf(oid uint32) kind {
	switch oid {
	case oidBool:
		return kBool
	case oidInt2, oidInt4, oidInt8:
		return kInt
	case oidFloat4, oidFloat8, oidNumeric, 790: // 790: money
		return kFloat
	case oidOID, oidRegproc, oidRegclass, oidRegtype, oidRegnamespace, oidRegrole,
		oidXID, 29, 5069, 2202, 2203, 2204, 3734, 3769: // cid, xid8, regprocedure, regoper, regoperator, regconfig, regdictionary
		return kOID
	case oidInt2Vector, oidOIDVector:
		return kArray
	}
	if t := typeByOID[oid]; t != nil && t.category == 'A' {
		return kArray
	}
	return kText
}

// elemType is the element type of an array type (text for unknown ones).
func elemType(oid uint32) uint32 {
	switch oid {
	case oidInt2Vector:
		return oidInt2
	case oidOIDVector:
		return oidOID
	}
	if t := typeByOID[oid]; t != nil && t.elem != 0 {
		return t.elem
	}
	return oidText
}

// arrayOf is the array type of an element type (text[] if it has none).
func arrayOf(oid uint32) uint32 {
	if t := typeByOID[oid]; t != nil && t.array != 0 {
		return t.array
	}
	return oidTextArray
}

// isReg reports whether oid is one of the reg* types, whose text form is
// a name rather than a number.
func isReg(oid uint32) bool {
	switch oid {
	case oidRegproc, oidRegclass, oidRegtype, oidRegnamespace, oidRegrole, 2202, 2203, 2204, 3734, 3769:
		return true
	}
	return false
}

// typeName is the pg_type name of oid, for messages.
func typeName(oid uint32) string {
	if t := typeByOID[oid]; t != nil {
		return t.format
	}
	return "unknown"
}

// lookupTypeName resolves a type name as regtype's input does: 'int4',
// 'integer', 'pg_catalog.int4', 'text[]', '_text', 'varchar(10)', '"char"'.
func lookupTypeName(s string) (uint32, bool) {
	s = strings.TrimSpace(s)
	array := false
	if strings.HasSuffix(s, "[]") {
		array = true
		s = strings.TrimSpace(strings.TrimSuffix(s, "[]"))
	}
	if i := strings.IndexByte(s, '('); i > 0 && strings.HasSuffix(s, ")") {
		s = strings.TrimSpace(s[:i])
	}
	if rest, ok := strings.CutPrefix(s, "pg_catalog."); ok {
		s = rest
	}
	if s != `"char"` {
		if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
			s = strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
		} else {
			s = strings.Join(strings.Fields(strings.ToLower(s)), " ")
		}
	}
	t := typeByName[s]
	if t == nil {
		return 0, false
	}
	if array {
		if t.array == 0 {
			return 0, false
		}
		return t.array, true
	}
	return t.oid, true
}

// formatType is format_type(oid, typmod).
func formatType(oid uint32, typmod int64) string {
	t := typeByOID[oid]
	if t == nil {
		return "???"
	}
	if typmod < 0 {
		return t.format
	}
	switch oid {
	case oidVarchar, oidBpchar:
		if typmod >= 4 {
			return t.format + "(" + itoa(typmod-4) + ")"
		}
	case oidNumeric:
		if typmod >= 4 {
			m := typmod - 4
			return "numeric(" + itoa((m>>16)&0xffff) + "," + itoa(m&0xffff) + ")"
		}
	case oidTimestamp, oidTimestampTZ:
		if typmod <= 6 {
			base, zone, _ := strings.Cut(t.format, " ")
			return base + "(" + itoa(typmod) + ") " + zone
		}
	}
	return t.format
}

// TypeOID is the PostgreSQL type Strata shows a column of type t as:
// int64 bigint, int32 integer, float64 double precision, bool boolean,
// string text, binary bytea, timestamp timestamp with time zone (Strata
// keeps UTC instants), date date. It answers 0 for an invalid type.
func TypeOID(t storage.ColumnType) uint32 {
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
