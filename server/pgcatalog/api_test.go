package pgcatalog

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/parser"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"

	"github.com/stratadb/strata/query/sql"
	"github.com/stratadb/strata/storage"
)

func sqlState(err error) string {
	var se *sql.Error
	if errors.As(err, &se) {
		return se.Code
	}
	return fmt.Sprintf("not a *sql.Error: %v", err)
}

func TestParamTypes(t *testing.T) {
	for _, tc := range []struct {
		query string
		hints []uint32
		want  []uint32
	}{
		{"SELECT typname FROM pg_type WHERE oid = $1", nil, []uint32{oidOID}},
		{"SELECT typname FROM pg_type WHERE $1 = oid", nil, []uint32{oidOID}},
		{"SELECT $1", nil, []uint32{oidText}},
		{"SELECT $1", []uint32{oidInt4}, []uint32{oidInt4}},
		{"SELECT $1::text::regtype::oid", nil, []uint32{oidText}},
		{"SELECT relname FROM pg_class WHERE relname = $1 AND relnamespace = $2", nil, []uint32{oidName, oidOID}},
		{"SELECT $2, $1", []uint32{0, oidBool}, []uint32{oidText, oidBool}},
		{"SELECT 1 LIMIT $1", nil, []uint32{oidInt8}},
		{"SELECT current_setting($1)", nil, []uint32{oidText}},
		{"SELECT oid FROM pg_type WHERE typname IN ($1, $2)", nil, []uint32{oidName, oidName}},
	} {
		p, err := Prepare(&sql.SystemQuery{Text: tc.query}, testEnv(), tc.hints)
		if err != nil {
			t.Errorf("%s: %v", tc.query, err)
			continue
		}
		if !reflect.DeepEqual(p.Params, tc.want) {
			t.Errorf("%s: params %v, want %v", tc.query, p.Params, tc.want)
		}
	}
}

