package query_test

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/stratadb/strata/query/internal/refeval"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// TestDifferentialCases runs hand-picked plans, most of them minimised from
// TestDifferential failures, through the engine and the reference, judged
// as TestDifferential judges them.
func TestDifferentialCases(t *testing.T) {
	i64 := []storage.Column{{Name: "x", Type: storage.TypeInt64, Nullable: true}}
	ints := func(vs ...int64) [][]plan.Value {
		var rows [][]plan.Value
		for _, v := range vs {
			rows = append(rows, []plan.Value{plan.Int64(v)})
		}
		return rows
	}
	scan := &plan.Scan{Table: "t"}
	x := plan.Col{Name: "x"}
	lit := func(v plan.Value) plan.Expr { return plan.Lit{Value: v} }
	agg := func(f plan.AggFunc, arg plan.Expr) []plan.NamedAgg {
		return []plan.NamedAgg{{Name: "a", Agg: plan.Agg{Func: f, Arg: arg}}}
	}
	dup := &plan.Project{Input: scan, Exprs: []plan.Named{
		{Name: "p", Expr: x}, {Name: "p", Expr: plan.Bin{Op: plan.OpAdd, L: x, R: lit(plan.Int64(1))}}}}
	sortedBinary := storage.TableDef{Name: "t", SortKey: []string{"d"}, Columns: []storage.Column{
		{Name: "d", Type: storage.TypeDate}, {Name: "b", Type: storage.TypeBinary}}}
	var binRows [][]plan.Value
	for i := range 8 {
		binRows = append(binRows, []plan.Value{plan.Date(int32(i)), plan.Binary([]byte{'v', byte('0' + i)})})
	}
	sortedStrings := storage.TableDef{Name: "t", SortKey: []string{"d"}, Columns: []storage.Column{
		{Name: "d", Type: storage.TypeDate}, {Name: "s", Type: storage.TypeString}}}
	var strRows [][]plan.Value
	for i := range 8 {
		strRows = append(strRows, []plan.Value{plan.Date(int32(i)), plan.String(string(rune('a' + i/2)))})
	}
	floats := []storage.Column{{Name: "f", Type: storage.TypeFloat64}}
	fl := func(vs ...float64) [][]plan.Value {
		var rows [][]plan.Value
		for _, v := range vs {
			rows = append(rows, []plan.Value{plan.Float64(v)})
		}
		return rows
	}
	cases := []struct {
		name string
		def  storage.TableDef
		rows [][]plan.Value
		p    plan.Node
	}{
		{"avg of negative integers", storage.TableDef{Columns: i64}, ints(-1, -2994, 3),
			&plan.Aggregate{Input: scan, Aggs: agg(plan.AggAvg, x)}},
		{"filter over duplicate projection names", storage.TableDef{Columns: i64}, ints(1, 2),
			&plan.Filter{Input: dup, Pred: lit(plan.Bool(true))}},
		{"group by binary after a sort-key range", sortedBinary, binRows,
			&plan.Aggregate{Input: &plan.Filter{Input: scan, Pred: plan.Bin{Op: plan.OpGe, L: plan.Col{Name: "d"}, R: lit(plan.Date(2))}},
				GroupBy: []plan.Named{{Name: "b", Expr: plan.Col{Name: "b"}}}, Aggs: agg(plan.AggCountStar, nil)}},
		// A chunk's dictionary {a, b} covers rows the sort-key range cuts
		// off: entry b must not become an (empty) group.
		{"group by a dictionary string over a slice of a sorted chunk", sortedStrings, strRows,
			&plan.Aggregate{Input: &plan.Filter{Input: scan, Pred: plan.Bin{Op: plan.OpLe, L: plan.Col{Name: "d"}, R: lit(plan.Date(1))}},
				GroupBy: []plan.Named{{Name: "s", Expr: plan.Col{Name: "s"}}}, Aggs: agg(plan.AggCountStar, nil)}},
		// IN is x = a OR x = b (PostgreSQL's definition): the integer item
		// compares exactly even though another item is a float.
		{"IN list mixing integers and floats", storage.TableDef{Columns: i64}, ints(math.MaxInt64, math.MaxInt64-1, 0),
			&plan.Filter{Input: scan, Pred: plan.In{X: x, List: []plan.Expr{lit(plan.Int64(math.MaxInt64 - 1)), lit(plan.Float64(2.5))}}}},
		{"sum that overflows only on the way", storage.TableDef{Columns: i64}, ints(math.MaxInt64, math.MaxInt64, math.MinInt64, math.MinInt64, 3),
			&plan.Aggregate{Input: scan, Aggs: agg(plan.AggSum, x)}},
		{"sum that overflows", storage.TableDef{Columns: i64}, ints(math.MaxInt64, 1),
			&plan.Aggregate{Input: scan, Aggs: agg(plan.AggSum, x)}},
		{"MinInt64 % -1 and NULL / 0", storage.TableDef{Columns: i64}, [][]plan.Value{{plan.Int64(math.MinInt64)}, {plan.Null()}},
			&plan.Project{Input: scan, Exprs: []plan.Named{
				{Name: "m", Expr: plan.Bin{Op: plan.OpMod, L: x, R: lit(plan.Int64(-1))}},
				{Name: "d", Expr: plan.Bin{Op: plan.OpDiv, L: plan.Bin{Op: plan.OpMul, L: x, R: lit(plan.Int64(0))}, R: lit(plan.Int64(0))}}}}},
		{"skipped division by zero", storage.TableDef{Columns: i64}, ints(0, 1, 2),
			&plan.Filter{Input: scan, Pred: plan.Bin{Op: plan.OpAnd, L: plan.Bin{Op: plan.OpGt, L: x, R: lit(plan.Int64(0))},
				R: plan.Bin{Op: plan.OpGt, L: plan.Bin{Op: plan.OpDiv, L: lit(plan.Int64(6)), R: x}, R: lit(plan.Int64(2))}}}},
		{"NaN, -0 and NULL group keys", storage.TableDef{Columns: []storage.Column{{Name: "f", Type: storage.TypeFloat64, Nullable: true}}},
			[][]plan.Value{{plan.Float64(math.NaN())}, {plan.Float64(math.NaN())}, {plan.Float64(0)}, {plan.Float64(math.Copysign(0, -1))}, {plan.Null()}, {plan.Null()}},
			&plan.Aggregate{Input: scan, GroupBy: []plan.Named{{Name: "f", Expr: plan.Col{Name: "f"}}}, Aggs: agg(plan.AggCountStar, nil)}},
		{"NaN sorts above +Inf, NULLs first descending", storage.TableDef{Columns: floats}, fl(1, math.NaN(), math.Inf(1), -1, math.Inf(-1)),
			&plan.Limit{Count: 3, Input: &plan.Sort{Input: scan, Keys: []plan.SortKey{{Expr: plan.Col{Name: "f"}, Desc: true}}}}},
		{"max and count distinct with NaN and -0", storage.TableDef{Columns: floats}, fl(1, math.NaN(), 0, math.Copysign(0, -1)),
			&plan.Aggregate{Input: scan, Aggs: []plan.NamedAgg{
				{Name: "mx", Agg: plan.Agg{Func: plan.AggMax, Arg: plan.Col{Name: "f"}}},
				{Name: "mn", Agg: plan.Agg{Func: plan.AggMin, Arg: plan.Col{Name: "f"}}},
				{Name: "n", Agg: plan.Agg{Func: plan.AggCountDistinct, Arg: plan.Col{Name: "f"}}}}}},
		{"date_trunc week and time_bucket before the epoch", storage.TableDef{Columns: []storage.Column{{Name: "ts", Type: storage.TypeTimestamp}}},
			[][]plan.Value{{plan.TimestampMicros(-1)}, {plan.TimestampMicros(-86_400_000_000 * 400)}},
			&plan.Project{Input: scan, Exprs: []plan.Named{
				{Name: "w", Expr: plan.DateTrunc{Unit: plan.TruncWeek, X: plan.Col{Name: "ts"}}},
				{Name: "q", Expr: plan.DateTrunc{Unit: plan.TruncQuarter, X: plan.Col{Name: "ts"}}},
				{Name: "b", Expr: plan.TimeBucket{Width: 7 * 86_400_000_000, Origin: plan.DefaultBucketOrigin, X: plan.Col{Name: "ts"}}}}}},
		{"aggregate of nothing", storage.TableDef{Columns: i64}, nil,
			&plan.Aggregate{Input: scan, Aggs: []plan.NamedAgg{
				{Name: "n", Agg: plan.Agg{Func: plan.AggCountStar}}, {Name: "s", Agg: plan.Agg{Func: plan.AggSum, Arg: x}},
				{Name: "a", Agg: plan.Agg{Func: plan.AggAvg, Arg: x}}, {Name: "m", Agg: plan.Agg{Func: plan.AggMin, Arg: x}}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.def.Name = "t"
			w := diffCaseWorld(t, c.def, c.rows)
			defer w.close(t)
			r := &diffRun{stats: map[string]int{}}
			if msg := r.runQuery(w, w.db, diffQuery{plan: c.p, par: 2}); msg != "" {
				t.Errorf("plan:\n%s%s", plan.Format(c.p), msg)
			}
		})
	}
}

// diffCaseWorld is a world of one table holding rows, written at version 2
// into chunks of 4 rows.
func diffCaseWorld(t *testing.T, def storage.TableDef, rows [][]plan.Value) *diffWorld {
	w := &diffWorld{mem: memory.NewCheckedAllocator(memory.NewGoAllocator()), chunkRows: 4, rng: rand.New(rand.NewPCG(1, 2))}
	w.store = storage.New(storage.Options{Allocator: w.mem, ChunkRows: w.chunkRows})
	if err := w.store.CreateTable(1, def); err != nil {
		t.Fatal(err)
	}
	tb := &diffTable{def: def, model: &refeval.Table{Def: def, Created: 1}}
	for _, c := range def.Columns {
		tb.cols = append(tb.cols, diffColumn{Column: c})
	}
	rec := w.recordExact(tb, rows)
	err := w.store.Apply(2, []storage.TableBatch{{Table: def.Name, Record: rec}})
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		tb.model.Rows = append(tb.model.Rows, refeval.Row{Version: 2, Values: r})
	}
	w.db = &refeval.DB{Applied: 2, Tables: map[string]*refeval.Table{def.Name: tb.model}}
	w.tables = []*diffTable{tb}
	return w
}

