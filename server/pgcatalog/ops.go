package pgcatalog

import (
	"math"
	"regexp"
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree/treebin"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree/treecmp"
)

// unify gives two operands one type for comparing them: an untyped side
// takes the other's, numbers compare as numbers, and anything else as
// text.
func (c *compiler) unify(l, r *expr) (*expr, *expr) {
	switch {
	case l.typ == r.typ:
		if l.typ == oidUnknown {
			return c.coerce(l, oidText), c.coerce(r, oidText)
		}
		return l, r
	case l.typ == oidUnknown:
		return c.coerce(l, r.typ), r
	case r.typ == oidUnknown:
		return l, c.coerce(r, l.typ)
	}
	kl, kr := kindOf(l.typ), kindOf(r.typ)
	numeric := func(k kind) bool { return k == kInt || k == kFloat || k == kOID }
	switch {
	case kl == kr && kl != kArray:
		return l, r
	case numeric(kl) && numeric(kr):
		return l, r
	case kl == kArray && kr == kArray:
		return l, c.coerce(r, l.typ)
	}
	return c.coerce(l, oidText), c.coerce(r, oidText)
}

// comparison compiles l op r for op in = <> < > <= >=.
func (c *compiler) comparison(op string, l, r *expr) (*expr, error) {
	l, r = c.unify(l, r)
	test, ok := cmpTests[op]
	if !ok {
		return nil, unsupported("operator " + op)
	}
	return &expr{typ: oidBool, eval: func(ec *evalCtx, f *frame) (any, error) {
		a, err := l.eval(ec, f)
		if err != nil || a == nil {
			return nil, err
		}
		b, err := r.eval(ec, f)
		if err != nil || b == nil {
			return nil, err
		}
		return test(compare(a, b)), nil
	}}, nil
}

var cmpTests = map[string]func(int) bool{
	"=":  func(c int) bool { return c == 0 },
	"<>": func(c int) bool { return c != 0 },
	"!=": func(c int) bool { return c != 0 },
	"<":  func(c int) bool { return c < 0 },
	">":  func(c int) bool { return c > 0 },
	"<=": func(c int) bool { return c <= 0 },
	">=": func(c int) bool { return c >= 0 },
}

var cmpSymbols = map[treecmp.ComparisonOperatorSymbol]string{
	treecmp.EQ: "=", treecmp.NE: "<>", treecmp.LT: "<", treecmp.GT: ">",
	treecmp.LE: "<=", treecmp.GE: ">=",
}

func (c *compiler) compileComparison(e *tree.ComparisonExpr, sc *scope) (*expr, error) {
	sym := e.Operator.Symbol
	switch sym {
	case treecmp.In, treecmp.NotIn:
		x, err := c.compileQuantified(e.Left, e.Right, "=", false, sc)
		if err != nil || sym == treecmp.In {
			return x, err
		}
		return notExpr(x), nil
	case treecmp.Any, treecmp.Some, treecmp.All:
		op, ok := cmpSymbols[e.SubOperator.Symbol]
		if !ok {
			return nil, unsupported(e.SubOperator.String() + " " + e.Operator.String())
		}
		return c.compileQuantified(e.Left, e.Right, op, sym == treecmp.All, sc)
	}
	l, err := c.compileExpr(e.Left, sc)
	if err != nil {
		return nil, err
	}
	r, err := c.compileExpr(e.Right, sc)
	if err != nil {
		return nil, err
	}
	if op, ok := cmpSymbols[sym]; ok {
		return c.comparison(op, l, r)
	}
	switch sym {
	case treecmp.IsDistinctFrom, treecmp.IsNotDistinctFrom:
		return c.distinctFrom(l, r, sym == treecmp.IsDistinctFrom), nil
	case treecmp.Like, treecmp.NotLike, treecmp.ILike, treecmp.NotILike:
		return c.matcher(l, r, likePattern, sym == treecmp.ILike || sym == treecmp.NotILike,
			sym == treecmp.NotLike || sym == treecmp.NotILike), nil
	case treecmp.SimilarTo, treecmp.NotSimilarTo:
		return c.matcher(l, r, similarPattern, false, sym == treecmp.NotSimilarTo), nil
	case treecmp.RegMatch, treecmp.NotRegMatch, treecmp.RegIMatch, treecmp.NotRegIMatch:
		return c.matcher(l, r, regexPattern, sym == treecmp.RegIMatch || sym == treecmp.NotRegIMatch,
			sym == treecmp.NotRegMatch || sym == treecmp.NotRegIMatch), nil
	case treecmp.Contains, treecmp.ContainedBy, treecmp.Overlaps:
		return c.arrayContainment(l, r, sym)
	}
	return nil, unsupported("operator " + e.Operator.String())
}

