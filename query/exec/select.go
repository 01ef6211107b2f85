package exec

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// selector narrows a batch view: it returns the rows (positions in the
// record) of the view that satisfy one conjunct of a filter.
type selector func(b *batch) ([]int32, error)

// filterStep is one conjunct: its selector, and a statistics check that
// proves every row of a chunk passes (nil when there is none), so the
// selector can be skipped for chunks entirely inside a range.
type filterStep struct {
	sel selector
	all chunkCheck
	rng *rangeConj // set when a sorted chunk can answer it by binary search
}

// compileFilter compiles a predicate into selectors, one per conjunct,
// applied in order: each sees only the rows the previous ones kept.
// Conjuncts of the form column-op-constant read the Arrow buffers directly;
// anything else is evaluated as an expression.
func compileFilter(pred plan.Expr, in plan.Schema) ([]filterStep, error) {
	var out []filterStep
	for _, c := range splitConjuncts(pred) {
		all := allMatchCheck(c, in)
		var rng *rangeConj
		if r, ok := rangeOf(c, in); ok {
			rng = &r
		}
		if s, ok := fastSelector(c, in); ok {
			out = append(out, filterStep{s, all, rng})
			continue
		}
		e, err := compileExpr(c, in)
		if err != nil {
			return nil, err
		}
		out = append(out, filterStep{func(b *batch) ([]int32, error) {
			v, err := e.eval(b)
			if err != nil {
				return nil, err
			}
			return b.selectWhere(v), nil
		}, all, rng})
	}
	return out, nil
}

// splitConjuncts splits ANDs, and a BETWEEN on a column into its two
// comparisons so each can take the fast path.
func splitConjuncts(pred plan.Expr) []plan.Expr {
	var out []plan.Expr
	for _, c := range plan.Conjuncts(pred) {
		if b, ok := c.(plan.Between); ok && !b.Not {
			out = append(out, plan.Bin{Op: plan.OpGe, L: b.X, R: b.Lo}, plan.Bin{Op: plan.OpLe, L: b.X, R: b.Hi})
			continue
		}
		out = append(out, c)
	}
	return out
}

// colConst recognises column-op-constant in either order.
func colConst(e plan.Expr, in plan.Schema) (col int, op plan.BinOp, v plan.Value, ok bool) {
	b, isBin := e.(plan.Bin)
	if !isBin || !b.Op.IsComparison() {
		return 0, 0, v, false
	}
	c, l := b.L, b.R
	op = b.Op
	if _, isLit := c.(plan.Lit); isLit {
		c, l, op = l, c, op.Flip()
	}
	col, isCol := colIndex(c, in)
	lit, isLit := l.(plan.Lit)
	if !isCol || !isLit {
		return 0, 0, v, false
	}
	return col, op, lit.Value, true
}

func fastSelector(e plan.Expr, in plan.Schema) (selector, bool) {
	if col, m, l, ok := columnLike(e, in); ok {
		return likeSelector(col, m, l.Not), true
	}
	if n, ok := e.(plan.IsNull); ok {
		if c, isCol := colIndex(n.X, in); isCol {
			return nullSelector(c, n.Not), true
		}
		return nil, false
	}
	col, op, v, ok := colConst(e, in)
	if !ok {
		return nil, false
	}
	if v.Null {
		return func(*batch) ([]int32, error) { return []int32{}, nil }, true
	}
	t := in[col].Type
	switch {
	case (t == storage.TypeInt64 || t == storage.TypeInt32) && plan.IsInteger(v.Type),
		t == storage.TypeTimestamp && v.Type == storage.TypeTimestamp,
		t == storage.TypeDate && v.Type == storage.TypeDate:
		return intSelector(col, op, v.Int), true
	case t == storage.TypeTimestamp && v.Type == storage.TypeDate:
		return intSelector(col, op, v.Int*usPerDay), true
	case t == storage.TypeFloat64 && (v.Type == storage.TypeFloat64 || plan.IsInteger(v.Type)):
		f := v.Float
		if plan.IsInteger(v.Type) {
			f = float64(v.Int)
		}
		if f != f {
			return nil, false
		}
		return floatSelector(col, op, f), true
	case t == storage.TypeString && v.Type == storage.TypeString:
		return stringSelector(col, op, v.Str), true
	}
	return nil, false
}

func nullSelector(col int, not bool) selector {
	return func(b *batch) ([]int32, error) {
		a := b.rec.Column(col)
		out := make([]int32, 0, b.n)
		bits, off := a.NullBitmapBytes(), a.Data().Offset()
		noNulls := a.NullN() == 0
		for k := 0; k < b.n; k++ {
			r := row(b.sel, k)
			isNull := !noNulls && (bits == nil || !bitutil.BitIsSet(bits, off+r))
			if isNull != not {
				out = append(out, int32(r))
			}
		}
		return out, nil
	}
}

