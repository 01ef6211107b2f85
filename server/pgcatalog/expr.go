package pgcatalog

import (
	"fmt"
	"go/constant"
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"
)

// expr is a compiled scalar expression of type typ.
type expr struct {
	typ  uint32
	eval func(ec *evalCtx, f *frame) (any, error)
	// param is n for a bare $n, whose type its context may set.
	param int
}

func constExpr(typ uint32, v any) *expr {
	return &expr{typ: typ, eval: func(*evalCtx, *frame) (any, error) { return v, nil }}
}

// columnExpr reads column idx of the frame depth levels up.
func columnExpr(depth, idx int, typ uint32) *expr {
	return &expr{typ: typ, eval: func(_ *evalCtx, f *frame) (any, error) {
		for i := 0; i < depth && f != nil; i++ {
			f = f.up
		}
		if f == nil || idx >= len(f.row) {
			return nil, errorf(codeInternal, "BUG: column reference outside its frame")
		}
		return f.row[idx], nil
	}}
}

func evalBool(ec *evalCtx, e *expr, f *frame) (bool, error) {
	v, err := e.eval(ec, f)
	if err != nil {
		return false, err
	}
	b, _ := v.(bool)
	return b, nil
}

// coerce returns e as type t: an untyped literal or parameter takes the
// type, anything else is cast at run time.
func (c *compiler) coerce(e *expr, t uint32) *expr {
	if e.typ == t || t == oidUnknown {
		return e
	}
	if e.param > 0 && (c.params[e.param-1] == 0 || c.params[e.param-1] == oidUnknown) {
		c.params[e.param-1] = t
		return &expr{typ: t, eval: e.eval, param: e.param}
	}
	from := e.typ
	return &expr{typ: t, eval: func(ec *evalCtx, f *frame) (any, error) {
		v, err := e.eval(ec, f)
		if err != nil {
			return nil, err
		}
		return cast(ec, v, from, t)
	}}
}

// compileCondition compiles a WHERE, HAVING, ON or CASE WHEN condition.
func (c *compiler) compileCondition(e tree.Expr, sc *scope) (*expr, error) {
	x, err := c.compileExpr(e, sc)
	if err != nil {
		return nil, err
	}
	switch {
	case x.typ == oidBool:
		return x, nil
	case x.typ == oidUnknown:
		return c.coerce(x, oidBool), nil
	}
	return nil, errorf(codeDatatypeMismatch, "argument of WHERE must be type boolean, not type %s", typeName(x.typ))
}

