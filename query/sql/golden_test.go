package sql

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// Golden scripts: testdata/*.sql. A script is a list of blocks separated
// by blank lines; lines starting with # between blocks are comments. A
// block is SQL text (one or more statements), then a line "----", then
// the expected output, which ends at the next blank line. Two directives
// may precede the SQL in a block:
//
//	@hints int64, string      parameter types the client declares ("-": none)
//	@args 5, 'abc', NULL      arguments for Bind (integers, floats,
//	                          'strings', true, false, NULL)
//	@now 2024-01-31 10:00:00  the statement clock for the block (now(),
//	                          current_date; the real clock without it)
//
// Each statement runs through Parse, Prepare (against the store's
// catalog), Bind and an in-process executor: DDL, INSERT and ROLLBACK
// TABLE are applied to a storage.Store at versions 1, 2, 3, ...; queries
// run with query.Execute and print a header (names, then types, numeric
// marked), then the rows; EXPLAIN prints the logical plan; the rest print
// what they parsed to. An error prints "error SQLSTATE: message".
//
// go test ./query/sql -run TestGolden -rewrite regenerates the expected
// outputs (review every change by hand).

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of the golden scripts")

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden scripts: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".sql"), func(t *testing.T) { runGolden(t, f) })
	}
}

type goldenBlock struct {
	comments []string // lines before the block
	sql      []string // directives and SQL
	want     []string
}

func parseGolden(t *testing.T, text string) ([]goldenBlock, []string) {
	blocks, trailer := parseGoldenText(text)
	if len(trailer) > 0 && !isComments(trailer) {
		t.Fatalf("block without ----: %q", trailer)
	}
	return blocks, trailer
}

func isComments(lines []string) bool {
	for _, l := range lines {
		if l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}

// parseGoldenText splits a script into blocks; the lines after the last
// block are returned too.
func parseGoldenText(text string) (blocks []goldenBlock, trailer []string) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	var cur goldenBlock
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case len(cur.sql) == 0 && (l == "" || strings.HasPrefix(l, "#")):
			cur.comments = append(cur.comments, l)
		case l == "----":
			for i+1 < len(lines) && lines[i+1] != "" {
				i++
				cur.want = append(cur.want, lines[i])
			}
			blocks = append(blocks, cur)
			cur = goldenBlock{}
		default:
			cur.sql = append(cur.sql, l)
		}
	}
	return blocks, append(cur.comments, cur.sql...)
}

func runGolden(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	blocks, trailer := parseGolden(t, string(data))
	h := newHarness(t)
	var out strings.Builder
	for _, b := range blocks {
		got := h.runBlock(b.sql)
		for _, c := range b.comments {
			out.WriteString(c + "\n")
		}
		for _, l := range b.sql {
			out.WriteString(l + "\n")
		}
		out.WriteString("----\n")
		for _, l := range got {
			out.WriteString(l + "\n")
		}
		if !*rewrite && !slices.Equal(got, b.want) {
			t.Errorf("%s:\n%s\n---- got:\n%s\n---- want:\n%s", file, strings.Join(b.sql, "\n"), strings.Join(got, "\n"), strings.Join(b.want, "\n"))
		}
	}
	for _, c := range trailer {
		out.WriteString(c + "\n")
	}
	if *rewrite {
		if err := os.WriteFile(file, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// harness runs statements against an in-memory store.
type harness struct {
	t     *testing.T
	mem   *memory.CheckedAllocator
	store *storage.Store
	v     uint64
}

func newHarness(t *testing.T) *harness {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	h := &harness{t: t, mem: mem, store: storage.New(storage.Options{Allocator: mem, ChunkRows: 4})}
	t.Cleanup(func() {
		h.store.Close()
		mem.AssertSize(t, 0)
	})
	return h
}

// storeCatalog is the store's tables as planning sees them.
type storeCatalog struct{ s *storage.Store }

func (c storeCatalog) TableNames() []string { return c.s.ListTables() }

func (c storeCatalog) TableDef(name string, asOf uint64) (*storage.TableDef, error) {
	if asOf == 0 {
		asOf = storage.Latest
	}
	snap, err := c.s.Snapshot(asOf, name)
	if err != nil {
		return nil, err
	}
	defer snap.Release()
	tbl, err := snap.Table(name)
	if err != nil {
		return nil, err
	}
	def := tbl.Def().Clone()
	return &def, nil
}

func (h *harness) runBlock(lines []string) []string {
	var hints []storage.ColumnType
	var args []plan.Value
	var sqlLines []string
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "@hints "):
			hints = parseHints(h.t, strings.TrimPrefix(l, "@hints "))
		case strings.HasPrefix(l, "@args "):
			args = parseArgs(h.t, strings.TrimPrefix(l, "@args "))
		case strings.HasPrefix(l, "@now "):
			us, err := plan.ParseTimestamp(strings.TrimPrefix(l, "@now "))
			if err != nil {
				h.t.Fatalf("@now: %v", err)
			}
			clockNow = func() time.Time { return time.UnixMicro(us) }
			defer func() { clockNow = time.Now }()
		default:
			sqlLines = append(sqlLines, l)
		}
	}
	stmts, err := Parse(strings.Join(sqlLines, "\n"))
	if err != nil {
		return errorLines(err)
	}
	var out []string
	for _, st := range stmts {
		out = append(out, h.run(st, hints, args)...)
	}
	return out
}

