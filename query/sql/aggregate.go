package sql

import (
	"reflect"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/stratadb/strata/query/plan"
)

// A query with GROUP BY, HAVING or an aggregate is planned as
//
//	Aggregate{GroupBy: keys, Aggs: aggregates} -> [Filter HAVING] -> ...
//
// and its select list, HAVING, ORDER BY and DISTINCT ON are converted
// over the Aggregate's output: an aggregate call becomes the column of its
// (deduplicated) aggregate, an expression equal to a GROUP BY key the
// column of that key, and a column reference that is neither is a
// grouping error, as in PostgreSQL. Aggregates inside expressions
// (sum(x)/count(*)) are computed by the Aggregate and combined above it.

// aggState holds the keys and aggregates of a query in aggregate mode.
type aggState struct {
	in     *exprConv // converts over the Aggregate's input
	facts  exprFacts
	keys   []plan.Named
	keyIdx map[string]int // key expression's text -> position
	aggs   []plan.NamedAgg
	aggIdx map[string]int // aggregate's text -> position in aggs
}

func newAggState(in *exprConv) *aggState {
	return &aggState{in: in, facts: exprFacts{}, keyIdx: map[string]int{}, aggIdx: map[string]int{}}
}

// addKey adds a GROUP BY key (a repeated one is dropped).
func (a *aggState) addKey(name string, e plan.Expr) {
	s := e.String()
	if _, ok := a.keyIdx[s]; ok {
		return
	}
	a.keyIdx[s] = len(a.keys)
	a.keys = append(a.keys, plan.Named{Name: name, Expr: e})
}

// node is the Aggregate.
func (a *aggState) node(input plan.Node) *plan.Aggregate {
	return &plan.Aggregate{Input: input, GroupBy: a.keys, Aggs: a.aggs}
}

// replace converts e when it is an aggregate, a grouped expression or an
// ungrouped column (an error); false lets the caller convert e's parts.
func (a *aggState) replace(e tree.Expr) (plan.Expr, bool, error) {
	if f, ok := e.(*tree.FuncExpr); ok && isAggregate(f) {
		x, err := a.aggregate(f)
		return x, true, err
	}
	if _, ok := e.(*tree.ParenExpr); ok {
		return nil, false, nil
	}
	if f := a.facts.of(e); !f.colRef || f.agg {
		return nil, false, nil
	}
	x, err := a.in.conv(e)
	if err != nil {
		return nil, true, err
	}
	if i, ok := a.keyIdx[x.String()]; ok {
		return plan.ColAt{Index: i, Name: a.keys[i].Name}, true, nil
	}
	if n, ok := e.(*tree.UnresolvedName); ok {
		return nil, true, a.groupingError(n.Parts[0])
	}
	return nil, false, nil
}

// column converts an input column (of a star's expansion).
func (a *aggState) column(ref plan.Expr, name string) (plan.Expr, error) {
	if i, ok := a.keyIdx[ref.String()]; ok {
		return plan.ColAt{Index: i, Name: a.keys[i].Name}, nil
	}
	return nil, a.groupingError(name)
}

func (a *aggState) groupingError(col string) error {
	return errorf(codeGrouping, "column %s must appear in the GROUP BY clause or be used in an aggregate function", a.in.sc.qualified(col))
}

// aggregate converts an aggregate call to a column of the Aggregate.
func (a *aggState) aggregate(f *tree.FuncExpr) (plan.Expr, error) {
	name := funcName(f)
	switch {
	case !aggregateFuncs[name]:
		return nil, unsupported("aggregate function %s is not supported", name)
	case f.WindowDef != nil:
		return nil, unsupported("window functions are not supported")
	case f.Filter != nil:
		return nil, unsupported("FILTER is not supported")
	case len(f.OrderBy) > 0:
		return nil, unsupported("ORDER BY in an aggregate is not supported")
	}
	agg, err := a.aggCall(f, name)
	if err != nil {
		return nil, err
	}
	key := agg.String()
	j, ok := a.aggIdx[key]
	if !ok {
		j = len(a.aggs)
		a.aggIdx[key] = j
		a.aggs = append(a.aggs, plan.NamedAgg{Name: name, Agg: agg})
	}
	return plan.ColAt{Index: len(a.keys) + j, Name: name}, nil
}

