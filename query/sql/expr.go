package sql

import (
	"errors"
	"go/constant"
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree/treebin"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree/treecmp"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// exprConv converts parsed expressions to plan expressions over one
// input. Literals stay untyped where SQL leaves them so (a string
// literal is a string that plan.Bind coerces in context: ts > '2024-01-01'
// compares timestamps); casts of constants are folded.
type exprConv struct {
	p  *planner
	sc *scope
	// clause names where the expression is, for "aggregate functions are
	// not allowed in WHERE"; "" inside an aggregate's argument.
	clause string
	// agg, in aggregate mode, turns aggregates and grouped expressions
	// into columns of the Aggregate's output (aggregate.go).
	agg *aggState
}

func (c *exprConv) conv(e tree.Expr) (plan.Expr, error) {
	if c.agg != nil {
		if x, ok, err := c.agg.replace(e); ok || err != nil {
			return x, err
		}
	}
	switch e := e.(type) {
	case *tree.ParenExpr:
		return c.conv(e.Expr)
	case *tree.UnresolvedName:
		return c.sc.resolve(e)
	case *tree.NumVal:
		return numLit(e)
	case *tree.StrVal:
		return strLit(e), nil
	case *tree.DBool:
		return plan.Lit{Value: plan.Bool(bool(*e))}, nil
	case *tree.Placeholder:
		return c.p.param(int(e.Idx) + 1)
	case *tree.AndExpr:
		return c.binary(plan.OpAnd, e.Left, e.Right)
	case *tree.OrExpr:
		return c.binary(plan.OpOr, e.Left, e.Right)
	case *tree.NotExpr:
		x, err := c.conv(e.Expr)
		return plan.Not{X: x}, err
	case *tree.BinaryExpr:
		return c.arith(e)
	case *tree.UnaryExpr:
		return c.unary(e)
	case *tree.ComparisonExpr:
		return c.comparison(e)
	case *tree.RangeCond:
		return c.between(e)
	case *tree.IsNullExpr:
		x, err := c.conv(e.Expr)
		return plan.IsNull{X: x}, err
	case *tree.IsNotNullExpr:
		x, err := c.conv(e.Expr)
		return plan.IsNull{X: x, Not: true}, err
	case *tree.CaseExpr:
		return c.caseExpr(e)
	case *tree.CoalesceExpr:
		args, err := c.convList(e.Exprs)
		return plan.Coalesce{Args: args}, err
	case *tree.NullIfExpr:
		args, err := c.convList(tree.Exprs{e.Expr1, e.Expr2})
		return plan.Func{Name: plan.FnNullIf, Args: args}, err
	case *tree.CastExpr:
		return c.cast(e)
	case *tree.FuncExpr:
		return c.funcCall(e)
	}
	if e == tree.DNull {
		return plan.Lit{Value: plan.Null()}, nil
	}
	return nil, unsupportedExpr(e)
}

// unsupportedExpr names the construct Strata does not have.
func unsupportedExpr(e tree.Expr) *Error {
	switch e.(type) {
	case *tree.Subquery:
		return unsupported("subqueries are only supported in FROM")
	case *tree.Tuple:
		return unsupported("row constructors are not supported")
	case *tree.Array, *tree.ArrayFlatten, *tree.IndirectionExpr:
		return unsupported("arrays are not supported")
	case *tree.CollateExpr:
		return unsupported("COLLATE is not supported")
	case tree.UnqualifiedStar, *tree.AllColumnsSelector:
		return unsupported("* is only allowed in the select list and count(*)")
	case tree.DefaultVal:
		return unsupported("DEFAULT is only allowed in INSERT")
	case *tree.AnnotateTypeExpr:
		return unsupported("type annotations (:::) are not supported")
	case *tree.IsOfTypeExpr:
		return unsupported("IS OF is not supported")
	}
	return unsupported("expression %s is not supported", tree.AsString(e))
}

func (c *exprConv) convList(es tree.Exprs) ([]plan.Expr, error) {
	out := make([]plan.Expr, len(es))
	for i, e := range es {
		x, err := c.conv(e)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

func (c *exprConv) binary(op plan.BinOp, l, r tree.Expr) (plan.Expr, error) {
	lx, err := c.conv(l)
	if err != nil {
		return nil, err
	}
	rx, err := c.conv(r)
	if err != nil {
		return nil, err
	}
	return plan.Bin{Op: op, L: lx, R: rx}, nil
}

var arithOps = map[treebin.BinaryOperatorSymbol]plan.BinOp{
	treebin.Plus: plan.OpAdd, treebin.Minus: plan.OpSub, treebin.Mult: plan.OpMul,
	treebin.Div: plan.OpDiv, treebin.Mod: plan.OpMod,
}

func (c *exprConv) arith(e *tree.BinaryExpr) (plan.Expr, error) {
	if k, ok, err := c.temporal(e); err != nil || ok {
		if err != nil {
			return nil, err
		}
		return c.temporalExpr(k)
	}
	op, ok := arithOps[e.Operator.Symbol]
	if ok && hasInterval(e.Left, e.Right) {
		return nil, errIntervalOnColumn()
	}
	if !ok {
		return nil, unsupported("operator %s is not supported", e.Operator.String())
	}
	return c.binary(op, e.Left, e.Right)
}

func (c *exprConv) unary(e *tree.UnaryExpr) (plan.Expr, error) {
	if e.Operator.Symbol != tree.UnaryMinus {
		if e.Operator.Symbol == tree.UnaryPlus {
			return c.conv(e.Expr)
		}
		return nil, unsupported("operator %s is not supported", e.Operator.String())
	}
	x, err := c.conv(e.Expr)
	if err != nil {
		return nil, err
	}
	if l, ok := x.(plan.Lit); ok && !l.Value.Null {
		switch l.Value.Type {
		case storage.TypeInt64:
			if l.Value.Int != -l.Value.Int || l.Value.Int == 0 {
				return plan.Lit{Value: plan.Int64(-l.Value.Int)}, nil
			}
		case storage.TypeFloat64:
			return plan.Lit{Value: plan.Float64(-l.Value.Float)}, nil
		}
	}
	return plan.Neg{X: x}, nil
}

var cmpOps = map[treecmp.ComparisonOperatorSymbol]plan.BinOp{
	treecmp.EQ: plan.OpEq, treecmp.NE: plan.OpNe, treecmp.LT: plan.OpLt,
	treecmp.LE: plan.OpLe, treecmp.GT: plan.OpGt, treecmp.GE: plan.OpGe,
}

func (c *exprConv) comparison(e *tree.ComparisonExpr) (plan.Expr, error) {
	sym := e.Operator.Symbol
	if op, ok := cmpOps[sym]; ok {
		return c.binary(op, e.Left, e.Right)
	}
	switch sym {
	case treecmp.Like, treecmp.NotLike, treecmp.ILike, treecmp.NotILike:
		return c.like(e.Left, e.Right, sym == treecmp.NotLike || sym == treecmp.NotILike, sym == treecmp.ILike || sym == treecmp.NotILike)
	case treecmp.In, treecmp.NotIn:
		return c.in(e.Left, e.Right, sym == treecmp.NotIn)
	case treecmp.IsDistinctFrom, treecmp.IsNotDistinctFrom:
		return c.distinctFrom(e.Left, e.Right, sym == treecmp.IsNotDistinctFrom)
	}
	if e.Operator.Symbol.HasSubOperator() {
		return nil, unsupported("%s with arrays or subqueries is not supported", e.Operator.String())
	}
	return nil, unsupported("operator %s is not supported", e.Operator.String())
}

func (c *exprConv) like(l, r tree.Expr, not, ci bool) (plan.Expr, error) {
	x, err := c.conv(l)
	if err != nil {
		return nil, err
	}
	pat, err := c.conv(r)
	if err != nil {
		return nil, err
	}
	return plan.Like{X: x, Pattern: pat, Not: not, CaseInsensitive: ci}, nil
}

// in plans x IN (list): plan.In when the list holds constants (and
// parameters), else a chain of x = item ORs (ANDs of <> for NOT IN).
func (c *exprConv) in(l, r tree.Expr, not bool) (plan.Expr, error) {
	tuple, ok := r.(*tree.Tuple)
	if !ok {
		return nil, unsupported("IN with a subquery or an array is not supported, only IN (list)")
	}
	x, err := c.conv(l)
	if err != nil {
		return nil, err
	}
	list, err := c.convList(tuple.Exprs)
	if err != nil {
		return nil, err
	}
	constant := true
	for _, item := range list {
		constant = constant && isConstant(item)
	}
	if constant {
		return plan.In{X: x, List: list, Not: not}, nil
	}
	var out plan.Expr
	for _, item := range list {
		var term plan.Expr = plan.Bin{Op: plan.OpEq, L: x, R: item}
		op := plan.OpOr
		if not {
			term, op = plan.Bin{Op: plan.OpNe, L: x, R: item}, plan.OpAnd
		}
		if out == nil {
			out = term
		} else {
			out = plan.Bin{Op: op, L: out, R: term}
		}
	}
	return out, nil
}

// isConstant reports a literal or a parameter (possibly cast).
func isConstant(e plan.Expr) bool {
	switch e := e.(type) {
	case plan.Lit, plan.Param:
		return true
	case plan.Cast:
		return isConstant(e.X)
	}
	return false
}

// distinctFrom plans x IS [NOT] DISTINCT FROM y: with TRUE, FALSE or
// NULL on the right (x IS TRUE, ...) as a COALESCE or IS NULL, else as
// a CASE.
func (c *exprConv) distinctFrom(l, r tree.Expr, notDistinct bool) (plan.Expr, error) {
	x, err := c.conv(l)
	if err != nil {
		return nil, err
	}
	if r == tree.DNull {
		return plan.IsNull{X: x, Not: !notDistinct}, nil
	}
	if b, ok := r.(*tree.DBool); ok {
		// x IS TRUE = coalesce(x = true, false); negated for IS NOT.
		var e plan.Expr = plan.Coalesce{Args: []plan.Expr{plan.Bin{Op: plan.OpEq, L: x, R: plan.Lit{Value: plan.Bool(bool(*b))}}, plan.Lit{Value: plan.Bool(false)}}}
		if !notDistinct {
			e = plan.Not{X: e}
		}
		return e, nil
	}
	y, err := c.conv(r)
	if err != nil {
		return nil, err
	}
	distinct := plan.Case{
		Whens: []plan.When{
			{Cond: plan.IsNull{X: x}, Then: plan.IsNull{X: y, Not: true}},
			{Cond: plan.IsNull{X: y}, Then: plan.Lit{Value: plan.Bool(true)}},
		},
		Else: plan.Bin{Op: plan.OpNe, L: x, R: y},
	}
	if notDistinct {
		return plan.Not{X: distinct}, nil
	}
	return distinct, nil
}

// between plans BETWEEN; BETWEEN SYMMETRIC a AND b is BETWEEN a AND b
// OR BETWEEN b AND a (NOT BETWEEN SYMMETRIC: both false).
func (c *exprConv) between(e *tree.RangeCond) (plan.Expr, error) {
	x, err := c.conv(e.Left)
	if err != nil {
		return nil, err
	}
	lo, err := c.conv(e.From)
	if err != nil {
		return nil, err
	}
	hi, err := c.conv(e.To)
	if err != nil {
		return nil, err
	}
	if e.Symmetric {
		op := plan.OpOr
		if e.Not {
			op = plan.OpAnd
		}
		return plan.Bin{Op: op, L: plan.Between{X: x, Lo: lo, Hi: hi, Not: e.Not}, R: plan.Between{X: x, Lo: hi, Hi: lo, Not: e.Not}}, nil
	}
	return plan.Between{X: x, Lo: lo, Hi: hi, Not: e.Not}, nil
}

// caseExpr plans a searched CASE, and a simple CASE x WHEN v as the
// searched form with x = v.
func (c *exprConv) caseExpr(e *tree.CaseExpr) (plan.Expr, error) {
	var subject plan.Expr
	if e.Expr != nil {
		var err error
		if subject, err = c.conv(e.Expr); err != nil {
			return nil, err
		}
	}
	out := plan.Case{Whens: make([]plan.When, len(e.Whens))}
	for i, w := range e.Whens {
		cond, err := c.conv(w.Cond)
		if err != nil {
			return nil, err
		}
		if subject != nil {
			cond = plan.Bin{Op: plan.OpEq, L: subject, R: cond}
		}
		then, err := c.conv(w.Val)
		if err != nil {
			return nil, err
		}
		out.Whens[i] = plan.When{Cond: cond, Then: then}
	}
	if e.Else != nil {
		els, err := c.conv(e.Else)
		if err != nil {
			return nil, err
		}
		out.Else = els
	}
	return out, nil
}

// cast plans CAST(x AS t) and x::t, folding it when x is a constant.
func (c *exprConv) cast(e *tree.CastExpr) (plan.Expr, error) {
	t, ok := tree.GetStaticallyKnownType(e.Type)
	if !ok {
		return nil, errorf(codeUndefinedObject, "type %q does not exist", e.Type.SQLString())
	}
	to, ok := storageType(t)
	if !ok {
		if t.Family() == types.IntervalFamily {
			return nil, unsupported("type interval is only supported added to or subtracted from a constant timestamp or date (now() - interval '1 day') and as the width of date_bin and time_bucket")
		}
		return nil, unsupported("type %s is not supported", sqlTypeName(t))
	}
	if k, ok, err := c.temporal(e); err != nil || ok {
		if err != nil {
			return nil, err
		}
		return c.temporalExpr(k)
	}
	x, err := c.conv(e.Expr)
	if err != nil {
		return nil, err
	}
	if l, ok := x.(plan.Lit); ok {
		v, err := castLiteral(l.Value, to)
		if err != nil {
			return nil, err
		}
		if to == storage.TypeFloat64 {
			// Kept as a cast: a float literal is numeric in PostgreSQL, a
			// cast to double precision is not (numeric.go).
			return plan.Cast{X: plan.Lit{Value: v}, To: to}, nil
		}
		return plan.Lit{Value: v}, nil
	}
	return plan.Cast{X: x, To: to}, nil
}

// castLiteral folds CAST of a constant (a bytea literal reads PostgreSQL's
// hex format, \x0a1b).
func castLiteral(v plan.Value, to storage.ColumnType) (plan.Value, error) {
	if to == storage.TypeBinary && v.Type == storage.TypeString && !v.Null && strings.HasPrefix(v.Str, `\x`) {
		b, err := decodeHex(v.Str[2:])
		if err != nil {
			return v, errorf(codeBadText, "invalid hexadecimal data in bytea literal %q", v.Str)
		}
		return plan.Binary(b), nil
	}
	out, err := plan.CastValue(literalRounded(v, to), to)
	if err != nil {
		return v, valueError(err)
	}
	return out, nil
}

// valueError maps the errors of converting a constant.
func valueError(err error) error {
	switch {
	case errors.Is(err, plan.ErrBadValue):
		msg := trimSentinel(err, plan.ErrBadValue)
		code := codeBadText
		if strings.Contains(msg, "for type date") || strings.Contains(msg, "for type timestamp") {
			code = "22007" // invalid_datetime_format
		}
		return &Error{Code: code, Message: msg, Err: err}
	case errors.Is(err, plan.ErrOutOfRange):
		return &Error{Code: codeOutOfRange, Message: trimSentinel(err, plan.ErrOutOfRange), Err: err}
	case errors.Is(err, plan.ErrTypeMismatch):
		return &Error{Code: "42846", Message: trimSentinel(err, plan.ErrTypeMismatch), Err: err} // cannot_coerce
	}
	return asError(err)
}

// trimSentinel drops the "sentinel: " prefix of a wrapped error's message.
func trimSentinel(err, sentinel error) string {
	return strings.TrimPrefix(err.Error(), sentinel.Error()+": ")
}

// numLit reads a number: an integer that fits int64 is an int64, any
// other number a float64 (PostgreSQL's numeric constants have no exact
// counterpart).
func numLit(n *tree.NumVal) (plan.Expr, error) {
	v := n.AsConstantValue()
	if v.Kind() == constant.Int {
		if i, ok := constant.Int64Val(v); ok {
			return plan.Lit{Value: plan.Int64(i)}, nil
		}
	}
	f, _ := constant.Float64Val(constant.ToFloat(v))
	return plan.Lit{Value: plan.Float64(f)}, nil
}

// strLit is a string constant: text (untyped until its context types
// it), or bytea for b'...' and x'...'.
func strLit(s *tree.StrVal) plan.Expr {
	if ts := s.AvailableTypes(); len(ts) > 0 && ts[0].Family() == types.BytesFamily {
		return plan.Lit{Value: plan.Binary([]byte(s.RawString()))}
	}
	return plan.Lit{Value: plan.String(s.RawString())}
}

func decodeHex(s string) ([]byte, error) {
	if len(s)%2 != 0 {
		return nil, errors.New("odd length")
	}
	out := make([]byte, len(s)/2)
	for i := range out {
		hi, ok1 := hexDigit(s[2*i])
		lo, ok2 := hexDigit(s[2*i+1])
		if !ok1 || !ok2 {
			return nil, errors.New("bad digit")
		}
		out[i] = hi<<4 | lo
	}
	return out, nil
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