func (c *compiler) compileExpr(e tree.Expr, sc *scope) (*expr, error) {
	if err := c.enter(); err != nil {
		return nil, err
	}
	defer c.leave()
	switch e := e.(type) {
	case *tree.ParenExpr:
		return c.compileExpr(e.Expr, sc)
	case *tree.UnresolvedName:
		return c.compileName(e, sc)
	case *tree.StrVal:
		// A string literal's type (unknown) follows its context.
		return constExpr(oidUnknown, e.RawString()), nil
	case *tree.NumVal:
		return compileNum(e)
	case *tree.DBool:
		return constExpr(oidBool, bool(*e)), nil
	case *tree.DString:
		return constExpr(oidText, string(*e)), nil
	case *tree.DInt:
		return constExpr(oidInt8, int64(*e)), nil
	case *tree.DFloat:
		return constExpr(oidFloat8, float64(*e)), nil
	case *tree.Placeholder:
		return c.compilePlaceholder(e)
	case *tree.AndExpr:
		return c.compileLogic(e.Left, e.Right, true, sc)
	case *tree.OrExpr:
		return c.compileLogic(e.Left, e.Right, false, sc)
	case *tree.NotExpr:
		return c.compileNot(e.Expr, sc)
	case *tree.IsNullExpr:
		return c.compileIsNull(e.Expr, false, sc)
	case *tree.IsNotNullExpr:
		return c.compileIsNull(e.Expr, true, sc)
	case *tree.ComparisonExpr:
		return c.compileComparison(e, sc)
	case *tree.RangeCond:
		return c.compileBetween(e, sc)
	case *tree.BinaryExpr:
		return c.compileBinary(e, sc)
	case *tree.UnaryExpr:
		return c.compileUnary(e, sc)
	case *tree.CaseExpr:
		return c.compileCase(e, sc)
	case *tree.CoalesceExpr:
		return c.compileCoalesce(e.Exprs, sc)
	case *tree.NullIfExpr:
		return c.compileNullIf(e, sc)
	case *tree.IfExpr:
		return c.compileCase(&tree.CaseExpr{Whens: []*tree.When{{Cond: e.Cond, Val: e.True}}, Else: e.Else}, sc)
	case *tree.CastExpr:
		return c.compileCast(e.Expr, e.Type, sc)
	case *tree.AnnotateTypeExpr:
		return c.compileCast(e.Expr, e.Type, sc)
	case *tree.CollateExpr:
		return c.compileExpr(e.Expr, sc) // collations are ignored: names compare bytewise
	case *tree.FuncExpr:
		return c.compileFunc(e, sc)
	case *tree.Subquery:
		return c.compileScalarSubquery(e, sc)
	case *tree.ArrayFlatten:
		return c.compileArrayFlatten(e, sc)
	case *tree.Array:
		return c.compileArray(e, sc)
	case *tree.IndirectionExpr:
		return c.compileIndirection(e, sc)
	case *tree.ColumnAccessExpr:
		return c.compileFieldAccess(e, sc)
	}
	if e == tree.DNull {
		return constExpr(oidUnknown, nil), nil
	}
	return nil, unsupported(describe(e))
}

func compileNum(n *tree.NumVal) (*expr, error) {
	if n.Kind() == constant.Int {
		if i, err := n.AsInt64(); err == nil {
			if i >= -1<<31 && i < 1<<31 {
				return constExpr(oidInt4, i), nil
			}
			return constExpr(oidInt8, i), nil
		}
	}
	f, _ := constant.Float64Val(constant.ToFloat(n.AsConstantValue()))
	return constExpr(oidNumeric, f), nil
}

func (c *compiler) compilePlaceholder(p *tree.Placeholder) (*expr, error) {
	idx := int(p.Idx)
	if idx >= 1<<16 {
		return nil, errorf(codeSyntax, "parameter $%d out of range", idx+1)
	}
	for len(c.params) <= idx {
		n := len(c.params)
		var t uint32
		if n < len(c.hints) {
			t = c.hints[n]
		}
		if t != 0 && typeByOID[t] == nil && t != 10028 {
			t = oidText // a type Strata does not know: take the text form
		}
		c.params = append(c.params, t)
	}
	t := c.params[idx]
	if t == 0 {
		t = oidUnknown
	}
	return &expr{typ: t, param: idx + 1, eval: func(ec *evalCtx, _ *frame) (any, error) {
		if idx >= len(ec.args) {
			return nil, errorf(codeProtocol, "no value for parameter $%d", idx+1)
		}
		return ec.args[idx], nil
	}}, nil
}

// compileName compiles a column reference: col, t.col, schema.t.col.
func (c *compiler) compileName(n *tree.UnresolvedName, sc *scope) (*expr, error) {
	if n.Star {
		return nil, unsupported("* in an expression")
	}
	name, table := n.Parts[0], ""
	if n.NumParts > 1 {
		table = n.Parts[1]
	}
	depth := 0
	for s := sc; s != nil; s = s.parent {
		idx, ambiguous := -1, false
		for i, col := range s.cols {
			if col.name != name || (table != "" && col.table != table) || (table == "" && col.hidden) {
				continue
			}
			if idx >= 0 {
				ambiguous = true
			}
			idx = i
		}
		if ambiguous {
			return nil, errorf(codeAmbiguousColumn, "column reference %q is ambiguous", n.String())
		}
		if idx >= 0 {
			c.noteReference(s.level)
			return columnExpr(depth, idx, s.cols[idx].typ), nil
		}
		depth++
	}
	if table != "" && !scopeHasTable(sc, table) {
		return nil, errorf(codeUndefinedTable, "missing FROM-clause entry for table %q", table)
	}
	if table != "" {
		return nil, errorf(codeUndefinedColumn, "column %s.%s does not exist", table, name)
	}
	return nil, errorf(codeUndefinedColumn, "column %q does not exist", name)
}

