package pgcatalog

import (
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
)

// aggPlan is an aggregating SELECT's grouping: its GROUP BY keys and the
// aggregate calls its output, HAVING and ORDER BY use.
type aggPlan struct {
	groupBy []*expr
	specs   []*aggSpec
}

// aggSpec is one aggregate call.
type aggSpec struct {
	name     string
	args     []*expr
	star     bool // count(*)
	distinct bool
	filter   *expr
	order    []*expr
	orderDir []sortKey
	typ      uint32
}

var aggregates = map[string]bool{
	"count": true, "sum": true, "avg": true, "min": true, "max": true,
	"string_agg": true, "array_agg": true, "bool_and": true, "bool_or": true, "every": true,
}

// hasAggregate reports whether a SELECT's output or ORDER BY calls an
// aggregate (outside subqueries).
func hasAggregate(exprs tree.SelectExprs, order tree.OrderBy) bool {
	found := false
	visit := func(e tree.Expr) {
		_, _ = tree.SimpleVisit(e, func(e tree.Expr) (bool, tree.Expr, error) {
			switch e := e.(type) {
			case *tree.Subquery, *tree.ArrayFlatten:
				return false, e, nil
			case *tree.FuncExpr:
				if e.WindowDef == nil && aggregates[funcName(e)] {
					found = true
					return false, e, nil
				}
			}
			return true, e, nil
		})
	}
	for _, se := range exprs {
		visit(se.Expr)
	}
	for _, o := range order {
		if o.Expr != nil {
			visit(o.Expr)
		}
	}
	return found
}

// compileAggregate compiles an aggregate call inside an aggregating
// SELECT: its arguments are evaluated per input row, and the call reads
// its group's result.
func (c *compiler) compileAggregate(fe *tree.FuncExpr, name string, sc *scope) (*expr, error) {
	if sc.agg == nil || sc.inAgg {
		if sc.inAgg {
			return nil, errorf(codeGrouping, "aggregate function calls cannot be nested")
		}
		return nil, errorf(codeGrouping, "aggregate functions are not allowed here")
	}
	argScope := *sc
	argScope.agg, argScope.inAgg = nil, true
	spec := &aggSpec{name: name, distinct: fe.Type == tree.DistinctFuncType}
	for _, a := range fe.Exprs {
		if _, ok := a.(tree.UnqualifiedStar); ok {
			if name != "count" {
				return nil, errorf(codeSyntax, "%s(*) is not valid", name)
			}
			spec.star = true
			continue
		}
		x, err := c.compileExpr(a, &argScope)
		if err != nil {
			return nil, err
		}
		spec.args = append(spec.args, x)
	}
	if err := c.typeAggregate(spec); err != nil {
		return nil, err
	}
	if fe.Filter != nil {
		x, err := c.compileCondition(fe.Filter, &argScope)
		if err != nil {
			return nil, err
		}
		spec.filter = x
	}
	for _, o := range fe.OrderBy {
		x, err := c.compileExpr(o.Expr, &argScope)
		if err != nil {
			return nil, err
		}
		spec.order = append(spec.order, x)
		spec.orderDir = append(spec.orderDir, orderDirection(o))
	}
	i := len(sc.agg.specs)
	sc.agg.specs = append(sc.agg.specs, spec)
	return &expr{typ: spec.typ, eval: func(_ *evalCtx, f *frame) (any, error) {
		if f == nil || i >= len(f.aggs) {
			return nil, errorf(codeInternal, "BUG: aggregate outside its group")
		}
		return f.aggs[i], nil
	}}, nil
}

// typeAggregate checks an aggregate's arguments and sets its type.
func (c *compiler) typeAggregate(s *aggSpec) error {
	want := 1
	switch s.name {
	case "count":
		s.typ = oidInt8
		if s.star {
			want = 0
		}
	case "string_agg":
		want = 2
		s.typ = oidText
	case "bool_and", "bool_or", "every":
		s.typ = oidBool
	}
	if len(s.args) != want {
		return errorf(codeUndefinedFunction, "function %s with %d arguments does not exist", s.name, len(s.args))
	}
	if want == 0 {
		return nil
	}
	a := s.args[0]
	if a.typ == oidUnknown {
		s.args[0] = c.coerce(a, oidText)
		a = s.args[0]
	}
	switch s.name {
	case "string_agg":
		s.args[0] = c.coerce(a, oidText)
		s.args[1] = c.coerce(s.args[1], oidText)
	case "array_agg":
		s.typ = arrayOf(a.typ)
	case "min", "max":
		s.typ = a.typ
		if kindOf(a.typ) == kText {
			s.typ = oidText // as PostgreSQL: there is no max(name)
		}
	case "sum":
		switch {
		case a.typ == oidInt2 || a.typ == oidInt4:
			s.typ = oidInt8
		case kindOf(a.typ) == kInt:
			s.typ = oidNumeric
		case kindOf(a.typ) == kFloat:
			s.typ = a.typ
		default:
			return errorf(codeUndefinedFunction, "function sum(%s) does not exist", typeName(a.typ))
		}
	case "avg":
		if !isNumericKind(a.typ) {
			return errorf(codeUndefinedFunction, "function avg(%s) does not exist", typeName(a.typ))
		}
		s.typ = oidNumeric
		if kindOf(a.typ) == kFloat && a.typ != oidNumeric {
			s.typ = oidFloat8
		}
	case "bool_and", "bool_or", "every":
		s.args[0] = c.coerce(a, oidBool)
	}
	return nil
}

