package sql

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

func parseOne(t *testing.T, text string) Statement {
	t.Helper()
	stmts, err := Parse(text)
	require.NoError(t, err)
	require.Len(t, stmts, 1)
	return stmts[0]
}

// Parse plans without the catalog where it can; Prepare always plans.
func TestParsePlansWithoutCatalog(t *testing.T) {
	sel := parseOne(t, "SELECT host, count(*) FROM metrics GROUP BY host").(*Select)
	require.NotNil(t, sel.Plan)
	require.Equal(t, "Project host#1 AS host, count#2 AS count\n  Aggregate count(*) AS count GROUP BY host AS host\n    Scan metrics\n", plan.Format(sel.Plan))

	sel = parseOne(t, "SELECT *, mem + 1 FROM metrics").(*Select)
	require.Nil(t, sel.Plan, "SELECT * beside other items needs the columns")
	prep, err := Prepare(sel, fuzzCatalog(), nil)
	require.NoError(t, err)
	require.NotNil(t, prep.Stmt.(*Select).Plan)
	require.Len(t, prep.Columns, 7)
}

// A Prepared binds again and again; Bind leaves it unchanged.
func TestBindTwice(t *testing.T) {
	prep, err := Prepare(parseOne(t, "SELECT host FROM metrics WHERE mem > $1 LIMIT $2"), fuzzCatalog(), nil)
	require.NoError(t, err)
	require.Equal(t, []storage.ColumnType{storage.TypeInt64, storage.TypeInt64}, prep.Params)
	a, err := prep.Bind([]plan.Value{plan.Int64(1), plan.Int64(5)})
	require.NoError(t, err)
	b, err := prep.Bind([]plan.Value{plan.String("2"), plan.Null()})
	require.NoError(t, err)
	require.Contains(t, plan.Format(a.(*Select).Plan), "Limit 5 OFFSET 0")
	require.Contains(t, plan.Format(a.(*Select).Plan), "(mem > 1)")
	require.Contains(t, plan.Format(b.(*Select).Plan), "Limit ALL OFFSET 0")
	require.Contains(t, plan.Format(b.(*Select).Plan), "(mem > 2)")
	require.Contains(t, plan.Format(prep.Stmt.(*Select).Plan), "(mem > $1)")
}

// A plan built by hand (no parse tree) is prepared as it is.
func TestPrepareHandBuiltSelect(t *testing.T) {
	sel := &Select{Plan: &plan.Filter{
		Input: &plan.Scan{Table: "metrics"},
		Pred:  plan.Bin{Op: plan.OpGt, L: plan.Col{Name: "cpu"}, R: plan.Param{Index: 1}},
	}}
	prep, err := Prepare(sel, fuzzCatalog(), nil)
	require.NoError(t, err)
	require.Equal(t, []storage.ColumnType{storage.TypeFloat64}, prep.Params)
	require.Len(t, prep.Columns, 6)
	st, err := prep.Bind([]plan.Value{plan.Float64(0.5)})
	require.NoError(t, err)
	require.Contains(t, plan.Format(st.(*Select).Plan), "(cpu > 0.5)")
}

// A SystemQuery goes to the server untouched, arguments and all.
func TestSystemQueryPrepareBind(t *testing.T) {
	q := parseOne(t, "SELECT relname FROM pg_class WHERE oid = $1")
	sys, ok := q.(*SystemQuery)
	require.True(t, ok)
	require.Equal(t, "SELECT relname FROM pg_class WHERE oid = $1", sys.Text)
	prep, err := Prepare(q, fuzzCatalog(), []storage.ColumnType{storage.TypeInt64})
	require.NoError(t, err)
	require.Nil(t, prep.Columns)
	st, err := prep.Bind([]plan.Value{plan.Int64(1)})
	require.NoError(t, err)
	require.Same(t, q, st)
}

// Positions count characters of the whole query string.
func TestSyntaxErrorPosition(t *testing.T) {
	_, err := Parse("SELECT 'é';\n  SELECT * FROM metrics AS OF VERSION 3 WHERE WHERE")
	var se *Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, "42601", se.Code)
	require.Equal(t, `syntax error at or near "WHERE"`, se.Message)
	require.Equal(t, len([]rune("SELECT 'é';\n  SELECT * FROM metrics AS OF VERSION 3 WHERE "))+1, se.Position)
}

// Prepared INSERTs name every column and hold typed constants.
func TestPrepareInsertShape(t *testing.T) {
	prep, err := Prepare(parseOne(t, "INSERT INTO sales (item, qty) VALUES ('a', '3'), ('b', $1)"), fuzzCatalog(), nil)
	require.NoError(t, err)
	require.Equal(t, []storage.ColumnType{storage.TypeInt32}, prep.Params)
	st, err := prep.Bind([]plan.Value{plan.Int64(4)})
	require.NoError(t, err)
	ins := st.(*Insert)
	require.Equal(t, []string{"region", "item", "qty", "price", "amount", "day"}, ins.Columns)
	require.Equal(t, plan.Lit{Value: plan.Int32(3)}, ins.Rows[0][2])
	require.Equal(t, plan.Lit{Value: plan.Int32(4)}, ins.Rows[1][2])
	require.Equal(t, plan.Lit{Value: plan.NullOf(storage.TypeString)}, ins.Rows[1][0])
}
