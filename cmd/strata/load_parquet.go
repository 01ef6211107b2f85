package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/stratadb/strata/client"
	stratapb "github.com/stratadb/strata/proto"
)

// parquetFile is an open Parquet file read through Arrow.
type parquetFile struct {
	name   string
	f      *os.File
	pf     *file.Reader
	fr     *pqarrow.FileReader
	schema *arrow.Schema
}

func openParquet(mem memory.Allocator, name string, batchRows int) (*parquetFile, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	pf, err := file.NewParquetReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: not a readable Parquet file: %w", name, err)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: int64(batchRows)}, mem)
	if err != nil {
		pf.Close()
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	sch, err := fr.Schema()
	if err != nil {
		pf.Close()
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &parquetFile{name: name, f: f, pf: pf, fr: fr, schema: sch}, nil
}

func (p *parquetFile) numRows() int64 { return p.pf.NumRows() }

func (p *parquetFile) close() {
	p.pf.Close()
	p.f.Close()
}

func (p *parquetFile) columns() []string { return fieldNames(p.schema) }

// parquetColumns are the columns of a table created from the file: each
// Arrow type mapped to the Strata type it converts to losslessly.
func parquetColumns(sch *arrow.Schema) ([]*stratapb.Column, error) {
	cols := make([]*stratapb.Column, sch.NumFields())
	for i, f := range sch.Fields() {
		t, err := strataTypeOf(f.Type)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", f.Name, err)
		}
		cols[i] = &stratapb.Column{Name: f.Name, Type: t, Nullable: f.Nullable}
	}
	return cols, nil
}

func strataTypeOf(dt arrow.DataType) (stratapb.ColumnType, error) {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.UINT8, arrow.UINT16:
		return stratapb.ColumnType_INT32, nil
	case arrow.INT64, arrow.UINT32, arrow.UINT64:
		return stratapb.ColumnType_INT64, nil
	case arrow.FLOAT32, arrow.FLOAT64:
		return stratapb.ColumnType_FLOAT64, nil
	case arrow.BOOL:
		return stratapb.ColumnType_BOOL, nil
	case arrow.STRING, arrow.LARGE_STRING:
		return stratapb.ColumnType_STRING, nil
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.FIXED_SIZE_BINARY:
		return stratapb.ColumnType_BINARY, nil
	case arrow.TIMESTAMP:
		return stratapb.ColumnType_TIMESTAMP, nil
	case arrow.DATE32, arrow.DATE64:
		return stratapb.ColumnType_DATE, nil
	case arrow.DICTIONARY:
		switch dt.(*arrow.DictionaryType).ValueType.ID() {
		case arrow.STRING, arrow.LARGE_STRING:
			return stratapb.ColumnType_STRING, nil
		}
	}
	return 0, fmt.Errorf("Parquet/Arrow type %s is not supported (Strata stores integers, floats, booleans, strings, binary, timestamps and dates)", dt)
}

// parquetBatches reads record batches and converts them to the target
// schema, re-cut to exactly n rows.
type parquetBatches struct {
	p      *parquetFile
	rr     pqarrow.RecordReader
	mem    memory.Allocator
	target *arrow.Schema
	idx    []int
	carry  []arrow.RecordBatch // converted rows not yet returned
	rows   int64               // rows in carry
	eof    bool
}

func newParquetBatches(ctx context.Context, mem memory.Allocator, p *parquetFile, target *arrow.Schema, idx []int) (*parquetBatches, error) {
	for j, i := range idx {
		if _, err := convertColumnType(p.schema.Field(i).Type, target.Field(j).Type); err != nil {
			return nil, fmt.Errorf("%s: column %q: %w", p.name, target.Field(j).Name, err)
		}
	}
	// Every file column is a table column (mapColumns checked), so all
	// are read; idx picks them by field position.
	rr, err := p.fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.name, err)
	}
	return &parquetBatches{p: p, rr: rr, mem: mem, target: target, idx: idx}, nil
}

func (b *parquetBatches) schema() *arrow.Schema { return b.target }

func (b *parquetBatches) close() {
	b.rr.Release()
	for _, r := range b.carry {
		r.Release()
	}
	b.carry = nil
}

