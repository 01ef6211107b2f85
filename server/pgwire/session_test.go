package pgwire

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestSessionVariables(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		for _, m := range bothModes {
			t.Run(m.name, func(t *testing.T) {
				h := newHarness(t, Options{ServerVersion: "15.4 (Strata test)"})
				conn := h.connect(m.mode)
				ctx := context.Background()
				pg := conn.PgConn()
				for name, want := range map[string]string{
					"server_version": "15.4 (Strata test)", "server_encoding": "UTF8", "client_encoding": "UTF8",
					"DateStyle": "ISO, MDY", "TimeZone": "UTC", "integer_datetimes": "on", "standard_conforming_strings": "on",
				} {
					if got := pg.ParameterStatus(name); got != want {
						t.Errorf("ParameterStatus %s = %q, want %q", name, got, want)
					}
				}
				show := func(name string) string {
					t.Helper()
					var v string
					if err := conn.QueryRow(ctx, "show "+name).Scan(&v); err != nil {
						t.Fatalf("show %s: %v", name, err)
					}
					return v
				}
				if v := show("server_version_num"); v != "150004" {
					t.Errorf("server_version_num %q", v)
				}
				if v := show("transaction_isolation"); v != "read committed" {
					t.Errorf("transaction_isolation %q", v)
				}
				h.exec(conn, "set application_name = 'my app'")
				if v := show("application_name"); v != "my app" {
					t.Errorf("application_name %q", v)
				}
				if got := pg.ParameterStatus("application_name"); got != "my app" {
					t.Errorf("ParameterStatus application_name %q", got)
				}
				h.exec(conn, "set statement_timeout to '1500ms'")
				if v := show("statement_timeout"); v != "1500ms" {
					t.Errorf("statement_timeout %q", v)
				}
				h.exec(conn, "set statement_timeout = '2min'")
				if v := show("statement_timeout"); v != "2min" {
					t.Errorf("statement_timeout %q", v)
				}
				h.exec(conn, "reset statement_timeout")
				if v := show("statement_timeout"); v != "0" {
					t.Errorf("statement_timeout after reset %q", v)
				}
				h.exec(conn, "set extra_float_digits = 3")
				h.exec(conn, "set myapp.tenant = 'x'")
				var custom string
				if err := conn.QueryRow(ctx, "select current_setting('myapp.tenant')").Scan(&custom); err != nil || custom != "x" {
					t.Errorf("custom setting %q %v", custom, err)
				}
				for stmt, code := range map[string]string{
					"set no_such_thing = 1":        "42704",
					"show no_such_thing":           "42704",
					"set server_version = '1'":     "55P02",
					"set statement_timeout = 'ab'": "22023",
					"set datestyle = 'German'":     "22023",
				} {
					if _, err := conn.Exec(ctx, stmt); pgCode(err) != code {
						t.Errorf("%s: %v, want %s", stmt, err, code)
					}
				}
			})
		}
	})
}

func TestTransactionStatus(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		conn := h.connect(pgx.QueryExecModeSimpleProtocol)
		ctx := context.Background()
		pg := conn.PgConn()
		h.exec(conn, "begin")
		if s := pg.TxStatus(); s != 'T' {
			t.Errorf("after BEGIN: %c", s)
		}
		h.exec(conn, "set local statement_timeout = '5s'")
		if _, err := conn.Exec(ctx, "select * from nosuch"); err == nil {
			t.Fatal("select from a missing table succeeded")
		}
		if s := pg.TxStatus(); s != 'E' {
			t.Errorf("after an error: %c", s)
		}
		if _, err := conn.Exec(ctx, "show statement_timeout"); pgCode(err) != "25P02" {
			t.Errorf("in a failed block: %v", err)
		}
		tag := h.exec(conn, "commit")
		if tag.String() != "ROLLBACK" || pg.TxStatus() != 'I' {
			t.Errorf("commit of a failed block: %q, status %c", tag, pg.TxStatus())
		}
		var v string
		if err := conn.QueryRow(ctx, "show statement_timeout").Scan(&v); err != nil || v != "0" {
			t.Errorf("SET LOCAL outlived its block: %q %v", v, err)
		}
		// pgx's transactions: BEGIN ... COMMIT through the extended protocol.
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCancelRequest(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		for _, m := range bothModes {
			t.Run(m.name, func(t *testing.T) {
				h := newHarness(t, Options{})
				conn := h.connect(m.mode)
				h.exec(conn, "create table slow (x bigint)")
				ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
				defer cancel()
				start := time.Now()
				_, err := conn.Exec(ctx, "select * from slow")
				pe := pgErr(err)
				if pe == nil || pe.Code != "57014" || pe.Message != "canceling statement due to user request" {
					t.Fatalf("canceled query: %v", err)
				}
				if time.Since(start) > 5*time.Second {
					t.Errorf("cancel took %v", time.Since(start))
				}
				// The session goes on.
				if err := conn.Ping(context.Background()); err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}

func TestStatementTimeout(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		conn := h.connect(pgx.QueryExecModeCacheStatement)
		h.exec(conn, "create table slow (x bigint)")
		h.exec(conn, "set statement_timeout = '100ms'")
		start := time.Now()
		_, err := conn.Exec(context.Background(), "select * from slow")
		pe := pgErr(err)
		if pe == nil || pe.Code != "57014" || pe.Message != "canceling statement due to statement timeout" {
			t.Fatalf("timed-out query: %v", err)
		}
		if d := time.Since(start); d < 100*time.Millisecond || d > 5*time.Second {
			t.Errorf("timeout after %v", d)
		}
		// psql: options in the connection string set it too.
		out, errOut, err := h.psqlEnv([]string{"PGOPTIONS=-c statement_timeout=50ms"}, "select * from slow;")
		if err == nil || !strings.Contains(errOut, "canceling statement due to statement timeout") {
			t.Errorf("psql with statement_timeout: %v\n%s%s", err, out, errOut)
		}
	})
}

func TestPsqlSession(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		out := h.mustPsql("set application_name = 'psql test'; show application_name; begin; show transaction_isolation; commit;", "-A", "-t")
		if out != "psql test\nread committed\n" {
			t.Errorf("psql: %q", out)
		}
	})
}

// psql sends a CancelRequest on Ctrl-C (SIGINT).
func TestPsqlCancel(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		h.mustPsql("create table slow (x bigint);")
		cmd := exec.Command("psql", "-X", "-v", "ON_ERROR_STOP=1", "-c", "select * from slow", h.dsn("x"))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Fatal("psql did not stop")
		}
		if !strings.Contains(stderr.String(), "canceling statement due to user request") {
			t.Errorf("psql stderr: %s", stderr.String())
		}
	})
}
