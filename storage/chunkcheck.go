package storage

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// The checks below make a restored chunk as safe to read as one the store
// built: every buffer is long enough for its array, null counts match the
// bitmaps, offsets and dictionary indices stay in bounds, and the rows obey
// the table (types, NOT NULL, UTF-8, sort order, partition). Arrow's IPC
// reader checks little of this, and readers of a chunk index raw buffers.

// checkDecodedRecord checks a decoded record against def and m. It returns
// the table columns (not retained) and, when the record carries them, the
// row versions.
func checkDecodedRecord(def *TableDef, m chunkMeta, rec arrow.RecordBatch) ([]arrow.Array, []uint64, error) {
	bad := func(format string, args ...any) error {
		return corruptf("chunk %s of table %q: %s", m.ID, def.Name, fmt.Sprintf(format, args...))
	}
	if rec.NumRows() != int64(m.Rows) {
		return nil, nil, bad("%d rows, the manifest says %d", rec.NumRows(), m.Rows)
	}
	n := len(def.Columns)
	withVersions := int(rec.NumCols()) == n+1
	if !withVersions && int(rec.NumCols()) != n {
		return nil, nil, bad("%d columns, the table has %d", rec.NumCols(), n)
	}
	cols := rec.Columns()[:n]
	for i, c := range def.Columns {
		if name := rec.Schema().Field(i).Name; name != c.Name {
			return nil, nil, bad("column %d is %q, the table's is %q", i+1, name, c.Name)
		}
		if err := checkChunkColumn(c, cols[i], m.Rows); err != nil {
			return nil, nil, bad("%v", err)
		}
	}
	if !withVersions {
		if m.MinVersion != m.MaxVersion {
			return nil, nil, bad("no %s column, but versions span %d..%d", versionColumn, m.MinVersion, m.MaxVersion)
		}
		return cols, nil, nil
	}
	versions, err := decodedVersions(rec.Schema().Field(n), rec.Column(n), m.Rows)
	if err != nil {
		return nil, nil, bad("%v", err)
	}
	return cols, versions, nil
}

// checkChunkColumn checks one column: layout first, so that the checks
// that read values (checkColumn: type, NOT NULL, UTF-8) stay in bounds.
func checkChunkColumn(c Column, a arrow.Array, rows int) error {
	if a.Len() != rows {
		return fmt.Errorf("column %q has %d rows, want %d", c.Name, a.Len(), rows)
	}
	if err := checkLayout(a, &chunkLayout); err != nil {
		return fmt.Errorf("column %q: %v", c.Name, err)
	}
	if !holdable(a) {
		return fmt.Errorf("column %q: arrow type %s is not one chunks hold", c.Name, a.DataType())
	}
	return checkColumn(c, a)
}

func decodedVersions(f arrow.Field, a arrow.Array, rows int) ([]uint64, error) {
	if f.Name != versionColumn || a.DataType().ID() != arrow.UINT64 {
		return nil, fmt.Errorf("extra column %q of type %s, want %s uint64", f.Name, a.DataType(), versionColumn)
	}
	if a.Len() != rows {
		return nil, fmt.Errorf("%s has %d rows, want %d", versionColumn, a.Len(), rows)
	}
	if err := checkLayout(a, &chunkLayout); err != nil {
		return nil, fmt.Errorf("%s: %v", versionColumn, err)
	}
	if a.NullN() != 0 {
		return nil, fmt.Errorf("%s has nulls", versionColumn)
	}
	return append([]uint64(nil), a.(*array.Uint64).Uint64Values()...), nil
}

// layoutRules says which dictionaries checkLayout accepts. A chunk's are
// exact (every entry used) with uint8, uint16 or int32 indices; a client's
// may leave entries unused and have indices of any integer type (storage
// reads foreign index types through GetValueIndex).
type layoutRules struct {
	indexType  func(arrow.DataType) bool
	indexTypes string // what indexType accepts, for errors
	exact      bool
}

var (
	chunkLayout   = layoutRules{isChunkIndexType, "uint8, uint16 or int32", true}
	payloadLayout = layoutRules{func(t arrow.DataType) bool { return arrow.IsInteger(t.ID()) }, "integer", false}
)