func errorLines(err error) []string {
	return []string{fmt.Sprintf("error %s: %v", SQLState(err), err)}
}

func (h *harness) run(st Statement, hints []storage.ColumnType, args []plan.Value) []string {
	prep, err := Prepare(st, storeCatalog{h.store}, hints)
	if err != nil {
		return errorLines(err)
	}
	var out []string
	if len(prep.Params) > 0 {
		ps := make([]string, len(prep.Params))
		for i, p := range prep.Params {
			ps[i] = fmt.Sprintf("$%d %v", i+1, p)
		}
		out = append(out, "params: "+strings.Join(ps, ", "))
	}
	bound, err := prep.Bind(args)
	if err != nil {
		return append(out, errorLines(err)...)
	}
	res, err := h.exec(bound, prep)
	if err != nil {
		return append(out, errorLines(err)...)
	}
	return append(out, res...)
}

func (h *harness) next() uint64 {
	h.v++
	return h.v
}

func (h *harness) exec(st Statement, prep *Prepared) ([]string, error) {
	switch s := st.(type) {
	case *Select:
		return h.query(s, prep.Columns)
	case *CreateTable:
		return h.createTable(s)
	case *DropTable:
		if err := h.store.DropTable(h.next(), s.Name); err != nil && !(s.IfExists && errors.Is(err, storage.ErrNoTable)) {
			return nil, err
		}
		return []string{"DROP TABLE"}, nil
	case *Insert:
		return h.insert(s)
	case *RollbackTable:
		if err := h.store.Rollback(h.next(), s.Table, s.Version); err != nil {
			return nil, err
		}
		return []string{"ROLLBACK TABLE"}, nil
	case *ShowTables:
		return h.store.ListTables(), nil
	case *ShowVersions:
		return h.versions(s.Table)
	case *Describe:
		return h.describe(s.Table, prep.Columns)
	}
	return []string{describeStatement(st, prep)}, nil
}

