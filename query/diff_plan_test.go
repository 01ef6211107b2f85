package query_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// This file draws random, well-typed plans over a world's tables: filters
// from random predicates, projections with arithmetic, aggregates with 0-3
// group keys and every aggregate function, HAVING, subqueries (an operator
// over a Project or an Aggregate), and a root Sort and/or Limit. A few
// plans are broken on purpose so both sides must reject them alike.

type diffQuery struct {
	plan    plan.Node
	version uint64 // Options.Version
	par     int    // Options.Parallelism
	shape   string
}

type diffGen struct {
	rng *rand.Rand
	w   *diffWorld
	tb  *diffTable
}

// typed is an expression and its type.
type typed struct {
	e plan.Expr
	t storage.ColumnType
}

// diffCatalog binds plans against the latest table definitions, so the
// generator can learn a subplan's output schema.
type diffCatalog struct{ w *diffWorld }

func (c diffCatalog) TableDef(name string, _ uint64) (*storage.TableDef, error) {
	for _, tb := range c.w.tables {
		if tb.def.Name == name {
			return &tb.def, nil
		}
	}
	return nil, storage.ErrNoTable
}

func (g *diffGen) schema(n plan.Node) plan.Schema {
	_, sch, err := plan.Bind(n, diffCatalog{g.w})
	if err != nil {
		panic(fmt.Sprintf("BUG: generated plan does not bind: %v\n%s", err, plan.Format(n)))
	}
	// Names may repeat; a reference resolves to the first, so only the
	// first of each name can be picked.
	var out plan.Schema
	for _, f := range sch {
		if out.Index(f.Name) < 0 {
			out = append(out, f)
		}
	}
	return out
}

func (g *diffGen) pct(p int) bool { return g.rng.IntN(100) < p }

func (g *diffGen) query() diffQuery {
	q := diffQuery{par: 1 + g.rng.IntN(4)}
	var asOf uint64
	q.version, asOf = g.versions()
	g.tb = g.table(q.version, asOf)
	var n plan.Node = &plan.Scan{Table: g.tb.def.Name, AsOf: asOf}
	base := "scan"
	if g.pct(4) {
		n, base = g.values(), "values"
	}
	if g.pct(60) {
		n = &plan.Filter{Input: n, Pred: g.pred(g.schema(n), 3)}
	}
	n, q.shape = g.body(n)
	q.shape = base + ":" + q.shape
	if g.pct(15) {
		n = g.distinctOn(n)
		q.shape += "+distinct-on"
	}
	switch r := g.rng.IntN(100); {
	case r < 20:
		n = &plan.Sort{Input: n, Keys: g.sortKeys(g.schema(n))}
		q.shape += "+sort"
	case r < 40:
		n = &plan.Limit{Input: &plan.Sort{Input: n, Keys: g.sortKeys(g.schema(n))}, Count: g.count(), Offset: g.offset()}
		q.shape += "+sort+limit"
	case r < 48:
		n = &plan.Limit{Input: n, Count: g.count(), Offset: g.offset()}
		q.shape += "+limit"
	}
	if g.pct(3) && g.readable(q.version, asOf) {
		n = g.broken(n)
		q.shape += "+broken"
	}
	q.plan = n
	return q
}

// table picks the table to read: mostly one that exists at the version
// read, sometimes any (ErrNoTable).
func (g *diffGen) table(version, asOf uint64) *diffTable {
	v := version
	if asOf != 0 {
		v = asOf
	}
	if v == 0 || v == storage.Latest {
		v = g.w.db.Applied
	}
	var live []*diffTable
	for _, tb := range g.w.tables {
		if tb.model.Created <= v {
			live = append(live, tb)
		}
	}
	if len(live) > 0 && g.pct(95) {
		return live[g.rng.IntN(len(live))]
	}
	return g.w.tables[g.rng.IntN(len(g.w.tables))]
}

