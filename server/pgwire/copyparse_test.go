package pgwire

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/query/sql"
	"github.com/stratadb/strata/storage"
)

var copyDef = &storage.TableDef{Name: "c", Columns: []storage.Column{
	{Name: "id", Type: storage.TypeInt64},
	{Name: "s", Type: storage.TypeString, Nullable: true},
	{Name: "f", Type: storage.TypeFloat64, Nullable: true},
}}

// loadCopy parses data fed in chunks of size and prints the rows.
func loadCopy(t *testing.T, c *sql.CopyFrom, data []byte, size int) (string, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	targets, err := copyTargets(copyDef, c.Columns)
	if err != nil {
		return "", err
	}
	l := newCopyLoader(copyDef, targets, mem, 2)
	defer l.release()
	_, p, err := newCopyFormat(c, l)
	if err != nil {
		return "", err
	}
	for len(data) > 0 {
		n := min(size, len(data))
		chunk := append([]byte(nil), data[:n]...) // CopyData is reused after Receive
		if err := p.feed(chunk); err != nil {
			return "", err
		}
		clear(chunk)
		data = data[n:]
	}
	if err := p.end(); err != nil {
		return "", err
	}
	var b strings.Builder
	for _, rec := range l.finish() {
		for r := range int(rec.NumRows()) {
			for i := range int(rec.NumCols()) {
				if i > 0 {
					b.WriteByte('|')
				}
				col := rec.Column(i)
				if col.IsNull(r) {
					b.WriteString("NULL")
				} else {
					b.WriteString(col.ValueStr(r))
				}
			}
			b.WriteByte('\n')
		}
	}
	return b.String(), nil
}

func TestCopyFormats(t *testing.T) {
	text := &sql.CopyFrom{Table: "c", Format: "text", Null: `\N`}
	csvHeader := &sql.CopyFrom{Table: "c", Format: "csv", Header: true}
	cases := []struct {
		name string
		c    *sql.CopyFrom
		data string
		want string
	}{
		{"text", text, "1\ta\t1.5\n2\t\\N\t\\N\n3\t\\t\\\\x\\101\\x41\t-0\r\n", "1|a|1.5\n2|NULL|NULL\n3|\t\\xAA|-0\n"},
		{"text no final newline", text, "1\ta\t2", "1|a|2\n"},
		{"text end marker", text, "1\ta\t2\n\\.\n9\tjunk\tjunk\n", "1|a|2\n"},
		{"text escaped newline", text, "1\ta\\\nb\t2\n", "1|a\nb|2\n"},
		{"text empty string", text, "1\t\t2\n", "1||2\n"},
		{"csv", csvHeader, "id,s,f\n1,\"x,\"\"y\"\"\nz\",2\n2,,\n3,\"\",3\n", "1|x,\"y\"\nz|2\n2|NULL|NULL\n3||3\n"},
		{"csv null string", &sql.CopyFrom{Table: "c", Format: "csv", Null: "NA"}, "1,NA,NA\n2,\"NA\",1\n", "1|NULL|NULL\n2|NA|1\n"},
		{"csv delimiter", &sql.CopyFrom{Table: "c", Format: "csv", Delimiter: ';'}, "1;a,b;2\r\n", "1|a,b|2\n"},
		{"columns", &sql.CopyFrom{Table: "c", Format: "text", Null: `\N`, Columns: []string{"f", "id"}}, "2.5\t7\n", "7|NULL|2.5\n"},
	}
	for _, c := range cases {
		for _, size := range []int{1, 2, 3, 7, 1 << 20} {
			got, err := loadCopy(t, c.c, []byte(c.data), size)
			if err != nil || got != c.want {
				t.Errorf("%s (chunks of %d): %q %v, want %q", c.name, size, got, err, c.want)
			}
		}
	}
}

