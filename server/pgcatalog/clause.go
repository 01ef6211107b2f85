package pgcatalog

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
)

// selectNode is one SELECT ... FROM ... WHERE ... GROUP BY ... HAVING ...
// ORDER BY ... LIMIT.
type selectNode struct {
	from       node
	where      *expr
	agg        *aggPlan // nil: not aggregating
	win        *winPlan // window functions (of a non-aggregating SELECT)
	having     *expr
	outs       []*expr
	cols       []column
	orderPos   []int   // per ORDER BY item: an output position, or -1
	orderExpr  []*expr // ... else this expression
	order      []sortKey
	distinct   bool
	distinctOn []*expr
	limit      *expr
	offset     *expr
}

func (s *selectNode) columns() []column { return s.cols }

func (c *compiler) compileSelectClause(sc *tree.SelectClause, order tree.OrderBy, limit *tree.Limit, outer *scope) (node, error) {
	if len(sc.Window) > 0 {
		return nil, unsupported("WINDOW")
	}
	if sc.From.AsOf.Expr != nil {
		return nil, unsupported("AS OF SYSTEM TIME")
	}
	var where tree.Expr
	if sc.Where != nil {
		where = sc.Where.Expr
	}
	from, fromScope, err := c.compileFrom(sc.From.Tables, outer, where)
	if err != nil {
		return nil, err
	}
	s := &selectNode{from: from, distinct: sc.Distinct}
	if sc.Where != nil {
		if s.where, err = c.compileCondition(sc.Where.Expr, fromScope); err != nil {
			return nil, err
		}
	}
	items, err := expandStars(sc.Exprs, fromScope)
	if err != nil {
		return nil, err
	}
	outScope := fromScope
	if len(sc.GroupBy) > 0 || sc.Having != nil || hasAggregate(sc.Exprs, order) {
		s.agg = &aggPlan{}
		for _, g := range sc.GroupBy {
			e, err := c.compileGroupKey(g, items, fromScope)
			if err != nil {
				return nil, err
			}
			s.agg.groupBy = append(s.agg.groupBy, e)
		}
		cp := *fromScope
		cp.agg = s.agg
		outScope = &cp
	} else {
		s.win = &winPlan{}
		cp := *fromScope
		cp.win = s.win
		outScope = &cp
	}
	for _, it := range items {
		e, err := c.compileItem(it, outScope)
		if err != nil {
			return nil, err
		}
		if e.typ == oidUnknown {
			e = c.coerce(e, oidText)
		}
		s.outs = append(s.outs, e)
		s.cols = append(s.cols, column{it.name, e.typ})
	}
	if sc.Having != nil {
		if s.having, err = c.compileCondition(sc.Having.Expr, outScope); err != nil {
			return nil, err
		}
	}
	for _, e := range sc.DistinctOn {
		x, err := c.compileExpr(e, outScope)
		if err != nil {
			return nil, err
		}
		s.distinctOn = append(s.distinctOn, x)
	}
	if err := c.compileOrder(s, order, outScope); err != nil {
		return nil, err
	}
	if s.limit, s.offset, err = c.compileLimit(limit, outer); err != nil {
		return nil, err
	}
	return s, nil
}

// compileOrder compiles ORDER BY: output positions, output names (which
// win over FROM columns of the same name, as in PostgreSQL), or
// expressions over the FROM columns.
func (c *compiler) compileOrder(s *selectNode, order tree.OrderBy, sc *scope) error {
	for _, o := range order {
		if o.OrderType != tree.OrderByColumn {
			return unsupported("ORDER BY INDEX")
		}
		pos, ok, err := outputPosition(o.Expr, s.cols)
		if err != nil {
			return err
		}
		if ok {
			s.orderPos = append(s.orderPos, pos)
			s.orderExpr = append(s.orderExpr, nil)
		} else {
			e, err := c.compileExpr(o.Expr, sc)
			if err != nil {
				return err
			}
			s.orderPos = append(s.orderPos, -1)
			s.orderExpr = append(s.orderExpr, e)
		}
		s.order = append(s.order, orderDirection(o))
	}
	return nil
}

// compileGroupKey compiles a GROUP BY item: a position, an output name,
// or an expression over the FROM columns.
func (c *compiler) compileGroupKey(g tree.Expr, items []selectItem, sc *scope) (*expr, error) {
	switch g := stripParens(g).(type) {
	case *tree.NumVal:
		i, err := g.AsInt64()
		if err != nil || i < 1 || i > int64(len(items)) {
			return nil, errorf(codeInvalidColumnRef, "GROUP BY position %s is not in select list", g.String())
		}
		return c.compileItem(items[i-1], sc)
	case *tree.UnresolvedName:
		if g.NumParts == 1 && !g.Star && !sc.has(g.Parts[0]) {
			for _, it := range items {
				if it.name == g.Parts[0] && it.expr != nil {
					return c.compileExpr(it.expr, sc)
				}
			}
		}
	}
	return c.compileExpr(g, sc)
}

// has reports whether name is a FROM column of this scope.
func (s *scope) has(name string) bool {
	for _, col := range s.cols {
		if col.name == name {
			return true
		}
	}
	return false
}

