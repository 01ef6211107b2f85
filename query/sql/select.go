package sql

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/stratadb/strata/query/plan"
)

// A SELECT is planned as
//
//	FROM item (Scan, subquery, or a one-row Values without FROM)
//	  -> Filter WHERE
//	  -> [Aggregate GROUP BY/aggregates -> Filter HAVING]   (aggregate.go)
//	  -> Sort ORDER BY -> [DistinctOn] -> Project select list
//	     (DISTINCT: Project -> Aggregate on every output -> Sort)
//	  -> Limit
//
// Sorting before the projection lets ORDER BY use input columns the
// select list drops; a name or position in ORDER BY (and DISTINCT ON)
// that denotes an output column sorts by that output's expression. A
// SELECT without FROM, WHERE, aggregates, DISTINCT or ORDER BY is a
// plan.Values of one row.

// selItem is one select-list item, stars expanded.
type selItem struct {
	name string
	expr tree.Expr // nil for a column of a star
	col  int       // a star's column: its position in the input
}

// selectQuery is one SELECT clause being planned.
type selectQuery struct {
	p     *planner
	sc    *scope
	items []selItem
	// allStar: the select list is a lone * (or t.*), the input's columns.
	allStar bool
	conv    *exprConv // over the input, or the Aggregate's output
	outs    []plan.Named
}

// planQuery plans a query.
func (p *planner) planQuery(s *tree.Select) (plan.Node, error) {
	if p.limits == nil {
		p.limits = map[*plan.Limit]limitParams{}
	}
	return p.planQueryAsOf(s, 0)
}

func (p *planner) planQueryAsOf(s *tree.Select, asOf uint64) (plan.Node, error) {
	if s.With != nil {
		return nil, unsupported("WITH is not supported")
	}
	if len(s.Locking) > 0 {
		return nil, unsupported("FOR UPDATE and FOR SHARE are not supported")
	}
	switch body := s.Select.(type) {
	case *tree.SelectClause:
		return p.planSelectClause(body, s.OrderBy, s.Limit, asOf)
	case *tree.ValuesClause:
		n, err := p.planValues(body)
		if err != nil {
			return nil, err
		}
		return p.orderLimitOver(n, s.OrderBy, s.Limit)
	case *tree.ParenSelect:
		n, err := p.planQueryAsOf(body.Select, asOf)
		if err != nil || len(s.OrderBy) == 0 && s.Limit == nil {
			return n, err
		}
		return p.orderLimitOver(n, s.OrderBy, s.Limit)
	case *tree.UnionClause:
		return nil, unsupported("%s is not supported", body.Type)
	}
	return nil, unsupported("%s is not supported", tree.AsString(s))
}

func (p *planner) planSelectClause(s *tree.SelectClause, orderBy tree.OrderBy, lim *tree.Limit, asOf uint64) (plan.Node, error) {
	if len(s.Window) > 0 {
		return nil, unsupported("window functions are not supported")
	}
	src, sc, err := p.from(s.From, asOf)
	if err != nil {
		return nil, err
	}
	if src == nil {
		sc = emptyScope
	}
	q := &selectQuery{p: p, sc: sc}
	if err := q.selectList(s.Exprs, src == nil); err != nil {
		return nil, err
	}
	aggMode := len(s.GroupBy) > 0 || s.Having != nil || q.hasAggregates(orderBy, s.DistinctOn)
	if src == nil && !aggMode && s.Where == nil && !s.Distinct && len(orderBy) == 0 {
		return q.values(lim)
	}
	if src == nil {
		src = dummyRow()
	}
	node := plan.Node(src)
	if s.Where != nil {
		pred, err := (&exprConv{p: p, sc: sc, clause: "WHERE"}).conv(s.Where.Expr)
		if err != nil {
			return nil, err
		}
		node = &plan.Filter{Input: node, Pred: pred}
	}
	q.conv = &exprConv{p: p, sc: sc, clause: "SELECT"}
	var agg *aggState
	if aggMode {
		if agg, err = q.groupBy(s.GroupBy); err != nil {
			return nil, err
		}
		q.conv.agg = agg
	}
	node, err = q.body(node, s, agg, orderBy)
	if err != nil {
		return nil, err
	}
	return p.limit(node, lim)
}