func (a *aggState) aggCall(f *tree.FuncExpr, name string) (plan.Agg, error) {
	distinct := f.Type == tree.DistinctFuncType
	if len(f.Exprs) != 1 {
		return plan.Agg{}, noFunction(name, len(f.Exprs))
	}
	if isStar(f.Exprs[0]) {
		if name != "count" || distinct {
			return plan.Agg{}, errorf(codeSyntax, "%s(%s*) is not allowed: only count(*) takes *", name, distinctWord(distinct))
		}
		return plan.Agg{Func: plan.AggCountStar}, nil
	}
	arg, err := a.in.conv(f.Exprs[0])
	if err != nil {
		return plan.Agg{}, err
	}
	var fn plan.AggFunc
	switch name {
	case "count":
		fn = plan.AggCount
		if distinct {
			fn = plan.AggCountDistinct
		}
	case "sum", "avg":
		if distinct {
			return plan.Agg{}, unsupported("%s(DISTINCT ...) is not supported", name)
		}
		fn = plan.AggSum
		if name == "avg" {
			fn = plan.AggAvg
		}
	case "min":
		fn = plan.AggMin // DISTINCT changes nothing
	case "max":
		fn = plan.AggMax
	}
	return plan.Agg{Func: fn, Arg: arg}, nil
}

func distinctWord(d bool) string {
	if d {
		return "DISTINCT "
	}
	return ""
}

func isStar(e tree.Expr) bool {
	switch e := e.(type) {
	case tree.UnqualifiedStar:
		return true
	case *tree.UnresolvedName:
		return e.Star
	case *tree.AllColumnsSelector:
		return true
	}
	return false
}

// exprFinder reports whether an expression holds a node fn matches,
// without looking into subqueries.
type exprFinder struct {
	fn    func(tree.Expr) bool
	found bool
}

func (f *exprFinder) VisitPre(e tree.Expr) (bool, tree.Expr) {
	if f.found {
		return false, e
	}
	if f.fn(e) {
		f.found = true
		return false, e
	}
	_, isSub := e.(*tree.Subquery)
	return !isSub, e
}

func (f *exprFinder) VisitPost(e tree.Expr) tree.Expr { return e }

func findExpr(e tree.Expr, fn func(tree.Expr) bool) bool {
	if e == nil {
		return false
	}
	f := &exprFinder{fn: fn}
	tree.WalkExprConst(f, e)
	return f.found
}

// fact is what an expression holds.
type fact struct{ colRef, agg bool }

// exprFacts remembers, per node of a parse tree, whether it holds a
// column reference and an aggregate: computed for a whole tree in one
// walk, so asking at every node of a deep expression stays linear.
type exprFacts map[tree.Expr]fact

func (m exprFacts) of(e tree.Expr) fact {
	if !isPointer(e) {
		w := &factWalker{m: exprFacts{}}
		w.stack = []fact{{}}
		tree.WalkExprConst(w, e)
		return w.stack[0]
	}
	if f, ok := m[e]; ok {
		return f
	}
	tree.WalkExprConst(&factWalker{m: m}, e)
	return m[e]
}

type factWalker struct {
	m     exprFacts
	stack []fact
}

func (w *factWalker) VisitPre(e tree.Expr) (bool, tree.Expr) {
	own := fact{}
	switch x := e.(type) {
	case *tree.UnresolvedName:
		own.colRef = !x.Star
	case *tree.FuncExpr:
		own.agg = isAggregate(x)
	case *tree.Subquery:
		w.record(e, own) // not looked into
		return false, e
	}
	w.stack = append(w.stack, own)
	return true, e
}

func (w *factWalker) VisitPost(e tree.Expr) tree.Expr {
	f := w.stack[len(w.stack)-1]
	w.stack = w.stack[:len(w.stack)-1]
	w.record(e, f)
	return e
}

// record notes e's facts and adds them to its parent's.
func (w *factWalker) record(e tree.Expr, f fact) {
	if isPointer(e) {
		w.m[e] = f
	}
	if n := len(w.stack); n > 0 {
		w.stack[n-1].colRef = w.stack[n-1].colRef || f.colRef
		w.stack[n-1].agg = w.stack[n-1].agg || f.agg
	}
}

// isPointer reports a node that keys a map safely (the parser's nodes are
// pointers but for a few leaves).
func isPointer(e tree.Expr) bool {
	return e != nil && reflect.TypeOf(e).Kind() == reflect.Pointer
}

func containsAggregate(e tree.Expr) bool {
	return findExpr(e, func(e tree.Expr) bool {
		f, ok := e.(*tree.FuncExpr)
		return ok && isAggregate(f)
	})
}

func hasColumnRef(e tree.Expr) bool {
	return findExpr(e, func(e tree.Expr) bool {
		n, ok := e.(*tree.UnresolvedName)
		return ok && !n.Star
	})
}
