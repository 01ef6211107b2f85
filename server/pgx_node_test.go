package server

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

// TestPGXOnNode drives a node's PostgreSQL endpoint with pgx as an
// application would: extended protocol with inferred parameter types, a
// prepared statement reused, binary COPY, and SQLSTATEs on errors.
func TestPGXOnNode(t *testing.T) {
	node, _ := startNode(t, Config{})
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://app@%s/strata?sslmode=disable", node.PGAddr()))
	require.NoError(t, err)
	defer conn.Close(ctx)

	_, err = conn.Exec(ctx, `CREATE TABLE ev (id bigint NOT NULL, kind text, at timestamptz, score double precision)`)
	require.NoError(t, err)
	base := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	var rows [][]any
	for i := 0; i < 5000; i++ {
		rows = append(rows, []any{int64(i), []string{"click", "view", "buy"}[i%3], base.Add(time.Duration(i) * time.Second), float64(i%100) / 4})
	}
	n, err := conn.CopyFrom(ctx, pgx.Identifier{"ev"}, []string{"id", "kind", "at", "score"}, pgx.CopyFromRows(rows))
	require.NoError(t, err)
	require.EqualValues(t, 5000, n)

	_, err = conn.Prepare(ctx, "by_kind", `SELECT count(*), sum(score) FROM ev WHERE kind = $1 AND at >= $2`)
	require.NoError(t, err)
	for _, kind := range []string{"click", "view", "buy"} {
		var cnt int64
		var sum float64
		require.NoError(t, conn.QueryRow(ctx, "by_kind", kind, base.Add(time.Hour)).Scan(&cnt, &sum))
		var wantCnt int64
		var wantSum float64
		for i := 3600; i < 5000; i++ {
			if rows[i][1] == kind {
				wantCnt++
				wantSum += rows[i][3].(float64)
			}
		}
		require.Equal(t, wantCnt, cnt, kind)
		require.InDelta(t, wantSum, sum, 1e-9, kind)
	}

	var id int64
	require.NoError(t, conn.QueryRow(ctx, `SELECT id FROM ev WHERE id > $1 ORDER BY id LIMIT $2`, 4997, 1).Scan(&id))
	require.EqualValues(t, 4998, id)

	_, err = conn.Exec(ctx, `SELECT count(*) FROM missing`)
	var pgErr *pgconn.PgError
	require.True(t, errors.As(err, &pgErr), "%v", err)
	require.Equal(t, "42P01", pgErr.Code)
	// The session goes on after an error.
	var total int64
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM ev`).Scan(&total))
	require.EqualValues(t, 5000, total)
}

// TestRollbackWarnsThatWritesStay: every statement commits on its own, so
// a ROLLBACK after writes in a BEGIN block says it undid nothing.
func TestRollbackWarnsThatWritesStay(t *testing.T) {
	node, _ := startNode(t, Config{})
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(fmt.Sprintf("postgres://app@%s/strata?sslmode=disable", node.PGAddr()))
	require.NoError(t, err)
	var notices []*pgconn.Notice
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { notices = append(notices, n) }
	conn, err := pgx.ConnectConfig(ctx, cfg)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `CREATE TABLE w (a bigint)`)
	require.NoError(t, err)

	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SELECT count(*) FROM w`)
	require.NoError(t, err)
	require.NoError(t, tx.Rollback(ctx))
	require.Empty(t, notices, "a read-only block rolls back silently")

	tx, err = conn.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `INSERT INTO w VALUES (1)`)
	require.NoError(t, err)
	require.NoError(t, tx.Rollback(ctx))
	require.Len(t, notices, 1)
	require.Equal(t, "WARNING", notices[0].Severity)
	require.Contains(t, notices[0].Message, "did not undo")
	var n int64
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM w`).Scan(&n))
	require.EqualValues(t, 1, n, "the write stayed, as the warning said")
}
