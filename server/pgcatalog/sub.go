package pgcatalog

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
)

// compileSubPlan compiles a subquery seen from sc and notes whether it
// refers to sc (or further out): if not, it runs once per Run.
func (c *compiler) compileSubPlan(sq *tree.Subquery, sc *scope) (*subPlan, []column, error) {
	sel, err := subquerySelect(sq)
	if err != nil {
		return nil, nil, err
	}
	t := &tracker{level: sc.nextLevel()}
	c.trackers = append(c.trackers, t)
	plan, err := c.compileSelect(sel, sc)
	c.trackers = c.trackers[:len(c.trackers)-1]
	if err != nil {
		return nil, nil, err
	}
	return &subPlan{plan: plan, correlated: t.correlated}, plan.columns(), nil
}

func (c *compiler) compileScalarSubquery(sq *tree.Subquery, sc *scope) (*expr, error) {
	sp, cols, err := c.compileSubPlan(sq, sc)
	if err != nil {
		return nil, err
	}
	if sq.Exists {
		return &expr{typ: oidBool, eval: func(ec *evalCtx, f *frame) (any, error) {
			rows, err := sp.run(ec, f)
			if err != nil {
				return nil, err
			}
			return len(rows) > 0, nil
		}}, nil
	}
	if len(cols) != 1 {
		return nil, errorf(codeSyntax, "subquery must return only one column")
	}
	typ := cols[0].typ
	if typ == oidUnknown {
		typ = oidText
	}
	return &expr{typ: typ, eval: func(ec *evalCtx, f *frame) (any, error) {
		rows, err := sp.run(ec, f)
		if err != nil {
			return nil, err
		}
		switch len(rows) {
		case 0:
			return nil, nil
		case 1:
			return rows[0][0], nil
		}
		return nil, errorf(codeCardinality, "more than one row returned by a subquery used as an expression")
	}}, nil
}

// compileArrayFlatten compiles ARRAY(SELECT ...).
func (c *compiler) compileArrayFlatten(a *tree.ArrayFlatten, sc *scope) (*expr, error) {
	sq, ok := a.Subquery.(*tree.Subquery)
	if !ok {
		return nil, unsupported(describe(a.Subquery))
	}
	sp, cols, err := c.compileSubPlan(sq, sc)
	if err != nil {
		return nil, err
	}
	if len(cols) != 1 {
		return nil, errorf(codeSyntax, "subquery must return only one column")
	}
	el := cols[0].typ
	if el == oidUnknown {
		el = oidText
	}
	return &expr{typ: arrayOf(el), eval: func(ec *evalCtx, f *frame) (any, error) {
		rows, err := sp.run(ec, f)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(rows))
		for i, r := range rows {
			out[i] = r[0]
		}
		return out, nil
	}}, nil
}

// compileArray compiles ARRAY[a, b, ...].
func (c *compiler) compileArray(a *tree.Array, sc *scope) (*expr, error) {
	xs, el, err := c.compileCommon(a.Exprs, sc)
	if err != nil {
		return nil, err
	}
	if kindOf(el) == kArray {
		return nil, unsupported("multidimensional arrays")
	}
	return &expr{typ: arrayOf(el), eval: func(ec *evalCtx, f *frame) (any, error) {
		return evalAll(ec, xs, f)
	}}, nil
}

// compileIndirection compiles arr[i]: 1-based, except int2vector and
// oidvector, which count from 0 as in PostgreSQL.
func (c *compiler) compileIndirection(e *tree.IndirectionExpr, sc *scope) (*expr, error) {
	if len(e.Indirection) != 1 || e.Indirection[0].Slice {
		return nil, unsupported("array slices and multidimensional subscripts")
	}
	arr, err := c.compileExpr(e.Expr, sc)
	if err != nil {
		return nil, err
	}
	if kindOf(arr.typ) != kArray {
		return nil, errorf(codeDatatypeMismatch, "cannot subscript type %s because it does not support subscripting", typeName(arr.typ))
	}
	idx, err := c.compileExpr(e.Indirection[0].Begin, sc)
	if err != nil {
		return nil, err
	}
	idx = c.coerce(idx, oidInt8)
	base := int64(1)
	if arr.typ == oidInt2Vector || arr.typ == oidOIDVector {
		base = 0
	}
	return &expr{typ: elemType(arr.typ), eval: func(ec *evalCtx, f *frame) (any, error) {
		a, err := arr.eval(ec, f)
		if err != nil || a == nil {
			return nil, err
		}
		i, err := idx.eval(ec, f)
		if err != nil || i == nil {
			return nil, err
		}
		n, _ := i.(int64)
		elems, _ := a.([]any)
		if n < base || n-base >= int64(len(elems)) {
			return nil, nil
		}
		return elems[n-base], nil
	}}, nil
}

// compileFieldAccess compiles (record).field. Strata has no composite
// values: the only records are information_schema._pg_expandarray's,
// which JDBC's getPrimaryKeys calls on pg_index, which is empty; a NULL
// record gives a NULL field, anything else is refused when evaluated.
func (c *compiler) compileFieldAccess(e *tree.ColumnAccessExpr, sc *scope) (*expr, error) {
	x, err := c.compileExpr(e.Expr, sc)
	if err != nil {
		return nil, err
	}
	if x.typ != oidRecord {
		return nil, errorf(codeDatatypeMismatch, "column notation .%s applied to type %s, which is not a composite type", e.ColName, typeName(x.typ))
	}
	typ := oidUnknown
	if e.ColName == "n" {
		typ = oidInt4
	}
	return &expr{typ: typ, eval: func(ec *evalCtx, f *frame) (any, error) {
		v, err := x.eval(ec, f)
		if err != nil || v == nil {
			return nil, err
		}
		return nil, unsupported("a composite value")
	}}, nil
}
