package pgwire

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// A result larger than one write batch, through every pgx query mode and
// psql, and a COPY larger than one record.
func TestLargeResults(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		conn := h.connect(pgx.QueryExecModeCacheStatement)
		h.exec(conn, createT)
		n := int64(100_000)
		if raceEnabled {
			n = 20_000
		}
		var sb strings.Builder
		for i := range n {
			fmt.Fprintf(&sb, "%d,name %d,%d.25,%t,2024-01-01 00:00:%02d,2024-01-%02d,\\x%02x,%d\n", i, i, i, i%2 == 0, i%60, i%28+1, i%256, -i)
		}
		start := time.Now()
		if _, err := conn.PgConn().CopyFrom(context.Background(), strings.NewReader(sb.String()), "copy t from stdin with (format csv)"); err != nil {
			t.Fatal(err)
		}
		t.Logf("COPY %d rows (csv): %v", n, time.Since(start))
		for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeCacheDescribe,
			pgx.QueryExecModeDescribeExec, pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol} {
			c := h.connect(mode)
			start := time.Now()
			rows, err := c.Query(context.Background(), "select * from t where id >= $1", int64(0))
			if err != nil {
				t.Fatal(err)
			}
			var count, sum int64
			for rows.Next() {
				var id int64
				var name string
				if err := rows.Scan(&id, &name, nil, nil, nil, nil, nil, nil); err != nil {
					t.Fatal(err)
				}
				if name != fmt.Sprintf("name %d", id) {
					t.Fatalf("row %d: name %q", id, name)
				}
				count++
				sum += id
			}
			if err := rows.Err(); err != nil || count != n || sum != n*(n-1)/2 {
				t.Errorf("mode %v: %d rows, sum %d, %v", mode, count, sum, err)
			}
			t.Logf("mode %v: %d rows in %v", mode, count, time.Since(start))
		}
		start = time.Now()
		out := h.mustPsql("select * from t order by id;", "-A", "-t")
		if lines := strings.Count(out, "\n"); int64(lines) != n {
			t.Errorf("psql: %d lines", lines)
		}
		t.Logf("psql: %v", time.Since(start))
	})
}

// Sessions run side by side: reads, writes, COPY and cancels at once.
func TestConcurrentSessions(t *testing.T) {
	eachSQL(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		setup := h.connect(pgx.QueryExecModeSimpleProtocol)
		h.setupT(setup)
		h.exec(setup, "create table slow (x bigint)")
		const workers = 6
		errc := make(chan error, workers)
		for w := range workers {
			mode := bothModes[w%2].mode
			conn := h.connect(mode)
			go func() {
				errc <- func() error {
					ctx := context.Background()
					for i := range 20 {
						id := int64(1000 + w*100 + i)
						if _, err := conn.Exec(ctx, "insert into t (id, name) values ($1, $2)", id, "w"); err != nil {
							return err
						}
						var name string
						if err := conn.QueryRow(ctx, "select * from t where id = $1", id).Scan(nil, &name, nil, nil, nil, nil, nil, nil); err != nil || name != "w" {
							return fmt.Errorf("read back %d: %q %v", id, name, err)
						}
						if i%10 == 0 {
							cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
							_, err := conn.Exec(cctx, "select * from slow")
							cancel()
							if pgCode(err) != "57014" {
								return fmt.Errorf("cancel: %v", err)
							}
						}
					}
					return nil
				}()
			}()
		}
		for range workers {
			if err := <-errc; err != nil {
				t.Error(err)
			}
		}
		var n int64
		if err := setup.QueryRow(context.Background(), "select count(*) as n, sum(id) as s, avg(id) as a from t").Scan(&n, nil, nil); err != nil || n != 2+workers*20 {
			t.Errorf("rows: %d %v", n, err)
		}
	})
}