// readable: the scan's table exists at the version read. Only then may a
// plan be broken on purpose, since whether binding or reading fails first
// is not specified.
func (g *diffGen) readable(version, asOf uint64) bool {
	v := version
	if asOf != 0 {
		v = asOf
	}
	if v == 0 || v == storage.Latest {
		v = g.w.db.Applied
	}
	return v <= g.w.db.Applied && g.tb.model.Created <= v
}

func (g *diffGen) count() int64  { return []int64{0, 1, 2, 3, 5, 10, 50, -1}[g.rng.IntN(8)] }
func (g *diffGen) offset() int64 { return []int64{0, 0, 0, 1, 2, 5, 20}[g.rng.IntN(7)] }

// versions picks Options.Version and a scan's AsOf: the latest (0, Latest
// or its number), any applied version, versions around rollbacks, and now
// and then one not applied yet. A future Options.Version comes with no
// AsOf: which error wins then is not specified.
func (g *diffGen) versions() (uint64, uint64) {
	w := g.w
	var v uint64
	switch r := g.rng.IntN(100); {
	case r < 25:
	case r < 30:
		v = storage.Latest
	case r < 35:
		v = w.db.Applied
	case r < 60:
		v = w.versions[g.rng.IntN(len(w.versions))]
	case r < 78 && len(w.marks) > 0:
		v = max(1, w.marks[g.rng.IntN(len(w.marks))])
	case r < 98:
		v = 1 + uint64(g.rng.IntN(int(w.db.Applied)))
	default:
		v = w.db.Applied + 1 + uint64(g.rng.IntN(3))
	}
	if v != storage.Latest && v > w.db.Applied {
		return v, 0
	}
	var asOf uint64
	switch r := g.rng.IntN(100); {
	case r < 8:
		asOf = w.versions[g.rng.IntN(len(w.versions))]
	case r < 13 && len(w.marks) > 0:
		asOf = max(1, w.marks[g.rng.IntN(len(w.marks))])
	case r < 15:
		asOf = w.db.Applied + 1 + uint64(g.rng.IntN(3))
	}
	return v, asOf
}

// body adds the query's middle: projections, aggregates, HAVING and
// subqueries.
func (g *diffGen) body(n plan.Node) (plan.Node, string) {
	switch r := g.rng.IntN(100); {
	case r < 12:
		return n, "scan"
	case r < 35:
		n = g.project(n)
		if g.pct(35) {
			return &plan.Filter{Input: n, Pred: g.pred(g.schema(n), 2)}, "project+filter"
		}
		return n, "project"
	case r < 72:
		n = g.aggregate(n)
		shape := "agg"
		if g.pct(40) {
			n = &plan.Filter{Input: n, Pred: g.pred(g.schema(n), 2)}
			shape += "+having"
		}
		if g.pct(25) {
			n = g.project(n)
			shape += "+project"
		}
		return n, shape
	case r < 86:
		n = g.project(n)
		if g.pct(30) {
			n = &plan.Filter{Input: n, Pred: g.pred(g.schema(n), 2)}
		}
		return g.aggregate(n), "project+agg"
	case r < 95:
		n = g.aggregate(n)
		if g.pct(30) {
			n = &plan.Filter{Input: n, Pred: g.pred(g.schema(n), 1)}
		}
		return g.aggregate(n), "agg+agg"
	}
	n = g.project(n)
	n = &plan.Filter{Input: n, Pred: g.pred(g.schema(n), 2)}
	return g.project(n), "project+filter+project"
}

func (g *diffGen) project(in plan.Node) plan.Node {
	sch := g.schema(in)
	k := 1 + g.rng.IntN(4)
	p := &plan.Project{Input: in}
	for i := range k {
		name := fmt.Sprintf("p%d", i)
		if i > 0 && g.pct(2) {
			name = "p0" // duplicate names: references resolve to the first
		}
		p.Exprs = append(p.Exprs, plan.Named{Name: name, Expr: g.valueExpr(sch, 2).e})
	}
	return p
}

