package pgwire

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const createT = "create table t (id bigint not null, name text, score double precision, ok boolean, ts timestamp, d date, b bytea, n integer)"

func TestPsqlCopy(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		dir := t.TempDir()
		csvFile := filepath.Join(dir, "t.csv")
		// Quoted delimiters, doubled quotes, a quoted newline, an empty
		// quoted string (not NULL) and unquoted empty fields (NULL).
		csvData := "id,name,score,ok,ts,d,b,n\n" +
			"1,\"a, \"\"quoted\"\"\nname\",1.5,true,2024-01-02 03:04:05.5,2024-01-02,\\x0102,7\n" +
			"2,\"\",,,,,,\n" +
			"3,c,-2e3,f,2024-01-02T03:04:05Z,2024-02-29,,-8\n"
		if err := os.WriteFile(csvFile, []byte(csvData), 0o600); err != nil {
			t.Fatal(err)
		}
		out := h.mustPsql(createT+";\n\\copy t from '"+csvFile+"' with (format csv, header)\nselect id, name, score, ok, ts, d, b, n from t order by id;\n",
			"-A", "-F", "|", "-P", "footer=off", "-P", "null=NULL")
		want := "id|name|score|ok|ts|d|b|n\n" +
			"1|a, \"quoted\"\nname|1.5|t|2024-01-02 03:04:05.5+00|2024-01-02|\\x0102|7\n" +
			"2||NULL|NULL|NULL|NULL|NULL|NULL\n" +
			"3|c|-2000|f|2024-01-02 03:04:05+00|2024-02-29|NULL|-8\n"
		if out != want {
			t.Errorf("psql output:\n%s\nwant\n%s", out, want)
		}

		// Text format from stdin, with a delimiter and a NULL string.
		out = h.mustPsql("\\copy t (id, name, n) from stdin with (delimiter '|', null 'NULL')\n10|tab\\there|1\n11|NULL|NULL\n12|back\\\\slash \\101|3\n\\.\nselect id, name, n from t where id >= 10 order by id;\n", "-A", "-F", ",", "-P", "footer=off")
		if out != "id,name,n\n10,tab\there,1\n11,,\n12,back\\slash A,3\n" {
			t.Errorf("text copy:\n%q", out)
		}

		// A bad value: 22P02 naming line and column, and nothing written.
		bad := filepath.Join(dir, "bad.csv")
		if err := os.WriteFile(bad, []byte("100,x,1,t,,,,\n101,y,oops,t,,,,\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		inserts := h.backend.inserts
		_, errOut, err := h.psql("\\copy t from '"+bad+"' with (format csv)\n", "-v", "VERBOSITY=verbose")
		if err == nil || !strings.Contains(errOut, "22P02") || !strings.Contains(errOut, `invalid input syntax for type double precision: "oops"`) ||
			!strings.Contains(errOut, `COPY t, line 2, column score: "oops"`) {
			t.Errorf("bad copy: %v\n%s", err, errOut)
		}
		if h.backend.inserts != inserts {
			t.Error("a failed COPY wrote rows")
		}
		// NOT NULL is checked before anything is written.
		_, errOut, err = h.psql("\\copy t (name) from stdin\nx\n\\.\n", "-v", "VERBOSITY=verbose")
		if err == nil || !strings.Contains(errOut, "23502") {
			t.Errorf("not null: %v\n%s", err, errOut)
		}
		// Wrong field counts.
		_, errOut, _ = h.psql("\\copy t (id, name) from stdin\n1\n\\.\n")
		if !strings.Contains(errOut, `missing data for column "name"`) {
			t.Errorf("missing data: %s", errOut)
		}
		_, errOut, _ = h.psql("\\copy t (id) from stdin\n1\t2\n\\.\n")
		if !strings.Contains(errOut, "extra data after last expected column") {
			t.Errorf("extra data: %s", errOut)
		}
	})
}

func TestPgxCopyFrom(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		h := newHarness(t, Options{CopyBatchRows: 7})
		conn := h.connect(pgx.QueryExecModeCacheStatement)
		h.exec(conn, createT)
		ctx := context.Background()
		ts := time.Date(2024, 5, 6, 7, 8, 9, 10000, time.UTC)
		var rows [][]any
		for i := range 100 {
			rows = append(rows, []any{int64(i), "n" + string(rune('a'+i%26)), float64(i) / 4, i%2 == 0, ts, ts, []byte{byte(i)}, int32(-i)})
		}
		rows = append(rows, []any{int64(1000), nil, nil, nil, nil, nil, nil, nil})
		// pgx sends COPY ... FROM STDIN BINARY.
		n, err := conn.CopyFrom(ctx, pgx.Identifier{"t"}, []string{"id", "name", "score", "ok", "ts", "d", "b", "n"}, pgx.CopyFromRows(rows))
		if err != nil || n != 101 {
			t.Fatalf("CopyFrom: %d %v", n, err)
		}
		var count, sum int64
		if err := conn.QueryRow(ctx, "select count(*) as n, sum(id) as s, avg(id) as a from t").Scan(&count, &sum, nil); err != nil {
			t.Fatal(err)
		}
		if count != 101 || sum != 4950+1000 {
			t.Errorf("count %d sum %d", count, sum)
		}
		var gotTS, gotDay time.Time
		var b []byte
		var nn int32
		if err := conn.QueryRow(ctx, "select * from t where id = $1", int64(3)).Scan(nil, nil, nil, nil, &gotTS, &gotDay, &b, &nn); err != nil {
			t.Fatal(err)
		}
		if !gotTS.Equal(ts) || !gotDay.Equal(time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)) || len(b) != 1 || b[0] != 3 || nn != -3 {
			t.Errorf("row 3: %v %v %v %v", gotTS, gotDay, b, nn)
		}
		// A NULL into a NOT NULL column: nothing is written.
		_, err = conn.CopyFrom(ctx, pgx.Identifier{"t"}, []string{"id"}, pgx.CopyFromRows([][]any{{int64(5)}, {nil}}))
		if pgCode(err) != "23502" {
			t.Errorf("null id: %v", err)
		}
		if err := conn.QueryRow(ctx, "select count(*) as n, sum(id) as s, avg(id) as a from t").Scan(&count, nil, nil); err != nil || count != 101 {
			t.Errorf("count after failed copy %d %v", count, err)
		}
	})
}
