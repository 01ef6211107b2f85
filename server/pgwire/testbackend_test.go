package pgwire

import (
	"context"
	"fmt"
	"reflect"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/query/sql"
	"github.com/stratadb/strata/storage"
)

// storeBackend is a real Backend for tests: statements run on a
// *storage.Store with the real engine (query.Execute); writes apply to the
// store directly at increasing versions instead of going through Raft.
//
// Two test hooks: a scan of table "slow" waits until its context ends, a
// scan of table "boom" panics.
type storeBackend struct {
	store *storage.Store

	mu      sync.Mutex // serializes writes; guards version and inserts
	version uint64
	inserts int // Insert calls
}

func newStoreBackend() *storeBackend {
	return &storeBackend{store: storage.New(storage.Options{})}
}

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
	t, err := snap.Table(name)
	if err != nil {
		return nil, err
	}
	def := t.Def().Clone()
	return &def, nil
}

func (b *storeBackend) Catalog() sql.Catalog { return storeCatalog{b.store} }

func (b *storeBackend) write(fn func(v uint64) error) (uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.version++
	return b.version, fn(b.version)
}

func (b *storeBackend) Insert(ctx context.Context, table string, recs []arrow.RecordBatch) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int64
	batches := make([]storage.TableBatch, len(recs))
	for i, r := range recs {
		batches[i] = storage.TableBatch{Table: table, Record: r}
		n += r.NumRows()
	}
	_, err := b.write(func(v uint64) error {
		b.inserts++
		return b.store.Apply(v, batches)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func (b *storeBackend) Run(ctx context.Context, stmt sql.Statement) (*sql.Result, error) {
	switch s := stmt.(type) {
	case *sql.Select:
		return b.runSelect(ctx, s)
	case *sql.CreateTable:
		if s.IfNotExists && contains(b.store.ListTables(), s.Def.Name) {
			return &sql.Result{Tag: "CREATE TABLE"}, nil
		}
		_, err := b.write(func(v uint64) error { return b.store.CreateTable(v, s.Def) })
		return &sql.Result{Tag: "CREATE TABLE"}, err
	case *sql.DropTable:
		if s.IfExists && !contains(b.store.ListTables(), s.Name) {
			return &sql.Result{Tag: "DROP TABLE"}, nil
		}
		_, err := b.write(func(v uint64) error { return b.store.DropTable(v, s.Name) })
		return &sql.Result{Tag: "DROP TABLE"}, err
	case *sql.Insert:
		return b.runInsert(ctx, s)
	case *sql.RollbackTable:
		_, err := b.write(func(v uint64) error { return b.store.Rollback(v, s.Table, s.Version) })
		return &sql.Result{Tag: "ROLLBACK TABLE"}, err
	case *sql.ShowTables:
		rows := [][]any{}
		for _, t := range b.store.ListTables() {
			rows = append(rows, []any{t})
		}
		return goResult("SHOW TABLES", []sql.Column{{Name: "name", Type: storage.TypeString}}, rows), nil
	}
	return nil, &sql.Error{Code: "0A000", Message: fmt.Sprintf("test backend: %T is not supported", stmt)}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (b *storeBackend) runSelect(ctx context.Context, s *sql.Select) (*sql.Result, error) {
	if s.Explain != sql.ExplainNone {
		return nil, &sql.Error{Code: "0A000", Message: "test backend: EXPLAIN is not supported"}
	}
	switch scannedTable(s.Plan) {
	case "slow":
		<-ctx.Done()
		return nil, ctx.Err()
	case "boom":
		panic("test backend: boom")
	}
	res, err := query.Execute(ctx, b.store, s.Plan, query.Options{})
	if err != nil {
		return nil, err
	}
	numeric := numericColumns(s.Plan)
	cols := make([]sql.Column, res.Schema.NumFields())
	for i, f := range res.Schema.Fields() {
		t, err := storage.TypeOfArrow(f.Type)
		if err != nil {
			res.Release()
			return nil, err
		}
		cols[i] = sql.Column{Name: f.Name, Type: t, Numeric: numeric[f.Name]}
	}
	return &sql.Result{Tag: fmt.Sprintf("SELECT %d", res.NumRows()), Columns: cols, Records: res.Records, Stats: res.Stats}, nil
}

// numericColumns marks what PostgreSQL answers as numeric: sum of an
// integer and avg (the SQL planner does this for the real node).
func numericColumns(n plan.Node) map[string]bool {
	out := map[string]bool{}
	var walk func(n plan.Node)
	walk = func(n plan.Node) {
		switch n := n.(type) {
		case *plan.Aggregate:
			for _, a := range n.Aggs {
				if a.Agg.Func == plan.AggSum || a.Agg.Func == plan.AggAvg {
					out[a.Name] = true
				}
			}
		case *plan.Sort:
			walk(n.Input)
		case *plan.Limit:
			walk(n.Input)
		}
	}
	walk(n)
	return out
}

// scannedTable finds the first Scan of a plan.
func scannedTable(n plan.Node) string {
	var found string
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		if found != "" || !v.IsValid() {
			return
		}
		if v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return
			}
			if s, ok := v.Interface().(*plan.Scan); ok {
				found = s.Table
				return
			}
			walk(v.Elem())
			return
		}
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(n))
	return found
}

func (b *storeBackend) runInsert(ctx context.Context, ins *sql.Insert) (*sql.Result, error) {
	def, err := b.Catalog().TableDef(ins.Table, 0)
	if err != nil {
		return nil, err
	}
	pos := make([]int, len(def.Columns))
	for i := range pos {
		pos[i] = -1
	}
	names := ins.Columns
	if len(names) == 0 {
		for _, c := range def.Columns {
			names = append(names, c.Name)
		}
	}
	for j, name := range names {
		i := def.ColumnIndex(name)
		if i < 0 {
			return nil, fmt.Errorf("%w: column %q", plan.ErrUnknownColumn, name)
		}
		pos[i] = j
	}
	rb := array.NewRecordBuilder(memory.DefaultAllocator, def.ArrowSchema())
	defer rb.Release()
	for _, row := range ins.Rows {
		for i := range def.Columns {
			v := plan.NullOf(def.Columns[i].Type)
			if j := pos[i]; j >= 0 {
				lit, ok := row[j].(plan.Lit)
				if !ok {
					return nil, fmt.Errorf("%w: %v is not a constant", plan.ErrBadValue, row[j])
				}
				v = lit.Value
			}
			appendToBuilder(rb.Field(i), v)
		}
	}
	rec := rb.NewRecordBatch()
	defer rec.Release()
	n, err := b.Insert(ctx, ins.Table, []arrow.RecordBatch{rec})
	if err != nil {
		return nil, err
	}
	return &sql.Result{Tag: fmt.Sprintf("INSERT 0 %d", n)}, nil
}

// goResult builds a small result of strings.
func goResult(tag string, cols []sql.Column, rows [][]any) *sql.Result {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type.ArrowType(), Nullable: true}
	}
	rb := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema(fields, nil))
	defer rb.Release()
	for _, row := range rows {
		for i, v := range row {
			rb.Field(i).(*array.StringBuilder).Append(v.(string))
		}
	}
	return &sql.Result{Tag: tag, Columns: cols, Records: []arrow.RecordBatch{rb.NewRecordBatch()}}
}
