package ingest

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/storage"
)

// allTypes has one column of every type; only id is NOT NULL.
var allTypes = storage.TableDef{Name: "t", Columns: []storage.Column{
	{Name: "id", Type: storage.TypeInt64},
	{Name: "i32", Type: storage.TypeInt32, Nullable: true},
	{Name: "f", Type: storage.TypeFloat64, Nullable: true},
	{Name: "b", Type: storage.TypeBool, Nullable: true},
	{Name: "s", Type: storage.TypeString, Nullable: true},
	{Name: "bin", Type: storage.TypeBinary, Nullable: true},
	{Name: "ts", Type: storage.TypeTimestamp, Nullable: true},
	{Name: "d", Type: storage.TypeDate, Nullable: true},
}}

// row values: int64, int32, float64, bool, string, []byte, ts (int64 µs),
// date (int32 days), nil for NULL.
type row []any

func ts(s string) int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMicro()
}

func date(s string) int32 {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return int32(t.Unix() / 86400)
}

func newDecoder(t testing.TB, def storage.TableDef, format string) (*RecordDecoder, *memory.CheckedAllocator) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	d, err := NewRecordDecoder(def, format, mem)
	if err != nil {
		t.Fatal(err)
	}
	return d, mem
}

// readRows decodes a Finish payload, checking its schema is the table's.
func readRows(t testing.TB, def storage.TableDef, payload []byte) []row {
	t.Helper()
	r, err := ipc.NewReader(bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	if want := def.ArrowSchema(); !r.Schema().Equal(want) {
		t.Fatalf("schema %v, want %v", r.Schema(), want)
	}
	var rows []row
	batches := 0
	for r.Next() {
		batches++
		rec := r.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			var rw row
			for _, col := range rec.Columns() {
				if col.IsNull(i) {
					rw = append(rw, nil)
					continue
				}
				switch a := col.(type) {
				case *array.Int64:
					rw = append(rw, a.Value(i))
				case *array.Int32:
					rw = append(rw, a.Value(i))
				case *array.Float64:
					rw = append(rw, a.Value(i))
				case *array.Boolean:
					rw = append(rw, a.Value(i))
				case *array.String:
					rw = append(rw, a.Value(i))
				case *array.Binary:
					rw = append(rw, bytes.Clone(a.Value(i)))
				case *array.Timestamp:
					rw = append(rw, int64(a.Value(i)))
				case *array.Date32:
					rw = append(rw, int32(a.Value(i)))
				default:
					t.Fatalf("unexpected array %T", col)
				}
			}
			rows = append(rows, rw)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if batches != 1 {
		t.Fatalf("%d record batches, want 1", batches)
	}
	return rows
}

func finishRows(t testing.TB, d *RecordDecoder, def storage.TableDef) []row {
	t.Helper()
	payload, err := d.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if payload == nil {
		return nil
	}
	if d.Len() != 0 {
		t.Fatalf("Len %d after Finish", d.Len())
	}
	// The write path accepts it.
	recs, err := storage.DecodeIPC(memory.NewGoAllocator(), payload, 0)
	if err != nil {
		t.Fatalf("storage.DecodeIPC: %v", err)
	}
	for _, r := range recs {
		r.Release()
	}
	return readRows(t, def, payload)
}

func equalRows(a, b []row) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			x, y := a[i][j], b[i][j]
			if fx, ok := x.(float64); ok {
				if fy, ok := y.(float64); ok && (fx == fy || math.IsNaN(fx) && math.IsNaN(fy)) && math.Signbit(fx) == math.Signbit(fy) {
					continue
				}
				return false
			}
			if !reflect.DeepEqual(x, y) {
				return false
			}
		}
	}
	return true
}

func checkRows(t *testing.T, got, want []row) {
	t.Helper()
	if !equalRows(got, want) {
		t.Fatalf("rows:\n got %v\nwant %v", got, want)
	}
}

func mustAdd(t *testing.T, d *RecordDecoder, recs ...string) {
	t.Helper()
	for _, r := range recs {
		if err := d.Add([]byte(r)); err != nil {
			t.Fatalf("Add(%s): %v", r, err)
		}
	}
}

