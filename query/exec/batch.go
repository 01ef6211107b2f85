package exec

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/stratadb/strata/storage"
)

// batch is a view of one morsel under a selection: the rows of rec that
// sel names (every row when sel is nil). Expressions evaluate over the
// view, so their vectors are positional: slot k is row sel[k]. Evaluating
// only selected rows matters for correctness, not just speed: a row hidden
// by its version or by an earlier AND must not raise an error.
type batch struct {
	rec   arrow.RecordBatch
	chunk *storage.Chunk // source chunk for statistics; nil for intermediate results
	types []storage.ColumnType
	sel   []int32
	n     int
	cache []*vector
}

func newBatch(rec arrow.RecordBatch, types []storage.ColumnType, sel []int32) *batch {
	n := int(rec.NumRows())
	if sel != nil {
		n = len(sel)
	}
	return &batch{rec: rec, types: types, sel: sel, n: n, cache: make([]*vector, len(types))}
}

// withSel narrows the view to rows, which are positions in rec.
func (b *batch) withSel(rows []int32) *batch {
	nb := newBatch(b.rec, b.types, rows)
	nb.chunk = b.chunk
	return nb
}

// column returns input column i over the view, converted once per view.
func (b *batch) column(i int) *vector {
	if b.cache[i] == nil {
		v := columnVector(b.types[i], b.rec.Column(i), b.sel)
		if b.chunk != nil && v.ints != nil {
			v.bound, v.bounded = absBound(b.chunk.Stats(i))
		}
		b.cache[i] = v
	}
	return b.cache[i]
}

// selectWhere returns the rows (positions in rec) whose slot in v is true.
func (b *batch) selectWhere(v *vector) []int32 {
	out := make([]int32, 0, b.n)
	if v.cnst {
		if v.isNull(0) || !v.bools[0] {
			return out
		}
		for k := 0; k < b.n; k++ {
			out = append(out, int32(row(b.sel, k)))
		}
		return out
	}
	for k, t := range v.bools {
		if t && (v.nulls == nil || !v.nulls[k]) {
			out = append(out, int32(row(b.sel, k)))
		}
	}
	return out
}

// absBound is the largest absolute value an integer column's stats allow.
func absBound(st storage.ColumnStats) (int64, bool) {
	if !st.HasRange || st.MinInt == math.MinInt64 {
		return 0, false
	}
	return max(st.MaxInt, -st.MinInt), true
}
