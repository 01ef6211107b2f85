package sql

import (
	"fmt"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// bind substitutes the arguments for the parameters. The argument count
// must match: none at all for a statement with parameters is 42P02
// ("there is no parameter $1", what PostgreSQL's simple protocol
// answers), another wrong count 08P01 (what its Bind message answers).
// An argument of another type than its parameter's is converted as an
// INSERT value is (a string parsed, a number converted), else 42804. A
// SystemQuery is returned as it is, whatever the arguments: the server's
// pg_catalog emulation takes them.
func bind(p *Prepared, args []plan.Value) (Statement, error) {
	if _, ok := p.Stmt.(*SystemQuery); ok {
		return p.Stmt, nil // the pg_catalog emulation takes the arguments
	}
	if len(args) != len(p.Params) {
		if len(args) == 0 {
			return nil, errorf(codeUndefinedParam, "there is no parameter $1")
		}
		return nil, errorf(codeProtocol, "bind message supplies %d parameters, but prepared statement requires %d", len(args), len(p.Params))
	}
	if len(args) == 0 {
		if s, ok := p.Stmt.(*Select); ok && len(s.clock) > 0 {
			return bindSelect(s, nil)
		}
		return p.Stmt, nil
	}
	vals := make([]plan.Value, len(args))
	for i, a := range args {
		v, err := bindArg(a, p.Params[i], i+1)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	switch s := p.Stmt.(type) {
	case *Select:
		return bindSelect(s, vals)
	case *Insert:
		return bindInsert(s, vals)
	}
	return p.Stmt, nil
}

func bindArg(v plan.Value, t storage.ColumnType, i int) (plan.Value, error) {
	if v.Null {
		return plan.NullOf(t), nil
	}
	if v.Type == t {
		return v, nil
	}
	out, err := assignValue(v, t)
	if err != nil {
		e := asError(valueError(err)).(*Error)
		msg := e.Message
		if e.Code == codeDatatypeMismatch {
			msg = fmt.Sprintf("the argument is of type %s, the parameter of type %s", plan.SQLTypeName(v.Type), plan.SQLTypeName(t))
		}
		return v, &Error{Code: e.Code, Message: fmt.Sprintf("parameter $%d: %s", i, msg), Err: err}
	}
	return out, nil
}

// argLit replaces parameters with their arguments.
func argLit(vals []plan.Value) func(plan.Expr) plan.Expr {
	return func(x plan.Expr) plan.Expr {
		if par, ok := x.(plan.Param); ok && par.Index >= 1 && par.Index <= len(vals) {
			return plan.Lit{Value: vals[par.Index-1]}
		}
		return x
	}
}

func bindSelect(s *Select, vals []plan.Value) (Statement, error) {
	clock, err := clockValues(s.clock, clockNow())
	if err != nil {
		return nil, err
	}
	args := argLit(vals)
	n, err := mapNode(s.Plan, func(x plan.Expr) plan.Expr {
		if par, ok := x.(plan.Param); ok && par.Index >= clockParamBase && par.Index-clockParamBase < len(clock) {
			return plan.Lit{Value: clock[par.Index-clockParamBase]}
		}
		return args(x)
	}, func(orig, c *plan.Limit) error {
		lp := s.limits[orig]
		if lp.count > 0 {
			v := vals[lp.count-1]
			c.Count = -1
			if !v.Null {
				c.Count = v.Int
				if err := checkLimit(v.Int, "LIMIT"); err != nil {
					return err
				}
			}
		}
		if lp.offset > 0 {
			v := vals[lp.offset-1]
			c.Offset = 0
			if !v.Null {
				c.Offset = v.Int
				return checkLimit(v.Int, "OFFSET")
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Select{Plan: n, Explain: s.Explain, src: s.src}, nil
}

// bindInsert substitutes and coerces the arguments of an INSERT.
func bindInsert(s *Insert, vals []plan.Value) (Statement, error) {
	out := &Insert{Table: s.Table, Columns: s.Columns, Rows: make([][]plan.Expr, len(s.Rows)), notNull: s.notNull}
	for r, row := range s.Rows {
		full := make([]plan.Expr, len(row))
		for i, e := range row {
			x := mapExpr(e, argLit(vals))
			if c, ok := x.(plan.Cast); ok {
				x = c.X
			}
			if l, ok := x.(plan.Lit); ok && i < len(s.colTypes) {
				v, err := assignValue(l.Value, s.colTypes[i])
				if err != nil {
					return nil, insertError(err, s.Table, s.Columns[i], r)
				}
				if v.Null && i < len(s.notNull) && s.notNull[i] {
					return nil, errorf(codeNotNull, "null value in column %q of relation %q violates not-null constraint (row %d)", s.Columns[i], s.Table, r+1)
				}
				x = plan.Lit{Value: v}
			}
			full[i] = x
		}
		out.Rows[r] = full
	}
	return out, nil
}
