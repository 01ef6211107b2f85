package pgcatalog

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
)

// compileFrom compiles a FROM list (comma joins left to right) and
// returns the scope its rows are seen in.
//
// Every FROM node is run with the select's outer frame, except a lateral
// item (a function, LATERAL (SELECT ...)), which a join runs once per
// row of its left side with {row: left row, up: outer}: its scope is the
// columns to its left, then the enclosing query.
func (c *compiler) compileFrom(tables tree.TableExprs, outer *scope, where tree.Expr) (node, *scope, error) {
	sc := &scope{parent: outer, level: outer.nextLevel()}
	if len(tables) == 0 {
		return oneRow{}, sc, nil
	}
	var items []fromItem
	for _, te := range tables {
		left := &scope{cols: sc.cols, parent: outer, level: sc.level}
		n, cols, lateral, err := c.compileTableExpr(te, left)
		if err != nil {
			return nil, nil, err
		}
		items = append(items, fromItem{n: n, lo: len(sc.cols), hi: len(sc.cols) + len(cols), lateral: lateral})
		sc.cols = append(append([]scopeCol(nil), sc.cols...), cols...)
	}
	return c.joinItems(items, where, sc), sc, nil
}

// compileTableExpr compiles one FROM item. left is the scope of the items
// to its left (with their columns so far), which a lateral item (a
// function, LATERAL) sees: lateral reports that it must be evaluated once
// per left row.
func (c *compiler) compileTableExpr(te tree.TableExpr, left *scope) (n node, cols []scopeCol, lateral bool, err error) {
	switch t := te.(type) {
	case *tree.ParenTableExpr:
		return c.compileTableExpr(t.Expr, left)
	case *tree.JoinTableExpr:
		return c.compileJoin(t, left)
	case *tree.AliasedTableExpr:
		return c.compileAliased(t, left)
	case *tree.TableName, *tree.UnresolvedObjectName:
		return c.compileAliased(&tree.AliasedTableExpr{Expr: t}, left)
	case *tree.Subquery, *tree.RowsFromExpr:
		return c.compileAliased(&tree.AliasedTableExpr{Expr: t}, left)
	}
	return nil, nil, false, unsupported(describe(te))
}

func (c *compiler) compileAliased(t *tree.AliasedTableExpr, left *scope) (node, []scopeCol, bool, error) {
	if t.IndexFlags != nil {
		return nil, nil, false, unsupported("index hints")
	}
	var (
		n       node
		name    string
		lateral bool
		err     error
	)
	switch e := t.Expr.(type) {
	case *tree.TableName:
		n, name, err = c.compileRelation(e.Catalog(), e.Schema(), e.Table(), e.ExplicitCatalog, e.ExplicitSchema)
	case *tree.UnresolvedObjectName:
		n, name, err = c.compileRelation(e.Catalog(), e.Schema(), e.Object(), e.HasExplicitCatalog(), e.HasExplicitSchema())
	case *tree.Subquery:
		outer := left.parent
		if t.Lateral {
			outer, lateral = left, true
		}
		n, err = c.compileSubqueryNode(e, outer)
	case *tree.RowsFromExpr:
		// Functions in FROM see the items to their left, as in PostgreSQL.
		n, name, err = c.compileFuncScan(e, left, string(t.As.Alias))
		lateral = true
	default:
		err = unsupported(describe(t.Expr))
	}
	if err != nil {
		return nil, nil, false, err
	}
	if t.As.Alias != "" {
		name = string(t.As.Alias)
	}
	outCols := n.columns()
	if t.Ordinality {
		n = &ordinalityNode{in: n}
		outCols = n.columns()
	}
	if len(t.As.Cols) > 0 {
		renamed, err := aliasColumns(outCols, t.As.Cols)
		if err != nil {
			return nil, nil, false, err
		}
		n = &renameNode{in: n, cols: renamed}
		outCols = renamed
	}
	cols := make([]scopeCol, len(outCols))
	for i, col := range outCols {
		cols[i] = scopeCol{table: name, name: col.name, typ: col.typ}
	}
	if rel, ok := relNode(n).(*relScan); ok {
		cols[len(rel.columns())-1].system = true
	}
	return n, cols, lateral, nil
}

// relNode is the node under WITH ORDINALITY and column aliases.
func relNode(n node) node {
	for {
		switch x := n.(type) {
		case *ordinalityNode:
			n = x.in
		case *renameNode:
			n = x.in
		default:
			return n
		}
	}
}

// compileRelation resolves a relation name: a system relation, a WITH
// query, or (refused) one of Strata's tables.
func (c *compiler) compileRelation(catalog, schema, name string, explicitCatalog, explicitSchema bool) (node, string, error) {
	if explicitCatalog && catalog != c.env.databaseName() {
		return nil, "", errorf(codeUnsupported, "cross-database references are not implemented: %s.%s.%s", catalog, schema, name)
	}
	if !explicitSchema {
		schema = ""
		if sp := c.lookupCTE(name); sp != nil {
			return &cteScan{sp: sp, cols: c.cteCols[sp]}, name, nil
		}
	}
	if schema == "" || schema == "pg_catalog" || schema == "information_schema" {
		key := "pg_catalog." + name
		if schema == "information_schema" {
			key = "information_schema." + name
		}
		if r := catalogByName[key]; r != nil {
			return &relScan{rel: r}, name, nil
		}
	}
	if schema == "" || schema == "public" {
		if c.env.Catalog != nil {
			if def, err := c.env.Catalog.TableDef(name, 0); err == nil && def != nil {
				return nil, "", errorf(codeUnsupported,
					"system catalog queries cannot read table %q: query it on its own", name)
			}
		}
	}
	full := name
	if explicitSchema {
		full = schema + "." + name
	}
	return nil, "", errorf(codeUndefinedTable, "relation %q does not exist", full)
}