func TestCopyErrors(t *testing.T) {
	text := &sql.CopyFrom{Table: "c", Format: "text", Null: `\N`}
	cases := []struct {
		c     *sql.CopyFrom
		data  string
		code  string
		where string
	}{
		{text, "1\ta\t1\n2\tb\tx\n", "22P02", `COPY c, line 2, column f: "x"`},
		{text, "1\ta\n", "22P04", `COPY c, line 1: "1	a"`},
		{text, "1\ta\t1\t4\n", "22P04", `COPY c, line 1: "1	a	1	4"`},
		{text, "\\N\ta\t1\n", "23502", `COPY c, line 1: "\N	a	1"`},
		{&sql.CopyFrom{Table: "c", Format: "csv"}, "1,\"a\n", "22P04", ""},
		{&sql.CopyFrom{Table: "c", Columns: []string{"s"}}, "a\n", "23502", ""},
		{&sql.CopyFrom{Table: "c", Columns: []string{"zz"}}, "", "42703", ""},
		{&sql.CopyFrom{Table: "c", Columns: []string{"s", "s"}}, "", "42701", ""},
		{&sql.CopyFrom{Table: "c", Format: "binary"}, "PGCOPY\n", "22P04", ""},
	}
	for _, c := range cases {
		_, err := loadCopy(t, c.c, []byte(c.data), 3)
		r := errorResponse(err)
		if err == nil || r.Code != c.code || (c.where != "" && r.Where != c.where) {
			t.Errorf("%q: %v (code %s, where %q), want %s %q", c.data, err, r.Code, r.Where, c.code, c.where)
		}
	}
}

func TestCopyBinary(t *testing.T) {
	var data []byte
	data = append(data, copySignature...)
	data = binary.BigEndian.AppendUint32(data, 0)
	data = binary.BigEndian.AppendUint32(data, 4)
	data = append(data, "ext!"...)
	row := func(id int64, s *string, f float64) {
		data = binary.BigEndian.AppendUint16(data, 3)
		data = binary.BigEndian.AppendUint32(data, 8)
		data = binary.BigEndian.AppendUint64(data, uint64(id))
		if s == nil {
			data = binary.BigEndian.AppendUint32(data, 0xFFFFFFFF)
		} else {
			data = binary.BigEndian.AppendUint32(data, uint32(len(*s)))
			data = append(data, *s...)
		}
		data = appendFloat8(binary.BigEndian.AppendUint32(data, 8), f, true, 1)
	}
	a, empty := "a", ""
	row(1, &a, 1.5)
	row(2, nil, -2)
	row(3, &empty, 0)
	data = binary.BigEndian.AppendUint16(data, 0xFFFF)
	for _, size := range []int{1, 5, 1 << 20} {
		got, err := loadCopy(t, &sql.CopyFrom{Table: "c", Format: "binary"}, data, size)
		if want := "1|a|1.5\n2|NULL|-2\n3||0\n"; err != nil || got != want {
			t.Errorf("chunks of %d: %q %v, want %q", size, got, err, want)
		}
	}
	// A wrong field width names the row and column.
	bad := append([]byte(nil), data[:len(copySignature)+12]...)
	bad = binary.BigEndian.AppendUint16(bad, 3)
	bad = binary.BigEndian.AppendUint32(bad, 2)
	bad = append(bad, 0, 1)
	bad = binary.BigEndian.AppendUint32(bad, 0xFFFFFFFF)
	bad = binary.BigEndian.AppendUint32(bad, 0xFFFFFFFF)
	_, err := loadCopy(t, &sql.CopyFrom{Table: "c", Format: "binary"}, bad, 100)
	if r := errorResponse(err); r.Code != "22P03" || r.Where != "COPY c, line 1, column id" {
		t.Errorf("bad binary: %v %q", err, r.Where)
	}
}

func TestUnescapeText(t *testing.T) {
	for in, want := range map[string]string{
		`a\b`: "a\b", `\\`: `\`, `\101\60x`: "A0x", `\x4g`: "\x04g", `\xg`: "xg", `\q`: "q", `end\`: `end\`,
	} {
		if got := unescapeText([]byte(in)); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// BenchmarkCopyCSV measures COPY's parsing into Arrow records. Compare
// runs with: go test -run X -bench CopyCSV -count 10 ./server/pgwire | benchstat
func BenchmarkCopyCSV(b *testing.B) {
	def := &storage.TableDef{Name: "t", Columns: tColumns}
	var sb strings.Builder
	for i := range 100000 {
		fmt.Fprintf(&sb, "%d,name %d,%d.25,%t,2024-01-01 00:00:%02d,2024-01-%02d,\\x%02x,%d\n", i, i, i, i%2 == 0, i%60, i%28+1, i%256, -i)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		targets, _ := copyTargets(def, nil)
		l := newCopyLoader(def, targets, memory.NewGoAllocator(), 1<<16)
		_, p, _ := newCopyFormat(&sql.CopyFrom{Table: "t", Format: "csv", Delimiter: ','}, l)
		for off := 0; off < len(data); off += 65536 {
			if err := p.feed(data[off:min(off+65536, len(data))]); err != nil {
				b.Fatal(err)
			}
		}
		if err := p.end(); err != nil {
			b.Fatal(err)
		}
		l.finish()
		l.release()
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "rows/s")
}
