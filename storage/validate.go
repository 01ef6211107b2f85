package storage

import (
	"fmt"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TableBatch is a batch of rows for one table. Columns are matched to the
// table by name, in any order; a nullable column the batch lacks is filled
// with nulls. Strings may be plain utf8 or dictionary-encoded utf8;
// timestamps must be in microseconds with time zone UTC or none.
type TableBatch struct {
	Table  string
	Record arrow.RecordBatch
}

// validateBatch checks rec against def and returns its columns in table
// order, each with a reference the caller must release. Row numbers in
// errors are 1-based within the batch.
func validateBatch(mem memory.Allocator, def *TableDef, rec arrow.RecordBatch) ([]arrow.Array, error) {
	if rec == nil {
		return nil, fmt.Errorf("%w: table %q: nil record", ErrSchemaMismatch, def.Name)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: table %q: %s", ErrSchemaMismatch, def.Name, fmt.Sprintf(format, args...))
	}
	byName := make(map[string]int, rec.NumCols())
	for i, f := range rec.Schema().Fields() {
		if def.ColumnIndex(f.Name) < 0 {
			return nil, bad("unknown column %q (position %d)", f.Name, i+1)
		}
		if _, dup := byName[f.Name]; dup {
			return nil, bad("column %q appears twice", f.Name)
		}
		byName[f.Name] = i
	}
	n := int(rec.NumRows())
	cols := make([]arrow.Array, len(def.Columns))
	release := func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}
	for ci, c := range def.Columns {
		fi, ok := byName[c.Name]
		if !ok {
			if !c.Nullable {
				release()
				return nil, bad("missing column %q, which is NOT NULL", c.Name)
			}
			cols[ci] = array.MakeArrayOfNull(mem, c.Type.ArrowType(), n)
			continue
		}
		a := rec.Column(fi)
		if err := checkColumn(c, a); err != nil {
			release()
			return nil, bad("%v", err)
		}
		a.Retain()
		cols[ci] = a
	}
	return cols, nil
}

func checkColumn(c Column, a arrow.Array) error {
	got, err := TypeOfArrow(a.DataType())
	if err != nil {
		return fmt.Errorf("column %q: %v; the table declares %v", c.Name, err, c.Type)
	}
	if got != c.Type {
		return fmt.Errorf("column %q has type %v (arrow %s), the table declares %v", c.Name, got, a.DataType(), c.Type)
	}
	if !c.Nullable {
		if row := firstNull(a); row >= 0 {
			return fmt.Errorf("column %q, row %d: null in a NOT NULL column", c.Name, row+1)
		}
	}
	if c.Type == TypeString {
		if row := firstBadUTF8(a); row >= 0 {
			return fmt.Errorf("column %q, row %d: string is not valid UTF-8", c.Name, row+1)
		}
	}
	return nil
}

// firstNull returns the first null row, counting a dictionary index that
// points at a null dictionary entry as null; -1 if none.
func firstNull(a arrow.Array) int {
	if d, ok := a.(*array.Dictionary); ok {
		s := stringSourceOf(d)
		for i := 0; i < d.Len(); i++ {
			if s.dictIndex(i) < 0 {
				return i
			}
		}
		return -1
	}
	if a.NullN() == 0 {
		return -1
	}
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			return i
		}
	}
	return -1
}

// firstBadUTF8 returns the first row whose string is not valid UTF-8, or -1.
// The common case costs one pass over the bytes: if all the bytes are valid
// and no value starts with a continuation byte, no value is cut in the
// middle of a character, so every value is valid on its own.
func firstBadUTF8(a arrow.Array) int {
	var bc byteColumn
	var rows int
	if d, ok := a.(*array.Dictionary); ok {
		bc, _ = byteColumnOf(d.Dictionary())
		rows = d.Dictionary().Len()
	} else {
		bc, _ = byteColumnOf(a)
		rows = a.Len()
	}
	if rows == 0 {
		return -1
	}
	data := bc.data[bc.offsets[0]:bc.offsets[rows]]
	if utf8.Valid(data) {
		ok := true
		for i := 0; i < rows && ok; i++ {
			off := bc.offsets[i] - bc.offsets[0]
			ok = int(off) >= len(data) || !isContinuation(data[off])
		}
		if ok {
			return -1
		}
	}
	for i := 0; i < rows; i++ {
		if !utf8.ValidString(bc.at(i)) {
			if d, isDict := a.(*array.Dictionary); isDict {
				return firstRowUsing(d, i)
			}
			return i
		}
	}
	return -1
}

func isContinuation(b byte) bool { return b&0xC0 == 0x80 }

// firstRowUsing maps a bad dictionary entry to the first row that uses it;
// an unused bad entry is reported as row 0 (the batch still carries it).
func firstRowUsing(d *array.Dictionary, entry int) int {
	for i := 0; i < d.Len(); i++ {
		if d.IsValid(i) && d.GetValueIndex(i) == entry {
			return i
		}
	}
	return 0
}