func TestRecordDecoderJSONTypes(t *testing.T) {
	d, mem := newDecoder(t, allTypes, "json")
	defer mem.AssertSize(t, 0)
	defer d.Release()
	mustAdd(t, d,
		`{"id":1,"i32":-7,"f":20.15,"b":true,"s":"acct-042","bin":"AAEC/w==","ts":"2024-03-01T12:34:56.789012Z","d":"2024-02-29"}`,
		` { "d" : "1969-12-31" , "ts" : 1700000000123456, "bin":"aGk", "s":"q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\u20ac", "b":false, "f":-1e-3, "i32":2147483647, "id":-9223372036854775808 } `,
		`{"id":9223372036854775807,"i32":-2147483648,"f":5,"s":"","bin":"","ts":"1960-01-01 00:00:00+05:30","d":"0001-01-01"}`,
		`{"id":1.0,"i32":25e1,"f":1.7976931348623157e308,"ts":-1,"s":"日本語"}`,
		`{"ts":"2024-03-01T12:34:56.123456789-08:00","id":2E+2}`,
		`{"id":0,"s":"\ud800x"}`,
	)
	if d.Len() != 6 {
		t.Fatalf("Len %d", d.Len())
	}
	want := []row{
		{int64(1), int32(-7), 20.15, true, "acct-042", []byte{0, 1, 2, 255}, ts("2024-03-01T12:34:56.789012Z"), date("2024-02-29")},
		{int64(math.MinInt64), int32(math.MaxInt32), -1e-3, false, "q\"\\/\b\f\n\r\té😀€", []byte("hi"), int64(1700000000123456), int32(-1)},
		{int64(math.MaxInt64), int32(math.MinInt32), 5.0, nil, "", []byte{}, ts("1960-01-01T00:00:00+05:30"), date("0001-01-01")},
		{int64(1), int32(250), math.MaxFloat64, nil, "日本語", nil, int64(-1), nil},
		{int64(200), nil, nil, nil, nil, nil, ts("2024-03-01T12:34:56.123456Z") + 8*3600*1_000_000, nil},
		{int64(0), nil, nil, nil, "\uFFFDx", nil, nil, nil},
	}
	checkRows(t, finishRows(t, d, allTypes), want)
}

func TestRecordDecoderCSVTypes(t *testing.T) {
	d, mem := newDecoder(t, allTypes, "csv")
	defer mem.AssertSize(t, 0)
	defer d.Release()
	mustAdd(t, d,
		`1,-7,20.15,true,acct-042,AAEC/w==,2024-03-01T12:34:56.789012Z,2024-02-29`+"\n",
		`-9223372036854775808,2147483647,-1e-3,F,"a,""b""`+"\n"+`c",aGk,1700000000123456,1969-12-31`+"\r\n",
		`9223372036854775807,-2147483648, 5 ,0,"","",1960-01-01 00:00:00+05:30,0001-01-01`,
		`1.0,25e1,NaN,YES,日本語,,-1,`,
		`2e2,,,,,,2024-03-01T12:34:56.123456789-08:00,`,
		`0,,-Inf,n,,,,`,
	)
	want := []row{
		{int64(1), int32(-7), 20.15, true, "acct-042", []byte{0, 1, 2, 255}, ts("2024-03-01T12:34:56.789012Z"), date("2024-02-29")},
		{int64(math.MinInt64), int32(math.MaxInt32), -1e-3, false, "a,\"b\"\nc", []byte("hi"), int64(1700000000123456), int32(-1)},
		{int64(math.MaxInt64), int32(math.MinInt32), 5.0, false, "", []byte{}, ts("1960-01-01T00:00:00+05:30"), date("0001-01-01")},
		{int64(1), int32(250), math.NaN(), true, "日本語", nil, int64(-1), nil},
		{int64(200), nil, nil, nil, nil, nil, ts("2024-03-01T12:34:56.123456Z") + 8*3600*1_000_000, nil},
		{int64(0), nil, math.Inf(-1), false, nil, nil, nil, nil},
	}
	checkRows(t, finishRows(t, d, allTypes), want)
}

