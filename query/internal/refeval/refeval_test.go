package refeval

import (
	"errors"
	"math"
	"testing"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// tinyDef: id, i (int64), f (float64), s (string), ts (timestamp), d (date).
var tinyDef = storage.TableDef{Name: "t", Columns: []storage.Column{
	{Name: "id", Type: storage.TypeInt64},
	{Name: "i", Type: storage.TypeInt64, Nullable: true},
	{Name: "f", Type: storage.TypeFloat64, Nullable: true},
	{Name: "s", Type: storage.TypeString, Nullable: true},
	{Name: "ts", Type: storage.TypeTimestamp, Nullable: true},
	{Name: "d", Type: storage.TypeDate, Nullable: true},
}}

var null = plan.Null()

func ts(s string) plan.Value {
	us, err := plan.ParseTimestamp(s)
	if err != nil {
		panic(err)
	}
	return plan.TimestampMicros(us)
}

func date(s string) plan.Value {
	d, err := plan.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return plan.Date(int32(d))
}

// tinyDB holds six rows, all written at version 2.
func tinyDB() *DB {
	rows := [][]plan.Value{
		{plan.Int64(1), plan.Int64(1), plan.Float64(1.5), plan.String("a"), ts("1969-12-31 23:59:59.5"), date("1969-12-31")},
		{plan.Int64(2), plan.Int64(2), plan.Float64(math.NaN()), plan.String("b"), ts("2000-01-03 10:00:00"), date("2000-01-03")},
		{plan.Int64(3), null, plan.Float64(math.Copysign(0, -1)), null, null, null},
		{plan.Int64(4), plan.Int64(-7), plan.Float64(0), plan.String("a"), ts("2024-05-17 12:34:56.789012"), date("2024-05-17")},
		{plan.Int64(5), plan.Int64(2), null, plan.String(""), ts("1970-01-01"), date("1970-01-01")},
		{plan.Int64(6), plan.Int64(math.MaxInt64), plan.Float64(math.Inf(-1)), plan.String("ab"), ts("1968-02-29 06:00:00"), date("1968-02-29")},
	}
	t := &Table{Def: tinyDef, Created: 1}
	for _, r := range rows {
		t.Rows = append(t.Rows, Row{Version: 2, Values: r})
	}
	return &DB{Applied: 2, Tables: map[string]*Table{"t": t}}
}

func col(n string) plan.Expr                      { return plan.Col{Name: n} }
func lit(v plan.Value) plan.Expr                  { return plan.Lit{Value: v} }
func bin(op plan.BinOp, l, r plan.Expr) plan.Expr { return plan.Bin{Op: op, L: l, R: r} }

// ids runs Filter(pred) and returns the ids of the rows kept.
func ids(t *testing.T, db *DB, pred plan.Expr) []int64 {
	t.Helper()
	p := &plan.Sort{Input: &plan.Project{
		Input: &plan.Filter{Input: &plan.Scan{Table: "t"}, Pred: pred},
		Exprs: []plan.Named{{Name: "id", Expr: col("id")}},
	}, Keys: []plan.SortKey{{Expr: col("id")}}}
	res := Run(db, p, 0)
	if res.Err != nil {
		t.Fatalf("%v: %v", pred, res.Err)
	}
	out := []int64{}
	for _, r := range res.Rows {
		out = append(out, r[0].Int)
	}
	return out
}

func TestPredicates(t *testing.T) {
	db := tinyDB()
	cases := []struct {
		pred plan.Expr
		want []int64
	}{
		{bin(plan.OpGt, col("i"), lit(plan.Int64(1))), []int64{2, 5, 6}},
		{plan.Not{X: bin(plan.OpGt, col("i"), lit(plan.Int64(1)))}, []int64{1, 4}}, // NULL stays NULL
		{bin(plan.OpEq, col("i"), lit(null)), []int64{}},                           // = NULL is never true
		{plan.IsNull{X: col("i")}, []int64{3}},                                     // IS NULL
		{plan.IsNull{X: col("s"), Not: true}, []int64{1, 2, 4, 5, 6}},              // IS NOT NULL
		{bin(plan.OpOr, bin(plan.OpGt, col("i"), lit(plan.Int64(1))), lit(null)), []int64{2, 5, 6}},
		{plan.Not{X: bin(plan.OpAnd, bin(plan.OpGt, col("i"), lit(plan.Int64(1))), lit(null))}, []int64{1, 4}},
		{plan.In{X: col("i"), List: []plan.Expr{lit(plan.Int64(2)), lit(plan.Int64(-7))}}, []int64{2, 4, 5}},
		{plan.In{X: col("i"), List: []plan.Expr{lit(plan.Int64(2)), lit(null)}}, []int64{2, 5}},
		{plan.In{X: col("i"), List: []plan.Expr{lit(plan.Int64(2))}, Not: true}, []int64{1, 4, 6}},
		{plan.In{X: col("i"), List: []plan.Expr{lit(plan.Int64(2)), lit(null)}, Not: true}, []int64{}}, // NOT IN with NULL
		{plan.Between{X: col("i"), Lo: lit(plan.Int64(-7)), Hi: lit(plan.Int64(1))}, []int64{1, 4}},
		{plan.Between{X: col("i"), Lo: lit(plan.Int64(-7)), Hi: lit(plan.Int64(1)), Not: true}, []int64{2, 5, 6}},
		{plan.Between{X: col("i"), Lo: lit(null), Hi: lit(plan.Int64(1)), Not: true}, []int64{2, 5, 6}}, // x > hi: false either way
		{bin(plan.OpEq, col("f"), lit(plan.Float64(math.NaN()))), []int64{2}},                           // NaN = NaN
		{bin(plan.OpGt, col("f"), lit(plan.Float64(math.Inf(1)))), []int64{2}},                          // NaN above +Inf
		{bin(plan.OpEq, col("f"), lit(plan.Float64(0))), []int64{3, 4}},                                 // -0 = 0
		{bin(plan.OpLt, col("f"), lit(plan.Int64(1))), []int64{3, 4, 6}},                                // float vs int
		{bin(plan.OpGt, col("i"), lit(plan.Float64(1.5))), []int64{2, 5, 6}},                            // int vs float
		{bin(plan.OpLt, col("ts"), lit(plan.String("1970-01-01"))), []int64{1, 6}},                      // literal coerced
		{bin(plan.OpEq, col("ts"), col("d")), []int64{5}},                                               // date as midnight
		{bin(plan.OpLt, col("d"), lit(ts("1969-12-31 00:00:01"))), []int64{1, 6}},
		{bin(plan.OpGe, col("s"), lit(plan.String("a"))), []int64{1, 2, 4, 6}},
		{bin(plan.OpLt, col("s"), lit(plan.String("a"))), []int64{5}},
	}
	for _, c := range cases {
		got := ids(t, db, c.pred)
		if !equalInts(got, c.want) {
			t.Errorf("%v: got ids %v, want %v", c.pred, got, c.want)
		}
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// project1 evaluates one expression over the row with the given id.
func project1(db *DB, id int64, e plan.Expr) *Result {
	p := &plan.Project{
		Input: &plan.Filter{Input: &plan.Scan{Table: "t"}, Pred: bin(plan.OpEq, col("id"), lit(plan.Int64(id)))},
		Exprs: []plan.Named{{Name: "x", Expr: e}},
	}
	return Run(db, p, 0)
}

func TestArithmetic(t *testing.T) {
	db := tinyDB()
	cases := []struct {
		id      int64
		e       plan.Expr
		want    plan.Value
		wantErr error
	}{
		{4, bin(plan.OpDiv, col("i"), lit(plan.Int64(2))), plan.Int64(-3), nil}, // truncates
		{4, bin(plan.OpMod, col("i"), lit(plan.Int64(2))), plan.Int64(-1), nil}, // dividend's sign
		{4, bin(plan.OpMod, col("i"), lit(plan.Int64(-2))), plan.Int64(-1), nil},
		{4, bin(plan.OpDiv, col("i"), lit(plan.Float64(2))), plan.Float64(-3.5), nil},
		{3, bin(plan.OpDiv, col("i"), lit(plan.Int64(0))), plan.NullOf(storage.TypeInt64), nil}, // NULL / 0
		{1, bin(plan.OpDiv, col("i"), lit(plan.Int64(0))), plan.Value{}, ErrDivisionByZero},
		{1, bin(plan.OpMod, col("i"), lit(plan.Int64(0))), plan.Value{}, ErrDivisionByZero},
		{1, bin(plan.OpDiv, col("f"), lit(plan.Float64(0))), plan.Value{}, ErrDivisionByZero},
		{1, bin(plan.OpDiv, col("f"), lit(plan.Float64(math.Copysign(0, -1)))), plan.Value{}, ErrDivisionByZero},
		{6, bin(plan.OpAdd, col("i"), lit(plan.Int64(1))), plan.Value{}, ErrOverflow},
		{6, bin(plan.OpMul, col("i"), lit(plan.Int64(-1))), plan.Int64(-math.MaxInt64), nil},
		{6, bin(plan.OpSub, plan.Neg{X: col("i")}, lit(plan.Int64(1))), plan.Int64(math.MinInt64), nil},
		{6, plan.Neg{X: bin(plan.OpSub, plan.Neg{X: col("i")}, lit(plan.Int64(1)))}, plan.Value{}, ErrOverflow},
		{6, bin(plan.OpDiv, bin(plan.OpSub, plan.Neg{X: col("i")}, lit(plan.Int64(1))), lit(plan.Int64(-1))), plan.Value{}, ErrOverflow},
		{6, bin(plan.OpMod, bin(plan.OpSub, plan.Neg{X: col("i")}, lit(plan.Int64(1))), lit(plan.Int64(-1))), plan.Int64(0), nil},
		{6, bin(plan.OpAdd, col("i"), lit(plan.Float64(1))), plan.Float64(math.MaxInt64), nil},
		{6, bin(plan.OpAdd, col("f"), lit(plan.Float64(math.Inf(1)))), plan.Float64(math.NaN()), nil},
		{2, bin(plan.OpAdd, col("i"), lit(null)), plan.NullOf(storage.TypeInt64), nil},
		{2, lit(null), plan.NullOf(storage.TypeString), nil}, // a bare NULL is text
	}
	for _, c := range cases {
		res := project1(db, c.id, c.e)
		if c.wantErr != nil {
			if !errors.Is(res.Err, c.wantErr) {
				t.Errorf("row %d, %v: got err %v, want %v", c.id, c.e, res.Err, c.wantErr)
			}
			continue
		}
		if res.Err != nil || len(res.Rows) != 1 || !ValuesMatch(res.Rows[0][0], c.want) {
			t.Errorf("row %d, %v: got %v %v, want %v", c.id, c.e, res.Rows, res.Err, c.want)
		}
	}
}

// TestPoison: errors an engine may skip are possible, not definite.
func TestPoison(t *testing.T) {
	db := tinyDB()
	divZero := bin(plan.OpEq, bin(plan.OpDiv, col("i"), lit(plan.Int64(0))), lit(plan.Int64(1)))
	cases := []struct {
		name     string
		p        plan.Node
		definite bool
		possible bool
	}{
		{"false AND error", &plan.Filter{Input: &plan.Scan{Table: "t"},
			Pred: bin(plan.OpAnd, lit(plan.Bool(false)), divZero)}, false, true},
		{"error AND false", &plan.Filter{Input: &plan.Scan{Table: "t"},
			Pred: bin(plan.OpAnd, divZero, bin(plan.OpEq, col("id"), lit(plan.Int64(99))))}, false, true},
		{"true OR error", &plan.Filter{Input: &plan.Scan{Table: "t"},
			Pred: bin(plan.OpOr, bin(plan.OpGt, col("id"), lit(plan.Int64(0))), divZero)}, false, true},
		{"NULL AND error", &plan.Filter{Input: &plan.Scan{Table: "t"},
			Pred: bin(plan.OpAnd, lit(null), divZero)}, false, true}, // never true, whatever the error side
		{"NULL OR error", &plan.Filter{Input: &plan.Scan{Table: "t"},
			Pred: bin(plan.OpOr, lit(null), divZero)}, true, true},
		{"NOT (NULL OR error)", &plan.Filter{Input: &plan.Scan{Table: "t"},
			Pred: plan.Not{X: bin(plan.OpOr, lit(null), divZero)}}, false, true},
		{"NOT (NULL AND error)", &plan.Filter{Input: &plan.Scan{Table: "t"},
			Pred: plan.Not{X: bin(plan.OpAnd, lit(null), divZero)}}, true, true},
		{"projected NULL AND error", &plan.Project{Input: &plan.Scan{Table: "t"},
			Exprs: []plan.Named{{Name: "x", Expr: bin(plan.OpAnd, lit(null), divZero)}}}, true, true},
		{"filtered away later", &plan.Filter{
			Input: &plan.Filter{Input: &plan.Scan{Table: "t"}, Pred: divZero},
			Pred:  bin(plan.OpEq, col("id"), lit(plan.Int64(99)))}, false, true},
		{"unused column", &plan.Aggregate{
			Input: &plan.Project{Input: &plan.Scan{Table: "t"}, Exprs: []plan.Named{{Name: "x", Expr: bin(plan.OpDiv, col("i"), lit(plan.Int64(0)))}}},
			Aggs:  []plan.NamedAgg{{Name: "n", Agg: plan.Agg{Func: plan.AggCountStar}}}}, false, true},
		{"used column", &plan.Aggregate{
			Input: &plan.Project{Input: &plan.Scan{Table: "t"}, Exprs: []plan.Named{{Name: "x", Expr: bin(plan.OpDiv, col("i"), lit(plan.Int64(0)))}}},
			Aggs:  []plan.NamedAgg{{Name: "n", Agg: plan.Agg{Func: plan.AggCount, Arg: col("x")}}}}, true, true},
		{"limit over clean rows", &plan.Limit{Count: 2, Input: &plan.Project{Input: &plan.Scan{Table: "t"},
			Exprs: []plan.Named{{Name: "x", Expr: bin(plan.OpDiv, lit(plan.Int64(1)), bin(plan.OpSub, col("id"), lit(plan.Int64(1))))}}}}, false, true},
		{"limit needs all", &plan.Limit{Count: 6, Input: &plan.Project{Input: &plan.Scan{Table: "t"},
			Exprs: []plan.Named{{Name: "x", Expr: bin(plan.OpDiv, lit(plan.Int64(1)), bin(plan.OpSub, col("id"), lit(plan.Int64(1))))}}}}, true, true},
		{"sorted limit before the error", &plan.Limit{Count: 2, Input: &plan.Sort{Keys: []plan.SortKey{{Expr: col("id"), Desc: true}},
			Input: &plan.Project{Input: &plan.Scan{Table: "t"}, Exprs: []plan.Named{{Name: "id", Expr: col("id")},
				{Name: "x", Expr: bin(plan.OpDiv, lit(plan.Int64(1)), bin(plan.OpSub, col("id"), lit(plan.Int64(1))))}}}}}, false, true},
		{"sorted limit reaching the error", &plan.Limit{Count: 2, Input: &plan.Sort{Keys: []plan.SortKey{{Expr: col("id")}},
			Input: &plan.Project{Input: &plan.Scan{Table: "t"}, Exprs: []plan.Named{{Name: "id", Expr: col("id")},
				{Name: "x", Expr: bin(plan.OpDiv, lit(plan.Int64(1)), bin(plan.OpSub, col("id"), lit(plan.Int64(1))))}}}}}, true, true},
		{"no error", &plan.Filter{Input: &plan.Scan{Table: "t"}, Pred: lit(plan.Bool(true))}, false, false},
		{"constant over no rows", &plan.Project{Input: &plan.Filter{Input: &plan.Scan{Table: "t"}, Pred: lit(plan.Bool(false))},
			Exprs: []plan.Named{{Name: "x", Expr: bin(plan.OpDiv, lit(plan.Int64(1)), lit(plan.Int64(0)))}}}, false, true},
	}
	for _, c := range cases {
		res := Run(db, c.p, 0)
		if (res.Err != nil) != c.definite || res.AllowsError(ErrDivisionByZero) != c.possible {
			t.Errorf("%s: err %v, possible %v; want definite %v, possible %v", c.name, res.Err, res.Possible, c.definite, c.possible)
		}
		if c.definite && !errors.Is(res.Err, ErrDivisionByZero) {
			t.Errorf("%s: err %v, want division by zero", c.name, res.Err)
		}
	}
}

func agg(f plan.AggFunc, arg plan.Expr) plan.NamedAgg {
	return plan.NamedAgg{Name: f.String(), Agg: plan.Agg{Func: f, Arg: arg}}
}

func TestAggregates(t *testing.T) {
	db := tinyDB()
	all := &plan.Aggregate{Input: &plan.Scan{Table: "t"}, Aggs: []plan.NamedAgg{
		agg(plan.AggCountStar, nil), agg(plan.AggCount, col("i")), agg(plan.AggMin, col("f")),
		agg(plan.AggMax, col("f")), agg(plan.AggCountDistinct, col("f")), agg(plan.AggMin, col("s")),
		agg(plan.AggMax, col("ts")), agg(plan.AggSum, col("id")), agg(plan.AggAvg, col("id")),
	}}
	res := Run(db, all, 0)
	want := []plan.Value{plan.Int64(6), plan.Int64(5), plan.Float64(math.Inf(-1)), plan.Float64(math.NaN()),
		plan.Int64(4), plan.String(""), ts("2024-05-17 12:34:56.789012"), plan.Int64(21), plan.Float64(3.5)}
	if res.Err != nil || len(res.Rows) != 1 || !RowsMatch(res.Rows[0], want) {
		t.Errorf("aggregates: got %v %v, want %v", res.Rows, res.Err, want)
	}
	// sum(i) over i > 0 includes MaxInt64 and does not fit; over all rows
	// it does (-7 brings it back), though a running sum overflows.
	pos := &plan.Filter{Input: &plan.Scan{Table: "t"}, Pred: bin(plan.OpGt, col("i"), lit(plan.Int64(0)))}
	res = Run(db, &plan.Aggregate{Input: pos, Aggs: []plan.NamedAgg{agg(plan.AggSum, col("i"))}}, 0)
	if !errors.Is(res.Err, ErrOverflow) {
		t.Errorf("sum overflow: got %v %v", res.Rows, res.Err)
	}
	res = Run(db, &plan.Aggregate{Input: &plan.Scan{Table: "t"}, Aggs: []plan.NamedAgg{agg(plan.AggSum, col("i"))}}, 0)
	if res.Err != nil || !ValuesMatch(res.Rows[0][0], plan.Int64(math.MaxInt64-2)) {
		t.Errorf("sum: got %v %v", res.Rows, res.Err)
	}
	// avg is exact too.
	res = Run(db, &plan.Aggregate{Input: pos, Aggs: []plan.NamedAgg{agg(plan.AggAvg, col("i"))}}, 0)
	if res.Err != nil || !FloatsClose(res.Rows[0][0].Float, (float64(math.MaxInt64)+5)/4) {
		t.Errorf("avg: got %v %v", res.Rows, res.Err)
	}
	// Nothing matches: one row without GROUP BY, none with.
	none := &plan.Filter{Input: &plan.Scan{Table: "t"}, Pred: lit(plan.Bool(false))}
	res = Run(db, &plan.Aggregate{Input: none, Aggs: []plan.NamedAgg{agg(plan.AggCountStar, nil), agg(plan.AggSum, col("i")), agg(plan.AggMax, col("s"))}}, 0)
	want = []plan.Value{plan.Int64(0), plan.NullOf(storage.TypeInt64), plan.NullOf(storage.TypeString)}
	if res.Err != nil || len(res.Rows) != 1 || !RowsMatch(res.Rows[0], want) {
		t.Errorf("empty aggregate: got %v %v, want %v", res.Rows, res.Err, want)
	}
	res = Run(db, &plan.Aggregate{Input: none, GroupBy: []plan.Named{{Name: "s", Expr: col("s")}}, Aggs: []plan.NamedAgg{agg(plan.AggCountStar, nil)}}, 0)
	if res.Err != nil || len(res.Rows) != 0 {
		t.Errorf("empty group by: got %v %v", res.Rows, res.Err)
	}
}

func TestGroupBy(t *testing.T) {
	db := tinyDB()
	// Groups on s: "a" x2, "b", NULL, "", "ab". Sum of id per group.
	p := &plan.Aggregate{Input: &plan.Scan{Table: "t"}, GroupBy: []plan.Named{{Name: "s", Expr: col("s")}},
		Aggs: []plan.NamedAgg{agg(plan.AggSum, col("id")), agg(plan.AggCount, col("i"))}}
	res := Run(db, p, 0)
	want := [][]plan.Value{
		{plan.String("a"), plan.Int64(5), plan.Int64(2)},
		{plan.String("b"), plan.Int64(2), plan.Int64(1)},
		{plan.NullOf(storage.TypeString), plan.Int64(3), plan.Int64(0)},
		{plan.String(""), plan.Int64(5), plan.Int64(1)},
		{plan.String("ab"), plan.Int64(6), plan.Int64(1)},
	}
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if err := res.Check(want); err != nil {
		t.Errorf("group by s: %v", err)
	}
	// -0 and 0 are one group, NaN one group, NULL one group.
	p = &plan.Aggregate{Input: &plan.Scan{Table: "t"}, GroupBy: []plan.Named{{Name: "f", Expr: col("f")}},
		Aggs: []plan.NamedAgg{agg(plan.AggCountStar, nil)}}
	res = Run(db, p, 0)
	want = [][]plan.Value{
		{plan.Float64(1.5), plan.Int64(1)}, {plan.Float64(math.NaN()), plan.Int64(1)},
		{plan.Float64(0), plan.Int64(2)}, {plan.NullOf(storage.TypeFloat64), plan.Int64(1)},
		{plan.Float64(math.Inf(-1)), plan.Int64(1)},
	}
	if err := res.Check(want); err != nil {
		t.Errorf("group by f: %v", err)
	}
	if err := res.Check(want[1:]); err == nil {
		t.Error("Check accepted a missing group")
	}
}

func TestTime(t *testing.T) {
	cases := []struct {
		e    plan.Expr
		in   plan.Value
		want plan.Value
	}{
		{plan.DateTrunc{Unit: plan.TruncWeek}, ts("1969-12-31 23:59:59.5"), ts("1969-12-29")}, // a Wednesday
		{plan.DateTrunc{Unit: plan.TruncWeek}, ts("2000-01-03 10:00:00"), ts("2000-01-03")},   // a Monday
		{plan.DateTrunc{Unit: plan.TruncWeek}, ts("2000-01-02 10:00:00"), ts("1999-12-27")},   // a Sunday
		{plan.DateTrunc{Unit: plan.TruncSecond}, ts("1969-12-31 23:59:59.5"), ts("1969-12-31 23:59:59")},
		{plan.DateTrunc{Unit: plan.TruncMillisecond}, ts("2024-05-17 12:34:56.789012"), ts("2024-05-17 12:34:56.789")},
		{plan.DateTrunc{Unit: plan.TruncMillisecond}, plan.TimestampMicros(-1), plan.TimestampMicros(-1000)},
		{plan.DateTrunc{Unit: plan.TruncQuarter}, ts("2024-05-17 12:34:56"), ts("2024-04-01")},
		{plan.DateTrunc{Unit: plan.TruncYear}, ts("1968-02-29 06:00:00"), ts("1968-01-01")},
		{plan.DateTrunc{Unit: plan.TruncMonth}, date("1968-02-29"), ts("1968-02-01")},
		{plan.DateTrunc{Unit: plan.TruncHour}, date("1968-02-29"), ts("1968-02-29")},
		{plan.TimeBucket{Width: 3_600_000_000, Origin: 0}, ts("1969-12-31 23:59:59.5"), ts("1969-12-31 23:00:00")},
		{plan.TimeBucket{Width: 7 * usPerDay, Origin: plan.DefaultBucketOrigin}, ts("2000-01-02 10:00:00"), ts("1999-12-27")},
		{plan.TimeBucket{Width: 90_000_000, Origin: 30_000_000}, plan.TimestampMicros(0), plan.TimestampMicros(-60_000_000)},
		{plan.TimeBucket{Width: usPerDay, Origin: 0}, date("1969-12-31"), ts("1969-12-31")},
	}
	for _, c := range cases {
		var e plan.Expr
		switch x := c.e.(type) {
		case plan.DateTrunc:
			x.X = col("x")
			e = x
		case plan.TimeBucket:
			x.X = col("x")
			e = x
		}
		def := storage.TableDef{Name: "t", Columns: []storage.Column{{Name: "x", Type: c.in.Type}}}
		db := &DB{Applied: 1, Tables: map[string]*Table{"t": {Def: def, Rows: []Row{{Version: 1, Values: []plan.Value{c.in}}}}}}
		res := Run(db, &plan.Project{Input: &plan.Scan{Table: "t"}, Exprs: []plan.Named{{Name: "y", Expr: e}}}, 0)
		if res.Err != nil || len(res.Rows) != 1 || !ValuesMatch(res.Rows[0][0], c.want) {
			t.Errorf("%v of %v: got %v %v, want %v", e, c.in, res.Rows, res.Err, c.want)
		}
	}
}

func TestVisibility(t *testing.T) {
	tb := &Table{Def: storage.TableDef{Name: "t", Columns: []storage.Column{{Name: "v", Type: storage.TypeInt64}}}, Created: 1}
	for _, w := range []uint64{2, 3, 4, 5, 7, 10} {
		tb.Rows = append(tb.Rows, Row{Version: w, Values: []plan.Value{plan.Int64(int64(w))}})
	}
	// 6: back to 3; 8: back to 7 (keeps the first rollback); 9: back to 5.
	tb.Rollbacks = []Rollback{{At: 6, To: 3}, {At: 8, To: 7}, {At: 9, To: 5}}
	cases := map[uint64][]int64{
		1: {}, 2: {2}, 5: {2, 3, 4, 5}, 6: {2, 3}, 7: {2, 3, 7}, 8: {2, 3, 7},
		9: {2, 3, 4, 5}, 10: {2, 3, 4, 5, 10},
	}
	db := &DB{Applied: 10, Tables: map[string]*Table{"t": tb}}
	for v, want := range cases {
		res := Run(db, &plan.Scan{Table: "t"}, v)
		var got [][]plan.Value
		for _, w := range want {
			got = append(got, []plan.Value{plan.Int64(w)})
		}
		if res.Err != nil {
			t.Fatalf("read at %d: %v", v, res.Err)
		}
		if err := res.Check(got); err != nil {
			t.Errorf("read at %d: %v", v, err)
		}
	}
	if res := Run(db, &plan.Scan{Table: "t"}, 11); !errors.Is(res.Err, ErrFutureVersion) {
		t.Errorf("read at 11: %v", res.Err)
	}
	if res := Run(db, &plan.Scan{Table: "t", AsOf: 12}, 5); !errors.Is(res.Err, ErrFutureVersion) {
		t.Errorf("scan as of 12: %v", res.Err)
	}
	if res := Run(db, &plan.Scan{Table: "u"}, 0); !errors.Is(res.Err, ErrNoTable) {
		t.Errorf("no table: %v", res.Err)
	}
	tb.Created = 4
	if res := Run(db, &plan.Scan{Table: "t", AsOf: 3}, 0); !errors.Is(res.Err, ErrNoTable) {
		t.Errorf("before creation: %v", res.Err)
	}
}

func TestSortAndCheck(t *testing.T) {
	db := tinyDB()
	sorted := func(keys ...plan.SortKey) plan.Node {
		return &plan.Sort{Input: &plan.Project{Input: &plan.Scan{Table: "t"},
			Exprs: []plan.Named{{Name: "id", Expr: col("id")}, {Name: "s", Expr: col("s")}, {Name: "f", Expr: col("f")}}}, Keys: keys}
	}
	order := func(res *Result) []int64 {
		out := []int64{}
		for _, r := range res.Rows {
			out = append(out, r[0].Int)
		}
		return out
	}
	// f: 1.5, NaN, -0, 0, NULL, -Inf
	cases := []struct {
		keys []plan.SortKey
		want []int64
	}{
		{[]plan.SortKey{{Expr: col("f")}, {Expr: col("id")}}, []int64{6, 3, 4, 1, 2, 5}},             // NULLS LAST, NaN last of numbers
		{[]plan.SortKey{{Expr: col("f"), Desc: true}, {Expr: col("id")}}, []int64{5, 2, 1, 3, 4, 6}}, // NULLS FIRST
		{[]plan.SortKey{{Expr: col("f"), Desc: true, Nulls: plan.NullsLast}, {Expr: col("id")}}, []int64{2, 1, 3, 4, 6, 5}},
		{[]plan.SortKey{{Expr: col("s"), Nulls: plan.NullsFirst}, {Expr: col("id"), Desc: true}}, []int64{3, 5, 4, 1, 6, 2}},
	}
	for _, c := range cases {
		res := Run(db, sorted(c.keys...), 0)
		if got := order(res); res.Err != nil || !equalInts(got, c.want) {
			t.Errorf("sort %v: got %v %v, want %v", c.keys, got, res.Err, c.want)
		}
	}
	// LIMIT 2 by s: "" (5), then one of the two "a" rows (1, 4).
	res := Run(db, &plan.Limit{Input: sorted(plan.SortKey{Expr: col("s")}), Count: 2}, 0)
	row := func(id int64) []plan.Value { return db.Tables["t"].VisibleRows(2)[id-1][:4:4] }
	pick := func(ids ...int64) [][]plan.Value {
		var out [][]plan.Value
		for _, id := range ids {
			r := row(id)
			out = append(out, []plan.Value{r[0], r[3], r[2]})
		}
		return out
	}
	for _, ok := range [][]int64{{5, 1}, {5, 4}} {
		if err := res.Check(pick(ok...)); err != nil {
			t.Errorf("limit answer %v rejected: %v", ok, err)
		}
	}
	for _, bad := range [][]int64{{1, 5}, {5, 2}, {5}, {5, 1, 4}} {
		if err := res.Check(pick(bad...)); err == nil {
			t.Errorf("limit answer %v accepted", bad)
		}
	}
	// OFFSET 2 LIMIT 2: the other "a" row, then "ab" (6).
	res = Run(db, &plan.Limit{Input: sorted(plan.SortKey{Expr: col("s")}), Count: 2, Offset: 2}, 0)
	for _, ok := range [][]int64{{1, 6}, {4, 6}} {
		if err := res.Check(pick(ok...)); err != nil {
			t.Errorf("offset answer %v rejected: %v", ok, err)
		}
	}
	// LIMIT without ORDER BY: any 3 rows.
	res = Run(db, &plan.Limit{Input: sorted(plan.SortKey{Expr: col("s")}).(*plan.Sort).Input, Count: 3}, 0)
	if err := res.Check(pick(6, 2, 3)); err != nil {
		t.Errorf("unordered limit: %v", err)
	}
	if err := res.Check(pick(6, 6, 3)); err == nil {
		t.Error("unordered limit accepted a duplicated row")
	}
}

func TestFloatTolerance(t *testing.T) {
	for _, c := range []struct {
		a, b float64
		ok   bool
	}{
		{0.1 + 0.2, 0.3, true}, {1e-12, -1e-12, true}, {1e20, 1e20 + 1e10, true}, {1, 1.001, false},
		{math.NaN(), math.NaN(), true}, {math.Inf(1), math.Inf(1), true}, {math.Inf(1), math.MaxFloat64, false},
		{math.Copysign(0, -1), 0, true},
	} {
		if FloatsClose(c.a, c.b) != c.ok {
			t.Errorf("FloatsClose(%v, %v) != %v", c.a, c.b, c.ok)
		}
	}
}

// TestMatchPrefersIdentical: a tolerance of several units on large floats
// must not pair a row with a neighbour's exact partner.
func TestMatchPrefersIdentical(t *testing.T) {
	row := func(f float64) []plan.Value { return []plan.Value{plan.Float64(f)} }
	want := [][]plan.Value{row(-2147483650.25), row(-2147483647.5), row(-2147483645.75), row(-2147483641.75)}
	got := [][]plan.Value{row(-2147483647.5), row(-2147483641.75), row(-2147483650.25), row(-2147483645.75)}
	if extra, missing := match(got, want); len(extra)+len(missing) != 0 {
		t.Errorf("extra %v, missing %v", extra, missing)
	}
}

// TestUnstableSums: a float sum whose value depends on the order of
// addition is flagged, a well-conditioned one is not.
func TestUnstableSums(t *testing.T) {
	def := storage.TableDef{Name: "t", Columns: []storage.Column{{Name: "f", Type: storage.TypeFloat64}}}
	for _, c := range []struct {
		vals     []float64
		unstable bool
	}{
		{[]float64{0.25, 0.5, -3}, false},
		{[]float64{1e17, 1, -1e17}, true},
		{[]float64{math.Inf(1), 1e17, -1e17 + 16}, false}, // +Inf in any order
		{[]float64{1e6 + 0.001, -1e6}, false},
	} {
		tb := &Table{Def: def, Created: 1}
		for _, v := range c.vals {
			tb.Rows = append(tb.Rows, Row{Version: 1, Values: []plan.Value{plan.Float64(v)}})
		}
		db := &DB{Applied: 1, Tables: map[string]*Table{"t": tb}}
		res := Run(db, &plan.Aggregate{Input: &plan.Scan{Table: "t"}, Aggs: []plan.NamedAgg{agg(plan.AggSum, col("f"))}}, 0)
		if res.Err != nil || res.Unstable != c.unstable {
			t.Errorf("sum of %v: unstable %v (err %v), want %v", c.vals, res.Unstable, res.Err, c.unstable)
		}
	}
}
