package sql

import (
	"errors"
	"strings"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// checkAggs reports an aggregate of a type it does not take as
// PostgreSQL does (42883 "function sum(text) does not exist").
func (p *planner) checkAggs(n plan.Node) error {
	for _, c := range n.Children() {
		if err := p.checkAggs(c); err != nil {
			return err
		}
	}
	a, ok := n.(*plan.Aggregate)
	if !ok {
		return nil
	}
	in, err := p.schemaOf(a.Input)
	if err != nil {
		return err
	}
	for _, x := range a.Aggs {
		if x.Agg.Arg == nil {
			continue
		}
		t := p.typeOf(x.Agg.Arg, in)
		bad := false
		switch x.Agg.Func {
		case plan.AggSum, plan.AggAvg:
			bad = t != storage.TypeInvalid && !plan.IsNumeric(t)
		case plan.AggMin, plan.AggMax:
			bad = t == storage.TypeBool || t == storage.TypeBinary
		}
		if bad {
			return errorf(codeUndefinedFunction, "function %s(%s) does not exist", x.Agg.Func, plan.SQLTypeName(t))
		}
	}
	return nil
}

// checkExpr reports, in PostgreSQL's words, an operator applied to
// operands it does not take (42883 "operator does not exist: integer =
// text"), a string literal that does not read as its peer's type
// (22P02), and a predicate that is not boolean (42804).
func (p *planner) checkExpr(e plan.Expr, at site) error {
	if at.want == storage.TypeBool && at.clause != "" {
		if err := p.checkBool(e, at.in, at.clause); err != nil {
			return err
		}
	}
	var err error
	mapExpr(e, func(x plan.Expr) plan.Expr {
		if err != nil {
			return x
		}
		switch x := x.(type) {
		case plan.Bin:
			if x.Op.IsLogical() {
				if err = p.checkBool(x.L, at.in, x.Op.String()); err == nil {
					err = p.checkBool(x.R, at.in, x.Op.String())
				}
			} else {
				err = p.checkBin(x, at.in)
			}
		case plan.Not:
			err = p.checkBool(x.X, at.in, "NOT")
		case plan.Neg:
			if t := p.typeOf(x.X, at.in); t != storage.TypeInvalid && !plan.IsNumeric(t) {
				err = errorf(codeUndefinedFunction, "operator does not exist: - %s", plan.SQLTypeName(t))
			}
		}
		return x
	})
	return err
}

// checkBool refuses a non-boolean operand of WHERE, HAVING, AND, OR, NOT.
func (p *planner) checkBool(e plan.Expr, in plan.Schema, what string) error {
	if isUntyped(e) {
		return nil
	}
	if t := p.typeOf(e, in); t != storage.TypeInvalid && t != storage.TypeBool {
		return errorf(codeDatatypeMismatch, "argument of %s must be type boolean, not type %s", what, plan.SQLTypeName(t))
	}
	return nil
}

func (p *planner) checkBin(b plan.Bin, in plan.Schema) error {
	lt, rt := p.typeOf(b.L, in), p.typeOf(b.R, in)
	if lit, ok := stringLit(b.L); ok {
		return checkLiteral(lit, rt, b.Op)
	}
	if lit, ok := stringLit(b.R); ok {
		return checkLiteral(lit, lt, b.Op)
	}
	if isUntyped(b.L) || isUntyped(b.R) || lt == storage.TypeInvalid || rt == storage.TypeInvalid {
		return nil
	}
	ok := plan.IsNumeric(lt) && plan.IsNumeric(rt)
	if b.Op.IsComparison() {
		_, ok = plan.CommonType(lt, rt)
	}
	if ok {
		return nil
	}
	return errorf(codeUndefinedFunction, "operator does not exist: %s %s %s", plan.SQLTypeName(lt), b.Op, plan.SQLTypeName(rt))
}

func stringLit(e plan.Expr) (string, bool) {
	l, ok := e.(plan.Lit)
	if ok && l.Value.Type == storage.TypeString && !l.Value.Null {
		return l.Value.Str, true
	}
	return "", false
}

// checkLiteral reads a string literal as the type of its peer, as
// PostgreSQL types an untyped literal (arithmetic reads it as a number).
func checkLiteral(s string, peer storage.ColumnType, op plan.BinOp) error {
	if peer == storage.TypeInvalid || peer == storage.TypeString {
		return nil
	}
	if op.IsArithmetic() {
		if !plan.IsNumeric(peer) {
			return nil
		}
		peer = storage.TypeFloat64
	}
	if _, err := plan.ParseAs(s, peer); err != nil {
		return valueError(err)
	}
	return nil
}

// isUntyped reports a literal whose type its context decides.
func isUntyped(e plan.Expr) bool {
	l, ok := e.(plan.Lit)
	return ok && (l.Value.Type == storage.TypeString || l.Value.Type == storage.TypeInvalid)
}

// bindError maps plan.Bind's errors to SQLSTATEs, dropping the
// sentinel's prefix from the message.
func bindError(err error) error {
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	code := sqlState(err)
	msg := err.Error()
	for _, s := range []error{plan.ErrTypeMismatch, plan.ErrBadValue, plan.ErrOutOfRange, plan.ErrInvalidPlan} {
		if errors.Is(err, s) {
			msg = strings.TrimPrefix(msg, s.Error()+": ")
		}
	}
	if errors.Is(err, plan.ErrUnknownColumn) {
		msg = "column " + strings.TrimPrefix(msg, plan.ErrUnknownColumn.Error()+": ") + " does not exist"
	}
	return &Error{Code: code, Message: msg, Err: err}
}