func TestRecordDecoderNulls(t *testing.T) {
	nulls := row{int64(5), nil, nil, nil, nil, nil, nil, nil}
	for _, tc := range []struct {
		format string
		recs   []string
	}{
		{"json", []string{`{"id":5}`, `{"id":5,"i32":null,"f":null,"b":null,"s":null,"bin":null,"ts":null,"d":null}`, `{"s":null,"id":5}`}},
		{"csv", []string{`5,,,,,,,`, "5,,,,,,,\n"}},
	} {
		d, mem := newDecoder(t, allTypes, tc.format)
		mustAdd(t, d, tc.recs...)
		var want []row
		for range tc.recs {
			want = append(want, nulls)
		}
		checkRows(t, finishRows(t, d, allTypes), want)
		// NULL in the NOT NULL column.
		for _, bad := range map[string][]string{"json": {`{}`, `{"id":null}`, `{"s":"x"}`}, "csv": {`,,,,,,,`}}[tc.format] {
			err := d.Add([]byte(bad))
			var re *RecordError
			if !errors.As(err, &re) || re.Column != "id" || !strings.Contains(err.Error(), "NOT NULL") {
				t.Fatalf("%s %s: error %v, want a NOT NULL error naming id", tc.format, bad, err)
			}
			if d.Len() != 0 {
				t.Fatalf("Len %d after a bad record", d.Len())
			}
		}
		if p, err := d.Finish(); p != nil || err != nil {
			t.Fatalf("Finish with no rows: %v, %v", p, err)
		}
		d.Release()
		mem.AssertSize(t, 0)
	}
}

// Every kind of bad record is refused naming its column (or the problem),
// adds nothing, and the rows around it are right.
func TestRecordDecoderBadRecords(t *testing.T) {
	cases := []struct {
		format, rec, column, msg string
	}{
		{"json", `{"id":"1"}`, "id", "expected int64, got a JSON string"},
		{"json", `{"id":1,"i32":2147483648}`, "i32", "out of range for int32"},
		{"json", `{"id":9223372036854775808}`, "id", "out of range"},
		{"json", `{"id":-9223372036854775809}`, "id", "out of range"},
		{"json", `{"id":1.5}`, "id", "not an integer"},
		{"json", `{"id":1e-1}`, "id", "not an integer"},
		{"json", `{"id":1e30}`, "id", "out of range"},
		{"json", `{"id":1,"f":"1.5"}`, "f", "expected float64"},
		{"json", `{"id":1,"f":1e999}`, "f", "out of range"},
		{"json", `{"id":1,"b":1}`, "b", "expected bool"},
		{"json", `{"id":1,"s":5}`, "s", "expected string"},
		{"json", `{"id":1,"s":true}`, "s", "expected string"},
		{"json", "{\"id\":1,\"s\":\"\xff\"}", "s", "UTF-8"},
		{"json", `{"id":1,"bin":"!!!"}`, "bin", "base64"},
		{"json", `{"id":1,"ts":"2024-13-01T00:00:00Z"}`, "ts", "RFC 3339"},
		{"json", `{"id":1,"ts":"2024-01-01T00:00:00"}`, "ts", "RFC 3339"},
		{"json", `{"id":1,"ts":1.5}`, "ts", "not an integer"},
		{"json", `{"id":1,"ts":true}`, "ts", "expected timestamp"},
		{"json", `{"id":1,"d":"2023-02-29"}`, "d", "YYYY-MM-DD"},
		{"json", `{"id":1,"d":20230101}`, "d", "expected date"},
		{"json", `{"id":1,"s":{"a":1}}`, "s", "nested"},
		{"json", `{"id":1,"i32":[1]}`, "i32", "nested"},
		{"json", `{"id":1,"id":2}`, "id", "twice"},
		{"json", `{"id":1,"nope":2}`, "", `"nope" is not a column`},
		{"json", `{"id":1,"ID":2}`, "", `"ID" is not a column`},
		{"json", `{"id":1`, "", "invalid JSON"},
		{"json", `{"id":1,}`, "", "invalid JSON"},
		{"json", `{"id":01}`, "", "invalid JSON"},
		{"json", `{"id":-}`, "", "invalid JSON"},
		{"json", `{"id":1,"s":"abc}`, "", "unterminated"},
		{"json", `{"id":1,"s":"a\qb"}`, "s", "bad escape"},
		{"json", `{"id":1} {"id":2}`, "", "after the object"},
		{"json", `[1]`, "", "not a JSON object"},
		{"json", ``, "", "invalid JSON"},
		{"json", `{"id":nul}`, "", "invalid JSON"},
		{"json", `{"id":1,"s":"a` + "\n" + `b"}`, "", "control character"},
		{"csv", `x,,,,,,,`, "id", "expected int64"},
		{"csv", `1,2147483648,,,,,,`, "i32", "out of range"},
		{"csv", `1.5,,,,,,,`, "id", "not an integer"},
		{"csv", `1,,abc,,,,,`, "f", "expected float64"},
		{"csv", `1,,1e999,,,,,`, "f", "out of range"},
		{"csv", `1,,,maybe,,,,`, "b", "expected bool"},
		{"csv", "1,,,,\xff,,,", "s", "UTF-8"},
		{"csv", `1,,,,,!!!,,`, "bin", "base64"},
		{"csv", `1,,,,,,yesterday,`, "ts", "RFC 3339"},
		{"csv", `1,,,,,,,2023-1-1`, "d", "YYYY-MM-DD"},
		{"csv", `1,"",,,,,,`, "i32", "expected int32"},
		{"csv", `1,,,`, "s", "4 fields"},
		{"csv", `1,,,,,,,,`, "", "more than 8 fields"},
		{"csv", `1,,,,"ab"c,,,`, "s", "after a quoted field"},
		{"csv", `1,,,,a"b,,,`, "s", "quote in an unquoted field"},
		{"csv", `1,,,,"abc,,,`, "s", "unterminated"},
		{"csv", "1,,,,a\nb,,,", "s", "line break"},
	}
	good := map[string][]string{
		"json": {`{"id":10,"s":"before"}`, `{"id":11,"s":"after"}`},
		"csv":  {`10,,,,before,,,`, `11,,,,after,,,`},
	}
	want := []row{
		{int64(10), nil, nil, nil, "before", nil, nil, nil},
		{int64(11), nil, nil, nil, "after", nil, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.format+"/"+tc.rec, func(t *testing.T) {
			d, mem := newDecoder(t, allTypes, tc.format)
			defer mem.AssertSize(t, 0)
			defer d.Release()
			mustAdd(t, d, good[tc.format][0])
			err := d.Add([]byte(tc.rec))
			if err == nil {
				t.Fatal("no error")
			}
			var re *RecordError
			if !errors.As(err, &re) {
				t.Fatalf("error %T %v, want *RecordError", err, err)
			}
			if re.Column != tc.column || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %q (column %q), want column %q and %q", err, re.Column, tc.column, tc.msg)
			}
			if tc.column != "" && !strings.Contains(err.Error(), strconv.Quote(tc.column)) {
				t.Fatalf("error %q does not name column %q", err, tc.column)
			}
			if d.Len() != 1 {
				t.Fatalf("Len %d after a bad record, want 1", d.Len())
			}
			mustAdd(t, d, good[tc.format][1])
			checkRows(t, finishRows(t, d, allTypes), want)
		})
	}
}

