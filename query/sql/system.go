package sql

import (
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"
)

// A query is a SystemQuery, answered by the server's pg_catalog
// emulation rather than the engine, when anywhere in it (subqueries,
// joins, CTEs and unions included) it:
//   - reads a table in schema pg_catalog or information_schema, or one
//     whose name starts with pg_ (pg_class, pg_namespace, pg_type, ...);
//   - calls a function of schema pg_catalog, one whose name starts with
//     pg_, a has_*_privilege function, or one of the session and catalog
//     functions below (version(), current_user, current_setting(), ...);
//   - casts to an object identifier type (::regclass, ::oid, ...).
//
// Joins, unions and the rest that Strata's engine refuses are fine in a
// SystemQuery: the emulation decides what it answers.

var systemFuncs = map[string]bool{
	"version": true, "current_schema": true, "current_schemas": true,
	"current_database": true, "current_catalog": true, "current_user": true,
	"session_user": true, "user": true, "current_role": true,
	"current_setting": true, "set_config": true, "obj_description": true,
	"col_description": true, "shobj_description": true, "format_type": true,
	"to_regclass": true, "to_regtype": true, "to_regproc": true,
	"to_regprocedure": true, "to_regnamespace": true, "to_regrole": true,
	"inet_server_addr": true, "inet_server_port": true,
	"inet_client_addr": true, "inet_client_port": true, "txid_current": true,
}

// isSystemQuery reports whether s reads PostgreSQL's system catalogs or
// session functions.
func isSystemQuery(s *tree.Select) bool {
	f := &sysFinder{}
	f.query(s)
	return f.found
}

type sysFinder struct{ found bool }

func (f *sysFinder) query(s *tree.Select) {
	if s == nil || f.found {
		return
	}
	if s.With != nil {
		for _, cte := range s.With.CTEList {
			if sel, ok := cte.Stmt.(*tree.Select); ok {
				f.query(sel)
			}
		}
	}
	f.selectStatement(s.Select)
	for _, o := range s.OrderBy {
		f.expr(o.Expr)
	}
	if s.Limit != nil {
		f.expr(s.Limit.Count)
		f.expr(s.Limit.Offset)
	}
}

func (f *sysFinder) selectStatement(s tree.SelectStatement) {
	switch s := s.(type) {
	case *tree.SelectClause:
		for _, t := range s.From.Tables {
			f.table(t)
		}
		for _, e := range s.Exprs {
			f.expr(e.Expr)
		}
		if s.Where != nil {
			f.expr(s.Where.Expr)
		}
		for _, e := range s.GroupBy {
			f.expr(e)
		}
		if s.Having != nil {
			f.expr(s.Having.Expr)
		}
		for _, e := range s.DistinctOn {
			f.expr(e)
		}
	case *tree.UnionClause:
		f.query(s.Left)
		f.query(s.Right)
	case *tree.ParenSelect:
		f.query(s.Select)
	case *tree.ValuesClause:
		for _, row := range s.Rows {
			for _, e := range row {
				f.expr(e)
			}
		}
	}
}

func (f *sysFinder) table(t tree.TableExpr) {
	switch t := t.(type) {
	case *tree.AliasedTableExpr:
		f.table(t.Expr)
	case *tree.ParenTableExpr:
		f.table(t.Expr)
	case *tree.JoinTableExpr:
		f.table(t.Left)
		f.table(t.Right)
		if on, ok := t.Cond.(*tree.OnJoinCond); ok {
			f.expr(on.Expr)
		}
	case *tree.TableName:
		schema := strings.ToLower(string(t.SchemaName))
		if t.ExplicitSchema && (schema == "pg_catalog" || schema == "information_schema") ||
			strings.HasPrefix(strings.ToLower(string(t.ObjectName)), "pg_") {
			f.found = true
		}
	case *tree.Subquery:
		f.selectStatement(t.Select)
	case *tree.RowsFromExpr:
		for _, e := range t.Items {
			f.expr(e)
		}
	}
}

func (f *sysFinder) expr(e tree.Expr) {
	if e == nil || f.found {
		return
	}
	tree.WalkExprConst(f, e)
}

// VisitPre implements tree.Visitor.
func (f *sysFinder) VisitPre(e tree.Expr) (bool, tree.Expr) {
	switch e := e.(type) {
	case *tree.FuncExpr:
		if isSystemFunc(e) {
			f.found = true
		}
	case *tree.Subquery:
		f.selectStatement(e.Select)
	case *tree.CastExpr:
		if t, ok := tree.GetStaticallyKnownType(e.Type); ok && t.Family() == types.OidFamily {
			f.found = true
		}
	}
	return !f.found, e
}

// VisitPost implements tree.Visitor.
func (f *sysFinder) VisitPost(e tree.Expr) tree.Expr { return e }

func isSystemFunc(e *tree.FuncExpr) bool {
	full := strings.ToLower(e.Func.String())
	name := full
	if i := strings.LastIndexByte(full, '.'); i >= 0 {
		if strings.TrimSuffix(full[:i], `"`) == "pg_catalog" || full[:i] == "information_schema" {
			return true
		}
		name = full[i+1:]
	}
	return systemFuncs[name] || strings.HasPrefix(name, "pg_") ||
		strings.HasPrefix(name, "has_") && strings.HasSuffix(name, "_privilege")
}
