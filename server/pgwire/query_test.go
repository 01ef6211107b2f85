package pgwire

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

func TestPsqlSimpleQueries(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		// Several statements in one query string: the SELECT is planned
		// after the CREATE TABLE before it ran.
		out := h.mustPsql(`create table t (id bigint not null, name text, score double precision, ok boolean, ts timestamp, d date, b bytea, n integer); insert into t values (1, 'a', 1.5, true, '2024-01-02 03:04:05.123456', '2024-01-02', '\xdead', 7), (2, null, null, null, null, null, null, null); select * from t order by id;`,
			"-A", "-F", "|", "-P", "footer=off")
		want := "id|name|score|ok|ts|d|b|n\n1|a|1.5|t|2024-01-02 03:04:05.123456+00|2024-01-02|\\xdead|7\n2|||||||\n"
		if out != want {
			t.Errorf("psql output:\n%q\nwant\n%q", out, want)
		}
		// TimeZone changes how timestamptz prints.
		out = h.mustPsql("set timezone = 'Asia/Kolkata'; select ts from t order by id;", "-A", "-t")
		if out != "2024-01-02 08:34:05.123456+05:30\n\n" {
			t.Errorf("in Asia/Kolkata: %q", out)
		}
		// -c runs its string as one Query message.
		out = h.mustPsql("", "-c", "select id, name from t order by id", "-A", "-t")
		if out != "1|a\n2|\n" {
			t.Errorf("psql -c: %q", out)
		}
	})
}

func TestPsqlErrors(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		// One query string: a syntax error anywhere runs nothing.
		_, errOut, err := h.psql("", "-c", "create table slow (x bigint); selec 1")
		if err == nil {
			t.Fatal("psql succeeded on a syntax error")
		}
		// psql prints the position as a caret under the statement.
		if !strings.Contains(errOut, "syntax error") || !strings.Contains(errOut, "LINE 1: create table slow (x bigint); selec 1") || !strings.Contains(errOut, "                                      ^") {
			t.Errorf("psql stderr: %s", errOut)
		}
		if tables := h.backend.store.ListTables(); len(tables) != 0 {
			t.Errorf("tables after a failed query string: %v", tables)
		}
		_, errOut, _ = h.psql("show no_such_setting;", "-v", "VERBOSITY=verbose")
		if !strings.Contains(errOut, "42704") || !strings.Contains(errOut, `unrecognized configuration parameter "no_such_setting"`) {
			t.Errorf("psql stderr: %s", errOut)
		}
	})
}

func TestPgxTypes(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		for _, m := range bothModes {
			t.Run(m.name, func(t *testing.T) {
				h := newHarness(t, Options{})
				conn := h.connect(m.mode)
				h.setupT(conn)
				rows, err := conn.Query(context.Background(), "select * from t order by id")
				if err != nil {
					t.Fatal(err)
				}
				wantOIDs := []uint32{20, 25, 701, 16, 1184, 1082, 17, 23}
				for i, f := range rows.FieldDescriptions() {
					if f.DataTypeOID != wantOIDs[i] {
						t.Errorf("column %s: oid %d, want %d", f.Name, f.DataTypeOID, wantOIDs[i])
					}
				}
				var got [][]any
				for rows.Next() {
					vals, err := rows.Values()
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, vals)
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				if tag := rows.CommandTag().String(); tag != "SELECT 2" {
					t.Errorf("tag %q", tag)
				}
				if len(got) != 2 {
					t.Fatalf("rows: %v", got)
				}
				r := got[0]
				ts := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
				day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
				if r[0] != int64(1) || r[1] != "a" || r[2] != 1.5 || r[3] != true || !r[4].(time.Time).Equal(ts) ||
					!r[5].(time.Time).Equal(day) || !bytes.Equal(r[6].([]byte), []byte{0xde, 0xad}) || r[7] != int32(7) {
					t.Errorf("row 1: %#v", r)
				}
				for i, v := range got[1][1:] {
					if v != nil {
						t.Errorf("row 2 column %d: %#v, want NULL", i+2, v)
					}
				}
			})
		}
	})
}