// body converts the select list, HAVING, ORDER BY and DISTINCT [ON]
// (collecting the aggregates), then builds the nodes above the input.
func (q *selectQuery) body(node plan.Node, s *tree.SelectClause, agg *aggState, orderBy tree.OrderBy) (plan.Node, error) {
	if err := q.outputs(); err != nil {
		return nil, err
	}
	var having plan.Expr
	if s.Having != nil {
		var err error
		if having, err = q.conv.conv(s.Having.Expr); err != nil {
			return nil, err
		}
	}
	var keys []plan.SortKey
	var on []plan.Expr
	var err error
	distinct := s.Distinct && len(s.DistinctOn) == 0 // the parser sets Distinct for DISTINCT ON too
	if distinct {
		keys, err = q.distinctOrder(orderBy)
	} else if keys, err = q.order(orderBy); err == nil {
		if on, err = q.distinctOn(s.DistinctOn); err == nil {
			keys, err = mergeDistinctOn(on, keys)
		}
	}
	if err != nil {
		return nil, err
	}
	if agg != nil {
		node = agg.node(node)
		if having != nil {
			node = &plan.Filter{Input: node, Pred: having}
		}
	}
	if distinct {
		node, err = q.distinctAll(q.project(node))
		return sortNode(node, keys), err
	}
	node = sortNode(node, keys)
	if len(on) > 0 {
		node = &plan.DistinctOn{Input: node, On: on}
	}
	return q.project(node), nil
}

// selectList expands stars and names the items.
func (q *selectQuery) selectList(exprs tree.SelectExprs, noFrom bool) error {
	for _, se := range exprs {
		if !isStar(se.Expr) {
			name := string(se.As)
			if name == "" {
				name = columnName(se.Expr)
			}
			q.items = append(q.items, selItem{name: name, expr: se.Expr})
			continue
		}
		if noFrom {
			return errorf(codeSyntax, "SELECT * with no tables specified is not valid")
		}
		if n, ok := se.Expr.(*tree.UnresolvedName); ok && n.NumParts > 1 {
			if err := q.sc.checkQualifier(n); err != nil {
				return err
			}
		}
		if len(exprs) == 1 {
			q.allStar = true
		}
		if q.sc.open {
			if len(exprs) == 1 {
				continue
			}
			return errNeedsCatalog
		}
		for i, c := range q.sc.cols {
			q.items = append(q.items, selItem{name: c.Name, col: i})
		}
	}
	return nil
}

func (q *selectQuery) hasAggregates(orderBy tree.OrderBy, on tree.DistinctOn) bool {
	for _, it := range q.items {
		if containsAggregate(it.expr) {
			return true
		}
	}
	for _, o := range orderBy {
		if containsAggregate(o.Expr) {
			return true
		}
	}
	for _, e := range on {
		if containsAggregate(e) {
			return true
		}
	}
	return false
}

// itemExpr converts a select item with conv.
func (q *selectQuery) itemExpr(it selItem, conv *exprConv) (plan.Expr, error) {
	if it.expr != nil {
		return conv.conv(it.expr)
	}
	ref := q.sc.columnRef(it.col)
	if conv.agg != nil {
		return conv.agg.column(ref, it.name)
	}
	return ref, nil
}

// outputs converts the select list.
func (q *selectQuery) outputs() error {
	if q.allStar && q.sc.open {
		if q.conv.agg != nil {
			return errNeedsCatalog
		}
		return nil
	}
	q.outs = make([]plan.Named, len(q.items))
	for i, it := range q.items {
		e, err := q.itemExpr(it, q.conv)
		if err != nil {
			return err
		}
		q.outs[i] = plan.Named{Name: it.name, Expr: e}
	}
	return nil
}

// project computes the select list (nothing to do for a lone *).
func (q *selectQuery) project(node plan.Node) plan.Node {
	if q.allStar && q.conv.agg == nil {
		return node
	}
	return &plan.Project{Input: node, Exprs: q.outs}
}

