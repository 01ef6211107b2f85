package bench

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

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

// recordSource feeds an Arrow record to pgx's CopyFrom row by row,
// reusing one row of values: no [][]any of the whole batch is built.
type recordSource struct {
	rec  arrow.RecordBatch
	get  []func(int) any
	row  []any
	next int
}

func newRecordSource(rec arrow.RecordBatch) (*recordSource, error) {
	s := &recordSource{rec: rec, row: make([]any, rec.NumCols()), next: -1}
	for c := 0; c < int(rec.NumCols()); c++ {
		get, err := columnGetter(rec.Column(c))
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", rec.ColumnName(c), err)
		}
		s.get = append(s.get, get)
	}
	return s, nil
}

func (s *recordSource) Next() bool {
	s.next++
	return s.next < int(s.rec.NumRows())
}

func (s *recordSource) Values() ([]any, error) {
	for c, get := range s.get {
		if s.rec.Column(c).IsNull(s.next) {
			s.row[c] = nil
		} else {
			s.row[c] = get(s.next)
		}
	}
	return s.row, nil
}

func (s *recordSource) Err() error { return nil }
