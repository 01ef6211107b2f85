package server

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	stratapb "github.com/stratadb/strata/proto"
)

// sqlOverGRPC runs one statement through Query and returns its stats and
// the number of IPC messages (an empty answer still sends its schema).
func sqlOverGRPC(t *testing.T, c stratapb.StrataClient, text string) (*stratapb.QueryStats, int, error) {
	t.Helper()
	stream, err := c.Query(context.Background(), &stratapb.QueryRequest{Query: &stratapb.QueryRequest_Sql{Sql: text}})
	require.NoError(t, err)
	var stats *stratapb.QueryStats
	msgs := 0
	for {
		msg, err := stream.Recv()
		if err == io.EOF {
			return stats, msgs, nil
		}
		if err != nil {
			return nil, msgs, err
		}
		if s := msg.GetStats(); s != nil {
			stats = s
		} else {
			msgs++
		}
	}
}

func TestSQLOverGRPC(t *testing.T) {
	_, c := startNode(t, Config{})
	st, _, err := sqlOverGRPC(t, c, `CREATE TABLE m (host text NOT NULL, v bigint, f double precision) WITH (partition_by = 'host')`)
	require.NoError(t, err)
	require.Equal(t, "CREATE TABLE", st.CommandTag)
	st, _, err = sqlOverGRPC(t, c, `INSERT INTO m VALUES ('a', 1, 0.5), ('b', 2, NULL), ('a', 3, 1.5)`)
	require.NoError(t, err)
	require.Equal(t, "INSERT 0 3", st.CommandTag)

	st, msgs, err := sqlOverGRPC(t, c, `SELECT host, sum(v), avg(f), count(*) FROM m GROUP BY host ORDER BY host`)
	require.NoError(t, err)
	require.Equal(t, "SELECT 2", st.CommandTag)
	require.Equal(t, []bool{false, true, false, false}, st.NumericColumns, "sum(bigint) is numeric in PostgreSQL")
	require.EqualValues(t, 2, st.Rows)
	require.Positive(t, msgs)

	for _, q := range []string{`EXPLAIN SELECT sum(v) FROM m WHERE host = 'a'`, `SHOW TABLES`, `DESCRIBE m`, `SHOW VERSIONS OF m`, `SELECT version()`,
		`SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(m)$' COLLATE pg_catalog.default`} {
		st, _, err := sqlOverGRPC(t, c, q)
		require.NoError(t, err, q)
		require.Positive(t, st.Rows, q)
	}

	for _, c2 := range []struct {
		sql   string
		code  codes.Code
		state string
	}{
		{`SELECT * FROM nope`, codes.NotFound, "42P01"},
		{`SELECT nope FROM m`, codes.InvalidArgument, "42703"},
		{`SELEC 1`, codes.InvalidArgument, "42601"},
		{`SELECT 1; SELECT 2`, codes.InvalidArgument, "42601"},
		{`SELECT v / 0 FROM m`, codes.InvalidArgument, "22012"},
		{`COPY m FROM STDIN`, codes.Unimplemented, "0A000"},
		{`SELECT $1`, codes.InvalidArgument, ""},
	} {
		_, _, err := sqlOverGRPC(t, c, c2.sql)
		require.Error(t, err, c2.sql)
		require.Equal(t, c2.code, status.Code(err), "%s: %v", c2.sql, err)
		require.Contains(t, err.Error(), "SQLSTATE "+c2.state, c2.sql)
	}
}

func TestPGTextArray(t *testing.T) {
	require.Equal(t, `{a,"b c","x,y","",NULL_,"null","q\"\\"}`, pgTextArray([]string{"a", "b c", "x,y", "", "NULL_", "null", `q"\`}))
}