func notExpr(x *expr) *expr {
	return &expr{typ: oidBool, eval: func(ec *evalCtx, f *frame) (any, error) {
		v, err := x.eval(ec, f)
		if b, ok := v.(bool); ok && err == nil {
			return !b, nil
		}
		return nil, err
	}}
}

func (c *compiler) distinctFrom(l, r *expr, distinct bool) *expr {
	l, r = c.unify(l, r)
	return &expr{typ: oidBool, eval: func(ec *evalCtx, f *frame) (any, error) {
		a, err := l.eval(ec, f)
		if err != nil {
			return nil, err
		}
		b, err := r.eval(ec, f)
		if err != nil {
			return nil, err
		}
		same := a == nil && b == nil || a != nil && b != nil && compare(a, b) == 0
		return same != distinct, nil
	}}
}

// compileQuantified compiles x op ANY/ALL (array | subquery | list) and
// x IN (list | subquery).
func (c *compiler) compileQuantified(left, right tree.Expr, op string, all bool, sc *scope) (*expr, error) {
	l, err := c.compileExpr(left, sc)
	if err != nil {
		return nil, err
	}
	var src elemSource
	switch r := stripParens(right).(type) {
	case *tree.Subquery:
		if r.Exists {
			return nil, errorf(codeSyntax, "EXISTS cannot be the right side of IN, ANY or ALL")
		}
		l, src, err = c.subqueryElems(l, r, sc)
	case *tree.Tuple:
		l, src, err = c.listElems(l, r, sc)
	default:
		l, src, err = c.arrayElems(l, r, sc)
	}
	if err != nil {
		return nil, err
	}
	return quantified(l, src, cmpTests[op], all), nil
}

// elemSource produces the values x is compared with (nil: a NULL array).
type elemSource func(ec *evalCtx, f *frame) ([]any, error)

// quantified is three-valued ANY (or ALL) of test(compare(x, value)).
func quantified(l *expr, src elemSource, test func(int) bool, all bool) *expr {
	return &expr{typ: oidBool, eval: func(ec *evalCtx, f *frame) (any, error) {
		a, err := l.eval(ec, f)
		if err != nil {
			return nil, err
		}
		vals, err := src(ec, f)
		if err != nil || vals == nil {
			return nil, err
		}
		sawNull := false
		for _, v := range vals {
			if v == nil || a == nil {
				sawNull = true
				continue
			}
			if test(compare(a, v)) != all {
				return !all, nil
			}
		}
		if sawNull {
			return nil, nil
		}
		return all, nil
	}}
}

func (c *compiler) subqueryElems(l *expr, sq *tree.Subquery, sc *scope) (*expr, elemSource, error) {
	sp, cols, err := c.compileSubPlan(sq, sc)
	if err != nil {
		return nil, nil, err
	}
	if len(cols) != 1 {
		return nil, nil, errorf(codeSyntax, "subquery has too many columns")
	}
	el := cols[0].typ
	asText := false
	if l.typ == oidUnknown {
		l = c.coerce(l, el)
	} else if !hashable(l.typ, el) {
		l, asText = c.coerce(l, oidText), true // compare as text
	}
	return l, func(ec *evalCtx, f *frame) ([]any, error) {
		rows, err := sp.run(ec, f)
		if err != nil {
			return nil, err
		}
		vals := make([]any, len(rows))
		for i, r := range rows {
			vals[i] = r[0]
			if asText && r[0] != nil {
				vals[i] = textOf(ec, r[0], el)
			}
		}
		return vals, nil
	}, nil
}

func (c *compiler) listElems(l *expr, tup *tree.Tuple, sc *scope) (*expr, elemSource, error) {
	items := make([]*expr, len(tup.Exprs))
	typ := l.typ
	for i, it := range tup.Exprs {
		x, err := c.compileExpr(it, sc)
		if err != nil {
			return nil, nil, err
		}
		items[i] = x
		typ = commonType(typ, x.typ)
	}
	if typ == oidUnknown {
		typ = oidText
	}
	l = c.coerce(l, typ)
	for i := range items {
		items[i] = c.coerce(items[i], typ)
	}
	return l, func(ec *evalCtx, f *frame) ([]any, error) { return evalAll(ec, items, f) }, nil
}