func scopeHasTable(sc *scope, table string) bool {
	for s := sc; s != nil; s = s.parent {
		for _, col := range s.cols {
			if col.table == table {
				return true
			}
		}
	}
	return false
}

// noteReference marks the subqueries being compiled that a reference to
// a scope at level refers out of.
func (c *compiler) noteReference(level int) {
	for _, t := range c.trackers {
		if level < t.level {
			t.correlated = true
		}
	}
}

func (c *compiler) compileLogic(l, r tree.Expr, and bool, sc *scope) (*expr, error) {
	le, err := c.compileCondition(l, sc)
	if err != nil {
		return nil, err
	}
	re, err := c.compileCondition(r, sc)
	if err != nil {
		return nil, err
	}
	if and {
		return andExpr(le, re), nil
	}
	return logicExpr(le, re, true), nil
}

// andExpr is three-valued AND, skipping r when l is false.
func andExpr(l, r *expr) *expr { return logicExpr(l, r, false) }

// logicExpr is three-valued AND (decisive false) or OR (decisive true):
// decisive if either side is, skipping r when l is; else NULL if either
// side is NULL; else the other value.
func logicExpr(l, r *expr, decisive bool) *expr {
	return &expr{typ: oidBool, eval: func(ec *evalCtx, f *frame) (any, error) {
		a, err := l.eval(ec, f)
		if err != nil {
			return nil, err
		}
		if a == decisive {
			return decisive, nil
		}
		b, err := r.eval(ec, f)
		if err != nil {
			return nil, err
		}
		if b == decisive {
			return decisive, nil
		}
		if a == nil || b == nil {
			return nil, nil
		}
		return !decisive, nil
	}}
}

func (c *compiler) compileNot(e tree.Expr, sc *scope) (*expr, error) {
	x, err := c.compileCondition(e, sc)
	if err != nil {
		return nil, err
	}
	return &expr{typ: oidBool, eval: func(ec *evalCtx, f *frame) (any, error) {
		v, err := x.eval(ec, f)
		if b, ok := v.(bool); ok && err == nil {
			return !b, nil
		}
		return nil, err
	}}, nil
}

func (c *compiler) compileIsNull(e tree.Expr, not bool, sc *scope) (*expr, error) {
	x, err := c.compileExpr(e, sc)
	if err != nil {
		return nil, err
	}
	return &expr{typ: oidBool, eval: func(ec *evalCtx, f *frame) (any, error) {
		v, err := x.eval(ec, f)
		if err != nil {
			return nil, err
		}
		return (v == nil) != not, nil
	}}, nil
}

func (c *compiler) compileCase(e *tree.CaseExpr, sc *scope) (*expr, error) {
	var operand *expr
	var err error
	if e.Expr != nil {
		if operand, err = c.compileExpr(e.Expr, sc); err != nil {
			return nil, err
		}
	}
	conds := make([]*expr, len(e.Whens))
	vals := make([]*expr, len(e.Whens))
	typ := oidUnknown
	for i, w := range e.Whens {
		if operand != nil {
			v, err := c.compileExpr(w.Cond, sc)
			if err != nil {
				return nil, err
			}
			if conds[i], err = c.comparison("=", operand, v); err != nil {
				return nil, err
			}
		} else if conds[i], err = c.compileCondition(w.Cond, sc); err != nil {
			return nil, err
		}
		if vals[i], err = c.compileExpr(w.Val, sc); err != nil {
			return nil, err
		}
		typ = commonType(typ, vals[i].typ)
	}
	var els *expr
	if e.Else != nil {
		if els, err = c.compileExpr(e.Else, sc); err != nil {
			return nil, err
		}
		typ = commonType(typ, els.typ)
	}
	if typ == oidUnknown {
		typ = oidText
	}
	for i := range vals {
		vals[i] = c.coerce(vals[i], typ)
	}
	if els != nil {
		els = c.coerce(els, typ)
	}
	return &expr{typ: typ, eval: func(ec *evalCtx, f *frame) (any, error) {
		for i, cond := range conds {
			ok, err := evalBool(ec, cond, f)
			if err != nil {
				return nil, err
			}
			if ok {
				return vals[i].eval(ec, f)
			}
		}
		if els != nil {
			return els.eval(ec, f)
		}
		return nil, nil
	}}, nil
}

