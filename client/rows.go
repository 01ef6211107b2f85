package client

import (
	"bytes"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// RecordFromRows builds a record of schema from rows of Go values, one
// value per field in schema order. Accepted values per field type: int64,
// int32: any Go integer in range; float64: float64, float32 or an integer;
// bool; string; binary: []byte or string; timestamp: time.Time; date:
// time.Time (its UTC day). nil is NULL. The caller releases the record.
func RecordFromRows(mem memory.Allocator, schema *arrow.Schema, rows [][]any) (arrow.RecordBatch, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for r, row := range rows {
		if len(row) != len(schema.Fields()) {
			return nil, fmt.Errorf("client: row %d has %d values, the schema %d fields", r, len(row), len(schema.Fields()))
		}
		for c, v := range row {
			if err := appendValue(b.Field(c), v); err != nil {
				return nil, fmt.Errorf("client: row %d column %q: %w", r, schema.Field(c).Name, err)
			}
		}
	}
	return b.NewRecordBatch(), nil
}

func appendValue(b array.Builder, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		n, ok := toInt64(v)
		if ok {
			b.Append(n)
			return nil
		}
	case *array.Int32Builder:
		n, ok := toInt64(v)
		if ok && n == int64(int32(n)) {
			b.Append(int32(n))
			return nil
		}
	case *array.Float64Builder:
		if f, ok := toFloat64(v); ok {
			b.Append(f)
			return nil
		}
	case *array.BooleanBuilder:
		if x, ok := v.(bool); ok {
			b.Append(x)
			return nil
		}
	case *array.StringBuilder:
		if s, ok := v.(string); ok {
			b.Append(s)
			return nil
		}
	case *array.BinaryBuilder:
		switch x := v.(type) {
		case []byte:
			b.Append(x)
			return nil
		case string:
			b.AppendString(x)
			return nil
		}
	case *array.TimestampBuilder:
		if t, ok := v.(time.Time); ok {
			unit := b.Type().(*arrow.TimestampType).Unit
			ts, err := arrow.TimestampFromTime(t, unit)
			if err != nil {
				return err
			}
			b.Append(ts)
			return nil
		}
	case *array.Date32Builder:
		if t, ok := v.(time.Time); ok {
			b.Append(arrow.Date32FromTime(t.UTC()))
			return nil
		}
	default:
		return fmt.Errorf("unsupported column type %s", b.Type())
	}
	return fmt.Errorf("cannot store %T %v as %s", v, v, b.Type())
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
	case uint:
		return int64(x), x <= 1<<63-1
	case uint64:
		return int64(x), x <= 1<<63-1
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

// Value is row i of a as a Go value: int64, int32, float64, bool, string,
// []byte (a copy), time.Time in UTC for timestamps and for dates (at
// midnight), nil for NULL. Dictionary-encoded arrays give their values.
// Other Arrow types give what Arrow marshals to JSON.
func Value(a arrow.Array, i int) any {
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
	case *array.LargeString:
		return a.Value(i)
	case *array.Binary:
		return bytes.Clone(a.Value(i))
	case *array.Timestamp:
		return a.Value(i).ToTime(a.DataType().(*arrow.TimestampType).Unit).UTC()
	case *array.Date32:
		return a.Value(i).ToTime().UTC()
	case *array.Date64:
		return a.Value(i).ToTime().UTC()
	case *array.Dictionary:
		return Value(a.Dictionary(), a.GetValueIndex(i))
	}
	return a.GetOneForMarshal(i)
}