func (c *compiler) arrayElems(l *expr, right tree.Expr, sc *scope) (*expr, elemSource, error) {
	arr, err := c.compileExpr(right, sc)
	if err != nil {
		return nil, nil, err
	}
	if kindOf(arr.typ) != kArray {
		if arr.typ != oidUnknown {
			return nil, nil, errorf(codeDatatypeMismatch, "op ANY/ALL (array) requires array on right side")
		}
		if l.typ == oidUnknown {
			l = c.coerce(l, oidText)
		}
		arr = c.coerce(arr, arrayOf(l.typ))
	}
	l, _ = c.unify(l, &expr{typ: elemType(arr.typ)})
	return l, func(ec *evalCtx, f *frame) ([]any, error) {
		v, err := arr.eval(ec, f)
		if err != nil || v == nil {
			return nil, err
		}
		a, _ := v.([]any)
		if a == nil {
			return []any{}, nil
		}
		return a, nil
	}, nil
}

func isNumericKind(t uint32) bool {
	k := kindOf(t)
	return k == kInt || k == kFloat || k == kOID
}

func (c *compiler) compileBetween(e *tree.RangeCond, sc *scope) (*expr, error) {
	l, err := c.compileExpr(e.Left, sc)
	if err != nil {
		return nil, err
	}
	from, err := c.compileExpr(e.From, sc)
	if err != nil {
		return nil, err
	}
	to, err := c.compileExpr(e.To, sc)
	if err != nil {
		return nil, err
	}
	ge, err := c.comparison(">=", l, from)
	if err != nil {
		return nil, err
	}
	le, err := c.comparison("<=", l, to)
	if err != nil {
		return nil, err
	}
	x := andExpr(ge, le)
	if e.Symmetric {
		ge2, _ := c.comparison(">=", l, to)
		le2, _ := c.comparison("<=", l, from)
		x2 := andExpr(ge2, le2)
		x = &expr{typ: oidBool, eval: func(ec *evalCtx, f *frame) (any, error) {
			a, err := x.eval(ec, f)
			if err != nil || a == true {
				return a, err
			}
			return x2.eval(ec, f)
		}}
	}
	if e.Not {
		return notExpr(x), nil
	}
	return x, nil
}

// A patternFunc turns a LIKE, SIMILAR TO or regular-expression pattern
// into a Go regular expression.
type patternFunc func(pattern string) string

func likePattern(p string) string {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	for i := 0; i < len(p); i++ {
		switch ch := p[i]; ch {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		case '\\':
			if i+1 < len(p) {
				i++
				b.WriteString(regexp.QuoteMeta(p[i : i+1]))
			}
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		}
	}
	b.WriteString("$")
	return b.String()
}