func (g *diffGen) aggregate(in plan.Node) plan.Node {
	sch := g.schema(in)
	a := &plan.Aggregate{Input: in}
	nk := []int{0, 0, 1, 1, 1, 2, 2, 3}[g.rng.IntN(8)]
	for i := range nk {
		a.GroupBy = append(a.GroupBy, plan.Named{Name: fmt.Sprintf("k%d", i), Expr: g.groupKey(sch)})
	}
	na := 1 + g.rng.IntN(4)
	if nk > 0 && g.pct(15) {
		na = 0 // DISTINCT
	}
	for i := range na {
		a.Aggs = append(a.Aggs, plan.NamedAgg{Name: fmt.Sprintf("a%d", i), Agg: g.agg(sch)})
	}
	return a
}

func (g *diffGen) groupKey(sch plan.Schema) plan.Expr {
	switch r := g.rng.IntN(100); {
	case r < 20:
		if e, ok := g.temporalFn(sch); ok {
			return e.e
		}
	case r < 30:
		if c, ok := g.pick(sch, plan.IsInteger); ok {
			return plan.Bin{Op: plan.OpMod, L: plan.Col{Name: c.Name}, R: plan.Lit{Value: plan.Int64(3)}}
		}
	case r < 38:
		return g.pred(sch, 1)
	}
	return plan.Col{Name: sch[g.rng.IntN(len(sch))].Name}
}

func (g *diffGen) agg(sch plan.Schema) plan.Agg {
	f := plan.AggFunc(1 + g.rng.IntN(7))
	switch f {
	case plan.AggCount, plan.AggCountDistinct:
		if g.pct(80) {
			return plan.Agg{Func: f, Arg: plan.Col{Name: sch[g.rng.IntN(len(sch))].Name}}
		}
		return plan.Agg{Func: f, Arg: g.valueExpr(sch, 1).e}
	case plan.AggSum, plan.AggAvg:
		if c, ok := g.pick(sch, plan.IsNumeric); ok && g.pct(70) {
			return plan.Agg{Func: f, Arg: plan.Col{Name: c.Name}}
		}
		if _, ok := g.pick(sch, plan.IsNumeric); ok {
			return plan.Agg{Func: f, Arg: g.numeric(sch, 2).e}
		}
	case plan.AggMin, plan.AggMax:
		ok := func(t storage.ColumnType) bool { return t != storage.TypeBool && t != storage.TypeBinary }
		if c, found := g.pick(sch, ok); found && g.pct(80) {
			return plan.Agg{Func: f, Arg: plan.Col{Name: c.Name}}
		}
		if e, found := g.temporalFn(sch); found && g.pct(50) {
			return plan.Agg{Func: f, Arg: e.e}
		}
		if _, found := g.pick(sch, plan.IsNumeric); found {
			return plan.Agg{Func: f, Arg: g.numeric(sch, 2).e}
		}
	}
	return plan.Agg{Func: plan.AggCountStar}
}

func (g *diffGen) sortKeys(sch plan.Schema) []plan.SortKey {
	k := 1 + g.rng.IntN(3)
	keys := make([]plan.SortKey, k)
	for i := range keys {
		var e plan.Expr = plan.Col{Name: sch[g.rng.IntN(len(sch))].Name}
		if g.pct(15) {
			if _, ok := g.pick(sch, plan.IsNumeric); ok {
				e = g.numeric(sch, 1).e
			}
		}
		keys[i] = plan.SortKey{Expr: e, Desc: g.pct(50), Nulls: plan.Nulls(g.rng.IntN(3))}
	}
	return keys
}

// broken wraps n in a filter that cannot bind.
func (g *diffGen) broken(n plan.Node) plan.Node {
	sch := g.schema(n)
	c := plan.Col{Name: sch[g.rng.IntN(len(sch))].Name}
	var pred plan.Expr
	switch g.rng.IntN(5) {
	case 0:
		pred = plan.IsNull{X: plan.Col{Name: "no_such_column"}}
	case 1:
		pred = c // not a bool, unless it is: then compare a bool with a binary
		if sch[sch.Index(c.Name)].Type == storage.TypeBool {
			pred = plan.Bin{Op: plan.OpEq, L: c, R: plan.Lit{Value: plan.Binary([]byte("x"))}}
		}
	case 2:
		pred = plan.In{X: c}
	case 3:
		pred = plan.Bin{Op: plan.OpLt, L: plan.Lit{Value: plan.TimestampMicros(0)}, R: plan.Lit{Value: plan.String("not a time")}}
	default:
		return &plan.Limit{Input: n, Count: 1, Offset: -1}
	}
	return &plan.Filter{Input: n, Pred: pred}
}

