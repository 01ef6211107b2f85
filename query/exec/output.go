package exec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// outType is the type a result column is built in: an untyped NULL
// column comes out as text, as in PostgreSQL.
func outType(t storage.ColumnType) storage.ColumnType {
	if t == storage.TypeInvalid {
		return storage.TypeString
	}
	return t
}

// ArrowSchema is the Arrow schema of a plan schema: canonical types, all
// columns nullable.
func ArrowSchema(s plan.Schema) *arrow.Schema {
	fields := make([]arrow.Field, len(s))
	for i, f := range s {
		fields[i] = arrow.Field{Name: f.Name, Type: outType(f.Type).ArrowType(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// arrayBuilder builds one result column of a logical type.
type arrayBuilder struct {
	typ storage.ColumnType
	b   array.Builder
}

func newArrayBuilder(mem memory.Allocator, t storage.ColumnType, capacity int) *arrayBuilder {
	t = outType(t)
	b := array.NewBuilder(mem, t.ArrowType())
	b.Reserve(capacity)
	return &arrayBuilder{typ: t, b: b}
}

// append adds one value given in keyValue form (ints for integer-like and
// bool types, f for floats, s for strings and binary).
func (ab *arrayBuilder) append(null bool, i int64, f float64, s string) {
	if null {
		ab.b.AppendNull()
		return
	}
	switch b := ab.b.(type) {
	case *array.Int64Builder:
		b.Append(i)
	case *array.Int32Builder:
		b.Append(int32(i))
	case *array.Float64Builder:
		b.Append(f)
	case *array.BooleanBuilder:
		b.Append(i != 0)
	case *array.StringBuilder:
		b.Append(s)
	case *array.BinaryBuilder:
		b.Append([]byte(s))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(i))
	case *array.Date32Builder:
		b.Append(arrow.Date32(i))
	default:
		panic(fmt.Sprintf("BUG: no builder for %v", ab.typ))
	}
}

// appendVector adds every slot of v (a constant repeats for v.n rows).
func (ab *arrayBuilder) appendVector(v *vector) {
	if v.typ == storage.TypeInvalid {
		ab.b.AppendNulls(v.n)
		return
	}
	if !v.cnst && v.nulls == nil {
		if ab.appendBulk(v) {
			return
		}
	}
	for k := 0; k < v.n; k++ {
		if v.isNull(k) {
			ab.b.AppendNull()
			continue
		}
		j := v.at(k)
		switch {
		case v.ints != nil:
			ab.append(false, v.ints[j], 0, "")
		case v.flts != nil:
			ab.append(false, 0, v.flts[j], "")
		case v.bools != nil:
			ab.append(false, b2i(v.bools[j]), 0, "")
		default:
			ab.append(false, 0, 0, v.strs[j])
		}
	}
}

// appendBulk copies null-free numeric vectors in one call.
func (ab *arrayBuilder) appendBulk(v *vector) bool {
	switch b := ab.b.(type) {
	case *array.Int64Builder:
		b.AppendValues(v.ints, nil)
	case *array.Float64Builder:
		b.AppendValues(v.flts, nil)
	case *array.StringBuilder:
		b.AppendValues(v.strs, nil)
	default:
		return false
	}
	return true
}

func (ab *arrayBuilder) finish() arrow.Array {
	a := ab.b.NewArray()
	ab.b.Release()
	return a
}

// vectorArray builds a result column from a vector.
func vectorArray(mem memory.Allocator, t storage.ColumnType, v *vector) arrow.Array {
	ab := newArrayBuilder(mem, t, v.n)
	ab.appendVector(v)
	return ab.finish()
}