func (b *parquetBatches) next(n int) (arrow.RecordBatch, error) {
	for b.rows < int64(n) && !b.eof {
		if !b.rr.Next() {
			if err := b.rr.Err(); err != nil {
				return nil, fmt.Errorf("%s: %w", b.p.name, err)
			}
			b.eof = true
			break
		}
		rec, err := b.convert(b.rr.RecordBatch())
		if err != nil {
			return nil, err
		}
		b.carry = append(b.carry, rec)
		b.rows += rec.NumRows()
	}
	if b.rows == 0 {
		return nil, io.EOF
	}
	return b.take(min(int64(n), b.rows))
}

// take removes the first n carried rows as one record.
func (b *parquetBatches) take(n int64) (arrow.RecordBatch, error) {
	var parts []arrow.RecordBatch
	left := n
	for left > 0 {
		r := b.carry[0]
		if r.NumRows() <= left {
			parts = append(parts, r)
			left -= r.NumRows()
			b.carry = b.carry[1:]
			continue
		}
		parts = append(parts, r.NewSlice(0, left))
		b.carry[0] = r.NewSlice(left, r.NumRows())
		r.Release()
		left = 0
	}
	b.rows -= n
	defer func() {
		for _, p := range parts {
			p.Release()
		}
	}()
	if len(parts) == 1 {
		parts[0].Retain()
		return parts[0], nil
	}
	return concatRecords(b.mem, b.target, parts)
}

func concatRecords(mem memory.Allocator, sch *arrow.Schema, parts []arrow.RecordBatch) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, sch.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for c := range cols {
		arrs := make([]arrow.Array, len(parts))
		for i, p := range parts {
			arrs[i] = p.Column(c)
		}
		var err error
		if cols[c], err = array.Concatenate(arrs, mem); err != nil {
			return nil, err
		}
	}
	return array.NewRecordBatch(sch, cols, -1), nil
}

// convert turns a file record into the target schema.
func (b *parquetBatches) convert(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, len(b.idx))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for j := range b.idx {
		f := b.target.Field(j)
		var err error
		if cols[j], err = convertArray(b.mem, rec.Column(b.idx[j]), f.Type); err != nil {
			return nil, fmt.Errorf("%s: column %q: %w", b.p.name, f.Name, err)
		}
		if !f.Nullable && cols[j].NullN() > 0 {
			return nil, fmt.Errorf("%s: column %q is NOT NULL in the table but has NULLs in the file", b.p.name, f.Name)
		}
	}
	return array.NewRecordBatch(b.target, cols, rec.NumRows()), nil
}

// convertColumnType says how a file column type loads into a table column
// type, or why it cannot.
func convertColumnType(from, to arrow.DataType) (stratapb.ColumnType, error) {
	want, err := client.ColumnTypeOf(to)
	if err != nil {
		return 0, err
	}
	have, err := strataTypeOf(from)
	if err != nil {
		return 0, err
	}
	ok := have == want ||
		(have == stratapb.ColumnType_INT32 && want == stratapb.ColumnType_INT64) ||
		((have == stratapb.ColumnType_INT32 || have == stratapb.ColumnType_INT64) && want == stratapb.ColumnType_FLOAT64) ||
		(have == stratapb.ColumnType_INT64 && want == stratapb.ColumnType_INT32) || // range-checked
		(have == stratapb.ColumnType_DATE && want == stratapb.ColumnType_TIMESTAMP)
	if !ok {
		return 0, fmt.Errorf("the file's %s cannot be loaded into a %s column", from, want)
	}
	return want, nil
}

// convertArray converts one column to the target Arrow type.
func convertArray(mem memory.Allocator, a arrow.Array, to arrow.DataType) (arrow.Array, error) {
	if arrow.TypeEqual(a.DataType(), to) {
		a.Retain()
		return a, nil
	}
	b := array.NewBuilder(mem, to)
	defer b.Release()
	b.Reserve(a.Len())
	get, err := valueGetter(a)
	if err != nil {
		return nil, err
	}
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			b.AppendNull()
			continue
		}
		if err := appendConverted(b, get(i)); err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
	}
	return b.NewArray(), nil
}