func (c *compiler) compileCoalesce(args tree.Exprs, sc *scope) (*expr, error) {
	xs, typ, err := c.compileCommon(args, sc)
	if err != nil {
		return nil, err
	}
	return &expr{typ: typ, eval: func(ec *evalCtx, f *frame) (any, error) {
		for _, x := range xs {
			v, err := x.eval(ec, f)
			if err != nil || v != nil {
				return v, err
			}
		}
		return nil, nil
	}}, nil
}

// compileCommon compiles expressions that must share a type (COALESCE,
// GREATEST, ARRAY[...]) and coerces them to it.
func (c *compiler) compileCommon(args tree.Exprs, sc *scope) ([]*expr, uint32, error) {
	xs := make([]*expr, len(args))
	typ := oidUnknown
	for i, a := range args {
		x, err := c.compileExpr(a, sc)
		if err != nil {
			return nil, 0, err
		}
		xs[i] = x
		typ = commonType(typ, x.typ)
	}
	if typ == oidUnknown {
		typ = oidText
	}
	for i := range xs {
		xs[i] = c.coerce(xs[i], typ)
	}
	return xs, typ, nil
}

func (c *compiler) compileNullIf(e *tree.NullIfExpr, sc *scope) (*expr, error) {
	a, err := c.compileExpr(e.Expr1, sc)
	if err != nil {
		return nil, err
	}
	b, err := c.compileExpr(e.Expr2, sc)
	if err != nil {
		return nil, err
	}
	if a.typ == oidUnknown {
		a = c.coerce(a, oidText)
	}
	eq, err := c.comparison("=", a, b)
	if err != nil {
		return nil, err
	}
	return &expr{typ: a.typ, eval: func(ec *evalCtx, f *frame) (any, error) {
		same, err := evalBool(ec, eq, f)
		if err != nil || same {
			return nil, err
		}
		return a.eval(ec, f)
	}}, nil
}

func (c *compiler) compileCast(e tree.Expr, ref tree.ResolvableTypeReference, sc *scope) (*expr, error) {
	t, err := resolveType(ref)
	if err != nil {
		return nil, err
	}
	x, err := c.compileExpr(e, sc)
	if err != nil {
		return nil, err
	}
	if x.typ == t {
		return x, nil
	}
	return c.coerce(x, t), nil
}

// resolveType maps a type reference to a pg_type OID.
func resolveType(ref tree.ResolvableTypeReference) (uint32, error) {
	switch t := ref.(type) {
	case *types.T:
		if t.Family() == types.ArrayFamily && uint32(t.Oid()) != oidInt2Vector && uint32(t.Oid()) != oidOIDVector {
			el, err := resolveType(t.ArrayContents())
			if err != nil {
				return 0, err
			}
			return arrayOf(el), nil
		}
		oid := uint32(t.Oid())
		if typeByOID[oid] == nil {
			return 0, errorf(codeUndefinedObject, "type %s is not supported in system catalog queries", t.SQLString())
		}
		return oid, nil
	case *tree.ArrayTypeReference:
		el, err := resolveType(t.ElementType)
		if err != nil {
			return 0, err
		}
		return arrayOf(el), nil
	case *tree.UnresolvedObjectName:
		name := t.Object()
		if t.HasExplicitSchema() && t.Schema() == "information_schema" {
			if base, ok := infoDomains[name]; ok {
				return base, nil
			}
		}
		if t.HasExplicitSchema() && t.Schema() != "pg_catalog" {
			return 0, errorf(codeUndefinedObject, "type %q does not exist", t.String())
		}
		if oid, ok := lookupTypeName(`"` + name + `"`); ok {
			return oid, nil
		}
		if base, ok := infoDomains[name]; ok {
			return base, nil
		}
		return 0, errorf(codeUndefinedObject, "type %q does not exist", t.String())
	}
	return 0, unsupported(fmt.Sprintf("type reference %T", ref))
}