// values plans a SELECT without FROM as a one-row Values.
func (q *selectQuery) values(lim *tree.Limit) (plan.Node, error) {
	conv := &exprConv{p: q.p, sc: emptyScope, clause: "SELECT"}
	v := &plan.Values{Names: make([]string, len(q.items)), Rows: [][]plan.Expr{make([]plan.Expr, len(q.items))}}
	for i, it := range q.items {
		e, err := conv.conv(it.expr)
		if err != nil {
			return nil, err
		}
		v.Names[i] = it.name
		v.Rows[0][i] = e
	}
	return q.p.limit(v, lim)
}

// planValues plans VALUES (...), (...): columns column1, column2, ...
func (p *planner) planValues(v *tree.ValuesClause) (*plan.Values, error) {
	conv := &exprConv{p: p, sc: emptyScope, clause: "VALUES"}
	width := len(v.Rows[0])
	out := &plan.Values{Names: make([]string, width)}
	for i := range out.Names {
		out.Names[i] = "column" + itoa(i+1)
	}
	for _, row := range v.Rows {
		if len(row) != width {
			return nil, errorf(codeSyntax, "VALUES lists must all be the same length")
		}
		exprs, err := conv.convList(row)
		if err != nil {
			return nil, err
		}
		out.Rows = append(out.Rows, exprs)
	}
	return out, nil
}

// groupBy reads the GROUP BY keys: a position in the select list, a name
// (an input column first, else a select-list alias, as PostgreSQL
// resolves it), or an expression over the input.
func (q *selectQuery) groupBy(exprs tree.GroupBy) (*aggState, error) {
	in := &exprConv{p: q.p, sc: q.sc, clause: "GROUP BY"}
	agg := newAggState(&exprConv{p: q.p, sc: q.sc})
	for _, g := range exprs {
		name, e, err := q.groupKey(g, in)
		if err != nil {
			return nil, err
		}
		agg.addKey(name, e)
	}
	return agg, nil
}

func (q *selectQuery) groupKey(g tree.Expr, in *exprConv) (string, plan.Expr, error) {
	if k, ok, err := position(g, "GROUP BY", len(q.items)); ok || err != nil {
		if err != nil {
			return "", nil, err
		}
		it := q.items[k]
		e, err := q.itemExpr(it, in)
		return it.name, e, err
	}
	if n, ok := g.(*tree.UnresolvedName); ok && n.NumParts == 1 && !n.Star && (q.sc.open || !q.sc.has(n.Parts[0])) {
		if it, ok, err := q.aliasItem(n.Parts[0], "GROUP BY"); ok || err != nil {
			if err != nil {
				return "", nil, err
			}
			if q.sc.open && !isColumnNamed(it.expr, n.Parts[0]) {
				return "", nil, errNeedsCatalog // an input column of that name would win
			}
			e, err := q.itemExpr(it, in)
			return it.name, e, err
		}
	}
	e, err := in.conv(g)
	return columnName(g), e, err
}

// isColumnNamed reports a reference to the column name (SELECT a ...
// GROUP BY a means a, whichever way it resolves).
func isColumnNamed(e tree.Expr, name string) bool {
	n, ok := e.(*tree.UnresolvedName)
	return ok && !n.Star && n.Parts[0] == name
}

// aliasItem finds the select item a name denotes.
func (q *selectQuery) aliasItem(name, clause string) (selItem, bool, error) {
	found := -1
	for i, it := range q.items {
		if it.name != name {
			continue
		}
		if found >= 0 && !sameItem(q.items[found], it) {
			return selItem{}, false, errorf(codeAmbiguousColumn, "%s %q is ambiguous", clause, name)
		}
		if found < 0 {
			found = i
		}
	}
	if found < 0 {
		return selItem{}, false, nil
	}
	return q.items[found], true, nil
}

func sameItem(a, b selItem) bool {
	if a.expr == nil || b.expr == nil {
		return a.expr == nil && b.expr == nil && a.col == b.col
	}
	return tree.AsString(a.expr) == tree.AsString(b.expr)
}

// has reports an input column of that name.
func (s *scope) has(col string) bool {
	for _, c := range s.cols {
		if c.Name == col {
			return true
		}
	}
	return false
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
