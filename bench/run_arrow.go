package bench

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// recordRows converts an Arrow record to rows of Go values for pgx's
// CopyFrom, column by column into one backing slice: int64, float64,
// string, bool, []byte, time.Time (timestamps in UTC, dates) or nil for a
// null. Dictionary columns are decoded.
func recordRows(rec arrow.RecordBatch) ([][]any, error) {
	nr, nc := int(rec.NumRows()), int(rec.NumCols())
	slab := make([]any, nr*nc)
	rows := make([][]any, nr)
	for i := range rows {
		rows[i] = slab[i*nc : (i+1)*nc : (i+1)*nc]
	}
	for c := 0; c < nc; c++ {
		get, err := columnGetter(rec.Column(c))
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", rec.ColumnName(c), err)
		}
		col := rec.Column(c)
		for i := 0; i < nr; i++ {
			if col.IsNull(i) {
				continue
			}
			slab[i*nc+c] = get(i)
		}
	}
	return rows, nil
}

// columnGetter returns a function giving row i of a non-null value.
func columnGetter(col arrow.Array) (func(int) any, error) {
	switch a := col.(type) {
	case *array.Int64:
		return func(i int) any { return a.Value(i) }, nil
	case *array.Int32:
		return func(i int) any { return int64(a.Value(i)) }, nil
	case *array.Int16:
		return func(i int) any { return int64(a.Value(i)) }, nil
	case *array.Int8:
		return func(i int) any { return int64(a.Value(i)) }, nil
	case *array.Uint32:
		return func(i int) any { return int64(a.Value(i)) }, nil
	case *array.Float64:
		return func(i int) any { return a.Value(i) }, nil
	case *array.Float32:
		return func(i int) any { return float64(a.Value(i)) }, nil
	case *array.Boolean:
		return func(i int) any { return a.Value(i) }, nil
	case *array.String:
		return func(i int) any { return a.Value(i) }, nil
	case *array.LargeString:
		return func(i int) any { return a.Value(i) }, nil
	case *array.Binary:
		return func(i int) any { return append([]byte(nil), a.Value(i)...) }, nil
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return func(i int) any { return a.Value(i).ToTime(unit).UTC() }, nil
	case *array.Date32:
		return func(i int) any { return a.Value(i).ToTime().UTC() }, nil
	case *array.Date64:
		return func(i int) any { return a.Value(i).ToTime().UTC() }, nil
	case *array.Dictionary:
		vals, err := columnGetter(a.Dictionary())
		if err != nil {
			return nil, err
		}
		return func(i int) any { return vals(a.GetValueIndex(i)) }, nil
	}
	return nil, fmt.Errorf("unsupported Arrow type %s", col.DataType())
}