func TestRecordDecoderFormatAndReuse(t *testing.T) {
	if _, err := NewRecordDecoder(allTypes, "avro", memory.NewGoAllocator()); err == nil {
		t.Fatal("unknown format accepted")
	}
	d, mem := newDecoder(t, allTypes, "json")
	defer mem.AssertSize(t, 0)
	defer d.Release()
	if p, err := d.Finish(); p != nil || err != nil {
		t.Fatalf("empty Finish: %v %v", p, err)
	}
	for batch := 0; batch < 3; batch++ {
		var want []row
		for i := 0; i < 100*(batch+1); i++ {
			mustAdd(t, d, fmt.Sprintf(`{"id":%d,"s":"r%d"}`, i, i))
			want = append(want, row{int64(i), nil, nil, nil, fmt.Sprintf("r%d", i), nil, nil, nil})
		}
		checkRows(t, finishRows(t, d, allTypes), want)
	}
	// The caller may reuse the value's buffer after Add.
	buf := []byte(`{"id":1,"s":"abc"}`)
	mustAdd(t, d, string(buf))
	if err := d.Add(buf); err != nil {
		t.Fatal(err)
	}
	copy(buf, `{"id":2,"s":"xyz"}`)
	checkRows(t, finishRows(t, d, allTypes), []row{
		{int64(1), nil, nil, nil, "abc", nil, nil, nil},
		{int64(1), nil, nil, nil, "abc", nil, nil, nil},
	})
}

