package sql

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// ORDER BY, DISTINCT, DISTINCT ON and LIMIT/OFFSET.
//
// An ORDER BY (or DISTINCT ON) item is, as in PostgreSQL, a position in
// the select list (ORDER BY 2), a name of an output column (ORDER BY
// alias; output names win over input columns), or an expression over the
// input. With DISTINCT, ORDER BY must name output columns (42P10).
// DISTINCT ON (a, b) sorts by its expressions first (they must lead the
// ORDER BY, 42P10) and keeps the first row of each group. LIMIT and
// OFFSET take an integer, NULL (no limit), ALL, or a parameter (bigint).

func (q *selectQuery) order(orderBy tree.OrderBy) ([]plan.SortKey, error) {
	keys := make([]plan.SortKey, 0, len(orderBy))
	for _, o := range orderBy {
		if o.OrderType != tree.OrderByColumn {
			return nil, unsupported("ORDER BY INDEX is not supported")
		}
		e, err := q.orderExpr(o.Expr, "ORDER BY")
		if err != nil {
			return nil, err
		}
		keys = append(keys, sortKey(e, o))
	}
	return keys, nil
}

func sortKey(e plan.Expr, o *tree.Order) plan.SortKey {
	k := plan.SortKey{Expr: e, Desc: o.Direction == tree.Descending}
	switch o.NullsOrder {
	case tree.NullsFirst:
		k.Nulls = plan.NullsFirst
	case tree.NullsLast:
		k.Nulls = plan.NullsLast
	}
	return k
}

// orderExpr resolves an ORDER BY or DISTINCT ON item to an expression
// over the stage's input.
func (q *selectQuery) orderExpr(e tree.Expr, clause string) (plan.Expr, error) {
	if k, ok, err := position(e, clause, len(q.outs)); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return q.outs[k].Expr, nil
	}
	if i, ok, err := q.outputNamed(e, clause); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return q.outs[i].Expr, nil
	}
	return q.conv.conv(e)
}

// outputNamed finds the output column a bare name denotes.
func (q *selectQuery) outputNamed(e tree.Expr, clause string) (int, bool, error) {
	n, ok := e.(*tree.UnresolvedName)
	if !ok || n.NumParts != 1 || n.Star {
		return 0, false, nil
	}
	found := -1
	for i, o := range q.outs {
		if o.Name != n.Parts[0] {
			continue
		}
		if found >= 0 && o.Expr.String() != q.outs[found].Expr.String() {
			return 0, false, errorf(codeAmbiguousColumn, "%s %q is ambiguous", clause, n.Parts[0])
		}
		if found < 0 {
			found = i
		}
	}
	return found, found >= 0, nil
}

// position reads an integer constant as a 0-based select-list position.
func position(e tree.Expr, clause string, n int) (int, bool, error) {
	switch v := e.(type) {
	case *tree.NumVal:
		k, err := v.AsInt64()
		if err != nil {
			return 0, false, errorf(codeSyntax, "non-integer constant in %s", clause)
		}
		if k < 1 || k > int64(n) {
			return 0, false, errorf(codeBadColumnRef, "%s position %d is not in select list", clause, k)
		}
		return int(k - 1), true, nil
	case *tree.StrVal:
		return 0, false, errorf(codeSyntax, "non-integer constant in %s", clause)
	}
	return 0, false, nil
}

func (q *selectQuery) distinctOn(exprs tree.DistinctOn) ([]plan.Expr, error) {
	var on []plan.Expr
	for _, e := range exprs {
		x, err := q.orderExpr(e, "DISTINCT ON")
		if err != nil {
			return nil, err
		}
		on = append(on, x)
	}
	return on, nil
}

// mergeDistinctOn checks that ORDER BY starts with the DISTINCT ON
// expressions and completes the sort so their groups are contiguous.
func mergeDistinctOn(on []plan.Expr, keys []plan.SortKey) ([]plan.SortKey, error) {
	if len(on) == 0 {
		return keys, nil
	}
	set := map[string]bool{}
	for _, e := range on {
		set[e.String()] = true
	}
	inKeys := map[string]bool{}
	for i := 0; i < len(keys) && i < len(on); i++ {
		s := keys[i].Expr.String()
		if !set[s] {
			return nil, errorf(codeBadColumnRef, "SELECT DISTINCT ON expressions must match initial ORDER BY expressions")
		}
		inKeys[s] = true
	}
	if len(keys) >= len(on) {
		return keys, nil
	}
	for _, e := range on {
		if !inKeys[e.String()] {
			keys = append(keys, plan.SortKey{Expr: e})
			inKeys[e.String()] = true
		}
	}
	return keys, nil
}

