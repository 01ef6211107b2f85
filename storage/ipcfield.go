package storage

import (
	"errors"
	"fmt"
)

// Members of Arrow's Type union that the IPC scan reads.
const (
	ipcInt       = 2
	ipcFloat     = 3
	ipcBinary    = 4
	ipcUtf8      = 5
	ipcBool      = 6
	ipcDate      = 8
	ipcTimestamp = 10
)

var ipcTypeNames = [...]string{
	"NONE", "Null", "Int", "FloatingPoint", "Binary", "Utf8", "Bool", "Decimal", "Date", "Time",
	"Timestamp", "Interval", "List", "Struct", "Union", "FixedSizeBinary", "FixedSizeList", "Map",
	"Duration", "LargeBinary", "LargeUtf8", "LargeList", "RunEndEncoded", "BinaryView", "Utf8View",
	"ListView", "LargeListView",
}

// ipcNested are the Type union members with child fields.
var ipcNested = map[uint8]bool{12: true, 13: true, 14: true, 16: true, 17: true, 21: true, 22: true, 25: true, 26: true}

func ipcTypeName(kind uint8) string {
	if int(kind) < len(ipcTypeNames) {
		return ipcTypeNames[kind]
	}
	return fmt.Sprintf("type(%d)", kind)
}

var ipcTimeUnits = [...]string{"s", "ms", "us", "ns"}

// ipcField is what the scan knows of a schema column: its type, in enough
// detail to check its buffers, and its dictionary encoding.
type ipcField struct {
	name   string
	kind   uint8 // Type union member
	bits   int   // value width in bits: Int, FloatingPoint, Date, Timestamp, Bool (1); 0 for Binary and Utf8
	signed bool  // Int
	unit   int16 // Date (0 day, 1 ms) and Timestamp (0 s … 3 ns)
	dict   *ipcDictEncoding
}

// ipcDictEncoding is a column's dictionary: its id and index type.
type ipcDictEncoding struct {
	id     int64
	bits   int
	signed bool
}

// values is the column of a dictionary's values.
func (f ipcField) values() ipcField {
	f.dict = nil
	return f
}

// buffers is how many IPC buffers the column has: validity and values, or
// validity, offsets and data.
func (f ipcField) buffers() int {
	if f.dict == nil && (f.kind == ipcUtf8 || f.kind == ipcBinary) {
		return 3
	}
	return 2
}

// valueBits is the width of a fixed-width column's values (dictionary
// indices for a dictionary column).
func (f ipcField) valueBits() int {
	if f.dict != nil {
		return f.dict.bits
	}
	return f.bits
}

// String names the type as Arrow does.
func (f ipcField) String() string {
	if f.dict != nil {
		return fmt.Sprintf("dictionary<values=%s, indices=%s>", f.values(), ipcIntName(f.dict.bits, f.dict.signed))
	}
	switch f.kind {
	case ipcInt:
		return ipcIntName(f.bits, f.signed)
	case ipcFloat:
		return fmt.Sprintf("float%d", f.bits)
	case ipcBinary:
		return "binary"
	case ipcUtf8:
		return "utf8"
	case ipcBool:
		return "bool"
	case ipcDate:
		return fmt.Sprintf("date%d", f.bits)
	case ipcTimestamp:
		return fmt.Sprintf("timestamp[%s]", ipcTimeUnits[f.unit])
	}
	return ipcTypeName(f.kind)
}

func ipcIntName(bits int, signed bool) string {
	if signed {
		return fmt.Sprintf("int%d", bits)
	}
	return fmt.Sprintf("uint%d", bits)
}