// randomRow draws a row of allTypes (id never NULL).
func randomRow(r *rand.Rand) row {
	rw := make(row, len(allTypes.Columns))
	rw[0] = r.Int63() - r.Int63()
	if r.Intn(10) == 0 {
		rw[0] = []int64{math.MinInt64, math.MaxInt64, 0}[r.Intn(3)]
	}
	for j := 1; j < len(rw); j++ {
		if r.Intn(5) == 0 {
			continue // NULL
		}
		switch allTypes.Columns[j].Type {
		case storage.TypeInt32:
			rw[j] = int32(r.Uint32())
		case storage.TypeFloat64:
			switch r.Intn(4) {
			case 0:
				rw[j] = float64(r.Intn(1000)) / 100
			case 1:
				rw[j] = math.Float64frombits(r.Uint64())
				if math.IsNaN(rw[j].(float64)) || math.IsInf(rw[j].(float64), 0) {
					rw[j] = 0.5
				}
			default:
				rw[j] = r.NormFloat64() * 1e6
			}
		case storage.TypeBool:
			rw[j] = r.Intn(2) == 0
		case storage.TypeString:
			var sb strings.Builder
			alphabet := []rune("ab ,\"\\\n\r\t/é日😀\u2028\x00\x1f<>&'")
			for k := r.Intn(12); k > 0; k-- {
				sb.WriteRune(alphabet[r.Intn(len(alphabet))])
			}
			rw[j] = sb.String()
		case storage.TypeBinary:
			b := make([]byte, r.Intn(20))
			r.Read(b)
			rw[j] = b
		case storage.TypeTimestamp:
			rw[j] = r.Int63n(400*365*86400*1_000_000) - 200*365*86400*1_000_000
		case storage.TypeDate:
			rw[j] = int32(r.Intn(2_900_000) - 700_000) // years 0001..9999
		}
	}
	return rw
}

func renderJSON(r *rand.Rand, rw row) string {
	var parts []string
	for j, v := range rw {
		name := allTypes.Columns[j].Name
		if v == nil {
			switch r.Intn(2) {
			case 0:
				parts = append(parts, fmt.Sprintf("%q:null", name))
			}
			continue
		}
		var lit string
		switch x := v.(type) {
		case int64:
			lit = strconv.FormatInt(x, 10)
			if allTypes.Columns[j].Type == storage.TypeTimestamp && r.Intn(2) == 0 {
				lit = strconv.Quote(time.UnixMicro(x).UTC().Format(time.RFC3339Nano))
			}
		case int32:
			if allTypes.Columns[j].Type == storage.TypeDate {
				lit = strconv.Quote(time.Unix(int64(x)*86400, 0).UTC().Format("2006-01-02"))
			} else {
				lit = strconv.FormatInt(int64(x), 10)
			}
		default:
			b, err := json.Marshal(v) // []byte as base64, strings escaped
			if err != nil {
				panic(err)
			}
			lit = string(b)
		}
		parts = append(parts, fmt.Sprintf("%q:%s", name, lit))
	}
	r.Shuffle(len(parts), func(a, b int) { parts[a], parts[b] = parts[b], parts[a] })
	return "{" + strings.Join(parts, ",") + "}"
}

