package main

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/client"
	stratapb "github.com/stratadb/strata/proto"
)

func checkedMem(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

func inferText(t *testing.T, r textReader) []*stratapb.Column {
	t.Helper()
	rows, err := sampleRows(r, inferSampleRows)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := inferColumns(r.columns(), rows)
	if err != nil {
		t.Fatal(err)
	}
	return cols
}

func typesOf(cols []*stratapb.Column) string {
	var s []string
	for _, c := range cols {
		s = append(s, c.Name+":"+strings.ToLower(c.Type.String()))
	}
	return strings.Join(s, " ")
}

func TestInferCSV(t *testing.T) {
	const file = `i,f,mixed,b,d,ts,tz,s,empty,zip
1,1.5,1,true,2026-01-02,2026-01-02 03:04:05,2026-01-02T03:04:05Z,x,,007
-2,2,2.5,FALSE,2026-01-03,2026-01-02 03:04:05.123456,2026-01-02,y,,
,,,,,,,,,1e3
`
	r, err := newCSVReader(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	cols := inferText(t, r)
	want := "i:int64 f:float64 mixed:float64 b:bool d:date ts:timestamp tz:timestamp s:string empty:string zip:float64"
	if got := typesOf(cols); got != want {
		t.Errorf("types\n got %s\nwant %s", got, want)
	}
	for _, c := range cols {
		if !c.Nullable {
			t.Errorf("column %s not nullable: inferred columns all are", c.Name)
		}
	}
}

func TestInferCSVNotNumbers(t *testing.T) {
	r, err := newCSVReader(strings.NewReader("a,b,c\nNaN,0x10,1\ninf,12,yes\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := typesOf(inferText(t, r)); got != "a:string b:string c:string" {
		t.Errorf("got %s", got)
	}
}

func TestInferJSONL(t *testing.T) {
	const file = `{"n": 1, "x": 1.5, "s": "2026-01-01", "t": "2026-01-01 10:00:00", "b": true, "q": "7", "m": 1}

{"n": 2, "x": 2, "s": "2026-01-02", "t": null, "b": false, "q": "8", "m": "one", "late": "z"}
`
	r := newJSONLReader(strings.NewReader(file))
	got := typesOf(inferText(t, r))
	want := "n:int64 x:float64 s:date t:timestamp b:bool q:string m:string late:string"
	if got != want {
		t.Errorf("types\n got %s\nwant %s", got, want)
	}
}

func TestInferJSONLNested(t *testing.T) {
	r := newJSONLReader(strings.NewReader(`{"a": {"b": [1, {"c": 2}]}, "d": 1}` + "\n"))
	rows, err := sampleRows(r, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inferColumns(r.columns(), rows); err == nil || !strings.Contains(err.Error(), `column "a" holds JSON objects`) {
		t.Errorf("got %v", err)
	}
}

func TestJSONLErrors(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"[1, 2]\n", "line 1: not a JSON object"},
		{"{\"a\": 1}\n{\"a\": }\n", "line 2: key \"a\": invalid JSON"},
		{"{\"a\": 1} {\"a\": 2}\n", "line 1: more than one JSON value"},
	} {
		r := newJSONLReader(strings.NewReader(tc.file))
		_, err := sampleRows(r, 10)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.file, err, tc.want)
		}
	}
}

var txSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "account", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "ts", Type: client.TimestampType, Nullable: true},
	{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "n32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "raw", Type: arrow.BinaryTypes.Binary, Nullable: true},
}, nil)

// textBatchesOf opens a CSV against txSchema the way runLoad does for an
// existing table (no sample).
func textBatchesOf(t *testing.T, mem memory.Allocator, file string) *textBatches {
	t.Helper()
	r, err := newCSVReader(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	target, idx, err := mapColumns(r.columns(), txSchema, "tx")
	if err != nil {
		t.Fatal(err)
	}
	b := newTextBatches(mem, "tx.csv", r, nil, target, idx)
	t.Cleanup(b.close)
	return b
}

func TestTextBatchesConvert(t *testing.T) {
	mem := checkedMem(t)
	const file = "ts,id,amount,ok,account,day,n32,raw\n" +
		"2026-01-02 03:04:05.5,1,1.25,t,a,2026-01-02,7,\\x00ff\n" +
		"2026-01-02T03:04:05+01:00,2,,no,\"b, quoted\",,,plain\n" +
		"2026-01-02,3,-3e2,TRUE,,1970-01-01,-5,\n"
	b := textBatchesOf(t, mem, file)
	rec, err := b.next(2)
	if err != nil {
		t.Fatal(err)
	}
	if rec.NumRows() != 2 || rec.Schema().Field(0).Name != "ts" {
		t.Fatalf("first batch: %d rows, schema %v", rec.NumRows(), rec.Schema())
	}
	ts := rec.Column(0).(*array.Timestamp)
	want0 := time.Date(2026, 1, 2, 3, 4, 5, 500e6, time.UTC)
	want1 := time.Date(2026, 1, 2, 2, 4, 5, 0, time.UTC)
	if ts.Value(0).ToTime(arrow.Microsecond) != want0 || ts.Value(1).ToTime(arrow.Microsecond) != want1 {
		t.Errorf("timestamps %v %v", ts.Value(0).ToTime(arrow.Microsecond), ts.Value(1).ToTime(arrow.Microsecond))
	}
	if !rec.Column(2).IsNull(1) || rec.Column(2).(*array.Float64).Value(0) != 1.25 {
		t.Errorf("amounts %v", rec.Column(2))
	}
	if v := rec.Column(4).(*array.String).Value(1); v != "b, quoted" {
		t.Errorf("account %q", v)
	}
	if v := rec.Column(7).(*array.Binary).Value(0); string(v) != "\x00\xff" {
		t.Errorf("hex binary %q", v)
	}
	rec.Release()
	rec, err = b.next(2)
	if err != nil || rec.NumRows() != 1 {
		t.Fatalf("last batch: %v, %v", rec, err)
	}
	if d := rec.Column(5).(*array.Date32).Value(0); d != 0 {
		t.Errorf("1970-01-01 read as day %d", d)
	}
	if v := rec.Column(0).(*array.Timestamp).Value(0).ToTime(arrow.Microsecond); v != time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC) {
		t.Errorf("date as timestamp %v", v)
	}
	rec.Release()
	if _, err := b.next(2); !errors.Is(err, io.EOF) {
		t.Errorf("after the end: %v", err)
	}
}