// TestDifferentialConcurrentReads runs the same plans on several
// goroutines over one store (run it with -race). Minimised from a race
// TestDifferential's concurrent phase found: a sealed chunk's all-NULL
// string column is a dictionary array whose values array Arrow builds
// lazily, on the first Dictionary() call, which two queries then race on.
func TestDifferentialConcurrentReads(t *testing.T) {
	def := storage.TableDef{Name: "t", Columns: []storage.Column{
		{Name: "s", Type: storage.TypeString, Nullable: true}, {Name: "x", Type: storage.TypeInt64}}}
	var rows [][]plan.Value
	for i := range 16 {
		rows = append(rows, []plan.Value{plan.NullOf(storage.TypeString), plan.Int64(int64(i % 3))})
	}
	w := diffCaseWorld(t, def, rows)
	defer w.close(t)
	scan := &plan.Scan{Table: "t"}
	plans := []plan.Node{
		&plan.Project{Input: scan, Exprs: []plan.Named{{Name: "s", Expr: plan.Col{Name: "s"}}}},
		&plan.Aggregate{Input: scan, GroupBy: []plan.Named{{Name: "s", Expr: plan.Col{Name: "s"}}},
			Aggs: []plan.NamedAgg{{Name: "n", Agg: plan.Agg{Func: plan.AggCountStar}}}},
		&plan.Filter{Input: scan, Pred: plan.Bin{Op: plan.OpLt, L: plan.Col{Name: "s"}, R: plan.Lit{Value: plan.String("b")}}},
	}
	r := &diffRun{stats: map[string]int{}}
	msgs := make([]string, 4*len(plans))
	var wg sync.WaitGroup
	for i := range msgs {
		wg.Go(func() { msgs[i] = r.runQuery(w, w.db, diffQuery{plan: plans[i%len(plans)], par: 2}) })
	}
	wg.Wait()
	for i, msg := range msgs {
		if msg != "" {
			t.Errorf("plan:\n%s%s", plan.Format(plans[i%len(plans)]), msg)
		}
	}
}
