package storage

import (
	"fmt"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// buildRecord makes a batch in the table's canonical schema from Go values:
// nil, int64, int32, float64, bool, string, []byte, arrow.Timestamp,
// arrow.Date32.
func buildRecord(t testing.TB, mem memory.Allocator, def *TableDef, rows [][]any) arrow.RecordBatch {
	t.Helper()
	b := array.NewRecordBuilder(mem, def.ArrowSchema())
	defer b.Release()
	for ri, row := range rows {
		if len(row) != len(def.Columns) {
			t.Fatalf("row %d has %d values, want %d", ri, len(row), len(def.Columns))
		}
		for ci, v := range row {
			appendValue(t, b.Field(ci), v)
		}
	}
	return b.NewRecordBatch()
}

func appendValue(t testing.TB, fb array.Builder, v any) {
	if v == nil {
		fb.AppendNull()
		return
	}
	switch fb := fb.(type) {
	case *array.Int64Builder:
		fb.Append(v.(int64))
	case *array.Int32Builder:
		fb.Append(v.(int32))
	case *array.Float64Builder:
		fb.Append(v.(float64))
	case *array.BooleanBuilder:
		fb.Append(v.(bool))
	case *array.StringBuilder:
		fb.Append(v.(string))
	case *array.BinaryBuilder:
		fb.Append(v.([]byte))
	case *array.TimestampBuilder:
		fb.Append(v.(arrow.Timestamp))
	case *array.Date32Builder:
		fb.Append(v.(arrow.Date32))
	default:
		t.Fatalf("no append for %T", fb)
	}
}

// valueAt reads row i of a chunk column as a Go value (nil for null).
func valueAt(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch a := a.(type) {
	case *array.Int64:
		return a.Value(i)
	case *array.Int32:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.String:
		return a.Value(i)
	case *array.Binary:
		return slices.Clone(a.Value(i))
	case *array.Timestamp:
		return a.Value(i)
	case *array.Date32:
		return a.Value(i)
	case *array.Dictionary:
		k := a.GetValueIndex(i)
		if a.Dictionary().IsNull(k) {
			return nil
		}
		return a.Dictionary().(*array.String).Value(k)
	}
	panic(fmt.Sprintf("valueAt %T", a))
}

// visibleRows returns every row a table snapshot sees, as Go values, in
// chunk order.
func visibleRows(ts *TableSnapshot) [][]any {
	var out [][]any
	for _, ref := range ts.Chunks() {
		c := ref.Chunk
		var sel []int32
		switch ts.Visibility(c) {
		case VisibleNone:
			continue
		case VisibleAll:
			for i := range c.Rows() {
				sel = append(sel, int32(i))
			}
		case VisibleSome:
			sel = ts.VisibleRows(c, nil)
		}
		for _, r := range sel {
			row := make([]any, c.Record().NumCols())
			for ci := range row {
				row[ci] = valueAt(c.Column(ci), int(r))
			}
			out = append(out, row)
		}
	}
	return out
}

// readTable snapshots one table at v and returns its visible rows.
func readTable(t testing.TB, s *Store, v uint64, name string) [][]any {
	t.Helper()
	snap, err := s.Snapshot(v, name)
	if err != nil {
		t.Fatalf("snapshot %s@%d: %v", name, v, err)
	}
	defer snap.Release()
	ts, err := snap.Table(name)
	if err != nil {
		t.Fatal(err)
	}
	return visibleRows(ts)
}

// sortRows orders rows by their printed form, for order-insensitive compares.
func sortRows(rows [][]any) [][]any {
	out := slices.Clone(rows)
	slices.SortFunc(out, func(a, b []any) int {
		sa, sb := fmt.Sprint(a...), fmt.Sprint(b...)
		switch {
		case sa < sb:
			return -1
		case sa > sb:
			return 1
		}
		return 0
	})
	return out
}
