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

// checkNode reports, in PostgreSQL's words, an operator applied to
// operands it does not take (42883 "operator does not exist: integer =
// text"), a string literal that does not read as its peer's type
// (22P02), and a non-boolean operand of AND, OR, NOT (42804).
func (p *planner) checkNode(e plan.Expr, kids []typed) error {
	switch x := e.(type) {
	case plan.Bin:
		if x.Op.IsLogical() {
			if err := checkBool(x.L, kids[0].t, x.Op.String()); err != nil {
				return err
			}
			return checkBool(x.R, kids[1].t, x.Op.String())
		}
		return checkBin(x, kids[0].t, kids[1].t)
	case plan.Not:
		return checkBool(x.X, kids[0].t, "NOT")
	case plan.Neg:
		if t := kids[0].t; t != storage.TypeInvalid && !plan.IsNumeric(t) {
			return errorf(codeUndefinedFunction, "operator does not exist: - %s", plan.SQLTypeName(t))
		}
	}
	return nil
}

// checkRoot refuses a WHERE or HAVING predicate that is not boolean.
func (p *planner) checkRoot(root typed, at site) error {
	if at.want != storage.TypeBool || at.clause == "" {
		return nil
	}
	if root.t != storage.TypeInvalid && root.t != storage.TypeBool {
		return errorf(codeDatatypeMismatch, "argument of %s must be type boolean, not type %s", at.clause, plan.SQLTypeName(root.t))
	}
	return nil
}

// checkBool refuses a non-boolean operand.
func checkBool(e plan.Expr, t storage.ColumnType, what string) error {
	if isUntyped(e) || t == storage.TypeInvalid || t == storage.TypeBool {
		return nil
	}
	return errorf(codeDatatypeMismatch, "argument of %s must be type boolean, not type %s", what, plan.SQLTypeName(t))
}

func checkBin(b plan.Bin, lt, rt storage.ColumnType) error {
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
