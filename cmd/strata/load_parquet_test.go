package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/stratadb/strata/client"
	stratapb "github.com/stratadb/strata/proto"
)

var parquetSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "small", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
	{Name: "u32", Type: arrow.PrimitiveTypes.Uint32},
	{Name: "f32", Type: arrow.PrimitiveTypes.Float32},
	{Name: "name", Type: arrow.BinaryTypes.LargeString, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}},
	{Name: "day", Type: arrow.FixedWidthTypes.Date32},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
}, nil)

var parquetT0 = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)

// writeParquet writes n rows in row groups of groupRows.
func writeParquet(t *testing.T, sch *arrow.Schema, n, groupRows int, fill func(b *array.RecordBuilder, i int)) string {
	t.Helper()
	b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
	defer b.Release()
	for i := 0; i < n; i++ {
		fill(b, i)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	tbl := array.NewTableFromRecords(sch, []arrow.RecordBatch{rec})
	defer tbl.Release()
	path := filepath.Join(t.TempDir(), "data.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	props := parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(int64(groupRows)))
	if err := pqarrow.WriteTable(tbl, f, int64(groupRows), props, pqarrow.DefaultWriterProps()); err != nil {
		t.Fatal(err)
	}
	return path
}

func fillParquet(b *array.RecordBuilder, i int) {
	b.Field(0).(*array.Int64Builder).Append(int64(i))
	if i%3 == 0 {
		b.Field(1).AppendNull()
		b.Field(4).AppendNull()
	} else {
		b.Field(1).(*array.Int16Builder).Append(int16(-i))
		b.Field(4).(*array.LargeStringBuilder).Append("n" + string(rune('a'+i%26)))
	}
	b.Field(2).(*array.Uint32Builder).Append(uint32(4_000_000_000 + i))
	b.Field(3).(*array.Float32Builder).Append(float32(i) + 0.5)
	b.Field(5).(*array.TimestampBuilder).Append(arrow.Timestamp(parquetT0.Add(time.Duration(i)*time.Second + 1500).UnixNano()))
	b.Field(6).(*array.Date32Builder).Append(arrow.Date32FromTime(parquetT0) + arrow.Date32(i))
	b.Field(7).(*array.BooleanBuilder).Append(i%2 == 0)
}

func TestParquetCreateAndRead(t *testing.T) {
	mem := checkedMem(t)
	path := writeParquet(t, parquetSchema, 100, 30, fillParquet)
	p, err := openParquet(mem, path, 40)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	cols, err := parquetColumns(p.schema)
	if err != nil {
		t.Fatal(err)
	}
	if got := typesOf(cols); got != "id:int64 small:int32 u32:int64 f32:float64 name:string ts:timestamp day:date ok:bool" {
		t.Fatalf("columns %s", got)
	}
	table, err := client.ArrowSchema(tableDefOf("p", cols))
	if err != nil {
		t.Fatal(err)
	}
	target, idx, err := mapColumns(p.columns(), table, "p")
	if err != nil {
		t.Fatal(err)
	}
	br, err := newParquetBatches(context.Background(), mem, p, target, idx)
	if err != nil {
		t.Fatal(err)
	}
	defer br.close()
	next := int64(0)
	for {
		rec, err := br.next(40)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if want := min(40, 100-next); rec.NumRows() != want {
			t.Errorf("batch at %d has %d rows, want %d (batches are exactly --batch-rows)", next, rec.NumRows(), want)
		}
		checkParquetRows(t, rec, next)
		next += rec.NumRows()
		rec.Release()
	}
	if next != 100 {
		t.Errorf("read %d rows", next)
	}
}

func checkParquetRows(t *testing.T, rec arrow.RecordBatch, first int64) {
	t.Helper()
	for r := 0; r < int(rec.NumRows()); r++ {
		i := first + int64(r)
		if got := rec.Column(0).(*array.Int64).Value(r); got != i {
			t.Fatalf("row %d: id %d", i, got)
		}
		if small := rec.Column(1); (i%3 == 0) != small.IsNull(r) || !small.IsNull(r) && small.(*array.Int32).Value(r) != int32(-i) {
			t.Errorf("row %d: small %v", i, small)
		}
		if u := rec.Column(2).(*array.Int64).Value(r); u != 4_000_000_000+i {
			t.Errorf("row %d: u32 %d", i, u)
		}
		ts := rec.Column(5).(*array.Timestamp).Value(r).ToTime(arrow.Microsecond)
		if want := parquetT0.Add(time.Duration(i)*time.Second + time.Microsecond); !ts.Equal(want) {
			t.Errorf("row %d: ts %v, want %v (ns truncated to µs)", i, ts, want)
		}
		if !arrow.TypeEqual(rec.Schema().Field(5).Type, client.TimestampType) {
			t.Errorf("ts type %s", rec.Schema().Field(5).Type)
		}
	}
}

func TestParquetIntoExistingTable(t *testing.T) {
	mem := checkedMem(t)
	path := writeParquet(t, parquetSchema, 10, 10, fillParquet)
	p, err := openParquet(mem, path, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	// u32 into int32 cannot fit; float into int64 is refused up front.
	table := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Float64}, {Name: "small", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "u32", Type: arrow.PrimitiveTypes.Int32}, {Name: "f32", Type: arrow.PrimitiveTypes.Float64},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true}, {Name: "ts", Type: client.TimestampType},
		{Name: "day", Type: client.TimestampType}, {Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
	}, nil)
	target, idx, err := mapColumns(p.columns(), table, "p")
	if err != nil {
		t.Fatal(err)
	}
	br, err := newParquetBatches(context.Background(), mem, p, target, idx)
	if err != nil {
		t.Fatal(err)
	}
	defer br.close()
	_, err = br.next(10)
	if err == nil || !strings.Contains(err.Error(), `column "u32": row 0: value out of range: 4000000000 does not fit int32`) {
		t.Fatalf("got %v", err)
	}

	table = arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.FixedWidthTypes.Boolean}}, nil)
	if _, err := newParquetBatches(context.Background(), mem, p, table, []int{0}); err == nil ||
		!strings.Contains(err.Error(), `column "id": the file's int64 cannot be loaded into a BOOL column`) {
		t.Errorf("got %v", err)
	}
}

func TestParquetUnsupportedType(t *testing.T) {
	mem := checkedMem(t)
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String)},
	}, nil)
	path := writeParquet(t, sch, 3, 3, func(b *array.RecordBuilder, i int) {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		lb := b.Field(1).(*array.ListBuilder)
		lb.Append(true)
		lb.ValueBuilder().(*array.StringBuilder).Append("x")
	})
	p, err := openParquet(mem, path, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	if _, err := parquetColumns(p.schema); err == nil || !strings.Contains(err.Error(), `column "tags": Parquet/Arrow type list<element: utf8, nullable> is not supported`) {
		t.Errorf("got %v", err)
	}
}

func TestParquetNotAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.parquet")
	os.WriteFile(path, []byte("id,name\n1,a\n"), 0o644)
	if _, err := openParquet(memory.DefaultAllocator, path, 10); err == nil || !strings.Contains(err.Error(), "not a readable Parquet file") {
		t.Errorf("got %v", err)
	}
}

func tableDefOf(name string, cols []*stratapb.Column) *stratapb.TableDef {
	return &stratapb.TableDef{Name: name, Columns: cols}
}
