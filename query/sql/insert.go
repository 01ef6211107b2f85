package sql

import (
	"fmt"
	"math"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// INSERT INTO t [(cols)] VALUES (...), (...) and INSERT INTO t DEFAULT
// VALUES. Values are constants (literals, casts of literals, negative
// numbers, NULL, DEFAULT, which is NULL) or parameters. Prepare checks
// them against the table and returns an Insert whose Columns are all the
// table's columns, in order, and whose Rows hold one plan.Lit of the
// column's type per column (plan.Param until Bind, which coerces the
// arguments the same way): a column the statement does not name is NULL.
//
// Values are coerced as PostgreSQL assigns them: a string literal is
// read as the column's type, integers and floats convert to each other
// (floats round half away from zero), any value converts to text, a date
// and a timestamp to each other. Errors name the row and the column;
// a NULL in a NOT NULL column is 23502.

func convertInsert(s *tree.Insert) (Statement, error) {
	switch {
	case s.With != nil:
		return nil, unsupported("WITH is not supported")
	case s.OnConflict != nil:
		return nil, unsupported("ON CONFLICT is not supported")
	case tree.HasReturningClause(s.Returning):
		return nil, unsupported("RETURNING is not supported")
	}
	tn, ok := s.Table.(*tree.TableName)
	if a, isAlias := s.Table.(*tree.AliasedTableExpr); isAlias {
		tn, ok = a.Expr.(*tree.TableName)
	}
	if !ok {
		return nil, unsupported("INSERT into %s is not supported", tree.AsString(s.Table))
	}
	name, err := tableName(tn)
	if err != nil {
		return nil, err
	}
	ins := &Insert{Table: name}
	for _, c := range s.Columns {
		ins.Columns = append(ins.Columns, string(c))
	}
	if s.DefaultValues() {
		ins.Rows = [][]plan.Expr{{}}
		return ins, nil
	}
	values, ok := s.Rows.Select.(*tree.ValuesClause)
	if !ok || s.Rows.With != nil || len(s.Rows.OrderBy) > 0 || s.Rows.Limit != nil {
		return nil, unsupported("INSERT ... SELECT is not supported: use VALUES")
	}
	p := newPlanner(nil, nil)
	conv := &exprConv{p: p, sc: emptyScope, clause: "VALUES"}
	for _, row := range values.Rows {
		exprs := make([]plan.Expr, len(row))
		for i, e := range row {
			x, err := insertValue(conv, e)
			if err != nil {
				return nil, err
			}
			exprs[i] = x
		}
		ins.Rows = append(ins.Rows, exprs)
	}
	return ins, nil
}

// insertValue converts one value: a constant or a parameter.
func insertValue(conv *exprConv, e tree.Expr) (plan.Expr, error) {
	if _, ok := e.(tree.DefaultVal); ok {
		return plan.Lit{Value: plan.Null()}, nil
	}
	x, err := conv.conv(e)
	if err != nil {
		return nil, err
	}
	if !isConstant(x) {
		return nil, unsupported("INSERT values must be constants or parameters, not %s", tree.AsString(e))
	}
	return x, nil
}

// prepareInsert checks an INSERT against the table, coerces its values,
// and infers its parameters' types from their columns.
func prepareInsert(s *Insert, cat Catalog, hints []storage.ColumnType) (*Prepared, error) {
	p := newPlanner(cat, hints)
	def, err := p.tableDef(s.Table, 0)
	if err != nil {
		return nil, err
	}
	pos, err := insertColumns(s, def)
	if err != nil {
		return nil, err
	}
	out := &Insert{Table: s.Table, Rows: make([][]plan.Expr, len(s.Rows))}
	for _, c := range def.Columns {
		out.Columns = append(out.Columns, c.Name)
		out.colTypes = append(out.colTypes, c.Type)
		out.notNull = append(out.notNull, !c.Nullable)
	}
	for r, row := range s.Rows {
		if len(row) > len(pos) {
			return nil, errorf(codeSyntax, "INSERT has more expressions than target columns")
		}
		if len(row) < len(pos) && len(s.Columns) > 0 {
			return nil, errorf(codeSyntax, "INSERT has more target columns than expressions")
		}
		full := make([]plan.Expr, len(def.Columns))
		for i, c := range def.Columns {
			full[i] = plan.Lit{Value: plan.NullOf(c.Type)}
		}
		for j, e := range row {
			col := def.Columns[pos[j]]
			x, err := p.insertExpr(e, col, def.Name, r)
			if err != nil {
				return nil, err
			}
			full[pos[j]] = x
		}
		if err := checkNotNull(full, def, r); err != nil {
			return nil, err
		}
		out.Rows[r] = full
	}
	if err := p.checkParams(); err != nil {
		return nil, err
	}
	return &Prepared{Stmt: out, Params: p.params}, nil
}

// insertColumns maps the statement's columns to table positions.
func insertColumns(s *Insert, def *storage.TableDef) ([]int, error) {
	if len(s.Columns) == 0 {
		pos := make([]int, len(def.Columns))
		for i := range pos {
			pos[i] = i
		}
		return pos, nil
	}
	pos := make([]int, len(s.Columns))
	seen := map[int]bool{}
	for j, name := range s.Columns {
		i := def.ColumnIndex(name)
		if i < 0 {
			return nil, errorf(codeUndefinedColumn, "column %q of relation %q does not exist", name, def.Name)
		}
		if seen[i] {
			return nil, errorf(codeDuplicateColumn, "column %q specified more than once", name)
		}
		seen[i] = true
		pos[j] = i
	}
	return pos, nil
}

// insertExpr coerces one value to its column (a parameter takes the
// column's type unless the client gave it one).
func (p *planner) insertExpr(e plan.Expr, col storage.Column, table string, row int) (plan.Expr, error) {
	switch x := e.(type) {
	case plan.Param:
		if _, err := p.param(x.Index); err != nil {
			return nil, err
		}
		p.setParam(x.Index, col.Type)
		return x, nil
	case plan.Cast:
		if lit, ok := x.X.(plan.Lit); ok { // a folded cast (expr.go)
			return p.insertExpr(lit, col, table, row)
		}
		if param, ok := x.X.(plan.Param); ok {
			if _, err := p.param(param.Index); err != nil {
				return nil, err
			}
			p.setParam(param.Index, x.To)
			return x, nil
		}
	case plan.Lit:
		v, err := assignValue(x.Value, col.Type)
		if err != nil {
			return nil, insertError(err, table, col.Name, row)
		}
		return plan.Lit{Value: v}, nil
	}
	return nil, unsupported("INSERT values must be constants or parameters, not %v", e)
}

func insertError(err error, table, col string, row int) error {
	e := asError(valueError(err)).(*Error)
	return &Error{Code: e.Code, Message: fmt.Sprintf("row %d, column %q: %s", row+1, col, e.Message), Err: err}
}

// checkNotNull refuses a NULL literal in a NOT NULL column.
func checkNotNull(row []plan.Expr, def *storage.TableDef, r int) error {
	for i, c := range def.Columns {
		if l, ok := row[i].(plan.Lit); ok && l.Value.Null && !c.Nullable {
			return errorf(codeNotNull, "null value in column %q of relation %q violates not-null constraint (row %d)", c.Name, def.Name, r+1)
		}
	}
	return nil
}

// assignValue converts a constant to a column's type as PostgreSQL's
// assignment does.
func assignValue(v plan.Value, to storage.ColumnType) (plan.Value, error) {
	from := v.Type
	switch {
	case v.Null:
		return plan.NullOf(to), nil
	case from == to:
		return v, nil
	case from == storage.TypeString && to == storage.TypeBinary:
		return castLiteral(v, to)
	case from == storage.TypeString, to == storage.TypeString,
		plan.IsNumeric(from) && plan.IsNumeric(to),
		plan.IsTemporal(from) && plan.IsTemporal(to):
		return plan.CastValue(literalRounded(v, to), to)
	}
	return v, errorf(codeDatatypeMismatch, "column is of type %s but expression is of type %s", plan.SQLTypeName(to), plan.SQLTypeName(from))
}

// literalRounded rounds a decimal constant bound for an integer half away
// from zero first: in PostgreSQL such a literal is numeric, which rounds
// that way, while a float8 value (what the engine's casts see) rounds ties
// to even.
func literalRounded(v plan.Value, to storage.ColumnType) plan.Value {
	if v.Type == storage.TypeFloat64 && !v.Null && plan.IsInteger(to) {
		v.Float = math.Round(v.Float)
	}
	return v
}