// converted is one source value in a common form.
type converted struct {
	i     int64
	u     uint64 // for uint64 sources
	isU   bool
	f     float64
	isF   bool
	s     []byte
	b     bool
	us    int64 // timestamp, µs UTC
	days  int64 // date
	isTS  bool
	isDay bool
}

func valueGetter(a arrow.Array) (func(int) converted, error) {
	switch a := a.(type) {
	case *array.Int8:
		return func(i int) converted { return converted{i: int64(a.Value(i))} }, nil
	case *array.Int16:
		return func(i int) converted { return converted{i: int64(a.Value(i))} }, nil
	case *array.Int32:
		return func(i int) converted { return converted{i: int64(a.Value(i))} }, nil
	case *array.Int64:
		return func(i int) converted { return converted{i: a.Value(i)} }, nil
	case *array.Uint8:
		return func(i int) converted { return converted{i: int64(a.Value(i))} }, nil
	case *array.Uint16:
		return func(i int) converted { return converted{i: int64(a.Value(i))} }, nil
	case *array.Uint32:
		return func(i int) converted { return converted{i: int64(a.Value(i))} }, nil
	case *array.Uint64:
		return func(i int) converted { return converted{u: a.Value(i), isU: true} }, nil
	case *array.Float32:
		return func(i int) converted { return converted{f: float64(a.Value(i)), isF: true} }, nil
	case *array.Float64:
		return func(i int) converted { return converted{f: a.Value(i), isF: true} }, nil
	case *array.Boolean:
		return func(i int) converted { return converted{b: a.Value(i)} }, nil
	case *array.String:
		return func(i int) converted { return converted{s: []byte(a.Value(i))} }, nil
	case *array.LargeString:
		return func(i int) converted { return converted{s: []byte(a.Value(i))} }, nil
	case *array.Binary:
		return func(i int) converted { return converted{s: a.Value(i)} }, nil
	case *array.LargeBinary:
		return func(i int) converted { return converted{s: a.Value(i)} }, nil
	case *array.FixedSizeBinary:
		return func(i int) converted { return converted{s: a.Value(i)} }, nil
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return func(i int) converted {
			return converted{us: a.Value(i).ToTime(unit).UnixMicro(), isTS: true}
		}, nil
	case *array.Date32:
		return func(i int) converted { return converted{days: int64(a.Value(i)), isDay: true} }, nil
	case *array.Date64:
		return func(i int) converted {
			return converted{days: int64(math.Floor(float64(a.Value(i)) / 86_400_000)), isDay: true}
		}, nil
	case *array.Dictionary:
		inner, err := valueGetter(a.Dictionary())
		if err != nil {
			return nil, err
		}
		return func(i int) converted { return inner(a.GetValueIndex(i)) }, nil
	}
	return nil, fmt.Errorf("type %s is not supported", a.DataType())
}

var errOutOfRange = errors.New("value out of range")

func appendConverted(b array.Builder, v converted) error {
	switch b := b.(type) {
	case *array.Int64Builder:
		if v.isU && v.u > math.MaxInt64 {
			return fmt.Errorf("%w: %d does not fit int64", errOutOfRange, v.u)
		}
		b.Append(v.i + int64(v.u))
	case *array.Int32Builder:
		if v.isU || v.i != int64(int32(v.i)) {
			return fmt.Errorf("%w: %d does not fit int32", errOutOfRange, v.i+int64(v.u))
		}
		b.Append(int32(v.i))
	case *array.Float64Builder:
		switch {
		case v.isF:
			b.Append(v.f)
		case v.isU:
			b.Append(float64(v.u))
		default:
			b.Append(float64(v.i))
		}
	case *array.BooleanBuilder:
		b.Append(v.b)
	case *array.StringBuilder:
		b.BinaryBuilder.Append(v.s)
	case *array.BinaryBuilder:
		b.Append(v.s)
	case *array.TimestampBuilder:
		if v.isDay {
			v.us = v.days * 86_400_000_000
		}
		b.Append(arrow.Timestamp(v.us))
	case *array.Date32Builder:
		b.Append(arrow.Date32(v.days))
	default:
		return fmt.Errorf("BUG: no conversion to %s", b.Type())
	}
	return nil
}