// group evaluates the aggregates of every group of frames and returns one
// frame per group (its first row, its aggregate values).
func (p *aggPlan) group(ec *evalCtx, frames []*frame, ncols int, outer *frame) ([]*frame, error) {
	type group struct {
		rep  []any
		accs []*accumulator
	}
	var order []*group
	groups := map[string]*group{}
	for _, f := range frames {
		keyVals, err := evalAll(ec, p.groupBy, f)
		if err != nil {
			return nil, err
		}
		k := string(rowKey(keyVals))
		g := groups[k]
		if g == nil {
			g = &group{rep: f.row, accs: p.newAccumulators()}
			groups[k] = g
			order = append(order, g)
		}
		for i, s := range p.specs {
			if err := g.accs[i].add(ec, s, f); err != nil {
				return nil, err
			}
		}
	}
	if len(order) == 0 && len(p.groupBy) == 0 {
		order = append(order, &group{rep: make([]any, ncols), accs: p.newAccumulators()})
	}
	out := make([]*frame, len(order))
	for i, g := range order {
		vals := make([]any, len(p.specs))
		for j, s := range p.specs {
			vals[j] = g.accs[j].result(ec, s)
		}
		out[i] = &frame{row: g.rep, aggs: vals, up: outer}
	}
	return out, nil
}

func (p *aggPlan) newAccumulators() []*accumulator {
	accs := make([]*accumulator, len(p.specs))
	for i := range accs {
		accs[i] = &accumulator{}
	}
	return accs
}

// accumulator collects one aggregate's inputs in one group.
type accumulator struct {
	n    int64
	vals [][]any // the argument values (non-NULL first argument, except array_agg)
	keys [][]any // their ORDER BY keys
	seen map[string]bool
}

func (a *accumulator) add(ec *evalCtx, s *aggSpec, f *frame) error {
	if s.filter != nil {
		ok, err := evalBool(ec, s.filter, f)
		if err != nil || !ok {
			return err
		}
	}
	if s.star {
		a.n++
		return nil
	}
	args, err := evalAll(ec, s.args, f)
	if err != nil {
		return err
	}
	if args[0] == nil && s.name != "array_agg" {
		return nil
	}
	if s.distinct {
		if a.seen == nil {
			a.seen = map[string]bool{}
		}
		k := string(appendKey(nil, args[0]))
		if a.seen[k] {
			return nil
		}
		a.seen[k] = true
	}
	if len(s.order) > 0 {
		k, err := evalAll(ec, s.order, f)
		if err != nil {
			return err
		}
		a.keys = append(a.keys, k)
	}
	a.n++
	a.vals = append(a.vals, args)
	return nil
}

func (a *accumulator) result(ec *evalCtx, s *aggSpec) any {
	if s.name == "count" {
		return a.n
	}
	if len(a.vals) == 0 {
		return nil
	}
	if len(s.order) > 0 {
		sortRows(a.vals, a.keys, s.orderDir)
	}
	switch s.name {
	case "sum", "avg":
		return sumValues(a.vals, s)
	case "min", "max":
		best := a.vals[0][0]
		for _, v := range a.vals[1:] {
			c := compare(v[0], best)
			if s.name == "min" && c < 0 || s.name == "max" && c > 0 {
				best = v[0]
			}
		}
		return best
	case "string_agg":
		var b strings.Builder
		for i, v := range a.vals {
			if i > 0 && v[1] != nil {
				b.WriteString(textOf(ec, v[1], oidText))
			}
			b.WriteString(textOf(ec, v[0], oidText))
		}
		return b.String()
	case "array_agg":
		out := make([]any, len(a.vals))
		for i, v := range a.vals {
			out[i] = v[0]
		}
		return out
	case "bool_and", "every", "bool_or":
		and := s.name != "bool_or"
		for _, v := range a.vals {
			if b, _ := v[0].(bool); b != and {
				return !and
			}
		}
		return and
	}
	return nil
}

func sumValues(vals [][]any, s *aggSpec) any {
	if s.typ == oidInt8 {
		var sum int64
		for _, v := range vals {
			sum += toInt(v[0])
		}
		return sum
	}
	var sum float64
	for _, v := range vals {
		sum += toFloat(v[0])
	}
	if s.name == "avg" {
		return sum / float64(len(vals))
	}
	return sum
}