// cteScan reads a WITH query.
type cteScan struct {
	sp   *subPlan
	cols []column
}

func (s *cteScan) columns() []column { return s.cols }

func (s *cteScan) rows(ec *evalCtx, _ *frame) ([][]any, error) {
	rows, err := s.sp.run(ec, nil)
	if err != nil {
		return nil, err
	}
	out := make([][]any, len(rows))
	for i, r := range rows {
		out[i] = append([]any(nil), r...)
	}
	return out, nil
}

// compileSubqueryNode compiles (SELECT ...) in FROM.
func (c *compiler) compileSubqueryNode(sq *tree.Subquery, outer *scope) (node, error) {
	sel, err := subquerySelect(sq)
	if err != nil {
		return nil, err
	}
	return c.compileSelect(sel, outer)
}

func subquerySelect(sq *tree.Subquery) (*tree.Select, error) {
	switch s := sq.Select.(type) {
	case *tree.ParenSelect:
		return s.Select, nil
	case tree.SelectStatement:
		return &tree.Select{Select: s}, nil
	}
	return nil, unsupported(describe(sq.Select))
}

func (c *compiler) compileJoin(j *tree.JoinTableExpr, left *scope) (node, []scopeCol, bool, error) {
	if j.Hint != "" {
		return nil, nil, false, unsupported("join hints")
	}
	// A JOIN's sides see each other, not the FROM items left of the JOIN.
	ln, lcols, llat, err := c.compileTableExpr(j.Left, &scope{parent: left.parent, level: left.level})
	if err != nil {
		return nil, nil, false, err
	}
	if llat {
		ln = &joinNode{left: oneRow{}, right: ln, kind: joinInner, lateral: true}
	}
	rn, rcols, rlat, err := c.compileTableExpr(j.Right, &scope{cols: lcols, parent: left.parent, level: left.level})
	if err != nil {
		return nil, nil, false, err
	}
	jn := &joinNode{left: ln, right: rn, lateral: rlat}
	switch j.JoinType {
	case "", tree.AstInner, tree.AstCross:
		jn.kind = joinInner
	case tree.AstLeft:
		jn.kind = joinLeft
	case tree.AstRight:
		jn.kind = joinRight
	case tree.AstFull:
		jn.kind = joinFull
	default:
		return nil, nil, false, unsupported(j.JoinType + " JOIN")
	}
	if rlat && (jn.kind == joinRight || jn.kind == joinFull) {
		return nil, nil, false, unsupported("RIGHT or FULL JOIN with a lateral item")
	}
	cols := append(append([]scopeCol(nil), lcols...), rcols...)
	// ON sees the join's own columns, then the enclosing query.
	onScope := &scope{cols: cols, parent: left.parent, level: left.level}
	switch cond := j.Cond.(type) {
	case nil:
	case *tree.OnJoinCond:
		if jn.on, err = c.compileCondition(cond.Expr, onScope); err != nil {
			return nil, nil, false, err
		}
		c.pushOn(jn, cond.Expr, onScope, len(lcols))
	case *tree.UsingJoinCond:
		names := make([]string, len(cond.Cols))
		for i, n := range cond.Cols {
			names[i] = string(n)
		}
		if jn.on, err = c.usingCondition(jn, names, cols, len(lcols)); err != nil {
			return nil, nil, false, err
		}
	case tree.NaturalJoinCond:
		var names []string
		for _, l := range lcols {
			for _, r := range rcols {
				if l.name == r.name {
					names = append(names, l.name)
				}
			}
		}
		if jn.on, err = c.usingCondition(jn, names, cols, len(lcols)); err != nil {
			return nil, nil, false, err
		}
	default:
		return nil, nil, false, unsupported(describe(j.Cond))
	}
	return jn, cols, false, nil
}

// usingCondition builds l.col = r.col AND ... for USING (cols), makes
// them j's hash keys, and hides the right side's copies from unqualified
// names and *.
func (c *compiler) usingCondition(j *joinNode, names []string, cols []scopeCol, nLeft int) (*expr, error) {
	var cond *expr
	for _, name := range names {
		li, ri := -1, -1
		for i, col := range cols {
			if col.name != name {
				continue
			}
			if i < nLeft && li < 0 {
				li = i
			} else if i >= nLeft && ri < 0 {
				ri = i
			}
		}
		if li < 0 || ri < 0 {
			return nil, errorf(codeUndefinedColumn, "column %q specified in USING clause does not exist in both tables", name)
		}
		cols[ri].hidden = true
		if j != nil && hashable(cols[li].typ, cols[ri].typ) && !j.lateral {
			j.lkeys = append(j.lkeys, li)
			j.rkeys = append(j.rkeys, ri-nLeft)
		}
		eq, err := c.comparison("=", columnExpr(0, li, cols[li].typ), columnExpr(0, ri, cols[ri].typ))
		if err != nil {
			return nil, err
		}
		if cond == nil {
			cond = eq
		} else {
			cond = andExpr(cond, eq)
		}
	}
	return cond, nil
}

// ordinalityNode adds WITH ORDINALITY's counter.
type ordinalityNode struct{ in node }

func (o *ordinalityNode) columns() []column {
	return append(append([]column(nil), o.in.columns()...), column{"ordinality", oidInt8})
}

func (o *ordinalityNode) rows(ec *evalCtx, outer *frame) ([][]any, error) {
	rows, err := o.in.rows(ec, outer)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		rows[i] = append(append(make([]any, 0, len(r)+1), r...), int64(i+1))
	}
	return rows, nil
}