// describeStatement prints what a statement parsed to.
func describeStatement(st Statement, prep *Prepared) string {
	cols := ""
	if prep.Columns != nil {
		names := make([]string, len(prep.Columns))
		for i, c := range prep.Columns {
			names[i] = c.Name
		}
		cols = " columns=" + strings.Join(names, ",")
	}
	switch s := st.(type) {
	case *SetVar:
		return fmt.Sprintf("SET name=%q value=%q local=%v reset=%v", s.Name, s.Value, s.Local, s.Reset)
	case *ShowVar:
		return fmt.Sprintf("SHOW name=%q%s", s.Name, cols)
	case *Transaction:
		return fmt.Sprintf("TRANSACTION %s", s.Verb)
	case *CopyFrom:
		return fmt.Sprintf("COPY table=%q columns=%q format=%s header=%v delimiter=%q null=%q", s.Table, s.Columns, s.Format, s.Header, s.Delimiter, s.Null)
	case *SystemQuery:
		return fmt.Sprintf("SYSTEM QUERY %q", s.Text)
	case *Empty:
		return "EMPTY"
	}
	return fmt.Sprintf("%T", st)
}

func (h *harness) createTable(s *CreateTable) ([]string, error) {
	err := h.store.CreateTable(h.next(), s.Def)
	if errors.Is(err, storage.ErrTableExists) && s.IfNotExists {
		return []string{"CREATE TABLE (exists)"}, nil
	}
	if err != nil {
		return nil, err
	}
	d := s.Def
	cols := make([]string, len(d.Columns))
	for i, c := range d.Columns {
		cols[i] = c.Name + " " + c.Type.String()
		if !c.Nullable {
			cols[i] += " NOT NULL"
		}
	}
	line := fmt.Sprintf("CREATE TABLE %s (%s)", d.Name, strings.Join(cols, ", "))
	if len(d.PartitionKey) > 0 || d.Buckets > 0 || len(d.SortKey) > 0 {
		line += fmt.Sprintf(" partition_by=%v buckets=%d sort_by=%v", d.PartitionKey, d.Buckets, d.SortKey)
	}
	return []string{line}, nil
}

func (h *harness) insert(s *Insert) ([]string, error) {
	info, err := h.store.DescribeTable(s.Table)
	if err != nil {
		return nil, err
	}
	def := info.Def
	b := array.NewRecordBuilder(h.mem, def.ArrowSchema())
	defer b.Release()
	for _, row := range s.Rows {
		for i, c := range def.Columns {
			j := slices.Index(s.Columns, c.Name)
			lit, ok := row[j].(plan.Lit)
			if !ok {
				return nil, fmt.Errorf("row value %v is not a literal", row[j])
			}
			appendValue(b.Field(i), lit.Value)
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := h.store.Apply(h.next(), []storage.TableBatch{{Table: s.Table, Record: rec}}); err != nil {
		return nil, err
	}
	return []string{fmt.Sprintf("INSERT 0 %d", len(s.Rows))}, nil
}

func appendValue(b array.Builder, v plan.Value) {
	if v.Null {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		b.Append(v.Int)
	case *array.Int32Builder:
		b.Append(int32(v.Int))
	case *array.Float64Builder:
		b.Append(v.Float)
	case *array.BooleanBuilder:
		b.Append(v.Int != 0)
	case *array.StringBuilder:
		b.Append(v.Str)
	case *array.BinaryBuilder:
		b.Append([]byte(v.Str))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v.Int))
	case *array.Date32Builder:
		b.Append(arrow.Date32(v.Int))
	}
}

func (h *harness) versions(table string) ([]string, error) {
	hist, err := h.store.Versions(table)
	if err != nil {
		return nil, err
	}
	rows := [][]string{{"version", "kind", "rows", "rolled_back_to"}}
	for _, v := range hist {
		to := "NULL"
		if v.To != 0 {
			to = strconv.FormatUint(v.To, 10)
		}
		rows = append(rows, []string{strconv.FormatUint(v.Version, 10), v.Kind.String(), strconv.FormatInt(v.Rows, 10), to})
	}
	return alignRows(rows), nil
}

func (h *harness) describe(table string, cols []Column) ([]string, error) {
	info, err := h.store.DescribeTable(table)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	rows := [][]string{names}
	d := info.Def
	for _, c := range d.Columns {
		sortPos := "NULL"
		if i := slices.Index(d.SortKey, c.Name); i >= 0 {
			sortPos = strconv.Itoa(i + 1)
		}
		rows = append(rows, []string{c.Name, plan.SQLTypeName(c.Type), boolText(c.Nullable), boolText(slices.Contains(d.PartitionKey, c.Name)), sortPos})
	}
	return alignRows(rows), nil
}