// checkLayout checks that a's buffers hold what its type and length need.
func checkLayout(a arrow.Array, r *layoutRules) error {
	d := a.Data()
	switch a.DataType().ID() {
	case arrow.INT64, arrow.UINT64, arrow.FLOAT64, arrow.TIMESTAMP:
		return checkFixed(d, 8)
	case arrow.INT32, arrow.DATE32:
		return checkFixed(d, 4)
	case arrow.BOOL:
		return checkBits(d)
	case arrow.STRING, arrow.BINARY:
		return checkOffsets(d)
	case arrow.DICTIONARY:
		return checkDictionaryLayout(a.(*array.Dictionary), r)
	}
	return fmt.Errorf("unsupported arrow type %s", a.DataType())
}

// checkValidity checks offset, length, buffer count, and the bitmap
// against the declared null count. Every layout check starts with it.
func checkValidity(d arrow.ArrayData, nbufs int) error {
	if d.Offset() < 0 || d.Len() < 0 {
		return fmt.Errorf("offset %d, length %d", d.Offset(), d.Len())
	}
	bufs := d.Buffers()
	if len(bufs) != nbufs {
		return fmt.Errorf("%d buffers, want %d", len(bufs), nbufs)
	}
	nulls := d.NullN()
	if bufs[0] == nil || bufs[0].Len() == 0 {
		if nulls != 0 {
			return fmt.Errorf("%d nulls but no validity bitmap", nulls)
		}
		return nil
	}
	off, n := d.Offset(), d.Len()
	if int64(bufs[0].Len()) < bitutil.BytesForBits(int64(off+n)) {
		return fmt.Errorf("validity bitmap of %d bytes for %d rows", bufs[0].Len(), off+n)
	}
	if got := n - bitutil.CountSetBits(bufs[0].Bytes(), off, n); got != nulls {
		return fmt.Errorf("%d nulls in the bitmap, %d declared", got, nulls)
	}
	return nil
}

func checkFixed(d arrow.ArrayData, width int) error {
	if err := checkValidity(d, 2); err != nil {
		return err
	}
	need := (d.Offset() + d.Len()) * width
	if need > 0 && (d.Buffers()[1] == nil || d.Buffers()[1].Len() < need) {
		return fmt.Errorf("value buffer shorter than %d bytes", need)
	}
	return nil
}

func checkBits(d arrow.ArrayData) error {
	if err := checkValidity(d, 2); err != nil {
		return err
	}
	need := int(bitutil.BytesForBits(int64(d.Offset() + d.Len())))
	if need > 0 && (d.Buffers()[1] == nil || d.Buffers()[1].Len() < need) {
		return fmt.Errorf("value bitmap shorter than %d bytes", need)
	}
	return nil
}

// checkOffsets checks a string or binary array: offsets ascending, inside
// the data buffer.
func checkOffsets(d arrow.ArrayData) error {
	if err := checkValidity(d, 3); err != nil {
		return err
	}
	off, n := d.Offset(), d.Len()
	bufs := d.Buffers()
	if n == 0 && (bufs[1] == nil || bufs[1].Len() == 0) {
		return nil
	}
	// Even an empty array's offset is read (Arrow's IPC writer rebases
	// on it), so it is checked like any other.
	if bufs[1] == nil || bufs[1].Len() < (off+n+1)*4 {
		return fmt.Errorf("offset buffer shorter than %d entries", off+n+1)
	}
	offsets := arrow.Int32Traits.CastFromBytes(bufs[1].Bytes())[off : off+n+1]
	dataLen := 0
	if bufs[2] != nil {
		dataLen = bufs[2].Len()
	}
	return checkOffsetValues(offsets, dataLen)
}

// checkOffsetValues checks the offsets of len(offsets)-1 values: the first
// at least 0, none below the one before, the last inside a data buffer of
// dataLen bytes.
func checkOffsetValues(offsets []int32, dataLen int) error {
	n := len(offsets) - 1
	if offsets[0] < 0 || int(offsets[n]) > dataLen {
		return fmt.Errorf("offsets %d..%d outside a data buffer of %d bytes", offsets[0], offsets[n], dataLen)
	}
	for i := 1; i <= n; i++ {
		if offsets[i] < offsets[i-1] {
			return fmt.Errorf("offsets decrease at row %d", i)
		}
	}
	return nil
}

// checkDictionary checks a chunk's dictionary column (chunkLayout).
func checkDictionary(a *array.Dictionary) error { return checkDictionaryLayout(a, &chunkLayout) }