// selectItem is one output column before compiling: an expression, or a
// FROM column a star expanded to.
type selectItem struct {
	name  string
	expr  tree.Expr
	index int // with expr nil: the FROM column
}

func (c *compiler) compileItem(it selectItem, sc *scope) (*expr, error) {
	if it.expr != nil {
		return c.compileExpr(it.expr, sc)
	}
	col := sc.cols[it.index]
	return columnExpr(0, it.index, col.typ), nil
}

// expandStars resolves * and t.* and names every output column.
func expandStars(exprs tree.SelectExprs, sc *scope) ([]selectItem, error) {
	var items []selectItem
	for _, se := range exprs {
		switch e := se.Expr.(type) {
		case tree.UnqualifiedStar:
			if len(sc.cols) == 0 {
				return nil, errorf(codeSyntax, "SELECT * with no tables specified is not valid")
			}
			for i, col := range sc.cols {
				if !col.hidden && !col.system {
					items = append(items, selectItem{name: col.name, index: i})
				}
			}
			continue
		case *tree.AllColumnsSelector, *tree.UnresolvedName:
			var tbl string
			switch e := e.(type) {
			case *tree.AllColumnsSelector:
				tbl = e.TableName.Parts[0]
			case *tree.UnresolvedName:
				if !e.Star {
					break
				}
				tbl = e.Parts[1]
			}
			if tbl == "" {
				break
			}
			n := len(items)
			for i, col := range sc.cols {
				if col.table == tbl && !col.system {
					items = append(items, selectItem{name: col.name, index: i})
				}
			}
			if len(items) == n {
				return nil, errorf(codeUndefinedTable, "missing FROM-clause entry for table %q", tbl)
			}
			continue
		case *tree.TupleStar:
			return nil, unsupported("(composite).*")
		}
		name := string(se.As)
		if name == "" {
			name = figureName(se.Expr)
		}
		items = append(items, selectItem{name: name, expr: se.Expr})
	}
	return items, nil
}

func (s *selectNode) rows(ec *evalCtx, outer *frame) ([][]any, error) {
	frames, err := s.filtered(ec, outer)
	if err != nil {
		return nil, err
	}
	if s.agg != nil {
		if frames, err = s.agg.group(ec, frames, len(s.from.columns()), outer); err != nil {
			return nil, err
		}
	} else if s.win != nil && len(s.win.specs) > 0 {
		if err := s.win.apply(ec, frames); err != nil {
			return nil, err
		}
	}
	out, keys, err := s.project(ec, frames)
	if err != nil {
		return nil, err
	}
	if len(s.order) > 0 {
		sortRows(out, keys, s.order)
	}
	if len(s.distinctOn) > 0 {
		out = distinctOnRows(out, len(s.cols))
	} else if s.distinct {
		out = distinctRows(out)
	}
	return applyLimit(ec, out, s.limit, s.offset, outer)
}

// filtered is the FROM rows WHERE keeps, as frames.
func (s *selectNode) filtered(ec *evalCtx, outer *frame) ([]*frame, error) {
	in, err := s.from.rows(ec, outer)
	if err != nil {
		return nil, err
	}
	frames := make([]*frame, 0, len(in))
	for _, r := range in {
		f := &frame{row: r, up: outer}
		if s.where != nil {
			ok, err := evalBool(ec, s.where, f)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		frames = append(frames, f)
	}
	return frames, nil
}

// project evaluates the output of the frames HAVING keeps, with their
// ORDER BY keys; DISTINCT ON's keys follow each row's values.
func (s *selectNode) project(ec *evalCtx, frames []*frame) (out, keys [][]any, err error) {
	out = make([][]any, 0, len(frames))
	for _, f := range frames {
		if s.having != nil {
			ok, err := evalBool(ec, s.having, f)
			if err != nil {
				return nil, nil, err
			}
			if !ok {
				continue
			}
		}
		row, err := evalAll(ec, s.outs, f)
		if err != nil {
			return nil, nil, err
		}
		if err := ec.hold(len(row)); err != nil {
			return nil, nil, err
		}
		if len(s.order) > 0 {
			k := make([]any, len(s.order))
			for i, p := range s.orderPos {
				if p >= 0 {
					k[i] = row[p]
				} else if k[i], err = s.orderExpr[i].eval(ec, f); err != nil {
					return nil, nil, err
				}
			}
			keys = append(keys, k)
		}
		if len(s.distinctOn) > 0 {
			k, err := evalAll(ec, s.distinctOn, f)
			if err != nil {
				return nil, nil, err
			}
			row = append(row, k...)
		}
		out = append(out, row)
	}
	return out, keys, ec.tick(len(out))
}

// distinctOnRows keeps the first row of each DISTINCT ON key; the keys
// sit after the first n values of each row.
func distinctOnRows(rows [][]any, n int) [][]any {
	seen := map[string]bool{}
	out := rows[:0]
	for _, row := range rows {
		k := string(rowKey(row[n:]))
		if !seen[k] {
			seen[k] = true
			out = append(out, row[:n])
		}
	}
	return out
}

func evalAll(ec *evalCtx, es []*expr, f *frame) ([]any, error) {
	row := make([]any, len(es))
	for i, e := range es {
		v, err := e.eval(ec, f)
		if err != nil {
			return nil, err
		}
		row[i] = v
	}
	return row, nil
}
