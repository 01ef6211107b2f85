package exec

import (
	"sort"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// rangeConj is a conjunct `column op constant` on an integer-like column,
// which a chunk sorted on that column answers with a binary search.
type rangeConj struct {
	col int
	op  plan.BinOp
	c   int64
}

// rangeOf recognises a range conjunct (any comparison but <>).
func rangeOf(e plan.Expr, in plan.Schema) (rangeConj, bool) {
	col, op, v, ok := colConst(e, in)
	if !ok || v.Null || op == plan.OpNe {
		return rangeConj{}, false
	}
	t := in[col].Type
	switch {
	case (t == storage.TypeInt64 || t == storage.TypeInt32) && plan.IsInteger(v.Type),
		t == storage.TypeTimestamp && v.Type == storage.TypeTimestamp,
		t == storage.TypeDate && v.Type == storage.TypeDate:
		return rangeConj{col, op, v.Int}, true
	case t == storage.TypeTimestamp && v.Type == storage.TypeDate:
		return rangeConj{col, op, v.Int * usPerDay}, true
	}
	return rangeConj{}, false
}

// sortedColumn is the column a table's chunks are sorted on first, if it
// is integer-like, else -1.
func sortedColumn(def *storage.TableDef, in plan.Schema) int {
	if len(def.SortKey) == 0 {
		return -1
	}
	i := in.Index(def.SortKey[0])
	if i < 0 || !isIntLike(in[i].Type) {
		return -1
	}
	return i
}

// narrow shrinks [lo, hi) to the rows of a column sorted ascending without
// nulls that satisfy the conjunct.
func (r rangeConj) narrow(a arrow.Array, lo, hi int) (int, int) {
	at := intReader(a)
	first := func(pred func(int64) bool) int {
		return lo + sort.Search(hi-lo, func(i int) bool { return pred(at(lo + i)) })
	}
	switch r.op {
	case plan.OpLt:
		hi = first(func(v int64) bool { return v >= r.c })
	case plan.OpLe:
		hi = first(func(v int64) bool { return v > r.c })
	case plan.OpGt:
		lo = first(func(v int64) bool { return v > r.c })
	case plan.OpGe:
		lo = first(func(v int64) bool { return v >= r.c })
	case plan.OpEq:
		lo, hi = first(func(v int64) bool { return v >= r.c }), first(func(v int64) bool { return v > r.c })
	}
	return lo, max(lo, hi)
}

func intReader(a arrow.Array) func(int) int64 {
	switch a := a.(type) {
	case *array.Int64:
		vals := a.Int64Values()
		return func(i int) int64 { return vals[i] }
	case *array.Int32:
		vals := a.Int32Values()
		return func(i int) int64 { return int64(vals[i]) }
	case *array.Timestamp:
		ts := a.TimestampValues()
		vals := unsafe.Slice((*int64)(unsafe.SliceData(ts)), len(ts))
		return func(i int) int64 { return vals[i] }
	case *array.Date32:
		vals := a.Date32Values()
		return func(i int) int64 { return int64(vals[i]) }
	}
	panic("BUG: intReader on " + a.DataType().String())
}

// narrowSorted applies the range conjuncts on a chunk's sort column by
// binary search. It returns the row range and which steps it answered;
// ok is false when it does not apply.
func narrowSorted(in *input, m morsel, filters []filterStep) (lo, hi int, answered []bool, ok bool) {
	c := m.chunk
	if c == nil || !c.Sorted() || in.sortCol < 0 || c.Stats(in.sortCol).NullCount > 0 {
		return 0, 0, nil, false
	}
	lo, hi = 0, c.Rows()
	for i, f := range filters {
		if f.rng == nil || f.rng.col != in.sortCol {
			continue
		}
		if answered == nil {
			answered = make([]bool, len(filters))
		}
		lo, hi = f.rng.narrow(m.rec.Column(in.sortCol), lo, hi)
		answered[i] = true
	}
	return lo, hi, answered, answered != nil
}