// checkDictionaryLayout checks indices, dictionary and that every non-null
// row's index names an entry.
func checkDictionaryLayout(a *array.Dictionary, r *layoutRules) error {
	dt := a.DataType().(*arrow.DictionaryType)
	if !r.indexType(dt.IndexType) || dt.ValueType.ID() != arrow.STRING {
		return fmt.Errorf("dictionary type %s, want %s indices of utf8", dt, r.indexTypes)
	}
	if err := checkFixed(a.Data(), dt.IndexType.(arrow.FixedWidthDataType).BitWidth()/8); err != nil {
		return fmt.Errorf("indices: %v", err)
	}
	dd := a.Data().Dictionary()
	if dd == nil {
		return fmt.Errorf("dictionary missing")
	}
	if err := checkOffsets(dd); err != nil {
		return fmt.Errorf("dictionary: %v", err)
	}
	var used []bool
	if r.exact {
		used = make([]bool, dd.Len())
	}
	if err := checkDictIndices(a.Indices(), dd.Len(), used); err != nil {
		return err
	}
	return exactDictionary(used)
}

// checkDictIndices checks that every non-null row's index names one of
// entries, marking the entries used when used is not nil. Signed indices
// are read as signed, so a negative one is out of range (GetValueIndex
// would read it as a large unsigned number).
func checkDictIndices(idx arrow.Array, entries int, used []bool) error {
	switch idx := idx.(type) {
	case *array.Int8:
		return checkIndexRange(idx, idx.Int8Values(), entries, used)
	case *array.Int16:
		return checkIndexRange(idx, idx.Int16Values(), entries, used)
	case *array.Int32:
		return checkIndexRange(idx, idx.Int32Values(), entries, used)
	case *array.Int64:
		return checkIndexRange(idx, idx.Int64Values(), entries, used)
	case *array.Uint8:
		return checkIndexRange(idx, idx.Uint8Values(), entries, used)
	case *array.Uint16:
		return checkIndexRange(idx, idx.Uint16Values(), entries, used)
	case *array.Uint32:
		return checkIndexRange(idx, idx.Uint32Values(), entries, used)
	case *array.Uint64:
		return checkIndexRange(idx, idx.Uint64Values(), entries, used)
	}
	return fmt.Errorf("dictionary index type %s", idx.DataType())
}

type dictIndexValue interface {
	int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64
}

func checkIndexRange[T dictIndexValue](idx arrow.Array, vals []T, entries int, used []bool) error {
	// The caller checked the bitmap (checkFixed); read it directly rather
	// than through IsNull, a call per row.
	nulls, bitmap, off := idx.NullN() > 0, idx.NullBitmapBytes(), idx.Data().Offset()
	for i, v := range vals {
		if nulls && bitutil.BitIsNotSet(bitmap, off+i) {
			continue
		}
		if v < 0 || uint64(v) >= uint64(entries) {
			return fmt.Errorf("row %d: dictionary index %d of %d entries", i+1, v, entries)
		}
		if used != nil {
			used[v] = true
		}
	}
	return nil
}

// exactDictionary checks that every dictionary entry is used by a row:
// chunks never carry unused entries, and queries rely on it (an entry is a
// group when a GROUP BY reads the whole chunk).
func exactDictionary(used []bool) error {
	for k, u := range used {
		if !u {
			return fmt.Errorf("dictionary entry %d is used by no row", k)
		}
	}
	return nil
}

// checkChunkPlacement checks what the chunk's flags and position claim
// about its rows: a sorted chunk is in sort-key order, and every row hashes
// to the chunk's partition.
func checkChunkPlacement(def *TableDef, c *Chunk) error {
	if c.sorted {
		if len(def.SortKey) == 0 {
			return corruptf("chunk %s of table %q claims sort order, the table has no sort key", c.id, def.Name)
		}
		refs := make([]rowRef, c.Rows())
		for i := range refs {
			refs[i] = rowRef{0, int32(i)}
		}
		if sortRefs(def, []arrow.RecordBatch{c.rec}, refs) {
			return corruptf("chunk %s of table %q: rows are not in sort-key order", c.id, def.Name)
		}
	}
	if def.Buckets > 1 {
		for b, rows := range bucketRows(def, c.rec.Columns(), c.Rows()) {
			if len(rows) > 0 && b != int(c.id.Partition) {
				return corruptf("chunk %s of table %q: row %d belongs to partition %d", c.id, def.Name, rows[0]+1, b)
			}
		}
	}
	return nil
}