func TestTextBatchesValueError(t *testing.T) {
	mem := checkedMem(t)
	const file = "id,amount,account\n" +
		"1,1.5,a\n" +
		"2,\"multi\nline\",b\n" +
		"3,2.5,c\n" +
		"4,abc,d\n"
	b := textBatchesOf(t, mem, file)
	rec, err := b.next(1)
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
	_, err = b.next(5)
	var ve *valueError
	if !errors.As(err, &ve) || ve.line != 3 || ve.column != "amount" || ve.value != "multi\nline" {
		t.Fatalf("got %v", err)
	}
	want := `tx.csv:3: column "amount": cannot read as float64: "multi\nline"`
	if err.Error() != want {
		t.Errorf("message\n got %s\nwant %s", err, want)
	}
}

func TestTextBatchesLineNumbers(t *testing.T) {
	mem := checkedMem(t)
	b := textBatchesOf(t, mem, "id,amount\n1,1\n2,\"x\ny\"\n3,2\n4,bad\n")
	_, err := b.next(10)
	var ve *valueError
	if !errors.As(err, &ve) || ve.line != 3 {
		t.Fatalf("got %v, want line 3", err)
	}
	// The batch holding the bad row is dropped whole; reading on works.
}

func TestTextBatchesNullInNotNull(t *testing.T) {
	mem := checkedMem(t)
	b := textBatchesOf(t, mem, "id,amount\n,1\n")
	_, err := b.next(10)
	if err == nil || !strings.Contains(err.Error(), `tx.csv:2: column "id": NULL`) {
		t.Fatalf("got %v", err)
	}
}

func TestCSVWrongFieldCount(t *testing.T) {
	mem := checkedMem(t)
	b := textBatchesOf(t, mem, "id,amount\n1,2\n3\n")
	_, err := b.next(10)
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("got %v", err)
	}
}

func TestMapColumns(t *testing.T) {
	target, idx, err := mapColumns([]string{"amount", "id"}, txSchema, "tx")
	if err != nil || target.Field(0).Name != "amount" || target.Field(1).Name != "id" || idx[1] != 1 {
		t.Fatalf("got %v %v %v", target, idx, err)
	}
	if _, _, err := mapColumns([]string{"id", "nope"}, txSchema, "tx"); err == nil ||
		!strings.Contains(err.Error(), `the file's column "nope" is not a column of table "tx" (its columns: id, account`) {
		t.Errorf("unknown column: %v", err)
	}
	if _, _, err := mapColumns([]string{"amount"}, txSchema, "tx"); err == nil ||
		!strings.Contains(err.Error(), `NOT NULL column "id" that the file lacks`) {
		t.Errorf("missing NOT NULL column: %v", err)
	}
}

func TestFileFormat(t *testing.T) {
	for _, tc := range []struct{ file, flag, want, err string }{
		{"a.csv", "", "csv", ""},
		{"a.CSV", "", "csv", ""},
		{"a.jsonl", "", "jsonl", ""},
		{"a.ndjson", "", "jsonl", ""},
		{"a.parquet", "", "parquet", ""},
		{"a.txt", "csv", "csv", ""},
		{"a.txt", "", "", "extension"},
		{"-", "", "", "needs --format"},
		{"-", "jsonl", "jsonl", ""},
		{"a.csv", "xml", "", "unknown --format"},
	} {
		got, err := fileFormat(tc.file, tc.flag)
		if got != tc.want || (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("fileFormat(%q, %q) = %q, %v", tc.file, tc.flag, got, err)
		}
	}
}
