package pgwire

import (
	"context"
	"strings"
	"testing"
)

func TestSystemQueries(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		for _, m := range bothModes {
			t.Run(m.name, func(t *testing.T) {
				h := newHarness(t, Options{ServerVersion: "15.0 (Strata test)"})
				conn := h.connect(m.mode)
				h.setupT(conn)
				ctx := context.Background()
				var v string
				if err := conn.QueryRow(ctx, "select version()").Scan(&v); err != nil || !strings.Contains(v, "Strata") {
					t.Errorf("version(): %q %v", v, err)
				}
				h.exec(conn, "set application_name = 'sys test'")
				if err := conn.QueryRow(ctx, "select current_setting('application_name')").Scan(&v); err != nil || v != "sys test" {
					t.Errorf("current_setting: %q %v", v, err)
				}
				// Parameters typed by pg_catalog: an oid.
				if err := conn.QueryRow(ctx, "select typname from pg_catalog.pg_type where oid = $1", uint32(20)).Scan(&v); err != nil || v != "int8" {
					t.Errorf("pg_type: %q %v", v, err)
				}
				var names []string
				if err := conn.QueryRow(ctx, "select array_agg(relname::text) from pg_catalog.pg_class where relkind = 'r' and relnamespace = 2200").Scan(&names); err != nil || len(names) != 1 || names[0] != "t" {
					t.Errorf("pg_class: %v %v", names, err)
				}
			})
		}
	})
}

func TestPsqlDescribe(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		h.setupT(h.connect(bothModes[0].mode))
		out := h.mustPsql("\\dt\n")
		if !strings.Contains(out, "public | t    | table") {
			t.Errorf("\\dt:\n%s", out)
		}
		out = h.mustPsql("\\d t\n")
		for _, want := range []string{`Table "public.t"`, "id     | bigint", "not null", "ts     | timestamp with time zone"} {
			if !strings.Contains(out, want) {
				t.Errorf("\\d t lacks %q:\n%s", want, out)
			}
		}
		out = h.mustPsql("select version();", "-A", "-t")
		if !strings.HasPrefix(out, "PostgreSQL 15.0") {
			t.Errorf("version: %q", out)
		}
	})
}