// distinctOrder resolves ORDER BY over the outputs of a SELECT DISTINCT.
func (q *selectQuery) distinctOrder(orderBy tree.OrderBy) ([]plan.SortKey, error) {
	if q.outs == nil && len(orderBy) > 0 {
		return nil, errNeedsCatalog
	}
	var keys []plan.SortKey
	for _, o := range orderBy {
		i, err := q.distinctOrderItem(o.Expr)
		if err != nil {
			return nil, err
		}
		keys = append(keys, sortKey(plan.ColAt{Index: i, Name: q.outs[i].Name}, o))
	}
	return keys, nil
}

func (q *selectQuery) distinctOrderItem(e tree.Expr) (int, error) {
	if k, ok, err := position(e, "ORDER BY", len(q.outs)); ok || err != nil {
		return k, err
	}
	if i, ok, err := q.outputNamed(e, "ORDER BY"); ok || err != nil {
		return i, err
	}
	x, err := q.conv.conv(e)
	if err != nil {
		return 0, err
	}
	for i, o := range q.outs {
		if o.Expr.String() == x.String() {
			return i, nil
		}
	}
	return 0, errorf(codeBadColumnRef, "for SELECT DISTINCT, ORDER BY expressions must appear in select list")
}

// distinctAll plans DISTINCT: an Aggregate grouping by every output.
func (q *selectQuery) distinctAll(node plan.Node) (plan.Node, error) {
	if q.outs == nil {
		return nil, errNeedsCatalog
	}
	keys := make([]plan.Named, len(q.outs))
	for i, o := range q.outs {
		keys[i] = plan.Named{Name: o.Name, Expr: plan.ColAt{Index: i, Name: o.Name}}
	}
	return &plan.Aggregate{Input: node, GroupBy: keys}, nil
}

func sortNode(n plan.Node, keys []plan.SortKey) plan.Node {
	if len(keys) == 0 {
		return n
	}
	return &plan.Sort{Input: n, Keys: keys}
}

// orderLimitOver applies ORDER BY and LIMIT to a query's output (VALUES,
// a parenthesized query).
func (p *planner) orderLimitOver(n plan.Node, orderBy tree.OrderBy, lim *tree.Limit) (plan.Node, error) {
	if len(orderBy) > 0 {
		sc, err := p.outputScope(n)
		if err != nil {
			return nil, err
		}
		if sc.open {
			return nil, errNeedsCatalog
		}
		q := &selectQuery{p: p, sc: sc, conv: &exprConv{p: p, sc: sc, clause: "ORDER BY"}}
		q.outs = make([]plan.Named, len(sc.cols))
		for i, c := range sc.cols {
			q.outs[i] = plan.Named{Name: c.Name, Expr: plan.ColAt{Index: i, Name: c.Name}}
		}
		keys, err := q.order(orderBy)
		if err != nil {
			return nil, err
		}
		n = sortNode(n, keys)
	}
	return p.limit(n, lim)
}

// limit plans LIMIT and OFFSET.
func (p *planner) limit(n plan.Node, l *tree.Limit) (plan.Node, error) {
	if l == nil || (l.Count == nil || l.LimitAll) && l.Offset == nil {
		return n, nil
	}
	lim := &plan.Limit{Input: n, Count: -1}
	var lp limitParams
	var err error
	if l.Count != nil && !l.LimitAll {
		if lim.Count, lp.count, err = p.limitValue(l.Count, "LIMIT", -1); err != nil {
			return nil, err
		}
	}
	if l.Offset != nil {
		if lim.Offset, lp.offset, err = p.limitValue(l.Offset, "OFFSET", 0); err != nil {
			return nil, err
		}
	}
	if lp != (limitParams{}) {
		p.limits[lim] = lp
	}
	return lim, nil
}

// limitValue reads a LIMIT or OFFSET: a value, or a parameter number.
func (p *planner) limitValue(e tree.Expr, clause string, null int64) (int64, int, error) {
	switch v := e.(type) {
	case *tree.ParenExpr:
		return p.limitValue(v.Expr, clause, null)
	case *tree.NumVal:
		n, err := v.AsInt64()
		if err != nil {
			return 0, 0, errorf(codeDatatypeMismatch, "argument of %s must be type bigint", clause)
		}
		return n, 0, checkLimit(n, clause)
	case *tree.Placeholder:
		param, err := p.param(int(v.Idx) + 1)
		if err != nil {
			return 0, 0, err
		}
		p.setParam(param.Index, storage.TypeInt64)
		return null, param.Index, nil
	case *tree.CastExpr:
		if t, ok := tree.GetStaticallyKnownType(v.Type); ok {
			if st, ok := storageType(t); ok && plan.IsInteger(st) {
				return p.limitValue(v.Expr, clause, null)
			}
		}
	}
	if e == tree.DNull {
		return null, 0, nil
	}
	return 0, 0, unsupported("%s must be an integer constant or a parameter", clause)
}

func checkLimit(n int64, clause string) error {
	if n >= 0 {
		return nil
	}
	if clause == "LIMIT" {
		return errorf(codeBadLimit, "LIMIT must not be negative")
	}
	return errorf(codeBadOffset, "OFFSET must not be negative")
}
