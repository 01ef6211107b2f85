package server

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"

	"github.com/stratadb/strata/bench/pgtest"
)

// The same SQL text on Strata and on a real PostgreSQL over the same data
// gives the same answers: numbers compared as numbers (numeric vs float8
// within 1e-9 relative), timestamps as instants, rows in order when the
// query orders them completely, as multisets otherwise.

const compareTable = `CREATE TABLE metrics (host text NOT NULL, region text, ts timestamp NOT NULL,
	cpu double precision, mem bigint, reqs integer, ok boolean)`

var compareQueries = []struct {
	sql     string
	ordered bool
}{
	{`SELECT count(*), sum(mem), avg(cpu), min(ts), max(ts), sum(reqs), avg(reqs) FROM metrics`, true},
	{`SELECT host, count(*), avg(cpu) FROM metrics GROUP BY host ORDER BY host`, true},
	{`SELECT region, count(*) FROM metrics GROUP BY region ORDER BY region NULLS FIRST`, true},
	{`SELECT date_trunc('hour', ts) AS h, count(*), max(cpu) FROM metrics GROUP BY h ORDER BY h`, true},
	{`SELECT host, sum(reqs) AS total FROM metrics WHERE ts >= '2024-01-01 06:00:00' AND ts < '2024-01-01 12:00:00' GROUP BY host ORDER BY total DESC, host LIMIT 5`, true},
	{`SELECT host, avg(cpu) FROM metrics GROUP BY 1 HAVING avg(cpu) > 50 ORDER BY 2 DESC`, true},
	{`SELECT DISTINCT region FROM metrics ORDER BY region`, true},
	{`SELECT DISTINCT ON (host) host, ts, cpu FROM metrics ORDER BY host, ts DESC`, true},
	{`SELECT count(DISTINCT host), count(region), count(cpu) FROM metrics`, true},
	{`SELECT host, CASE WHEN cpu > 80 THEN 'hot' WHEN cpu > 40 THEN 'warm' ELSE 'cool' END AS band, count(*) FROM metrics GROUP BY host, band ORDER BY host, band`, true},
	{`SELECT coalesce(region, 'none') AS r, count(*) FROM metrics GROUP BY r ORDER BY r`, true},
	{`SELECT host FROM metrics WHERE host LIKE 'h1%' GROUP BY host ORDER BY host`, true},
	{`SELECT count(*) FROM metrics WHERE host IN ('h01', 'h02') AND cpu BETWEEN 10 AND 60`, true},
	{`SELECT mem::double precision / 1024 AS kb, CAST(reqs AS bigint) * 2 AS r2 FROM metrics ORDER BY ts LIMIT 10 OFFSET 5`, true},
	{`SELECT h, n FROM (SELECT host AS h, count(*) AS n FROM metrics GROUP BY host) AS s WHERE n > 100 ORDER BY n DESC, h`, true},
	{`SELECT ok, count(*) FROM metrics GROUP BY ok ORDER BY ok`, true},
	{`SELECT host, max(ts) AS last FROM metrics GROUP BY host ORDER BY last DESC, host LIMIT 3`, true},
	{`SELECT date_bin('15 minutes', ts, '2024-01-01') AS b, count(*) FROM metrics GROUP BY b ORDER BY b LIMIT 10`, true},
	{`SELECT sum(cpu * 2 + 1), sum(mem % 7), min(-reqs) FROM metrics`, true},
	{`SELECT count(*) FROM metrics WHERE cpu IS NULL`, true},
	{`SELECT extract(hour FROM ts) AS hr, count(*) FROM metrics GROUP BY hr ORDER BY hr`, true},
	{`SELECT upper(host), length(region) FROM metrics ORDER BY ts LIMIT 5`, true},
	{`SELECT 1 + 2 AS three, 'x' AS s`, true},
	{`SELECT host, ts FROM metrics WHERE ts = '2024-01-01 00:37:00'`, false},
	{`SELECT round(avg(cpu)), abs(min(reqs) - max(reqs)) FROM metrics`, true},
	{`SELECT nullif(region, 'eu') AS r, count(*) FROM metrics GROUP BY 1 ORDER BY 1 NULLS FIRST`, true},
	{`SELECT host, sum(mem) FROM metrics GROUP BY host ORDER BY sum(mem) DESC LIMIT 3`, true},
	{`SELECT greatest(cpu, 50), least(reqs, 10) FROM metrics ORDER BY ts LIMIT 5`, true},
	{`SELECT count(*) FROM metrics WHERE region ILIKE 'EU%' OR host NOT LIKE '%5'`, true},
	{`SELECT host, reqs FROM metrics WHERE reqs > 990`, false},
}