// dropNulls removes rows whose value is NULL from a selection, in place.
func dropNulls(a arrow.Array, rows []int32) []int32 {
	if a.NullN() == 0 {
		return rows
	}
	bits, off := a.NullBitmapBytes(), a.Data().Offset()
	out := rows[:0]
	for _, r := range rows {
		if bits != nil && bitutil.BitIsSet(bits, off+int(r)) {
			out = append(out, r)
		}
	}
	return out
}

func intSelector(col int, op plan.BinOp, c int64) selector {
	return func(b *batch) ([]int32, error) {
		a := b.rec.Column(col)
		out := make([]int32, 0, b.n)
		switch a := a.(type) {
		case *array.Int64:
			out = selectInts(op, a.Int64Values(), c, b.sel, out)
		case *array.Int32:
			out = selectInts(op, a.Int32Values(), c, b.sel, out)
		case *array.Timestamp:
			ts := a.TimestampValues()
			out = selectInts(op, unsafe.Slice((*int64)(unsafe.SliceData(ts)), len(ts)), c, b.sel, out)
		case *array.Date32:
			out = selectInts(op, a.Date32Values(), c, b.sel, out)
		default:
			panic("BUG: intSelector on " + a.DataType().String())
		}
		return dropNulls(a, out), nil
	}
}

// selectInts appends the rows (all, or those in sel) whose value passes
// `value op c`. One loop per operator keeps the comparison out of a switch.
func selectInts[T ~int64 | ~int32](op plan.BinOp, vals []T, c int64, sel []int32, out []int32) []int32 {
	if sel == nil {
		switch op {
		case plan.OpEq:
			for i, v := range vals {
				if int64(v) == c {
					out = append(out, int32(i))
				}
			}
		case plan.OpNe:
			for i, v := range vals {
				if int64(v) != c {
					out = append(out, int32(i))
				}
			}
		case plan.OpLt:
			for i, v := range vals {
				if int64(v) < c {
					out = append(out, int32(i))
				}
			}
		case plan.OpLe:
			for i, v := range vals {
				if int64(v) <= c {
					out = append(out, int32(i))
				}
			}
		case plan.OpGt:
			for i, v := range vals {
				if int64(v) > c {
					out = append(out, int32(i))
				}
			}
		case plan.OpGe:
			for i, v := range vals {
				if int64(v) >= c {
					out = append(out, int32(i))
				}
			}
		}
		return out
	}
	switch op {
	case plan.OpEq:
		for _, r := range sel {
			if int64(vals[r]) == c {
				out = append(out, r)
			}
		}
	case plan.OpNe:
		for _, r := range sel {
			if int64(vals[r]) != c {
				out = append(out, r)
			}
		}
	case plan.OpLt:
		for _, r := range sel {
			if int64(vals[r]) < c {
				out = append(out, r)
			}
		}
	case plan.OpLe:
		for _, r := range sel {
			if int64(vals[r]) <= c {
				out = append(out, r)
			}
		}
	case plan.OpGt:
		for _, r := range sel {
			if int64(vals[r]) > c {
				out = append(out, r)
			}
		}
	case plan.OpGe:
		for _, r := range sel {
			if int64(vals[r]) >= c {
				out = append(out, r)
			}
		}
	}
	return out
}

// floatSelector compares with a non-NaN constant; a NaN value is above
// every number, as in PostgreSQL.
func floatSelector(col int, op plan.BinOp, c float64) selector {
	return func(b *batch) ([]int32, error) {
		a := b.rec.Column(col)
		vals := a.(*array.Float64).Float64Values()
		out := make([]int32, 0, b.n)
		for k := 0; k < b.n; k++ {
			r := row(b.sel, k)
			v := vals[r]
			var ok bool
			switch op {
			case plan.OpEq:
				ok = v == c
			case plan.OpNe:
				ok = v != c
			case plan.OpLt:
				ok = v < c
			case plan.OpLe:
				ok = v <= c
			case plan.OpGt:
				ok = v > c || v != v
			case plan.OpGe:
				ok = v >= c || v != v
			}
			if ok {
				out = append(out, int32(r))
			}
		}
		return dropNulls(a, out), nil
	}
}

// stringSelector compares a string column with a constant. On a
// dictionary-encoded chunk the comparison runs once per dictionary entry.
func stringSelector(col int, op plan.BinOp, c string) selector {
	test := func(s string) bool {
		switch {
		case s < c:
			return testCmp(op, -1)
		case s > c:
			return testCmp(op, 1)
		}
		return testCmp(op, 0)
	}
	return func(b *batch) ([]int32, error) {
		a := b.rec.Column(col)
		if d, ok := a.(*array.Dictionary); ok {
			dict := stringsOf(d.Dictionary(), nil)
			keep := make([]bool, len(dict))
			for i, s := range dict {
				keep[i] = test(s)
			}
			return dropNulls(a, keptRowsOf(d, b.sel, b.n, keep)), nil
		}
		out := make([]int32, 0, b.n)
		vals := stringsOf(a, b.sel)
		for k, s := range vals {
			if test(s) {
				out = append(out, int32(row(b.sel, k)))
			}
		}
		return dropNulls(a, out), nil
	}
}