// pick returns a random field whose type satisfies ok.
func (g *diffGen) pick(sch plan.Schema, ok func(storage.ColumnType) bool) (plan.Field, bool) {
	var fs []plan.Field
	for _, f := range sch {
		if ok(f.Type) {
			fs = append(fs, f)
		}
	}
	if len(fs) == 0 {
		return plan.Field{}, false
	}
	return fs[g.rng.IntN(len(fs))], true
}

// valueExpr is an expression of any type for a projection.
func (g *diffGen) valueExpr(sch plan.Schema, depth int) typed {
	if depth > 0 && g.pct(18) {
		if e, ok := g.moreExpr(sch, depth); ok {
			return e
		}
	}
	switch r := g.rng.IntN(100); {
	case r < 40:
		f := sch[g.rng.IntN(len(sch))]
		return typed{plan.Col{Name: f.Name}, f.Type}
	case r < 65:
		if _, ok := g.pick(sch, plan.IsNumeric); ok {
			return g.numeric(sch, depth)
		}
	case r < 75:
		return typed{g.pred(sch, depth), storage.TypeBool}
	case r < 85:
		if e, ok := g.temporalFn(sch); ok {
			return e
		}
	case r < 88:
		return typed{plan.Lit{Value: plan.Null()}, storage.TypeString}
	case r < 95:
		t := diffTypes[g.rng.IntN(len(diffTypes))]
		return typed{plan.Lit{Value: g.literal(t, "")}, t}
	}
	f := sch[g.rng.IntN(len(sch))]
	return typed{plan.Col{Name: f.Name}, f.Type}
}

// numeric is an arithmetic expression over numeric columns and constants.
func (g *diffGen) numeric(sch plan.Schema, depth int) typed {
	c, hasCol := g.pick(sch, plan.IsNumeric)
	if depth > 0 && hasCol && g.pct(8) {
		if e, ok := g.numericMore(sch, depth); ok {
			return e
		}
	}
	r := g.rng.IntN(100)
	switch {
	case depth <= 0 || r < 40:
		if hasCol && g.pct(85) {
			return typed{plan.Col{Name: c.Name}, c.Type}
		}
		return g.numLit()
	case r < 85:
		l, rr := g.numeric(sch, depth-1), g.numeric(sch, depth-1)
		op := []plan.BinOp{plan.OpAdd, plan.OpSub, plan.OpMul, plan.OpDiv, plan.OpMod}[g.rng.IntN(5)]
		switch {
		case (op == plan.OpDiv || op == plan.OpMod) && g.pct(50):
			rr = typed{plan.Lit{Value: plan.Int64(int64(1 + g.rng.IntN(4)))}, storage.TypeInt64}
		case g.pct(4):
			rr = typed{plan.Lit{Value: plan.String("3")}, storage.TypeInt64} // bound as a number
		case op == plan.OpMul && g.pct(10):
			rr = typed{plan.Lit{Value: plan.Int64(1 << 40)}, storage.TypeInt64} // overflow paths
		}
		out := storage.TypeInt64
		if l.t == storage.TypeFloat64 || rr.t == storage.TypeFloat64 {
			out = storage.TypeFloat64
			if op == plan.OpMod {
				op = plan.OpSub
			}
		}
		return typed{plan.Bin{Op: op, L: l.e, R: rr.e}, out}
	}
	x := g.numeric(sch, depth-1)
	if x.t == storage.TypeInt32 {
		x.t = storage.TypeInt64
	}
	return typed{plan.Neg{X: x.e}, x.t}
}

