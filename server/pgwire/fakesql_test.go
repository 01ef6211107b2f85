package pgwire

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/query/sql"
	"github.com/stratadb/strata/storage"
)

// A stand-in for query/sql: it knows exactly the statements the tests send
// (valid PostgreSQL) and builds the statements the real one would, so the
// protocol tests also run without the planner. Every test runs with both
// (eachSQL).

func eachSQL(t *testing.T, fn func(t *testing.T)) {
	t.Run("fakesql", func(t *testing.T) {
		useFakeSQL(t)
		fn(t)
	})
	t.Run("realsql", fn)
}

func useFakeSQL(t *testing.T) {
	p, pr, b := parseSQL, prepareSQL, bindSQL
	parseSQL, prepareSQL, bindSQL = fakeParse, fakePrepare, fakeBind
	t.Cleanup(func() { parseSQL, prepareSQL, bindSQL = p, pr, b })
}

// fakeQuery is an engine statement of the fake: built at Bind.
type fakeQuery struct {
	text string
	def  fakeDef
}

func (q *fakeQuery) Tag() string { return "SELECT" }

type fakeDef struct {
	params []storage.ColumnType // TypeInvalid: not inferable
	build  func(args []plan.Value) sql.Statement
}

var ts1 = plan.Timestamp(time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC))

func lit(v plan.Value) plan.Expr { return plan.Lit{Value: v} }

func col(name string) plan.Expr { return plan.Col{Name: name} }

func sel(n plan.Node) sql.Statement { return &sql.Select{Plan: n} }

func fixed(s sql.Statement) fakeDef {
	return fakeDef{build: func([]plan.Value) sql.Statement { return s }}
}

var tColumns = []storage.Column{
	{Name: "id", Type: storage.TypeInt64},
	{Name: "name", Type: storage.TypeString, Nullable: true},
	{Name: "score", Type: storage.TypeFloat64, Nullable: true},
	{Name: "ok", Type: storage.TypeBool, Nullable: true},
	{Name: "ts", Type: storage.TypeTimestamp, Nullable: true},
	{Name: "d", Type: storage.TypeDate, Nullable: true},
	{Name: "b", Type: storage.TypeBinary, Nullable: true},
	{Name: "n", Type: storage.TypeInt32, Nullable: true},
}

func sortByID(n plan.Node) plan.Node {
	return &plan.Sort{Input: n, Keys: []plan.SortKey{{Expr: col("id")}}}
}

