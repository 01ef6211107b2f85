package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// psql runs the installed psql 15 against the node's PostgreSQL port and
// returns its output; ON_ERROR_STOP makes a failing statement an error.
func (n *node) psql(t *testing.T, args ...string) (string, error) {
	t.Helper()
	host, port, _ := strings.Cut(n.pgAddr, ":")
	argv := append([]string{"-X", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose",
		"host=" + host + " port=" + port + " user=analyst dbname=strata sslmode=disable"}, args...)
	cmd := exec.Command("psql", argv...)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestE2EPsql drives a real server with the real psql client: DDL,
// INSERT, queries, \copy, \d and \d t, and errors with their SQLSTATEs.
func TestE2EPsql(t *testing.T) {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Fatal("psql is not installed; .ci/run installs postgresql-client")
	}
	n := startNode(t)
	out, err := n.psql(t, "-c", `CREATE TABLE trips (id bigint NOT NULL, city text, fare double precision, started timestamp, paid boolean) WITH (partition_by = 'city', sort_by = 'started')`)
	require.NoError(t, err, out)
	require.Contains(t, out, "CREATE TABLE")

	out, err = n.psql(t, "-c", `INSERT INTO trips VALUES (1, 'paris', 12.5, '2024-03-01 10:00:00', true), (2, 'rome', 8.25, '2024-03-01 11:30:00', false), (3, 'paris', NULL, '2024-03-02 09:15:00', true)`)
	require.NoError(t, err, out)
	require.Contains(t, out, "INSERT 0 3")

	csv := filepath.Join(t.TempDir(), "trips.csv")
	var sb strings.Builder
	sb.WriteString("id,city,fare,started,paid\n")
	count := map[string]int{"paris": 2, "rome": 1}
	sum := map[string]float64{"paris": 12.5, "rome": 8.25}
	for i := 4; i <= 1003; i++ {
		city := []string{"paris", "rome", "oslo"}[i%3]
		fare := float64(i%50) + 0.5
		count[city]++
		sum[city] += fare
		fmt.Fprintf(&sb, "%d,%s,%g,2024-03-03 00:00:00,false\n", i, city, fare)
	}
	require.NoError(t, os.WriteFile(csv, []byte(sb.String()), 0o644))
	out, err = n.psql(t, "-c", `\copy trips FROM '`+csv+`' WITH (FORMAT csv, HEADER)`)
	require.NoError(t, err, out)
	require.Contains(t, out, "COPY 1000")

	out, err = n.psql(t, "-At", "-c", `SELECT city, count(*), sum(fare) FROM trips GROUP BY city ORDER BY city`)
	require.NoError(t, err, out)
	var want []string
	for _, city := range []string{"oslo", "paris", "rome"} {
		want = append(want, fmt.Sprintf("%s|%d|%g", city, count[city], sum[city]))
	}
	require.Equal(t, strings.Join(want, "\n"), strings.TrimSpace(out))

	out, err = n.psql(t, "-c", `\d`)
	require.NoError(t, err, out)
	require.Contains(t, out, "trips")
	require.Contains(t, out, "table")

	out, err = n.psql(t, "-c", `\d trips`)
	require.NoError(t, err, out)
	for _, want := range []string{`Table "public.trips"`, "id", "bigint", "not null", "city", "text", "fare", "double precision", "started", "timestamp with time zone", "paid", "boolean"} {
		require.Contains(t, out, want)
	}

	out, err = n.psql(t, "-At", "-c", `SELECT version()`)
	require.NoError(t, err, out)
	require.Contains(t, out, "Strata")

	for _, c := range []struct{ sql, state string }{
		{`SELECT * FROM nope`, "42P01"},
		{`SELECT nope FROM trips`, "42703"},
		{`SELEC 1`, "42601"},
		{`SELECT CAST('abc' AS bigint)`, "22P02"},
		{`SELECT 9223372036854775807::bigint + 1`, "22003"},
		{`SELECT 1/0`, "22012"},
	} {
		out, err := n.psql(t, "-c", c.sql)
		require.Error(t, err, "%s: %s", c.sql, out)
		require.Contains(t, out, "ERROR:  "+c.state, c.sql)
	}
	// The node is still serving after the errors.
	out, err = n.psql(t, "-At", "-c", `SELECT count(*) FROM trips`)
	require.NoError(t, err, out)
	require.Equal(t, "1003", strings.TrimSpace(out))
}