// infoDomains are information_schema's domains, as their base types.
var infoDomains = map[string]uint32{
	"sql_identifier": oidName, "cardinal_number": oidInt4, "character_data": oidVarchar,
	"yes_or_no": oidVarchar, "time_stamp": oidTimestampTZ,
}

// figureName names an output column as PostgreSQL's FigureColname does.
func figureName(e tree.Expr) string {
	if n, strong := figureNameInternal(e); n != "" && strong > 0 {
		return n
	}
	return "?column?"
}

// figureNameInternal returns a name and its strength: 2 from a column or
// function, 1 from a type name of a cast of a constant.
func figureNameInternal(e tree.Expr) (string, int) {
	switch e := e.(type) {
	case *tree.ParenExpr:
		return figureNameInternal(e.Expr)
	case *tree.UnresolvedName:
		if e.Star {
			return "", 0
		}
		return e.Parts[0], 2
	case *tree.FuncExpr:
		if n, ok := e.Func.FunctionReference.(*tree.UnresolvedName); ok {
			return n.Parts[0], 2
		}
		return strings.ToLower(e.Func.String()), 2
	case *tree.CastExpr:
		return castName(e.Expr, e.Type)
	case *tree.AnnotateTypeExpr:
		return castName(e.Expr, e.Type)
	case *tree.CollateExpr:
		return figureNameInternal(e.Expr)
	case *tree.IndirectionExpr:
		return figureNameInternal(e.Expr)
	case *tree.Subquery:
		if e.Exists {
			return "exists", 2
		}
		if sel, err := subquerySelect(e); err == nil {
			if clause, ok := sel.Select.(*tree.SelectClause); ok && len(clause.Exprs) > 0 {
				if clause.Exprs[0].As != "" {
					return string(clause.Exprs[0].As), 2
				}
				return figureNameInternal(clause.Exprs[0].Expr)
			}
		}
	case *tree.ArrayFlatten, *tree.Array:
		return "array", 2
	case *tree.CaseExpr:
		if e.Else != nil {
			if n, s := figureNameInternal(e.Else); s > 1 {
				return n, s
			}
		}
		return "case", 1
	case *tree.CoalesceExpr:
		return strings.ToLower(e.Name), 2
	case *tree.NullIfExpr:
		return "nullif", 2
	case *tree.DBool:
		return "bool", 1
	case *tree.Tuple:
		return "row", 2
	}
	return "", 0
}

func castName(inner tree.Expr, ref tree.ResolvableTypeReference) (string, int) {
	if n, s := figureNameInternal(inner); s > 1 {
		return n, s
	}
	if t, err := resolveType(ref); err == nil {
		if td := typeByOID[t]; td != nil {
			if td.category == 'A' && td.elem != 0 {
				td = typeByOID[td.elem]
			}
			if td != nil {
				return td.name, 1
			}
		}
	}
	return "", 0
}

// describe names an AST node for "not supported" messages.
func describe(x any) string {
	name := fmt.Sprintf("%T", x)
	name = strings.TrimPrefix(strings.TrimPrefix(name, "*"), "tree.")
	if f, ok := x.(tree.NodeFormatter); ok {
		s := tree.AsString(f)
		if len(s) > 60 {
			s = s[:60] + "..."
		}
		return name + " (" + s + ")"
	}
	return name
}