var fakeStatements = map[string]fakeDef{
	"create table t (id bigint not null, name text, score double precision, ok boolean, ts timestamp, d date, b bytea, n integer)": fixed(&sql.CreateTable{Def: storage.TableDef{Name: "t", Columns: tColumns}}),
	"create table slow (x bigint)": fixed(&sql.CreateTable{Def: storage.TableDef{Name: "slow", Columns: []storage.Column{{Name: "x", Type: storage.TypeInt64, Nullable: true}}}}),
	"create table boom (x bigint)": fixed(&sql.CreateTable{Def: storage.TableDef{Name: "boom", Columns: []storage.Column{{Name: "x", Type: storage.TypeInt64, Nullable: true}}}}),
	"drop table t":                 fixed(&sql.DropTable{Name: "t"}),
	`insert into t values (1, 'a', 1.5, true, '2024-01-02 03:04:05.123456', '2024-01-02', '\xdead', 7), (2, null, null, null, null, null, null, null)`: fixed(&sql.Insert{Table: "t", Rows: [][]plan.Expr{
		{lit(plan.Int64(1)), lit(plan.String("a")), lit(plan.Float64(1.5)), lit(plan.Bool(true)), lit(ts1), lit(plan.Date(19724)), lit(plan.Binary([]byte{0xde, 0xad})), lit(plan.Int32(7))},
		{lit(plan.Int64(2)), lit(plan.Null()), lit(plan.Null()), lit(plan.Null()), lit(plan.Null()), lit(plan.Null()), lit(plan.Null()), lit(plan.Null())},
	}}),
	"insert into t (id, name) values ($1, $2)": {
		params: []storage.ColumnType{storage.TypeInt64, storage.TypeString},
		build: func(a []plan.Value) sql.Statement {
			return &sql.Insert{Table: "t", Columns: []string{"id", "name"}, Rows: [][]plan.Expr{{lit(a[0]), lit(a[1])}}}
		},
	},
	"insert into t (id, name) values (3, 'c')": fixed(&sql.Insert{Table: "t", Columns: []string{"id", "name"}, Rows: [][]plan.Expr{{lit(plan.Int64(3)), lit(plan.String("c"))}}}),
	"select * from t order by id":              fixed(sel(sortByID(&plan.Scan{Table: "t"}))),
	"select id, name from t order by id": fixed(sel(sortByID(&plan.Project{Input: &plan.Scan{Table: "t"},
		Exprs: []plan.Named{{Name: "id", Expr: col("id")}, {Name: "name", Expr: col("name")}}}))),
	"select * from t where id = $1": {
		params: []storage.ColumnType{storage.TypeInt64},
		build: func(a []plan.Value) sql.Statement {
			return sel(&plan.Filter{Input: &plan.Scan{Table: "t"}, Pred: plan.Bin{Op: plan.OpEq, L: col("id"), R: lit(a[0])}})
		},
	},
	"select * from t where id >= $1": {
		params: []storage.ColumnType{storage.TypeInt64},
		build: func(a []plan.Value) sql.Statement {
			return sel(&plan.Filter{Input: &plan.Scan{Table: "t"}, Pred: plan.Bin{Op: plan.OpGe, L: col("id"), R: lit(a[0])}})
		},
	},
	"select id from t where ts >= $1 and score > $2 and ok = $3 and d = $4 and n = $5": {
		params: []storage.ColumnType{storage.TypeTimestamp, storage.TypeFloat64, storage.TypeBool, storage.TypeDate, storage.TypeInt32},
		build: func(a []plan.Value) sql.Statement {
			and := func(l, r plan.Expr) plan.Expr { return plan.Bin{Op: plan.OpAnd, L: l, R: r} }
			cmp := func(op plan.BinOp, c string, v plan.Value) plan.Expr { return plan.Bin{Op: op, L: col(c), R: lit(v)} }
			return sel(&plan.Project{
				Input: &plan.Filter{Input: &plan.Scan{Table: "t"}, Pred: and(and(and(and(cmp(plan.OpGe, "ts", a[0]), cmp(plan.OpGt, "score", a[1])), cmp(plan.OpEq, "ok", a[2])), cmp(plan.OpEq, "d", a[3])), cmp(plan.OpEq, "n", a[4]))},
				Exprs: []plan.Named{{Name: "id", Expr: col("id")}},
			})
		},
	},
	"select $1": {params: []storage.ColumnType{storage.TypeInvalid}},
	"select count(*) as n, sum(id) as s, avg(id) as a from t": fixed(sel(&plan.Aggregate{Input: &plan.Scan{Table: "t"}, Aggs: []plan.NamedAgg{
		{Name: "n", Agg: plan.Agg{Func: plan.AggCountStar}},
		{Name: "s", Agg: plan.Agg{Func: plan.AggSum, Arg: col("id")}},
		{Name: "a", Agg: plan.Agg{Func: plan.AggAvg, Arg: col("id")}},
	}})),
	"select * from slow":   fixed(sel(&plan.Scan{Table: "slow"})),
	"select * from boom":   fixed(sel(&plan.Scan{Table: "boom"})),
	"select * from nosuch": fixed(sel(&plan.Scan{Table: "nosuch"})),
}

var (
	reSet   = regexp.MustCompile(`(?is)^set\s+(local\s+|session\s+)?([a-z_][a-z0-9_.]*)\s*(?:=|\s+to\s+)\s*(.*)$`)
	reReset = regexp.MustCompile(`(?is)^reset\s+([a-z_][a-z0-9_.]*)$`)
	reShow  = regexp.MustCompile(`(?is)^show\s+([a-z_][a-z0-9_.]*)$`)
	reTxn   = regexp.MustCompile(`(?is)^(begin|commit|rollback|start transaction|end)$`)
	reCopy  = regexp.MustCompile(`(?is)^copy\s+"?([a-z_]+)"?\s*(?:\(([^)]*)\))?\s+from\s+stdin\s*(.*)$`)
)