func similarPattern(p string) string {
	var b strings.Builder
	b.WriteString(`(?s)^(?:`)
	for i := 0; i < len(p); i++ {
		switch ch := p[i]; ch {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		case '.', '^', '$':
			b.WriteString(`\` + string(ch))
		case '\\':
			if i+1 < len(p) {
				i++
				b.WriteString(regexp.QuoteMeta(p[i : i+1]))
			}
		default:
			b.WriteByte(ch)
		}
	}
	b.WriteString(")$")
	return b.String()
}

// regexPattern adapts a POSIX (ARE) pattern: the common subset is RE2's.
func regexPattern(p string) string {
	return p
}

func (c *compiler) matcher(l, r *expr, pat patternFunc, fold, negate bool) *expr {
	l, r = c.coerce(l, oidText), c.coerce(r, oidText)
	return &expr{typ: oidBool, eval: func(ec *evalCtx, f *frame) (any, error) {
		a, err := l.eval(ec, f)
		if err != nil || a == nil {
			return nil, err
		}
		p, err := r.eval(ec, f)
		if err != nil || p == nil {
			return nil, err
		}
		re, err := ec.compileRegex(pat(textOf(ec, p, r.typ)), fold)
		if err != nil {
			return nil, err
		}
		return re.MatchString(textOf(ec, a, l.typ)) != negate, nil
	}}
}

// compileRegex compiles (and caches, per Run) a Go regular expression.
func (ec *evalCtx) compileRegex(p string, fold bool) (*regexp.Regexp, error) {
	if fold {
		p = "(?i)" + p
	}
	if re, ok := ec.regex[p]; ok {
		return re, nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, errorf("2201B", "invalid regular expression: %v", err)
	}
	if len(ec.regex) < 1000 {
		ec.regex[p] = re
	}
	return re, nil
}

func (c *compiler) arrayContainment(l, r *expr, sym treecmp.ComparisonOperatorSymbol) (*expr, error) {
	if kindOf(l.typ) != kArray && kindOf(r.typ) != kArray {
		return nil, unsupported("operator @>, <@ or && on non-arrays")
	}
	l, r = c.unify(l, r)
	return &expr{typ: oidBool, eval: func(ec *evalCtx, f *frame) (any, error) {
		a, err := l.eval(ec, f)
		if err != nil || a == nil {
			return nil, err
		}
		b, err := r.eval(ec, f)
		if err != nil || b == nil {
			return nil, err
		}
		x, _ := a.([]any)
		y, _ := b.([]any)
		switch sym {
		case treecmp.Contains:
			return containsAll(x, y), nil
		case treecmp.ContainedBy:
			return containsAll(y, x), nil
		}
		for _, v := range y {
			if v != nil && containsAll(x, []any{v}) {
				return true, nil
			}
		}
		return false, nil
	}}, nil
}

func containsAll(super, sub []any) bool {
outer:
	for _, v := range sub {
		if v == nil {
			return false
		}
		for _, w := range super {
			if w != nil && compare(v, w) == 0 {
				continue outer
			}
		}
		return false
	}
	return true
}

func (c *compiler) compileBinary(e *tree.BinaryExpr, sc *scope) (*expr, error) {
	l, err := c.compileExpr(e.Left, sc)
	if err != nil {
		return nil, err
	}
	r, err := c.compileExpr(e.Right, sc)
	if err != nil {
		return nil, err
	}
	switch e.Operator.Symbol {
	case treebin.Concat:
		return c.concat(l, r), nil
	case treebin.Plus, treebin.Minus, treebin.Mult, treebin.Div, treebin.Mod, treebin.Pow,
		treebin.Bitand, treebin.Bitor, treebin.Bitxor, treebin.LShift, treebin.RShift, treebin.FloorDiv:
		return c.arithmetic(e.Operator.Symbol, l, r)
	}
	return nil, unsupported("operator " + e.Operator.String())
}

// concat is ||: arrays concatenate (a NULL array counts as empty), else
// text.
func (c *compiler) concat(l, r *expr) *expr {
	la, ra := kindOf(l.typ) == kArray, kindOf(r.typ) == kArray
	if la || ra {
		typ := l.typ
		if !la {
			typ = r.typ
		}
		if la && ra {
			r = c.coerce(r, typ)
		} else if la {
			r = c.coerce(r, elemType(typ))
		} else {
			l = c.coerce(l, elemType(typ))
		}
		return &expr{typ: typ, eval: func(ec *evalCtx, f *frame) (any, error) {
			a, err := l.eval(ec, f)
			if err != nil {
				return nil, err
			}
			b, err := r.eval(ec, f)
			if err != nil {
				return nil, err
			}
			return concatArrays(a, b, la, ra), nil
		}}
	}
	l, r = c.coerce(l, oidText), c.coerce(r, oidText)
	return &expr{typ: oidText, eval: func(ec *evalCtx, f *frame) (any, error) {
		a, err := l.eval(ec, f)
		if err != nil || a == nil {
			return nil, err
		}
		b, err := r.eval(ec, f)
		if err != nil || b == nil {
			return nil, err
		}
		return textOf(ec, a, oidText) + textOf(ec, b, oidText), nil
	}}
}

func concatArrays(a, b any, la, ra bool) any {
	if la && ra {
		if a == nil {
			return b
		}
		if b == nil {
			return a
		}
		x, y := a.([]any), b.([]any)
		return append(append(make([]any, 0, len(x)+len(y)), x...), y...)
	}
	if la { // array || element
		if a == nil {
			return []any{b}
		}
		x := a.([]any)
		return append(append(make([]any, 0, len(x)+1), x...), b)
	}
	if b == nil { // element || array
		return []any{a}
	}
	y := b.([]any)
	return append([]any{a}, y...)
}

func (c *compiler) arithmetic(op treebin.BinaryOperatorSymbol, l, r *expr) (*expr, error) {
	if l.typ == oidUnknown {
		l = c.coerce(l, r.typ)
	}
	if r.typ == oidUnknown || kindOf(r.typ) == kText {
		r = c.coerce(r, l.typ)
	}
	if l.typ == oidUnknown || kindOf(l.typ) == kText {
		l = c.coerce(l, oidInt8)
		r = c.coerce(r, oidInt8)
	}
	kl, kr := kindOf(l.typ), kindOf(r.typ)
	if !isNumericKind(l.typ) || !isNumericKind(r.typ) {
		return nil, errorf(codeUndefinedFunction, "operator does not exist: %s %s %s", typeName(l.typ), op.String(), typeName(r.typ))
	}
	typ := oidInt8
	switch {
	case kl == kFloat || kr == kFloat || op == treebin.Pow:
		typ = oidFloat8
		if l.typ == oidNumeric || r.typ == oidNumeric {
			typ = oidNumeric
		}
	case kl == kInt && kr == kInt:
		typ = widerInt(l.typ, r.typ)
	}
	float := kindOf(typ) == kFloat
	return &expr{typ: typ, eval: func(ec *evalCtx, f *frame) (any, error) {
		a, err := l.eval(ec, f)
		if err != nil || a == nil {
			return nil, err
		}
		b, err := r.eval(ec, f)
		if err != nil || b == nil {
			return nil, err
		}
		if float {
			return floatOp(op, toFloat(a), toFloat(b))
		}
		return intOp(op, toInt(a), toInt(b), typ)
	}}, nil
}

func toFloat(v any) float64 {
	switch v := v.(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	}
	return 0
}

func toInt(v any) int64 {
	switch v := v.(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}

func floatOp(op treebin.BinaryOperatorSymbol, a, b float64) (any, error) {
	switch op {
	case treebin.Plus:
		return a + b, nil
	case treebin.Minus:
		return a - b, nil
	case treebin.Mult:
		return a * b, nil
	case treebin.Div, treebin.FloorDiv:
		if b == 0 {
			return nil, errorf(codeDivisionByZero, "division by zero")
		}
		if op == treebin.FloorDiv {
			return math.Floor(a / b), nil
		}
		return a / b, nil
	case treebin.Mod:
		if b == 0 {
			return nil, errorf(codeDivisionByZero, "division by zero")
		}
		return math.Mod(a, b), nil
	case treebin.Pow:
		return math.Pow(a, b), nil
	}
	return nil, unsupported("operator " + op.String() + " on floating point")
}

func intOp(op treebin.BinaryOperatorSymbol, a, b int64, typ uint32) (any, error) {
	var r int64
	switch op {
	case treebin.Plus:
		r = a + b
		if (r > a) != (b > 0) {
			return nil, errorf(codeOutOfRange, "%s out of range", typeName(typ))
		}
	case treebin.Minus:
		r = a - b
		if (r < a) != (b > 0) {
			return nil, errorf(codeOutOfRange, "%s out of range", typeName(typ))
		}
	case treebin.Mult:
		r = a * b
		if a != 0 && (r/a != b || (a == -1 && b == math.MinInt64)) {
			return nil, errorf(codeOutOfRange, "%s out of range", typeName(typ))
		}
	case treebin.Div, treebin.FloorDiv, treebin.Mod:
		if b == 0 {
			return nil, errorf(codeDivisionByZero, "division by zero")
		}
		if b == -1 {
			if op == treebin.Mod {
				return int64(0), nil
			}
			if a == math.MinInt64 {
				return nil, errorf(codeOutOfRange, "%s out of range", typeName(typ))
			}
			return -a, nil
		}
		if op == treebin.Mod {
			r = a % b
		} else {
			r = a / b
		}
	case treebin.Bitand:
		r = a & b
	case treebin.Bitor:
		r = a | b
	case treebin.Bitxor:
		r = a ^ b
	case treebin.LShift:
		r = a << (uint64(b) & 63)
	case treebin.RShift:
		r = a >> (uint64(b) & 63)
	default:
		return nil, unsupported("operator " + op.String())
	}
	return checkIntRange(r, typ)
}

func (c *compiler) compileUnary(e *tree.UnaryExpr, sc *scope) (*expr, error) {
	x, err := c.compileExpr(e.Expr, sc)
	if err != nil {
		return nil, err
	}
	if x.typ == oidUnknown {
		x = c.coerce(x, oidNumeric)
	}
	if !isNumericKind(x.typ) {
		return nil, errorf(codeUndefinedFunction, "operator does not exist: %s%s", e.Operator.String(), typeName(x.typ))
	}
	sym := e.Operator.Symbol
	return &expr{typ: x.typ, eval: func(ec *evalCtx, f *frame) (any, error) {
		v, err := x.eval(ec, f)
		if err != nil || v == nil {
			return nil, err
		}
		switch sym {
		case tree.UnaryPlus:
			return v, nil
		case tree.UnaryMinus:
			if fv, ok := v.(float64); ok {
				return -fv, nil
			}
			i := toInt(v)
			if i == math.MinInt64 {
				return nil, errorf(codeOutOfRange, "integer out of range")
			}
			return checkIntRange(-i, x.typ)
		case tree.UnaryComplement:
			return ^toInt(v), nil
		}
		return nil, unsupported("operator " + e.Operator.String())
	}}, nil
}