func compareRows() []string {
	var stmts []string
	var vals []string
	regions := []string{"'eu'", "'us'", "'ap'", "NULL"}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 3000; i++ {
		cpu := "NULL"
		if i%17 != 0 {
			cpu = fmt.Sprintf("%g", float64((i*7919)%10000)/100)
		}
		ts := start.Add(time.Duration(i) * 37 * time.Second).Format("2006-01-02 15:04:05")
		vals = append(vals, fmt.Sprintf("('h%02d', %s, '%s', %s, %d, %d, %t)",
			i%20, regions[(i/3)%4], ts, cpu, int64(i)*1_000_003%7_000_000_000, (i*31)%1000, i%3 == 0))
		if len(vals) == 500 {
			stmts = append(stmts, "INSERT INTO metrics VALUES "+strings.Join(vals, ", "))
			vals = nil
		}
	}
	return stmts
}

func TestSameAnswersAsPostgreSQL(t *testing.T) {
	pg := pgtest.Start(t)
	node, _ := startNode(t, Config{})
	ctx := context.Background()
	pgc, err := pgx.Connect(ctx, pg.DSN())
	require.NoError(t, err)
	defer pgc.Close(ctx)
	st, err := pgx.Connect(ctx, fmt.Sprintf("postgres://strata@%s/strata?sslmode=disable", node.PGAddr()))
	require.NoError(t, err)
	defer st.Close(ctx)

	for _, c := range []*pgx.Conn{pgc, st} {
		_, err := c.Exec(ctx, compareTable)
		require.NoError(t, err)
		for _, ins := range compareRows() {
			_, err := c.Exec(ctx, ins)
			require.NoError(t, err)
		}
	}
	for _, q := range compareQueries {
		t.Run(q.sql, func(t *testing.T) {
			want := fetch(t, pgc, q.sql)
			got := fetch(t, st, q.sql)
			if !q.ordered {
				sortRows(want)
				sortRows(got)
			}
			require.Equal(t, len(want), len(got), "rows: postgres %v\nstrata %v", want, got)
			for i := range want {
				require.Equal(t, len(want[i]), len(got[i]), "row %d columns", i)
				for j := range want[i] {
					require.True(t, sameValue(want[i][j], got[i][j]), "row %d column %d: postgres %v (%T), strata %v (%T)", i, j, want[i][j], want[i][j], got[i][j], got[i][j])
				}
			}
		})
	}
}

func fetch(t *testing.T, c *pgx.Conn, q string) [][]any {
	t.Helper()
	rows, err := c.Query(context.Background(), q)
	require.NoError(t, err)
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals, err := rows.Values()
		require.NoError(t, err)
		for i, v := range vals {
			vals[i] = normalize(v)
		}
		out = append(out, vals)
	}
	require.NoError(t, rows.Err())
	return out
}

// normalize makes numbers float64 and timestamps UTC instants.
func normalize(v any) any {
	switch v := v.(type) {
	case int16:
		return float64(v)
	case int32:
		return float64(v)
	case int64:
		return float64(v)
	case float32:
		return float64(v)
	case pgtype.Numeric:
		f, err := v.Float64Value()
		if err != nil || !f.Valid {
			return nil
		}
		if v.Exp >= 0 && v.Int != nil { // an exact integer: keep it exact
			i := new(big.Int).Mul(v.Int, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(v.Exp)), nil))
			if i.IsInt64() {
				return float64(i.Int64())
			}
		}
		return f.Float64
	case time.Time:
		return v.UTC()
	}
	return v
}

func sameValue(a, b any) bool {
	fa, aok := a.(float64)
	fb, bok := b.(float64)
	if aok && bok {
		if fa == fb {
			return true
		}
		return math.Abs(fa-fb) <= 1e-9*math.Max(math.Abs(fa), math.Abs(fb))
	}
	ta, aok := a.(time.Time)
	tb, bok := b.(time.Time)
	if aok && bok {
		return ta.Equal(tb)
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func sortRows(rows [][]any) {
	sort.Slice(rows, func(i, j int) bool { return fmt.Sprint(rows[i]) < fmt.Sprint(rows[j]) })
}