func TestPgxParameters(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		conn := h.connect(pgx.QueryExecModeCacheStatement)
		h.setupT(conn)
		ctx := context.Background()

		// Parameter types inferred (no OIDs from pgx), sent in binary.
		var name string
		if err := conn.QueryRow(ctx, "select * from t where id = $1", int64(1)).Scan(nil, &name, nil, nil, nil, nil, nil, nil); err != nil {
			t.Fatal(err)
		}
		if name != "a" {
			t.Errorf("name %q", name)
		}
		var id int64
		err := conn.QueryRow(ctx, "select id from t where ts >= $1 and score > $2 and ok = $3 and d = $4 and n = $5",
			time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), 1.0, true, time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), int32(7)).Scan(&id)
		if err != nil || id != 1 {
			t.Fatalf("typed parameters: id %d, %v", id, err)
		}

		// A named prepared statement, executed again and again.
		if _, err := conn.Prepare(ctx, "ins", "insert into t (id, name) values ($1, $2)"); err != nil {
			t.Fatal(err)
		}
		for i := int64(10); i < 15; i++ {
			tag, err := conn.Exec(ctx, "ins", i, "p")
			if err != nil || tag.String() != "INSERT 0 1" {
				t.Fatalf("exec ins: %v %v", tag, err)
			}
		}
		var n int64
		if err := conn.QueryRow(ctx, "select count(*) as n, sum(id) as s, avg(id) as a from t").Scan(&n, nil, nil); err != nil || n != 7 {
			t.Fatalf("count %d %v", n, err)
		}
		if err := conn.DeallocateAll(ctx); err != nil {
			t.Errorf("DeallocateAll: %v", err)
		}

		// Text-format parameters (as node-postgres sends them) and NULL.
		rows, err := conn.Query(ctx, "insert into t (id, name) values ($1, $2)", pgx.QueryResultFormats{}, "20", nil)
		if err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}

		// A parameter whose type nothing gives: 42P18.
		_, err = conn.Exec(ctx, "select $1")
		if pgCode(err) != "42P18" {
			t.Errorf("select $1: %v", err)
		}
		// A bad value: 22P02, and the connection goes on.
		_, err = conn.Exec(ctx, "select * from t where id = $1", "abc")
		if pgCode(err) != "22P02" {
			t.Errorf("bad int: %v", err)
		}
		if err := conn.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPgxNumeric(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		for _, m := range bothModes {
			t.Run(m.name, func(t *testing.T) {
				h := newHarness(t, Options{})
				conn := h.connect(m.mode)
				h.setupT(conn)
				rows, err := conn.Query(context.Background(), "select count(*) as n, sum(id) as s, avg(id) as a from t")
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				if !rows.Next() {
					t.Fatal(rows.Err())
				}
				oids := []uint32{20, 1700, 1700}
				for i, f := range rows.FieldDescriptions() {
					if f.DataTypeOID != oids[i] {
						t.Errorf("%s: oid %d want %d", f.Name, f.DataTypeOID, oids[i])
					}
				}
				var n int64
				var s, a pgtype.Numeric
				if err := rows.Scan(&n, &s, &a); err != nil {
					t.Fatal(err)
				}
				sv, _ := s.Value()
				av, _ := a.Value()
				if n != 2 || sv != "3" || av != "1.5" {
					t.Errorf("count %d sum %v avg %v", n, sv, av)
				}
			})
		}
	})
}

func TestPgxErrors(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		for _, m := range bothModes {
			t.Run(m.name, func(t *testing.T) {
				h := newHarness(t, Options{})
				conn := h.connect(m.mode)
				ctx := context.Background()
				_, err := conn.Exec(ctx, "selec 1")
				pe := pgErr(err)
				if pe == nil || pe.Code != "42601" || pe.Position != 1 {
					t.Errorf("syntax error: %#v", err)
				}
				// A panic in the engine is an internal error, not a crash.
				h.exec(conn, "create table boom (x bigint)")
				_, err = conn.Exec(ctx, "select * from boom")
				if pgCode(err) != "XX000" {
					t.Errorf("panic: %v", err)
				}
				if err := conn.Ping(ctx); err != nil {
					t.Fatal(err)
				}
				// An empty query.
				if _, err := conn.Exec(ctx, ";"); err != nil {
					t.Errorf("empty query: %v", err)
				}
			})
		}
	})
}
