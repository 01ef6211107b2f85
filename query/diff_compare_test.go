package query_test

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/internal/refeval"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// diffClasses maps the engine's error sentinels to the reference's own.
// Plan errors are plan's on both sides.
var diffClasses = []struct{ engine, ref error }{
	{query.ErrOverflow, refeval.ErrOverflow},
	{query.ErrDivisionByZero, refeval.ErrDivisionByZero},
	{storage.ErrFutureVersion, refeval.ErrFutureVersion},
	{storage.ErrNoTable, refeval.ErrNoTable},
	{plan.ErrUnknownColumn, plan.ErrUnknownColumn},
	{plan.ErrTypeMismatch, plan.ErrTypeMismatch},
	{plan.ErrBadValue, plan.ErrBadValue},
	{plan.ErrInvalidPlan, plan.ErrInvalidPlan},
}

// diffEngineClass returns the reference sentinel matching an engine error,
// or nil when it wraps none (ErrMemoryLimit included: the test sets no
// limit small enough to hit).
func diffEngineClass(err error) error {
	for _, c := range diffClasses {
		if errors.Is(err, c.engine) {
			return c.ref
		}
	}
	return nil
}

// diffRows reads an engine result as rows, checking its schema (names and
// Arrow types, strings plain utf8) against the reference's.
func diffRows(res *query.Result, want plan.Schema) ([][]plan.Value, error) {
	if err := diffCheckSchema("result", res.Schema, want); err != nil {
		return nil, err
	}
	var rows [][]plan.Value
	for ri, rec := range res.Records {
		if err := diffCheckSchema(fmt.Sprintf("record %d", ri), rec.Schema(), want); err != nil {
			return nil, err
		}
		for i := range int(rec.NumRows()) {
			row := make([]plan.Value, len(want))
			for c := range want {
				v, err := diffValue(rec.Column(c), i, want[c].Type)
				if err != nil {
					return nil, fmt.Errorf("record %d, row %d, column %q: %v", ri, i, want[c].Name, err)
				}
				row[c] = v
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

func diffCheckSchema(what string, got *arrow.Schema, want plan.Schema) error {
	if got == nil {
		return fmt.Errorf("%s has no schema", what)
	}
	if got.NumFields() != len(want) {
		return fmt.Errorf("%s schema %v has %d columns, want %v", what, got, got.NumFields(), want)
	}
	for i, f := range got.Fields() {
		wt := want[i].Type.ArrowType()
		if f.Name != want[i].Name || !arrow.TypeEqual(f.Type, wt) {
			return fmt.Errorf("%s column %d is %s %s, want %s %s", what, i, f.Name, f.Type, want[i].Name, wt)
		}
	}
	return nil
}

func diffValue(a arrow.Array, i int, t storage.ColumnType) (plan.Value, error) {
	if a.IsNull(i) {
		return plan.NullOf(t), nil
	}
	switch a := a.(type) {
	case *array.Int64:
		return plan.Int64(a.Value(i)), nil
	case *array.Int32:
		return plan.Int32(a.Value(i)), nil
	case *array.Float64:
		return plan.Float64(a.Value(i)), nil
	case *array.Boolean:
		return plan.Bool(a.Value(i)), nil
	case *array.String:
		return plan.String(a.Value(i)), nil
	case *array.Binary:
		return plan.Binary(a.Value(i)), nil
	case *array.Timestamp:
		return plan.TimestampMicros(int64(a.Value(i))), nil
	case *array.Date32:
		return plan.Date(int32(a.Value(i))), nil
	}
	return plan.Value{}, fmt.Errorf("unexpected array %T", a)
}