func fakeParse(text string) ([]sql.Statement, error) {
	var out []sql.Statement
	offset := 0
	for _, piece := range strings.Split(text, ";") {
		at := offset + len(piece) - len(strings.TrimLeft(piece, " \t\r\n"))
		offset += len(piece) + 1
		s := strings.TrimSpace(piece)
		if s == "" || strings.HasPrefix(s, "--") && !strings.Contains(s, "\n") {
			continue
		}
		stmt, err := fakeStatement(s)
		if err != nil {
			return nil, &sql.Error{Code: "42601", Message: fmt.Sprintf("syntax error at or near %q", strings.Fields(s)[0]), Position: at + 1}
		}
		out = append(out, stmt)
	}
	return out, nil
}

func fakeStatement(s string) (sql.Statement, error) {
	if m := reSet.FindStringSubmatch(s); m != nil {
		return &sql.SetVar{Name: strings.ToLower(m[2]), Value: unquote(m[3]), Local: strings.EqualFold(strings.TrimSpace(m[1]), "local")}, nil
	}
	if m := reReset.FindStringSubmatch(s); m != nil {
		return &sql.SetVar{Name: strings.ToLower(m[1]), Reset: true}, nil
	}
	if m := reShow.FindStringSubmatch(s); m != nil {
		return &sql.ShowVar{Name: strings.ToLower(m[1])}, nil
	}
	if m := reTxn.FindStringSubmatch(s); m != nil {
		return &sql.Transaction{Verb: strings.ToUpper(m[1])}, nil
	}
	if m := reCopy.FindStringSubmatch(s); m != nil {
		return fakeCopy(m[1], m[2], m[3]), nil
	}
	if def, ok := fakeStatements[strings.ToLower(s)]; ok {
		return &fakeQuery{text: s, def: def}, nil
	}
	if m := reSelect.FindStringSubmatch(s); m != nil {
		return &fakeQuery{text: s, def: fixed(sel(fakeSelect(m)))}, nil
	}
	if m := reInsertIDName.FindStringSubmatch(s); m != nil {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		return &fakeQuery{text: s, def: fixed(&sql.Insert{Table: "t", Columns: []string{"id", "name"},
			Rows: [][]plan.Expr{{lit(plan.Int64(id)), lit(plan.String(m[2]))}}})}, nil
	}
	if reSystem.MatchString(s) {
		return &sql.SystemQuery{Text: s}, nil // pgcatalog parses Text
	}
	return nil, errors.New("unknown")
}

// reInsertIDName: pgx's simple protocol interpolates the parameters.
var reInsertIDName = regexp.MustCompile(`(?is)^insert into t \(id, name\) values \(\s*'?(\d+)'?\s*,\s*'([^']*)'\s*\)$`)

// reSystem: queries for server/pgcatalog.
var reSystem = regexp.MustCompile(`(?is)^select\b.*(pg_|version\(\)|current_|information_schema)`)

// reSelect: select a, "b" from t [where id >= n | = n] [order by id].
var reSelect = regexp.MustCompile(`(?is)^select\s+(\*|(?:"?[a-z_]+"?\s*,\s*)*"?[a-z_]+"?)\s+from\s+"?([a-z_]+)"?(?:\s+where\s+id\s*(>=|=)\s*'?(\d+)'?)?(\s+order\s+by\s+id)?$`)

func fakeSelect(m []string) plan.Node {
	var n plan.Node = &plan.Scan{Table: m[2]}
	if m[4] != "" {
		v, _ := strconv.ParseInt(m[4], 10, 64)
		op := plan.OpGe
		if m[3] == "=" {
			op = plan.OpEq
		}
		n = &plan.Filter{Input: n, Pred: plan.Bin{Op: op, L: col("id"), R: lit(plan.Int64(v))}}
	}
	if m[5] != "" {
		n = sortByID(n)
	}
	if m[1] == "*" {
		return n
	}
	var exprs []plan.Named
	for _, c := range strings.Split(m[1], ",") {
		c = strings.Trim(strings.TrimSpace(c), `"`)
		exprs = append(exprs, plan.Named{Name: c, Expr: col(c)})
	}
	return &plan.Project{Input: n, Exprs: exprs}
}

