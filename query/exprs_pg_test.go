package query_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// TestExprsMatchPostgres checks expressions end to end against answers
// PostgreSQL 15 gave (SELECT (expr)::text, server encoding UTF8, lc_ctype
// C.UTF-8). The differential tests check the engine against the
// reference; this checks both agree with PostgreSQL where it matters.
func TestExprsMatchPostgres(t *testing.T) {
	i64 := func(v int64) plan.Expr { return lit(plan.Int64(v)) }
	f64 := func(v float64) plan.Expr { return lit(plan.Float64(v)) }
	str := func(v string) plan.Expr { return lit(plan.String(v)) }
	cast := func(x plan.Expr, t storage.ColumnType) plan.Expr { return plan.Cast{X: x, To: t} }
	ts := func(s string) plan.Expr { return cast(str(s), storage.TypeTimestamp) }
	date := func(s string) plan.Expr { return cast(str(s), storage.TypeDate) }
	cases := []struct {
		sql  string
		e    plan.Expr
		want string
	}{
		{"CASE WHEN 1 > 2 THEN 1 ELSE 2.5::float8 END", plan.Case{Whens: []plan.When{{Cond: bin(plan.OpGt, i64(1), i64(2)), Then: i64(1)}}, Else: f64(2.5)}, "2.5"},
		{"COALESCE(NULL::int, 2, 3)", plan.Coalesce{Args: []plan.Expr{lit(plan.NullOf(storage.TypeInt32)), i64(2), i64(3)}}, "2"},
		{"'héllo' LIKE 'h_llo'", like(str("héllo"), str("h_llo"), false, false), "true"},
		{`'100%' LIKE '%0\%'`, like(str("100%"), str(`%0\%`), false, false), "true"},
		{"'Straße' ILIKE 'STRASSE'", like(str("Straße"), str("STRASSE"), false, true), "false"},
		{"'abc' NOT LIKE 'a%'", like(str("abc"), str("a%"), true, false), "false"},
		{"CAST(7.6::float8 AS int)", cast(f64(7.6), storage.TypeInt32), "8"},
		{"CAST(2.5::float8 AS int)", cast(f64(2.5), storage.TypeInt32), "2"},
		{"CAST(3.5::float8 AS bigint)", cast(f64(3.5), storage.TypeInt64), "4"},
		{"CAST(-0.5::float8 AS int)", cast(f64(-0.5), storage.TypeInt32), "0"},
		{"CAST(' 12 ' AS bigint)", cast(str(" 12 "), storage.TypeInt64), "12"},
		{"CAST(1e20::float8 AS text)", cast(f64(1e20), storage.TypeString), "1e+20"},
		{"CAST(0.1::float8 + 0.2::float8 AS text)", cast(bin(plan.OpAdd, f64(0.1), f64(0.2)), storage.TypeString), "0.30000000000000004"},
		{"CAST(-0.0::float8 * 1 AS text)", cast(bin(plan.OpMul, plan.Neg{X: f64(0)}, i64(1)), storage.TypeString), "-0"},
		{"CAST('2024-02-29 13:14:15.5'::timestamp AS date)", cast(ts("2024-02-29 13:14:15.5"), storage.TypeDate), "2024-02-29"},
		{"CAST(DATE '2024-02-29' AS timestamp)", cast(date("2024-02-29"), storage.TypeTimestamp), "2024-02-29 00:00:00"},
		{"CAST(true AS int)", cast(lit(plan.Bool(true)), storage.TypeInt32), "1"},
		{"CAST('yes' AS boolean)", cast(str("yes"), storage.TypeBool), "true"},
		{`CAST('\x01ab'::bytea AS text)`, cast(lit(plan.Binary([]byte{1, 0xab})), storage.TypeString), `\x01ab`},
		{"abs(-5)", fn("abs", i64(-5)), "5"},
		{"round(2.675::float8::numeric, 2)", fn("round", f64(2.675), i64(2)), "2.68"},
		{"round(-2.5)", fn("round", f64(-2.5)), "-3"},
		{"round(1250, -2)", fn("round", i64(1250), i64(-2)), "1300"},
		{"floor(-1.5::float8)", fn("floor", f64(-1.5)), "-2"},
		{"ceil(-1.5::float8)", fn("ceil", f64(-1.5)), "-1"},
		{"lower('HÉLLO')", fn("lower", str("HÉLLO")), "héllo"},
		{"upper('straße')", fn("upper", str("straße")), "STRAßE"},
		{"length('héllo')", fn("length", str("héllo")), "5"},
		{"nullif(1, 1.0::float8)", fn("nullif", i64(1), f64(1)), "NULL"},
		{"greatest(1, NULL, 3)", fn("greatest", i64(1), lit(plan.Null()), i64(3)), "3"},
		{"least('b', 'a', NULL)", fn("least", str("b"), str("a"), lit(plan.Null())), "a"},
		{"date_part('week', TIMESTAMP '2021-01-01')", fn("date_part", str("week"), ts("2021-01-01")), "53"},
		{"date_part('dow', DATE '2024-01-07')", fn("date_part", str("dow"), date("2024-01-07")), "0"},
		{"date_part('doy', DATE '2024-12-31')", fn("date_part", str("doy"), date("2024-12-31")), "366"},
		{"date_part('epoch', TIMESTAMP '1969-12-31 23:59:59.5')", fn("date_part", str("epoch"), ts("1969-12-31 23:59:59.5")), "-0.5"},
		{"date_part('second', TIMESTAMP '2024-01-02 03:04:05.25')", fn("date_part", str("second"), ts("2024-01-02 03:04:05.25")), "5.25"},
		{"date_part('quarter', DATE '2024-05-01')", fn("date_part", str("quarter"), date("2024-05-01")), "2"},
		{"date_part('hour', TIMESTAMP '2024-01-02 03:04:05')", fn("date_part", str("hour"), ts("2024-01-02 03:04:05")), "3"},
		{"date_part('minute', TIMESTAMP '2024-01-02 03:04:05')", fn("extract", str("minute"), ts("2024-01-02 03:04:05")), "4"},
	}
	s := storage.New(storage.Options{})
	t.Cleanup(s.Close)
	one := &plan.Values{Names: []string{"one"}, Rows: [][]plan.Expr{{i64(1)}}}
	for _, c := range cases {
		t.Run(c.sql, func(t *testing.T) {
			p := &plan.Project{Input: one, Exprs: []plan.Named{{Name: "x", Expr: c.e}}}
			res, err := query.Execute(context.Background(), s, p, query.Options{})
			require.NoError(t, err)
			defer res.Release()
			require.EqualValues(t, 1, res.NumRows())
			_, sch, err := plan.Bind(p, nil)
			require.NoError(t, err)
			v, err := diffValue(res.Records[0].Column(0), 0, sch[0].Type)
			require.NoError(t, err)
			got := "NULL"
			if !v.Null {
				got = plan.FormatText(v)
			}
			require.Equal(t, c.want, got)
		})
	}
}