// scanIPCField reads a Field table: name, type, dictionary encoding. It
// rejects nested types and dictionaries of anything but utf8; the scan's
// rules judge the rest.
func scanIPCField(f fbTable) (ipcField, error) {
	// Field: name 0, nullable 1, type_type 2, type 3, dictionary 4,
	// children 5, custom_metadata 6.
	name, err := f.string(0)
	col := ipcField{name: name}
	if err != nil {
		return col, fmt.Errorf("name: %w", err)
	}
	if _, err := f.uint8(1); err != nil {
		return col, fmt.Errorf("nullable: %w", err)
	}
	if col.kind, err = f.uint8(2); err != nil {
		return col, fmt.Errorf("type: %w", err)
	}
	children, err := f.tables(5)
	if err != nil {
		return col, fmt.Errorf("children: %w", err)
	}
	if ipcNested[col.kind] || len(children) > 0 {
		return col, fmt.Errorf("nested type %s is not accepted", ipcTypeName(col.kind))
	}
	if err := scanIPCMetadata(f, 6); err != nil {
		return col, fmt.Errorf("metadata: %w", err)
	}
	typ, err := f.table(3)
	if err != nil {
		return col, fmt.Errorf("type: %w", err)
	}
	if err := col.readType(typ); err != nil {
		return col, err
	}
	enc, ok, err := f.optTable(4)
	if err != nil || !ok {
		return col, err
	}
	if col.dict, err = scanIPCDictEncoding(enc); err != nil {
		return col, fmt.Errorf("dictionary: %w", err)
	}
	if col.kind != ipcUtf8 {
		return col, fmt.Errorf("dictionary of %s (only dictionaries of utf8 strings are accepted)", col.values())
	}
	return col, nil
}

// readType reads the type table of the column's kind, if the scan knows
// the kind.
func (f *ipcField) readType(typ fbTable) (err error) {
	switch f.kind {
	case ipcInt:
		f.bits, f.signed, err = scanIPCInt(typ)
		return err
	case ipcFloat:
		p, err := typ.int16(0) // precision: HALF, SINGLE, DOUBLE
		if err != nil || p < 0 || p > 2 {
			return errors.Join(err, fmt.Errorf("floating point precision %d", p))
		}
		f.bits = 16 << p
	case ipcBinary, ipcUtf8:
	case ipcBool:
		f.bits = 1
	case ipcDate:
		f.unit = 1 // the schema's default: milliseconds
		if present, err := typ.has(0); err != nil || present {
			f.unit, err = typ.int16(0)
			if err != nil {
				return err
			}
		}
		if f.unit != 0 && f.unit != 1 {
			return fmt.Errorf("date unit %d", f.unit)
		}
		f.bits = 32 << f.unit
	case ipcTimestamp:
		f.bits = 64
		if f.unit, err = typ.int16(0); err != nil || f.unit < 0 || int(f.unit) >= len(ipcTimeUnits) {
			return errors.Join(err, fmt.Errorf("timestamp unit %d", f.unit))
		}
		if _, err := typ.string(1); err != nil {
			return fmt.Errorf("timestamp time zone: %w", err)
		}
	}
	// Other types have no layout here; every ipcRules.column rejects them.
	return nil
}

// scanIPCInt reads an Int table: bitWidth 0, is_signed 1.
func scanIPCInt(t fbTable) (bits int, signed bool, err error) {
	w, err := t.int32(0)
	if err != nil {
		return 0, false, err
	}
	s, err := t.uint8(1)
	if err != nil {
		return 0, false, err
	}
	switch w {
	case 8, 16, 32, 64:
		return int(w), s != 0, nil
	}
	return 0, false, fmt.Errorf("integer of %d bits", w)
}

func scanIPCDictEncoding(enc fbTable) (*ipcDictEncoding, error) {
	// DictionaryEncoding: id 0, indexType 1 (an Int), isOrdered 2,
	// dictionaryKind 3.
	id, err := enc.int64(0)
	if err != nil {
		return nil, err
	}
	if _, err := enc.uint8(2); err != nil {
		return nil, err
	}
	if _, err := enc.int16(3); err != nil {
		return nil, err
	}
	idx, err := enc.table(1)
	if err != nil {
		return nil, fmt.Errorf("index type: %w", err)
	}
	bits, signed, err := scanIPCInt(idx)
	if err != nil {
		return nil, fmt.Errorf("index type: %w", err)
	}
	return &ipcDictEncoding{id: id, bits: bits, signed: signed}, nil
}