func unquote(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return strings.ReplaceAll(v[1:len(v)-1], "''", "'")
	}
	return v
}

// fakeCopy reads COPY's options: BINARY, CSV, HEADER, and WITH (FORMAT x,
// HEADER, DELIMITER 'c', NULL 'n').
func fakeCopy(table, cols, opts string) *sql.CopyFrom {
	c := &sql.CopyFrom{Table: table, Format: "text", Delimiter: '\t', Null: `\N`}
	for _, name := range strings.Split(cols, ",") {
		if name = strings.Trim(strings.TrimSpace(name), `"`); name != "" {
			c.Columns = append(c.Columns, name)
		}
	}
	opts = strings.TrimSpace(opts)
	if len(opts) >= 4 && strings.EqualFold(opts[:4], "with") {
		opts = opts[4:]
	}
	opts = strings.Trim(strings.TrimSpace(opts), "()")
	words := regexp.MustCompile(`'[^']*'|[^\s,()']+`).FindAllString(opts, -1)
	for i := 0; i < len(words); i++ {
		next := func() string {
			i++
			if i < len(words) {
				return unquote(words[i])
			}
			return ""
		}
		switch strings.ToLower(words[i]) {
		case "binary", "csv", "text":
			c.Format = strings.ToLower(words[i])
			copyDefaults(c)
		case "format":
			c.Format = strings.ToLower(next())
			copyDefaults(c)
		case "header":
			c.Header = true
			if i+1 < len(words) && (strings.EqualFold(words[i+1], "true") || strings.EqualFold(words[i+1], "on")) {
				i++
			}
		case "delimiter":
			if d := next(); d != "" {
				c.Delimiter = []rune(d)[0]
			}
		case "null":
			c.Null = next()
		}
	}
	return c
}

// copyDefaults sets the format's default delimiter and NULL string, as
// the real parser does.
func copyDefaults(c *sql.CopyFrom) {
	switch c.Format {
	case "csv":
		c.Delimiter, c.Null = ',', ""
	case "binary":
		c.Delimiter, c.Null = 0, ""
	default:
		c.Delimiter, c.Null = '\t', `\N`
	}
}

func fakePrepare(stmt sql.Statement, cat sql.Catalog, hints []storage.ColumnType) (*sql.Prepared, error) {
	q, ok := stmt.(*fakeQuery)
	if !ok {
		return nil, fmt.Errorf("fake prepare: %T", stmt)
	}
	params := make([]storage.ColumnType, len(q.def.params))
	for i, t := range q.def.params {
		if i < len(hints) && hints[i] != storage.TypeInvalid {
			t = hints[i]
		}
		if t == storage.TypeInvalid {
			return nil, &sql.Error{Code: "42P18", Message: fmt.Sprintf("could not determine data type of parameter $%d", i+1)}
		}
		params[i] = t
	}
	p := &sql.Prepared{Stmt: q, Params: params}
	placeholder := make([]plan.Value, len(params))
	for i, t := range params {
		placeholder[i] = plan.NullOf(t)
	}
	if s, ok := q.def.build(placeholder).(*sql.Select); ok {
		_, schema, err := plan.Bind(s.Plan, cat)
		if err != nil {
			return nil, err
		}
		numeric := numericColumns(s.Plan)
		for _, f := range schema {
			p.Columns = append(p.Columns, sql.Column{Name: f.Name, Type: f.Type, Numeric: numeric[f.Name]})
		}
	}
	return p, nil
}

func fakeBind(p *sql.Prepared, args []plan.Value) (sql.Statement, error) {
	q := p.Stmt.(*fakeQuery)
	for i, a := range args {
		if a.Type != p.Params[i] && !(a.Null && a.Type == storage.TypeInvalid) {
			return nil, fmt.Errorf("fake bind: $%d is %v, want %v", i+1, a.Type, p.Params[i])
		}
	}
	return q.def.build(args), nil
}