func renderCSV(r *rand.Rand, rw row) string {
	fields := make([]string, len(rw))
	for j, v := range rw {
		switch x := v.(type) {
		case nil:
		case int64:
			fields[j] = strconv.FormatInt(x, 10)
			if allTypes.Columns[j].Type == storage.TypeTimestamp && r.Intn(2) == 0 {
				fields[j] = time.UnixMicro(x).UTC().Format(time.RFC3339Nano)
			}
		case int32:
			if allTypes.Columns[j].Type == storage.TypeDate {
				fields[j] = time.Unix(int64(x)*86400, 0).UTC().Format("2006-01-02")
			} else {
				fields[j] = strconv.FormatInt(int64(x), 10)
			}
		case float64:
			fields[j] = strconv.FormatFloat(x, 'g', -1, 64)
		case bool:
			fields[j] = strconv.FormatBool(x)
		case string:
			fields[j] = x
		case []byte:
			fields[j] = base64.StdEncoding.EncodeToString(x)
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(fields); err != nil {
		panic(err)
	}
	w.Flush()
	s := buf.String()
	// A NULL is an empty unquoted field; the writer never quotes "", so
	// a non-NULL empty string or binary must be quoted by hand.
	for _, v := range rw {
		if b, ok := v.([]byte); v == "" || ok && len(b) == 0 {
			return renderCSVQuoted(rw)
		}
	}
	return s
}

// renderCSVQuoted quotes every non-NULL field.
func renderCSVQuoted(rw row) string {
	var parts []string
	for j, v := range rw {
		if v == nil {
			parts = append(parts, "")
			continue
		}
		var s string
		switch x := v.(type) {
		case int64:
			s = strconv.FormatInt(x, 10)
		case int32:
			if allTypes.Columns[j].Type == storage.TypeDate {
				s = time.Unix(int64(x)*86400, 0).UTC().Format("2006-01-02")
			} else {
				s = strconv.FormatInt(int64(x), 10)
			}
		case float64:
			s = strconv.FormatFloat(x, 'g', -1, 64)
		case bool:
			s = strconv.FormatBool(x)
		case string:
			s = x
		case []byte:
			s = base64.StdEncoding.EncodeToString(x)
		}
		parts = append(parts, `"`+strings.ReplaceAll(s, `"`, `""`)+`"`)
	}
	return strings.Join(parts, ",") + "\n"
}

// Random rows rendered as JSON and as CSV decode back to themselves.
func TestRecordDecoderDifferential(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	dj, memj := newDecoder(t, allTypes, "json")
	dc, memc := newDecoder(t, allTypes, "csv")
	defer memj.AssertSize(t, 0)
	defer memc.AssertSize(t, 0)
	defer dj.Release()
	defer dc.Release()
	for batch := 0; batch < 5; batch++ {
		var want []row
		for i := 0; i < 400; i++ {
			rw := randomRow(r)
			want = append(want, rw)
			if js := renderJSON(r, rw); dj.Add([]byte(js)) != nil {
				t.Fatalf("JSON %s: %v", js, dj.Add([]byte(js)))
			}
			if cs := renderCSV(r, rw); dc.Add([]byte(cs)) != nil {
				t.Fatalf("CSV %q: %v", cs, dc.Add([]byte(cs)))
			}
		}
		for _, f := range []struct {
			name string
			d    *RecordDecoder
		}{{"json", dj}, {"csv", dc}} {
			got := finishRows(t, f.d, allTypes)
			if !equalRows(got, want) {
				for i := range want {
					if !equalRows(got[i:i+1], want[i:i+1]) {
						t.Fatalf("%s row %d:\n got %v\nwant %v", f.name, i, got[i], want[i])
					}
				}
				t.Fatalf("%s: %d rows, want %d", f.name, len(got), len(want))
			}
		}
	}
}

// The timestamp and date parsers agree with the time package.
func TestRecordDecoderTimeParsing(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for i := 0; i < 20000; i++ {
		const minSec, maxSec = -62135596800 + 86400, 253402300799 - 86400 // years 0001..9999
		us := (r.Int63n(maxSec-minSec)+minSec)*1_000_000 + r.Int63n(1_000_000)
		tm := time.UnixMicro(us).UTC()
		zone := time.FixedZone("", (r.Intn(48)-24)*1800)
		s := tm.In(zone).Format(time.RFC3339Nano)
		got, ok := parseTimestamp([]byte(s))
		if !ok || got != us {
			t.Fatalf("parseTimestamp(%s) = %d, %v, want %d", s, got, ok, us)
		}
		ds := tm.Format("2006-01-02")
		days, ok := parseDate([]byte(ds))
		want := time.Date(tm.Year(), tm.Month(), tm.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
		if !ok || days != want {
			t.Fatalf("parseDate(%s) = %d, %v, want %d", ds, days, ok, want)
		}
	}
}

// No input panics; a refused record adds nothing and leaves the decoder
// usable.
func FuzzRecordDecoder(f *testing.F) {
	f.Add([]byte(`{"id":1,"i32":-7,"f":20.15,"b":true,"s":"a\u00e9","bin":"AAEC","ts":"2024-03-01T12:34:56Z","d":"2024-02-29"}`), false)
	f.Add([]byte(`1,-7,20.15,true,"a""b",AAEC,2024-03-01T12:34:56Z,2024-02-29`), true)
	f.Add([]byte(`{"id":1e5,"ts":-12}`), false)
	f.Fuzz(func(t *testing.T, value []byte, isCSV bool) {
		format := "json"
		if isCSV {
			format = "csv"
		}
		d, err := NewRecordDecoder(allTypes, format, memory.NewGoAllocator())
		if err != nil {
			t.Fatal(err)
		}
		defer d.Release()
		if err := d.Add(value); err != nil {
			var re *RecordError
			if !errors.As(err, &re) {
				t.Fatalf("error %T", err)
			}
			if d.Len() != 0 {
				t.Fatal("a refused record was added")
			}
			return
		}
		if _, err := d.Finish(); err != nil {
			t.Fatal(err)
		}
	})
}