func (h *harness) query(s *Select, cols []Column) ([]string, error) {
	if s.Explain != ExplainNone {
		return strings.Split(strings.TrimRight(plan.Format(s.Plan), "\n"), "\n"), nil
	}
	res, err := query.Execute(context.Background(), h.store, s.Plan, query.Options{Parallelism: 2, Allocator: h.mem})
	if err != nil {
		return nil, err
	}
	defer res.Release()
	names := make([]string, len(cols))
	types := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
		types[i] = c.Type.String()
		if c.Numeric {
			types[i] = "numeric(" + types[i] + ")"
		}
		if f := res.Schema.Field(i); f.Name != c.Name {
			types[i] += " [engine: " + f.Name + "]"
		}
	}
	rows := [][]string{names, types}
	for _, rec := range res.Records {
		for r := 0; r < int(rec.NumRows()); r++ {
			row := make([]string, rec.NumCols())
			for c := range row {
				row[c] = cellText(rec.Column(c), r)
			}
			rows = append(rows, row)
		}
	}
	if res.Schema.NumFields() != len(cols) {
		return nil, fmt.Errorf("engine answered %d columns, Prepare described %d", res.Schema.NumFields(), len(cols))
	}
	return alignRows(rows), nil
}

func cellText(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "NULL"
	}
	switch a := a.(type) {
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.Int32:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Float64:
		return plan.FormatFloat8(a.Value(i))
	case *array.Boolean:
		return boolText(a.Value(i))
	case *array.String:
		return a.Value(i)
	case *array.Binary:
		return plan.FormatBytea(string(a.Value(i)))
	case *array.Timestamp:
		return plan.FormatTimestamp(int64(a.Value(i)))
	case *array.Date32:
		return plan.FormatDate(int64(a.Value(i)))
	case *array.Dictionary:
		return cellText(a.Dictionary(), a.GetValueIndex(i))
	}
	return a.ValueStr(i)
}

func boolText(b bool) string {
	if b {
		return "t"
	}
	return "f"
}

// alignRows pads columns to a common width, separated by " | ".
func alignRows(rows [][]string) []string {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	out := make([]string, len(rows))
	for j, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = c
			if i < len(r)-1 {
				cells[i] += strings.Repeat(" ", widths[i]-len([]rune(c)))
			}
		}
		out[j] = strings.Join(cells, " | ")
	}
	return out
}

func parseHints(t *testing.T, s string) []storage.ColumnType {
	var out []storage.ColumnType
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "-" {
			out = append(out, storage.TypeInvalid)
			continue
		}
		ct, err := storage.ParseColumnType(f)
		if err != nil {
			t.Fatalf("@hints: %v", err)
		}
		out = append(out, ct)
	}
	return out
}

func parseArgs(t *testing.T, s string) []plan.Value {
	var out []plan.Value
	for _, f := range splitArgs(s) {
		switch {
		case strings.EqualFold(f, "null"):
			out = append(out, plan.Null())
		case f == "true" || f == "false":
			out = append(out, plan.Bool(f == "true"))
		case strings.HasPrefix(f, "'"):
			out = append(out, plan.String(strings.ReplaceAll(strings.Trim(f, "'"), "''", "'")))
		default:
			if n, err := strconv.ParseInt(f, 10, 64); err == nil {
				out = append(out, plan.Int64(n))
			} else if x, err := strconv.ParseFloat(f, 64); err == nil {
				out = append(out, plan.Float64(x))
			} else {
				t.Fatalf("@args: cannot read %q", f)
			}
		}
	}
	return out
}

// splitArgs splits on commas outside quotes.
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted = !quoted
			cur.WriteRune(r)
		case r == ',' && !quoted:
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(out, strings.TrimSpace(cur.String()))
}
