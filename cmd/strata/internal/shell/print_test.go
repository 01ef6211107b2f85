package shell

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var allTypes = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "n32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "raw", Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
	{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "host", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, Nullable: true},
}, nil)

// allTypesRecord has a row of values, a row of NULLs, and a row of edge
// cases (wide text, a multi-line value, a float needing an exponent).
func allTypesRecord(t *testing.T, mem memory.Allocator) arrow.RecordBatch {
	t.Helper()
	b := array.NewRecordBuilder(mem, allTypes)
	defer b.Release()
	ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 0, -42}, []bool{true, false, true})
	b.Field(1).(*array.Int32Builder).AppendValues([]int32{7, 0, math.MaxInt32}, []bool{true, false, true})
	b.Field(2).(*array.Float64Builder).AppendValues([]float64{1.5, 0, 1e20}, []bool{true, false, true})
	b.Field(3).(*array.BooleanBuilder).AppendValues([]bool{true, false, false}, []bool{true, false, true})
	b.Field(4).(*array.StringBuilder).AppendValues([]string{"alice", "", "two\nlines"}, []bool{true, false, true})
	b.Field(5).(*array.BinaryBuilder).AppendValues([][]byte{{0x01, 0xab}, nil, {}}, []bool{true, false, true})
	tb := b.Field(6).(*array.TimestampBuilder)
	tb.Append(arrow.Timestamp(ts.UnixMicro()))
	tb.AppendNull()
	tb.Append(arrow.Timestamp(ts.Add(123400 * time.Microsecond).UnixMicro()))
	db := b.Field(7).(*array.Date32Builder)
	db.Append(arrow.Date32FromTime(ts))
	db.AppendNull()
	db.Append(arrow.Date32FromTime(time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)))
	hb := b.Field(8).(*array.BinaryDictionaryBuilder)
	hb.AppendString("host-01")
	hb.AppendNull()
	hb.AppendString("host-01")
	return b.NewRecordBatch()
}

func printed(t *testing.T, f Format, o PrintOptions) string {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := allTypesRecord(t, mem)
	defer rec.Release()
	var out bytes.Buffer
	if err := Write(&out, f, allTypes, []arrow.RecordBatch{rec}, o); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestWriteTable(t *testing.T) {
	want := `
 id  |    n32     |   x   | ok | name  |  raw   |            ts            |    day     |  host
-----+------------+-------+----+-------+--------+--------------------------+------------+---------
   1 |          7 |   1.5 | t  | alice | \x01ab | 2024-01-02 03:04:05      | 2024-01-02 | host-01
     |            |       |    |       |        |                          |            |
 -42 | 2147483647 | 1e+20 | f  | two  +| \x     | 2024-01-02 03:04:05.1234 | 1969-12-31 | host-01
     |            |       |    | lines |        |                          |            |
`[1:]
	if got := printed(t, FormatTable, PrintOptions{}); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestWriteTableNullAndNumeric(t *testing.T) {
	got := printed(t, FormatTable, PrintOptions{Null: "(null)"})
	if line := strings.Split(got, "\n")[3]; line != " (null) |     (null) | (null) | (null) | (null) | (null) | (null)                   | (null)     | (null)" {
		t.Errorf("NULL row: %q", line)
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "sum", Type: arrow.BinaryTypes.String}}, nil)
	b := array.NewStringBuilder(memory.DefaultAllocator)
	b.AppendValues([]string{"12345678901234567890", "1"}, nil)
	col := b.NewArray()
	defer col.Release()
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, 2)
	defer rec.Release()
	var out bytes.Buffer
	WriteTable(&out, schema, []arrow.RecordBatch{rec}, PrintOptions{Numeric: []bool{true}})
	if want := "         sum\n----------------------\n 12345678901234567890\n                    1\n"; out.String() != want {
		t.Errorf("numeric text column:\n%s", out.String())
	}
}

