package sql

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/stratadb/strata/query/plan"
)

// The FROM clause holds at most one item: a table (plan.Scan, at the
// clause's AS OF VERSION if any), or a subquery, each optionally aliased
// (t AS x, x.col; (SELECT ...) AS s(c1, c2)). Joins, several items,
// functions in FROM and LATERAL are refused with 0A000.

// from plans a FROM clause; nil without one.
func (p *planner) from(f tree.From, outerAsOf uint64) (plan.Node, *scope, error) {
	asOf, err := asOfVersion(f.AsOf)
	if err != nil {
		return nil, nil, err
	}
	if asOf == 0 {
		asOf = outerAsOf
	}
	switch len(f.Tables) {
	case 0:
		if f.AsOf.Expr != nil {
			return nil, nil, errorf(codeSyntax, "AS OF VERSION needs a FROM clause")
		}
		return nil, nil, nil
	case 1:
		return p.tableExpr(f.Tables[0], asOf)
	}
	return nil, nil, unsupported("joins are not supported")
}

func (p *planner) tableExpr(t tree.TableExpr, asOf uint64) (plan.Node, *scope, error) {
	switch t := t.(type) {
	case *tree.AliasedTableExpr:
		return p.aliased(t, asOf)
	case *tree.ParenTableExpr:
		return p.tableExpr(t.Expr, asOf)
	case *tree.TableName:
		return p.scan(t, asOf)
	case *tree.Subquery:
		n, err := p.planQueryAsOf(&tree.Select{Select: t.Select}, asOf)
		if err != nil {
			return nil, nil, err
		}
		sc, err := p.outputScope(n)
		return n, sc, err
	case *tree.JoinTableExpr:
		return nil, nil, unsupported("joins are not supported")
	case *tree.RowsFromExpr:
		return nil, nil, unsupported("functions in FROM are not supported")
	}
	return nil, nil, unsupported("%s in FROM is not supported", tree.AsString(t))
}

func (p *planner) aliased(t *tree.AliasedTableExpr, asOf uint64) (plan.Node, *scope, error) {
	switch {
	case t.Lateral:
		return nil, nil, unsupported("LATERAL is not supported")
	case t.Ordinality:
		return nil, nil, unsupported("WITH ORDINALITY is not supported")
	case t.IndexFlags != nil:
		return nil, nil, unsupported("index hints are not supported")
	}
	n, sc, err := p.tableExpr(t.Expr, asOf)
	if err != nil {
		return nil, nil, err
	}
	if t.As.Alias != "" {
		if _, isTable := t.Expr.(*tree.TableName); isTable {
			sc.table = sc.qual
		}
		sc.qual = string(t.As.Alias)
	}
	if len(t.As.Cols) > 0 {
		return p.renameColumns(n, sc, t.As.Cols)
	}
	return n, sc, nil
}

// scan plans a table read.
func (p *planner) scan(tn *tree.TableName, asOf uint64) (plan.Node, *scope, error) {
	name, err := tableName(tn)
	if err != nil {
		return nil, nil, err
	}
	scan := &plan.Scan{Table: name, AsOf: asOf}
	if p.cat == nil {
		return scan, &scope{qual: name, open: true}, nil
	}
	def, err := p.tableDef(name, asOf)
	if err != nil {
		return nil, nil, err
	}
	cols := make(plan.Schema, len(def.Columns))
	for i, c := range def.Columns {
		cols[i] = plan.Field{Name: c.Name, Type: c.Type}
	}
	return scan, schemaScope(name, cols), nil
}

// renameColumns applies a column alias list: FROM t AS x(a, b).
func (p *planner) renameColumns(n plan.Node, sc *scope, names tree.ColumnDefList) (plan.Node, *scope, error) {
	if sc.open {
		return nil, nil, errNeedsCatalog
	}
	if len(names) > len(sc.cols) {
		return nil, nil, errorf(codeBadColumnRef, "table %q has %d columns available but %d columns specified", sc.qual, len(sc.cols), len(names))
	}
	exprs := make([]plan.Named, len(sc.cols))
	cols := make(plan.Schema, len(sc.cols))
	for i, c := range sc.cols {
		name := c.Name
		if i < len(names) {
			name = string(names[i].Name)
		}
		exprs[i] = plan.Named{Name: name, Expr: plan.ColAt{Index: i, Name: c.Name}}
		cols[i] = plan.Field{Name: name, Type: c.Type}
	}
	return &plan.Project{Input: n, Exprs: exprs}, schemaScope(sc.qual, cols), nil
}

// outputScope is the scope of a subquery's output: its bound schema with
// the catalog, else its column names where the plan tells them.
func (p *planner) outputScope(n plan.Node) (*scope, error) {
	if p.cat != nil {
		s, err := p.schemaOf(n)
		if err != nil {
			return nil, err
		}
		return schemaScope("", s), nil
	}
	if names, ok := outputNames(n); ok {
		return namesScope("", names), nil
	}
	return &scope{open: true}, nil
}

// outputNames reads a plan's output column names, when it tells them
// without the catalog.
func outputNames(n plan.Node) ([]string, bool) {
	switch n := n.(type) {
	case *plan.Project:
		return namedNames(n.Exprs), true
	case *plan.Values:
		return n.Names, true
	case *plan.Aggregate:
		names := namedNames(n.GroupBy)
		for _, a := range n.Aggs {
			names = append(names, a.Name)
		}
		return names, true
	case *plan.Filter, *plan.Sort, *plan.Limit, *plan.DistinctOn:
		return outputNames(n.Children()[0])
	}
	return nil, false
}

func namedNames(ns []plan.Named) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Name
	}
	return out
}

// dummyRow is the one-row input of a query without FROM that needs one
// (SELECT count(*), SELECT 1 WHERE ...). Its column is not visible.
func dummyRow() *plan.Values {
	return &plan.Values{Names: []string{"?dummy?"}, Rows: [][]plan.Expr{{plan.Lit{Value: plan.Bool(true)}}}}
}
