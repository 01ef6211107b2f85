package server

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/query/sql"
	"github.com/stratadb/strata/storage"
)

// appendValue appends a typed constant to a builder of its column's type.
func appendValue(b array.Builder, v plan.Value) error {
	if v.Null {
		b.AppendNull()
		return nil
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		b.Append(v.Int)
	case *array.Int32Builder:
		b.Append(int32(v.Int))
	case *array.Float64Builder:
		b.Append(v.Float)
	case *array.BooleanBuilder:
		b.Append(v.Int != 0)
	case *array.StringBuilder:
		b.Append(v.Str)
	case *array.BinaryBuilder:
		b.Append([]byte(v.Str))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v.Int))
	case *array.Date32Builder:
		b.Append(arrow.Date32(v.Int))
	default:
		return fmt.Errorf("BUG: no way to append %v to %T", v, b)
	}
	return nil
}

// insertRecord builds the rows of an INSERT (bound: every value a literal
// of its column's type) as a record in the table's schema; columns the
// statement does not name are NULL.
func insertRecord(def *storage.TableDef, ins *sql.Insert) (arrow.RecordBatch, error) {
	pos := make([]int, len(def.Columns)) // table column -> statement column, -1 for none
	for i := range pos {
		pos[i] = -1
	}
	for j, name := range ins.Columns {
		i := def.ColumnIndex(name)
		if i < 0 {
			return nil, fmt.Errorf("%w: column %q of table %q", plan.ErrUnknownColumn, name, def.Name)
		}
		pos[i] = j
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, def.ArrowSchema())
	defer b.Release()
	for r, row := range ins.Rows {
		for i := range def.Columns {
			v := plan.NullOf(def.Columns[i].Type)
			if j := pos[i]; j >= 0 {
				lit, ok := row[j].(plan.Lit)
				if !ok {
					return nil, fmt.Errorf("%w: row %d, column %q: %v is not a constant", plan.ErrBadValue, r+1, def.Columns[i].Name, row[j])
				}
				v = lit.Value
			}
			if err := appendValue(b.Field(i), v); err != nil {
				return nil, err
			}
		}
	}
	return b.NewRecordBatch(), nil
}

// rowsResult builds a small result (SHOW, DESCRIBE) from Go values: int64,
// int32, string, bool or nil, per the column's type.
func rowsResult(tag string, cols []sql.Column, rows [][]any) (*sql.Result, error) {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type.ArrowType(), Nullable: true}
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema(fields, nil))
	defer b.Release()
	for _, row := range rows {
		for i, v := range row {
			var err error
			switch v := v.(type) {
			case nil:
				b.Field(i).AppendNull()
			case int64:
				err = appendValue(b.Field(i), plan.Int64(v))
			case int32:
				err = appendValue(b.Field(i), plan.Int32(v))
			case uint64:
				err = appendValue(b.Field(i), plan.Int64(int64(v)))
			case string:
				err = appendValue(b.Field(i), plan.String(v))
			case bool:
				err = appendValue(b.Field(i), plan.Bool(v))
			default:
				err = fmt.Errorf("BUG: result value %T", v)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	rec := b.NewRecordBatch()
	return &sql.Result{Tag: tag, Columns: cols, Records: []arrow.RecordBatch{rec}}, nil
}