func TestWriteTableEmptyAndExplain(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "QUERY PLAN", Type: arrow.BinaryTypes.String}}, nil)
	var out bytes.Buffer
	WriteTable(&out, schema, nil, PrintOptions{})
	if out.String() != " QUERY PLAN\n------------\n" {
		t.Errorf("empty: %q", out.String())
	}
	long := "Aggregate (count(*)) " + strings.Repeat("-> Scan telemetry ", 20)
	b := array.NewStringBuilder(memory.DefaultAllocator)
	b.AppendValues([]string{long, "  Chunks: 12 scanned, 3 pruned"}, nil)
	col := b.NewArray()
	defer col.Release()
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, 2)
	defer rec.Release()
	out.Reset()
	WriteTable(&out, schema, []arrow.RecordBatch{rec}, PrintOptions{})
	lines := strings.Split(out.String(), "\n")
	if lines[2] != " "+strings.TrimRight(long, " ") || lines[3] != "   Chunks: 12 scanned, 3 pruned" {
		t.Errorf("plan lines cut or misaligned:\n%s", out.String())
	}
	if !strings.HasPrefix(lines[0], strings.Repeat(" ", len(long)/2-4)+"QUERY PLAN") {
		t.Errorf("header not centred: %q", lines[0])
	}
}

func TestWriteExpanded(t *testing.T) {
	got := printed(t, FormatTable, PrintOptions{Expanded: true})
	want := `
-[ RECORD 1 ]------------------
id   | 1
n32  | 7
x    | 1.5
ok   | t
name | alice
raw  | \x01ab
ts   | 2024-01-02 03:04:05
day  | 2024-01-02
host | host-01
-[ RECORD 2 ]------------------
id   |
n32  |
x    |
ok   |
name |
raw  |
ts   |
day  |
host |
-[ RECORD 3 ]------------------
id   | -42
n32  | 2147483647
x    | 1e+20
ok   | f
name | two
     | lines
raw  | \x
ts   | 2024-01-02 03:04:05.1234
day  | 1969-12-31
host | host-01
`[1:]
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestWriteCSV(t *testing.T) {
	want := `id,n32,x,ok,name,raw,ts,day,host
1,7,1.5,t,alice,\x01ab,2024-01-02 03:04:05,2024-01-02,host-01
,,,,,,,,
-42,2147483647,1e+20,f,"two
lines",\x,2024-01-02 03:04:05.1234,1969-12-31,host-01
`
	if got := printed(t, FormatCSV, PrintOptions{}); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := printed(t, FormatCSV, PrintOptions{Null: "NULL"}); !strings.Contains(got, "\nNULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL\n") {
		t.Errorf("NULL as NULL:\n%s", got)
	}
}

func TestWriteJSON(t *testing.T) {
	want := `{"id":1,"n32":7,"x":1.5,"ok":true,"name":"alice","raw":"\\x01ab","ts":"2024-01-02T03:04:05Z","day":"2024-01-02","host":"host-01"}
{"id":null,"n32":null,"x":null,"ok":null,"name":null,"raw":null,"ts":null,"day":null,"host":null}
{"id":-42,"n32":2147483647,"x":1e+20,"ok":false,"name":"two\nlines","raw":"\\x","ts":"2024-01-02T03:04:05.1234Z","day":"1969-12-31","host":"host-01"}
`
	if got := printed(t, FormatJSON, PrintOptions{}); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	for _, line := range strings.Split(strings.TrimSpace(want), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Errorf("not JSON: %s: %v", line, err)
		}
	}
}

var point1 = 0.1 // a variable: constant arithmetic is exact

func TestFormatFloat(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		want string
	}{
		{0, "0"}, {1.5, "1.5"}, {-0.25, "-0.25"}, {point1 + 0.2, "0.30000000000000004"},
		{1234567, "1234567"}, {123456789012345, "123456789012345"}, {1e15, "1e+15"},
		{1e20, "1e+20"}, {0.0001, "0.0001"}, {0.00001234, "1.234e-05"}, {1e-300, "1e-300"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"}, {math.NaN(), "NaN"},
	} {
		if got := FormatFloat(tc.f, 64); got != tc.want {
			t.Errorf("FormatFloat(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
	if got := FormatFloat(float64(float32(0.1)), 32); got != "0.1" {
		t.Errorf("float4 0.1 = %q", got)
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"table": FormatTable, "aligned": FormatTable, "CSV": FormatCSV, "json": FormatJSON} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), `unknown format "xml"`) {
		t.Errorf("xml: %v", err)
	}
	if Footer(1) != "(1 row)" || Footer(0) != "(0 rows)" || Footer(12) != "(12 rows)" {
		t.Error("footer")
	}
}