func TestArgsOfEveryGoType(t *testing.T) {
	p, err := Prepare(&sql.SystemQuery{Text: "SELECT typname FROM pg_type WHERE oid = $1"}, testEnv(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, arg := range []any{uint32(23), int32(23), int64(23), int16(23), 23, "23", []byte("23"), float64(23)} {
		rows, err := p.Run(context.Background(), []any{arg})
		if err != nil {
			t.Errorf("%T: %v", arg, err)
			continue
		}
		if len(rows) != 1 || rows[0][0] != "int4" {
			t.Errorf("%T: %v", arg, rows)
		}
	}
	if rows, err := p.Run(context.Background(), []any{nil}); err != nil || len(rows) != 0 {
		t.Errorf("NULL: %v %v", rows, err)
	}
	if _, err := p.Run(context.Background(), []any{"x"}); sqlState(err) != codeInvalidText {
		t.Errorf("bad oid: %v", err)
	}
	if _, err := p.Run(context.Background(), nil); sqlState(err) != codeProtocol {
		t.Errorf("missing argument: %v", err)
	}
}

// TestOutputGoTypes checks the contract: Go values typed by column OID.
func TestOutputGoTypes(t *testing.T) {
	p, rows, err := query(testEnv(), `SELECT true, 1::int2, 1::int4, 1::int8, 1::oid, 'pg_class'::regclass,
		'int4'::regtype, 1.5::float8, 'x'::text, 'x'::name, 'x'::"char", ARRAY['a'], current_schemas(true),
		NULL, 1.5::float4, 2::numeric, now(), '{1}'::int[], 'a'::varchar, 'pg_catalog'::regnamespace,
		'array_in'::regproc, 'postgres'::regrole`)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		oid uint32
		val any
	}{
		{16, true}, {21, int16(1)}, {23, int32(1)}, {20, int64(1)}, {26, uint32(1)}, {2205, uint32(1259)},
		{2206, uint32(23)}, {701, 1.5}, {25, "x"}, {19, "x"}, {18, "x"}, {1009, []string{"a"}},
		{1003, []string{"pg_catalog", "public"}}, {25, nil}, {701, 1.5}, {701, 2.0}, {25, nil},
		{1009, []string{"1"}}, {1043, "a"}, {4089, uint32(11)}, {24, uint32(750)}, {4096, uint32(10)},
	}
	if len(p.Columns) != len(want) || len(rows) != 1 {
		t.Fatalf("columns %v rows %v", p.Columns, rows)
	}
	for i, w := range want {
		if p.Columns[i].OID != w.oid {
			t.Errorf("column %d: OID %d, want %d", i+1, p.Columns[i].OID, w.oid)
		}
		if i == 16 { // now(): a timestamp's text
			if _, ok := rows[0][i].(string); !ok {
				t.Errorf("now(): %T", rows[0][i])
			}
			continue
		}
		if !reflect.DeepEqual(rows[0][i], w.val) {
			t.Errorf("column %d: %#v, want %#v", i+1, rows[0][i], w.val)
		}
	}
}

// TestAST runs queries as query/sql hands them over: parsed, with the text.
func TestAST(t *testing.T) {
	text := "SELECT relname FROM pg_catalog.pg_class WHERE relname = 'trades' AND pg_catalog.pg_table_is_visible(oid)"
	stmts, err := parser.ParseWithInt(text, types.Int4)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Prepare(&sql.SystemQuery{AST: stmts[0].AST, Text: text}, testEnv(), nil)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := p.Run(context.Background(), nil)
	if err != nil || len(rows) != 1 || rows[0][0] != "trades" {
		t.Fatalf("%v %v", rows, err)
	}
	show, err := parser.ParseOne("SHOW search_path")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Prepare(&sql.SystemQuery{AST: show.AST}, testEnv(), nil); sqlState(err) != codeUnsupported {
		t.Errorf("SHOW: %v", err)
	}
	if _, err := Prepare(&sql.SystemQuery{Text: "SELECT 1; SELECT 2"}, testEnv(), nil); sqlState(err) != codeSyntax {
		t.Errorf("two statements: %v", err)
	}
	if _, err := Prepare(&sql.SystemQuery{Text: "SELEC"}, testEnv(), nil); sqlState(err) != codeSyntax {
		t.Errorf("syntax error: %v", err)
	}
	var _ tree.Statement = stmts[0].AST
}

func TestParseRewritesCollateDefault(t *testing.T) {
	for _, text := range []string{
		`SELECT 1 FROM pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default`,
		`SELECT 1 FROM pg_class c WHERE c.relname ~ 'x' collate PG_CATALOG."default"`,
		`SELECT 1 FROM pg_class c WHERE c.relname ~ 'x' COLLATE "default"`,
	} {
		if _, err := Parse(text); err != nil {
			t.Errorf("%s: %v", text, err)
		}
	}
}

// TestEmptyEnv: no catalog, no settings, no names.
func TestEmptyEnv(t *testing.T) {
	_, rows, err := query(&Env{}, `SELECT version(), current_database(), current_user, current_setting('server_version_num'), (SELECT count(*) FROM pg_class WHERE relnamespace = 2200)`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0][1] != "strata" || rows[0][2] != "strata" || rows[0][3] != "150000" || rows[0][4] != int64(0) {
		t.Errorf("%v", rows)
	}
}

// TestCatalogChangesBetweenRuns: a Prepared reads the tables at every Run.
func TestCatalogChangesBetweenRuns(t *testing.T) {
	cat := testTables()
	env := testEnv()
	env.Catalog = cat
	p, err := Prepare(&sql.SystemQuery{Text: "SELECT relname FROM pg_class WHERE relnamespace = 2200 ORDER BY 1"}, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := p.Run(context.Background(), nil)
	if len(rows) != 2 {
		t.Fatalf("%v", rows)
	}
	cat["user"] = &storage.TableDef{Name: "user", Columns: []storage.Column{{Name: "Select", Type: storage.TypeString}}}
	rows, _ = p.Run(context.Background(), nil)
	if len(rows) != 3 || rows[2][0] != "user" {
		t.Fatalf("%v", rows)
	}
	_, rows, err = query(env, `SELECT 'user'::regclass::text, '"user"'::regclass::text, quote_ident(attname) FROM pg_attribute WHERE attrelid = '"user"'::regclass`)
	if err != nil || len(rows) != 1 || rows[0][0] != `"user"` || rows[0][1] != `"user"` || rows[0][2] != `"Select"` {
		t.Fatalf("%v %v", rows, err)
	}
}

// TestTableOIDsStable: a table keeps its OID when others come and go.
func TestTableOIDsStable(t *testing.T) {
	before := oidOf(t, "trades")
	env := testEnv()
	env.Catalog = manyTables(50)
	cd := newCatalogData(env)
	if got := cd.tableByName("trades").oid; got != before {
		t.Errorf("trades: OID %d with more tables, %d before", got, before)
	}
	seen := map[uint32]bool{}
	for _, tb := range cd.tables() {
		if seen[tb.oid] || tb.oid < firstTableOID || tb.oid >= 1<<31 || catalogByOID[tb.oid] != nil {
			t.Errorf("%s: OID %d reused or out of range", tb.def.Name, tb.oid)
		}
		seen[tb.oid] = true
	}
}

func TestReadingStrataTablesIsRefused(t *testing.T) {
	if _, _, err := query(testEnv(), "SELECT * FROM trades, pg_class"); sqlState(err) != codeUnsupported {
		t.Errorf("%v", err)
	}
}

func TestConcurrentRuns(t *testing.T) {
	text := withOIDs(goldenQuery(&testing.B{}, `pg_catalog.format_type(a.atttypid, a.atttypmod),`), testOIDs(t))
	p, err := Prepare(&sql.SystemQuery{Text: text}, testEnv(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 5 {
				got, err := p.Run(context.Background(), nil)
				if err != nil || !reflect.DeepEqual(got, want) {
					t.Errorf("concurrent run: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// lowLimits makes runaway queries fail fast.
func lowLimits(t testing.TB) {
	steps, cells := maxSteps, maxCells
	maxSteps, maxCells = 200_000, 100_000
	t.Cleanup(func() { maxSteps, maxCells = steps, cells })
}

func TestRunawayQueriesStop(t *testing.T) {
	lowLimits(t)
	huge := "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b"
	p, err := Prepare(&sql.SystemQuery{Text: huge}, testEnv(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(context.Background(), nil); sqlState(err) != codeTooComplex {
		t.Errorf("budget: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Run(ctx, nil); sqlState(err) != codeCanceled {
		t.Errorf("canceled: %v", err)
	}
}

func TestSessionSettingsWithUnits(t *testing.T) {
	env := testEnv()
	env.Setting = func(name string) (string, bool) {
		switch name {
		case "work_mem":
			return "8MB", true
		case "statement_timeout":
			return "30s", true
		}
		return "", false
	}
	_, rows, err := query(env, `SELECT name, setting, source, current_setting(name) FROM pg_settings WHERE name IN ('work_mem', 'statement_timeout', 'lock_timeout') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{
		{"lock_timeout", "0", "default", "0"},
		{"statement_timeout", "30000", "session", "30s"},
		{"work_mem", "8192", "session", "8MB"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("got %v, want %v", rows, want)
	}
}

// TestEveryRelation reads every system relation: builders fill existing
// columns, rows have the relation's width, and each is listed in pg_class
// and pg_attribute.
func TestEveryRelation(t *testing.T) {
	env := testEnv()
	for i := range catalogRelations {
		r := &catalogRelations[i]
		name := nspName(r.nsp) + "." + r.name
		p, rows, err := query(env, "SELECT * FROM "+name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(p.Columns) != len(r.cols) {
			t.Errorf("%s: %d columns, want %d", name, len(p.Columns), len(r.cols))
		}
		for _, row := range rows {
			if len(row) != len(r.cols) {
				t.Fatalf("%s: row of %d values", name, len(row))
			}
		}
		_, rows, err = query(env, fmt.Sprintf("SELECT count(*) FROM pg_attribute WHERE attrelid = '%s'::regclass AND attnum > 0", name))
		if err != nil || len(rows) != 1 || rows[0][0] != int64(len(r.cols)) {
			t.Errorf("%s: pg_attribute says %v (%v)", name, rows, err)
		}
	}
}

// countingCatalog counts the calls a Run makes.
type countingCatalog struct {
	fakeCatalog
	calls int
}

func (c *countingCatalog) TableNames() []string {
	c.calls++
	return c.fakeCatalog.TableNames()
}

// TestSessionQueriesReadNoTables: drivers' frequent session queries do
// not read every table's definition.
func TestSessionQueriesReadNoTables(t *testing.T) {
	cat := &countingCatalog{fakeCatalog: testTables()}
	env := testEnv()
	env.Catalog = cat
	if _, _, err := query(env, "SELECT version(), current_schema(), current_setting('server_version_num'), typname FROM pg_type WHERE oid = 23"); err != nil {
		t.Fatal(err)
	}
	if cat.calls != 0 {
		t.Errorf("read the tables %d times", cat.calls)
	}
	if _, _, err := query(env, "SELECT relname FROM pg_class"); err != nil || cat.calls != 1 {
		t.Errorf("pg_class: %v, %d reads", err, cat.calls)
	}
}