func (g *diffGen) numLit() typed {
	switch r := g.rng.IntN(100); {
	case r < 3:
		return typed{plan.Lit{Value: plan.Null()}, storage.TypeInt64}
	case r < 11:
		return typed{plan.Lit{Value: plan.Int64(diffExtremeInt64[g.rng.IntN(len(diffExtremeInt64))])}, storage.TypeInt64}
	case r < 14:
		return typed{plan.Lit{Value: plan.Float64(diffFloatSpecial[g.rng.IntN(len(diffFloatSpecial))])}, storage.TypeFloat64}
	case r < 40:
		return typed{plan.Lit{Value: plan.Float64(float64(g.rng.IntN(41)-20) / 4)}, storage.TypeFloat64}
	case r < 45:
		return typed{plan.Lit{Value: plan.Int32(int32(g.rng.IntN(11) - 5))}, storage.TypeInt32}
	}
	return typed{plan.Lit{Value: plan.Int64(int64(g.rng.IntN(11) - 5))}, storage.TypeInt64}
}

// temporalFn is date_trunc or time_bucket over a timestamp or date column.
func (g *diffGen) temporalFn(sch plan.Schema) (typed, bool) {
	c, ok := g.pick(sch, plan.IsTemporal)
	if !ok {
		return typed{}, false
	}
	x := plan.Col{Name: c.Name}
	if g.pct(55) {
		return typed{plan.DateTrunc{Unit: plan.TruncUnit(1 + g.rng.IntN(10)), X: x}, storage.TypeTimestamp}, true
	}
	width := []int64{1, 1000, 60_000_000, 900_000_000, 3_600_000_000, 86_400_000_000, 7 * 86_400_000_000, 5_000_000_007}[g.rng.IntN(8)]
	origin := plan.DefaultBucketOrigin
	switch g.rng.IntN(3) {
	case 0:
		origin = 0
	case 1:
		origin = g.w.micros(diffColumn{})
	}
	return typed{plan.TimeBucket{Width: width, Origin: origin, X: x}, storage.TypeTimestamp}, true
}

// pred is a random boolean expression.
func (g *diffGen) pred(sch plan.Schema, depth int) plan.Expr {
	r := g.rng.IntN(100)
	switch {
	case depth > 0 && r < 15:
		return plan.Bin{Op: plan.OpAnd, L: g.pred(sch, depth-1), R: g.pred(sch, depth-1)}
	case depth > 0 && r < 27:
		return plan.Bin{Op: plan.OpOr, L: g.pred(sch, depth-1), R: g.pred(sch, depth-1)}
	case depth > 0 && r < 33:
		return plan.Not{X: g.pred(sch, depth-1)}
	}
	if g.pct(5) {
		return g.like(sch, depth)
	}
	f := sch[g.rng.IntN(len(sch))]
	x := plan.Col{Name: f.Name}
	switch r := g.rng.IntN(100); {
	case r < 40:
		return g.compare(sch, f)
	case r < 52:
		return g.in(x, f.Type)
	case r < 63:
		return plan.Between{X: x, Lo: plan.Lit{Value: g.literalLike(f)}, Hi: plan.Lit{Value: g.literalLike(f)}, Not: g.pct(30)}
	case r < 73:
		return plan.IsNull{X: x, Not: g.pct(50)}
	case r < 85:
		if _, ok := g.pick(sch, plan.IsNumeric); ok {
			return plan.Bin{Op: g.cmpOp(), L: g.numeric(sch, 2).e, R: g.numLit().e}
		}
	case r < 92:
		if e, ok := g.temporalFn(sch); ok {
			return plan.Bin{Op: g.cmpOp(), L: e.e, R: plan.Lit{Value: g.literal(storage.TypeTimestamp, "")}}
		}
	case r < 96:
		if c, ok := g.pick(sch, func(t storage.ColumnType) bool { return t == storage.TypeBool }); ok {
			return plan.Col{Name: c.Name}
		}
	case r < 98:
		return plan.Lit{Value: []plan.Value{plan.Bool(true), plan.Bool(false), plan.Null()}[g.rng.IntN(3)]}
	}
	return g.compare(sch, f)
}

func (g *diffGen) cmpOp() plan.BinOp {
	return []plan.BinOp{plan.OpEq, plan.OpNe, plan.OpLt, plan.OpLe, plan.OpGt, plan.OpGe}[g.rng.IntN(6)]
}

