package client

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	stratapb "github.com/stratadb/strata/proto"
)

// TimestampType is the Arrow type of Strata's timestamp columns:
// microseconds since the epoch, UTC.
var TimestampType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// ArrowType is the Arrow type Strata stores a column type as; batches
// built with it are accepted as they are.
func ArrowType(t stratapb.ColumnType) (arrow.DataType, error) {
	switch t {
	case stratapb.ColumnType_INT64:
		return arrow.PrimitiveTypes.Int64, nil
	case stratapb.ColumnType_INT32:
		return arrow.PrimitiveTypes.Int32, nil
	case stratapb.ColumnType_FLOAT64:
		return arrow.PrimitiveTypes.Float64, nil
	case stratapb.ColumnType_BOOL:
		return arrow.FixedWidthTypes.Boolean, nil
	case stratapb.ColumnType_STRING:
		return arrow.BinaryTypes.String, nil
	case stratapb.ColumnType_BINARY:
		return arrow.BinaryTypes.Binary, nil
	case stratapb.ColumnType_TIMESTAMP:
		return TimestampType, nil
	case stratapb.ColumnType_DATE:
		return arrow.FixedWidthTypes.Date32, nil
	}
	return nil, fmt.Errorf("client: column type %v has no Arrow type", t)
}

// ColumnTypeOf is the Strata column type an Arrow type is stored as
// without conversion, or an error naming what is not supported.
func ColumnTypeOf(dt arrow.DataType) (stratapb.ColumnType, error) {
	switch dt.ID() {
	case arrow.INT64:
		return stratapb.ColumnType_INT64, nil
	case arrow.INT32:
		return stratapb.ColumnType_INT32, nil
	case arrow.FLOAT64:
		return stratapb.ColumnType_FLOAT64, nil
	case arrow.BOOL:
		return stratapb.ColumnType_BOOL, nil
	case arrow.STRING:
		return stratapb.ColumnType_STRING, nil
	case arrow.BINARY:
		return stratapb.ColumnType_BINARY, nil
	case arrow.DATE32:
		return stratapb.ColumnType_DATE, nil
	case arrow.TIMESTAMP:
		ts := dt.(*arrow.TimestampType)
		if ts.Unit == arrow.Microsecond && (ts.TimeZone == "" || ts.TimeZone == "UTC") {
			return stratapb.ColumnType_TIMESTAMP, nil
		}
	case arrow.DICTIONARY:
		if dt.(*arrow.DictionaryType).ValueType.ID() == arrow.STRING {
			return stratapb.ColumnType_STRING, nil
		}
	}
	return stratapb.ColumnType_COLUMN_TYPE_UNSPECIFIED, fmt.Errorf("client: Arrow type %s is not a Strata column type", dt)
}

// ArrowSchema is the Arrow schema of a table's rows.
func ArrowSchema(def *stratapb.TableDef) (*arrow.Schema, error) {
	fields := make([]arrow.Field, len(def.GetColumns()))
	for i, c := range def.GetColumns() {
		dt, err := ArrowType(c.GetType())
		if err != nil {
			return nil, fmt.Errorf("table %q column %q: %w", def.GetName(), c.GetName(), err)
		}
		fields[i] = arrow.Field{Name: c.GetName(), Type: dt, Nullable: c.GetNullable()}
	}
	return arrow.NewSchema(fields, nil), nil
}
