package query_test

import (
	"fmt"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// This file draws the newer expressions and nodes for the random plans:
// CASE, COALESCE, LIKE, CAST, scalar functions, DISTINCT ON over a sort,
// DISTINCT (an aggregate without aggregates) and VALUES as a query's base.
// Types come from plan.BindExpr, so every drawn expression binds.

// typeOf binds e and returns it typed; ok is false if it does not bind.
func typeOf(e plan.Expr, sch plan.Schema) (typed, bool) {
	_, t, err := plan.BindExpr(e, sch)
	if err != nil {
		return typed{}, false
	}
	if t == storage.TypeInvalid {
		t = storage.TypeString
	}
	return typed{e, t}, true
}

// moreExpr is one of the newer expressions, of any type.
func (g *diffGen) moreExpr(sch plan.Schema, depth int) (typed, bool) {
	f := sch[g.rng.IntN(len(sch))]
	x := plan.Col{Name: f.Name}
	var e plan.Expr
	switch r := g.rng.IntN(100); {
	case r < 25:
		e = g.caseExpr(sch, f, depth)
	case r < 38:
		args := []plan.Expr{x, plan.Lit{Value: g.literalLike(f)}}
		if c, ok := g.pick(sch, func(t storage.ColumnType) bool { return diffComparable(t, f.Type) }); ok && g.pct(50) {
			args = []plan.Expr{x, plan.Col{Name: c.Name}, plan.Lit{Value: g.literalLike(f)}}
		}
		e = plan.Coalesce{Args: args}
	case r < 58:
		e = plan.Cast{X: x, To: g.castTarget(f.Type)}
	case r < 70:
		e = g.like(sch, depth)
	default:
		e = g.funcExpr(sch, f)
	}
	return typeOf(e, sch)
}

// caseExpr is a searched CASE whose branches share f's type class.
func (g *diffGen) caseExpr(sch plan.Schema, f plan.Field, depth int) plan.Expr {
	branch := func() plan.Expr {
		switch r := g.rng.IntN(100); {
		case r < 35:
			return plan.Col{Name: f.Name}
		case r < 50 && plan.IsNumeric(f.Type):
			return g.numeric(sch, 1).e
		case r < 60:
			return plan.Lit{Value: plan.Null()}
		case r < 75:
			if c, ok := g.pick(sch, func(t storage.ColumnType) bool { return diffComparable(t, f.Type) }); ok {
				return plan.Col{Name: c.Name}
			}
		}
		return plan.Lit{Value: g.literalLike(f)}
	}
	c := plan.Case{}
	for range 1 + g.rng.IntN(3) {
		c.Whens = append(c.Whens, plan.When{Cond: g.pred(sch, max(0, depth-1)), Then: branch()})
	}
	if g.pct(70) {
		c.Else = branch()
	}
	return c
}

// castTarget picks a type f's type converts to, text sources rarely (most
// of their values do not parse).
func (g *diffGen) castTarget(from storage.ColumnType) storage.ColumnType {
	for {
		t := diffTypes[g.rng.IntN(len(diffTypes))]
		if plan.CanCast(from, t) && (from != storage.TypeString || t == storage.TypeString || g.pct(15)) {
			return t
		}
	}
}

var diffLikePatterns = []string{"a%", "%b", "%a%", "_", "__", "%", "", "a_", "%é%", "H%", "a\\%", "_b%", "%a%b%", "l%-%", "ab"}

// like is a LIKE or ILIKE on a string column, or a constant predicate
// when there is none.
func (g *diffGen) like(sch plan.Schema, depth int) plan.Expr {
	c, ok := g.pick(sch, func(t storage.ColumnType) bool { return t == storage.TypeString })
	if !ok {
		return g.pred(sch, depth)
	}
	var p plan.Expr = plan.Lit{Value: plan.String(diffLikePatterns[g.rng.IntN(len(diffLikePatterns))])}
	if g.pct(5) {
		p = plan.Col{Name: c.Name}
	}
	return plan.Like{X: plan.Col{Name: c.Name}, Pattern: p, Not: g.pct(30), CaseInsensitive: g.pct(30)}
}

// funcExpr is a scalar function that takes f, or one over another column.
func (g *diffGen) funcExpr(sch plan.Schema, f plan.Field) plan.Expr {
	x := plan.Col{Name: f.Name}
	other := plan.Lit{Value: g.literalLike(f)}
	switch {
	case plan.IsNumeric(f.Type):
		switch g.rng.IntN(6) {
		case 0:
			return plan.Func{Name: "abs", Args: []plan.Expr{x}}
		case 1:
			return plan.Func{Name: "round", Args: []plan.Expr{x, plan.Lit{Value: plan.Int64(int64(g.rng.IntN(5) - 2))}}}
		case 2:
			return plan.Func{Name: []string{"round", "floor", "ceil"}[g.rng.IntN(3)], Args: []plan.Expr{x}}
		case 3:
			return plan.Func{Name: "nullif", Args: []plan.Expr{x, other}}
		}
		return plan.Func{Name: []string{"greatest", "least"}[g.rng.IntN(2)], Args: []plan.Expr{x, other, g.numeric(sch, 1).e}}
	case f.Type == storage.TypeString:
		return plan.Func{Name: []string{"lower", "upper", "length"}[g.rng.IntN(3)], Args: []plan.Expr{x}}
	case plan.IsTemporal(f.Type):
		if g.pct(25) {
			return plan.Func{Name: "greatest", Args: []plan.Expr{x, other}}
		}
		fields := []string{"year", "quarter", "month", "day", "hour", "minute", "second", "dow", "doy", "epoch", "week"}
		return plan.Func{Name: "date_part", Args: []plan.Expr{plan.Lit{Value: plan.String(fields[g.rng.IntN(len(fields))])}, x}}
	case f.Type == storage.TypeBinary:
		return plan.Func{Name: "length", Args: []plan.Expr{x}}
	}
	return plan.Func{Name: "nullif", Args: []plan.Expr{x, other}}
}

// distinctOn keeps one row per value of 1-2 columns over a sort that
// orders by those (in either order; sometimes after another key), then
// (mostly) by every column, so which row survives is decided; otherwise
// the reference may find the answer undecided. The usual shape, ON keys
// leading the sort, runs as a top-1 per group in exec.
func (g *diffGen) distinctOn(n plan.Node) plan.Node {
	sch := g.schema(n)
	var on []plan.Expr
	var keys []plan.SortKey
	for range 1 + g.rng.IntN(2) {
		var e plan.Expr = plan.Col{Name: sch[g.rng.IntN(len(sch))].Name}
		if g.pct(15) {
			e = g.valueExpr(sch, 1).e
		}
		on = append(on, e)
		keys = append(keys, plan.SortKey{Expr: e, Desc: g.pct(30), Nulls: plan.Nulls(g.rng.IntN(3))})
	}
	if len(keys) == 2 && g.pct(30) {
		// The leading keys are the ON expressions in another order: still
		// a top-1 per group.
		keys[0], keys[1] = keys[1], keys[0]
	}
	if g.pct(10) {
		// A key before the ON expressions: not the top-1 shape, so the
		// rows of a group need not be contiguous.
		keys = append([]plan.SortKey{{Expr: plan.Col{Name: sch[g.rng.IntN(len(sch))].Name}, Desc: g.pct(50)}}, keys...)
	}
	if g.pct(85) {
		for _, f := range sch {
			keys = append(keys, plan.SortKey{Expr: plan.Col{Name: f.Name}, Desc: g.pct(50)})
		}
	}
	return &plan.DistinctOn{Input: &plan.Sort{Input: n, Keys: keys}, On: on}
}

// values is a small constant relation to query instead of a table.
func (g *diffGen) values() plan.Node {
	v := &plan.Values{}
	types := make([]storage.ColumnType, 1+g.rng.IntN(3))
	for i := range types {
		types[i] = diffTypes[g.rng.IntN(len(diffTypes))]
		v.Names = append(v.Names, fmt.Sprintf("v%d_%s", i, diffTypeTags[types[i]]))
	}
	for range 1 + g.rng.IntN(6) {
		row := make([]plan.Expr, len(types))
		for i, t := range types {
			val := g.literal(t, "")
			if g.pct(15) {
				val = plan.Null()
			}
			row[i] = plan.Lit{Value: val}
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

// numericMore is a numeric CASE, COALESCE or function over numbers.
func (g *diffGen) numericMore(sch plan.Schema, depth int) (typed, bool) {
	x := g.numeric(sch, depth-1).e
	var e plan.Expr
	switch g.rng.IntN(4) {
	case 0:
		e = plan.Case{Whens: []plan.When{{Cond: g.pred(sch, 0), Then: x}}, Else: g.numeric(sch, depth-1).e}
	case 1:
		e = plan.Coalesce{Args: []plan.Expr{x, g.numLit().e}}
	case 2:
		e = plan.Func{Name: []string{"abs", "round", "floor", "ceil"}[g.rng.IntN(4)], Args: []plan.Expr{x}}
	default:
		e = plan.Func{Name: []string{"greatest", "least"}[g.rng.IntN(2)], Args: []plan.Expr{x, g.numeric(sch, depth-1).e}}
	}
	t, ok := typeOf(e, sch)
	return t, ok && plan.IsNumeric(t.t)
}