// compare compares column f with a constant of a comparable type, or with
// another comparable column.
func (g *diffGen) compare(sch plan.Schema, f plan.Field) plan.Expr {
	x := plan.Expr(plan.Col{Name: f.Name})
	var other plan.Expr = plan.Lit{Value: g.literalLike(f)}
	if g.pct(15) {
		if c, ok := g.pick(sch, func(t storage.ColumnType) bool { return diffComparable(t, f.Type) }); ok {
			other = plan.Col{Name: c.Name}
		}
	}
	if g.pct(25) {
		x, other = other, x
	}
	return plan.Bin{Op: g.cmpOp(), L: x, R: other}
}

func diffComparable(a, b storage.ColumnType) bool {
	return a == b || plan.IsNumeric(a) && plan.IsNumeric(b) || plan.IsTemporal(a) && plan.IsTemporal(b)
}

func (g *diffGen) in(x plan.Expr, t storage.ColumnType) plan.Expr {
	f := plan.Field{Name: x.(plan.Col).Name, Type: t}
	n := 1 + g.rng.IntN(4)
	list := make([]plan.Expr, n)
	for i := range list {
		list[i] = plan.Lit{Value: g.literalLike(f)}
	}
	return plan.In{X: x, List: list, Not: g.pct(35)}
}

// literalLike is a constant to compare with field f: NULL now and then,
// often a value the column holds, a constant of another comparable type
// (float for an integer, date for a timestamp), or a string literal for a
// temporal column.
func (g *diffGen) literalLike(f plan.Field) plan.Value {
	switch r := g.rng.IntN(100); {
	case r < 4:
		return plan.Null()
	case r < 45:
		if v, ok := g.sample(f); ok {
			return v
		}
	case r < 55 && plan.IsNumeric(f.Type):
		if f.Type == storage.TypeFloat64 {
			return plan.Int64(int64(g.rng.IntN(11) - 5))
		}
		return plan.Float64(float64(g.rng.IntN(41)-20) / 4)
	case r < 55 && plan.IsTemporal(f.Type):
		other := storage.TypeDate
		if f.Type == storage.TypeDate {
			other = storage.TypeTimestamp
		}
		return g.literal(other, "")
	case r < 70 && plan.IsTemporal(f.Type):
		v := g.literal(f.Type, "")
		if f.Type == storage.TypeDate || g.pct(30) {
			return plan.String(plan.FormatDate(diffFloorDiv(micros(v), 86_400_000_000)))
		}
		return plan.String(plan.FormatTimestamp(v.Int))
	}
	return g.literal(f.Type, f.Name)
}

func micros(v plan.Value) int64 {
	if v.Type == storage.TypeDate {
		return v.Int * 86_400_000_000
	}
	return v.Int
}

func diffFloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// sample draws a value a base-table column holds (any version), if f is one.
func (g *diffGen) sample(f plan.Field) (plan.Value, bool) {
	ci := g.tb.def.ColumnIndex(f.Name)
	if ci < 0 || g.tb.def.Columns[ci].Type != f.Type || len(g.tb.model.Rows) == 0 {
		return plan.Value{}, false
	}
	v := g.tb.model.Rows[g.rng.IntN(len(g.tb.model.Rows))].Values[ci]
	if v.Null {
		return plan.Value{}, false
	}
	return v, true
}

// literal draws a constant of type t from the column's domain when name is
// a base-table column, else from a default domain.
func (g *diffGen) literal(t storage.ColumnType, name string) plan.Value {
	c := diffColumn{Column: storage.Column{Type: t}, wide: g.pct(20), extreme: 0.05, coarse: g.pct(50)}
	if ci := g.tb.def.ColumnIndex(name); ci >= 0 && g.tb.cols[ci].Type == t {
		c = g.tb.cols[ci]
	}
	v := g.w.value(c, 0)
	if t == storage.TypeFloat64 && math.IsNaN(v.Float) && g.pct(50) {
		v.Float = 0
	}
	return v
}
