package client

import (
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	stratapb "github.com/stratadb/strata/proto"
)

var allTypes = arrow.NewSchema([]arrow.Field{
	{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "i32", Type: arrow.PrimitiveTypes.Int32},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "s", Type: arrow.BinaryTypes.String},
	{Name: "bin", Type: arrow.BinaryTypes.Binary},
	{Name: "ts", Type: TimestampType},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32},
	{Name: "dict", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Uint8, ValueType: arrow.BinaryTypes.String}},
}, nil)

var ts0 = time.Date(2026, 3, 1, 12, 30, 0, 123456000, time.UTC)

func allTypesRecord(mem memory.Allocator, i int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, allTypes)
	defer b.Release()
	if i%2 == 0 {
		b.Field(0).AppendNull()
	} else {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
	}
	b.Field(1).(*array.Int32Builder).Append(int32(i))
	b.Field(2).(*array.Float64Builder).Append(float64(i) / 2)
	b.Field(3).(*array.BooleanBuilder).Append(i%2 == 1)
	b.Field(4).(*array.StringBuilder).Append("s")
	b.Field(5).(*array.BinaryBuilder).Append([]byte{byte(i)})
	b.Field(6).(*array.TimestampBuilder).Append(arrow.Timestamp(ts0.UnixMicro()))
	b.Field(7).(*array.Date32Builder).Append(arrow.Date32FromTime(ts0))
	if err := b.Field(8).(*array.BinaryDictionaryBuilder).AppendString("eu-west"); err != nil {
		panic(err)
	}
	return b.NewRecordBatch()
}

func TestQueryMultiMessage(t *testing.T) {
	mem := checkedAlloc(t)
	f := newFake()
	f.querySch = allTypes
	for i := range 3 {
		rec := allTypesRecord(memory.DefaultAllocator, i)
		defer rec.Release()
		f.query = append(f.query, rec)
	}
	c := f.start(t, mem)
	req := &stratapb.QueryRequest{Query: &stratapb.QueryRequest_Plan{Plan: &stratapb.Plan{
		Node: &stratapb.Plan_Scan{Scan: &stratapb.Scan{Table: "t"}}}}}
	res, err := c.Query(testCtx(t), req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if res.NumRows() != 3 || len(res.Records) != 3 || res.Stats.GetVersion() != 7 || !res.Schema.Equal(allTypes) {
		t.Fatalf("rows %d, records %d, stats %v, schema %v", res.NumRows(), len(res.Records), res.Stats, res.Schema)
	}
	var rows [][]any
	for row := range res.Rows() {
		rows = append(rows, row)
	}
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	want := []any{int64(1), int32(1), 0.5, true, "s", []byte{1}, ts0, day, "eu-west"}
	if !reflect.DeepEqual(rows[1], want) {
		t.Errorf("row 1 = %#v\nwant    %#v", rows[1], want)
	}
	if rows[0][0] != nil {
		t.Errorf("NULL read as %#v", rows[0][0])
	}
	if rows[1][6].(time.Time).Location() != time.UTC {
		t.Errorf("timestamp not in UTC")
	}
}

func TestQueryEmptyResult(t *testing.T) {
	mem := checkedAlloc(t)
	f := newFake()
	f.querySch = idSchema
	c := f.start(t, mem)
	res, err := c.Query(testCtx(t), &stratapb.QueryRequest{})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if res.NumRows() != 0 || len(res.Records) != 0 || !res.Schema.Equal(idSchema) {
		t.Errorf("rows %d, records %d, schema %v", res.NumRows(), len(res.Records), res.Schema)
	}
	for range res.Rows() {
		t.Error("a row in an empty result")
	}
}

func TestQueryErrorKeepsStatus(t *testing.T) {
	f := newFake()
	f.queryErr = status.Error(codes.InvalidArgument, `unknown column "nope"`)
	c := f.start(t, memory.DefaultAllocator)
	_, err := c.Query(testCtx(t), &stratapb.QueryRequest{})
	if s, _ := status.FromError(err); s.Code() != codes.InvalidArgument || s.Message() != `unknown column "nope"` {
		t.Errorf("got %v", err)
	}
}

func TestDDL(t *testing.T) {
	f := newFake()
	c := f.start(t, memory.DefaultAllocator)
	ctx := testCtx(t)
	def := &stratapb.TableDef{Name: "m", Columns: []*stratapb.Column{
		{Name: "ts", Type: stratapb.ColumnType_TIMESTAMP},
		{Name: "v", Type: stratapb.ColumnType_FLOAT64, Nullable: true},
	}}
	if v, err := c.CreateTable(ctx, def, false); err != nil || v == 0 {
		t.Fatalf("create: %d, %v", v, err)
	}
	if _, err := c.CreateTable(ctx, def, false); status.Code(err) != codes.AlreadyExists {
		t.Errorf("second create: %v", err)
	}
	if _, err := c.CreateTable(ctx, def, true); err != nil {
		t.Errorf("create if not exists: %v", err)
	}
	d, err := c.DescribeTable(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	sch, err := ArrowSchema(d.GetTable())
	if err != nil {
		t.Fatal(err)
	}
	if sch.Field(0).Type.ID() != arrow.TIMESTAMP || !sch.Field(1).Nullable {
		t.Errorf("schema %v", sch)
	}
	if _, err := c.DescribeTable(ctx, "nope"); status.Code(err) != codes.NotFound {
		t.Errorf("describe missing: %v", err)
	}
	if names, err := c.ListTables(ctx); err != nil || len(names) != 1 || names[0] != "m" {
		t.Errorf("list: %v %v", names, err)
	}
	if _, err := c.Status(ctx); status.Code(err) != codes.Unimplemented {
		t.Errorf("status on the fake: %v", err)
	}
}

func TestColumnTypeRoundTrip(t *testing.T) {
	for ct := stratapb.ColumnType_INT64; ct <= stratapb.ColumnType_DATE; ct++ {
		dt, err := ArrowType(ct)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := ColumnTypeOf(dt); err != nil || back != ct {
			t.Errorf("%v -> %v -> %v, %v", ct, dt, back, err)
		}
	}
	if _, err := ColumnTypeOf(arrow.PrimitiveTypes.Uint64); err == nil {
		t.Error("uint64 accepted")
	}
}
