package exec

import (
	"cmp"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// chunkCheck reports whether a chunk may hold a matching row, judging by
// its statistics alone. It must never say no to a chunk that has one.
type chunkCheck func(c *storage.Chunk) bool

// compilePruning derives stats checks from a filter's conjuncts. Conjuncts
// it does not understand add no check.
func compilePruning(pred plan.Expr, in plan.Schema) []chunkCheck {
	var out []chunkCheck
	for _, c := range splitConjuncts(pred) {
		if chk := pruneCheck(c, in); chk != nil {
			out = append(out, chk)
		}
	}
	return out
}

func pruneCheck(e plan.Expr, in plan.Schema) chunkCheck {
	switch e := e.(type) {
	case plan.IsNull:
		col, ok := colIndex(e.X, in)
		if !ok {
			return nil
		}
		not := e.Not
		return func(ch *storage.Chunk) bool {
			nulls := ch.Stats(col).NullCount
			if not {
				return nulls < ch.Rows()
			}
			return nulls > 0
		}
	case plan.In:
		return inCheck(e, in)
	case plan.Like:
		return likePruneCheck(e, in)
	}
	col, op, v, ok := colConst(e, in)
	if !ok {
		return nil
	}
	t := in[col].Type
	return func(ch *storage.Chunk) bool {
		st := ch.Stats(col)
		if v.Null || st.NullCount == ch.Rows() {
			return false // a comparison with NULL is never true
		}
		if !st.HasRange {
			return true
		}
		lo, hi, ok := statBounds(t, st, v)
		return !ok || rangeMayMatch(op, lo, hi)
	}
}

// rangeMayMatch decides `column op v` for a column whose values lie in
// [min, max], given lo = cmp(min, v) and hi = cmp(max, v).
func rangeMayMatch(op plan.BinOp, lo, hi int) bool {
	switch op {
	case plan.OpEq:
		return lo <= 0 && hi >= 0
	case plan.OpNe:
		return !(lo == 0 && hi == 0)
	case plan.OpLt:
		return lo < 0
	case plan.OpLe:
		return lo <= 0
	case plan.OpGt:
		return hi > 0
	case plan.OpGe:
		return hi >= 0
	}
	return true
}

// statBounds compares a column's min and max with a constant: lo =
// cmp(min, v), hi = cmp(max, v); ok is false when it cannot tell.
func statBounds(t storage.ColumnType, st storage.ColumnStats, v plan.Value) (lo, hi int, ok bool) {
	lo, okLo := compareStat(t, st, false, v)
	hi, okHi := compareStat(t, st, true, v)
	return lo, hi, okLo && okHi
}

// compareStat compares a column's min (or max) with a constant, in the
// domain they are compared in; ok is false when it cannot tell.
func compareStat(t storage.ColumnType, st storage.ColumnStats, useMax bool, v plan.Value) (int, bool) {
	i, f, s := st.MinInt, st.MinFloat, st.MinString
	if useMax {
		i, f, s = st.MaxInt, st.MaxFloat, st.MaxString
	}
	switch {
	case t == storage.TypeString || t == storage.TypeBinary:
		if v.Type != t {
			return 0, false
		}
		return cmp.Compare(s, v.Str), true
	case t == storage.TypeFloat64:
		switch {
		case v.Type == storage.TypeFloat64:
			return storage.CompareFloat(f, v.Float), true
		case plan.IsInteger(v.Type):
			return storage.CompareFloat(f, float64(v.Int)), true
		}
	case plan.IsInteger(t):
		switch {
		case plan.IsInteger(v.Type):
			return cmp.Compare(i, v.Int), true
		case v.Type == storage.TypeFloat64:
			return storage.CompareFloat(float64(i), v.Float), true
		}
	case t == storage.TypeTimestamp:
		switch v.Type {
		case storage.TypeTimestamp:
			return cmp.Compare(i, v.Int), true
		case storage.TypeDate:
			return cmp.Compare(i, v.Int*usPerDay), true
		}
	case t == storage.TypeDate:
		switch v.Type {
		case storage.TypeDate:
			return cmp.Compare(i, v.Int), true
		case storage.TypeTimestamp:
			return cmp.Compare(i*usPerDay, v.Int), true
		}
	case t == storage.TypeBool:
		if v.Type == storage.TypeBool {
			return cmp.Compare(i, v.Int), true
		}
	}
	return 0, false
}

func inCheck(e plan.In, in plan.Schema) chunkCheck {
	col, ok := colIndex(e.X, in)
	if !ok || e.Not {
		return nil
	}
	t := in[col].Type
	var vals []plan.Value
	for _, item := range e.List {
		lit, ok := item.(plan.Lit)
		if !ok {
			return nil
		}
		if !lit.Value.Null {
			vals = append(vals, lit.Value)
		}
	}
	return func(ch *storage.Chunk) bool {
		st := ch.Stats(col)
		if len(vals) == 0 || st.NullCount == ch.Rows() {
			return false
		}
		if !st.HasRange {
			return true
		}
		for _, v := range vals {
			if lo, hi, ok := statBounds(t, st, v); !ok || rangeMayMatch(plan.OpEq, lo, hi) {
				return true
			}
		}
		return false
	}
}

// maxBucketCombos bounds the partition-key value combinations worth hashing.
const maxBucketCombos = 256

// partitionBuckets returns the buckets that can hold matching rows when the
// filter pins every partition-key column to constants (= or IN), or nil
// when any bucket may.
func partitionBuckets(def *storage.TableDef, pred plan.Expr, in plan.Schema) map[int]bool {
	if len(def.PartitionKey) == 0 || def.Buckets <= 1 || pred == nil {
		return nil
	}
	hashes := []storage.KeyHash{storage.NewKeyHash()}
	for _, name := range def.PartitionKey {
		vals, ok := pinnedValues(name, pred, in)
		if !ok || len(hashes)*len(vals) > maxBucketCombos {
			return nil
		}
		t := in[in.Index(name)].Type
		var next []storage.KeyHash
		for _, h := range hashes {
			for _, v := range vals {
				hv, ok := hashValue(h, t, v)
				if !ok {
					return nil
				}
				next = append(next, hv)
			}
		}
		hashes = next
	}
	out := map[int]bool{}
	for _, h := range hashes {
		out[h.Bucket(def.Buckets)] = true
	}
	return out
}

// pinnedValues finds a conjunct `name = const` or `name IN (consts)`.
func pinnedValues(name string, pred plan.Expr, in plan.Schema) ([]plan.Value, bool) {
	for _, c := range plan.Conjuncts(pred) {
		if col, op, v, ok := colConst(c, in); ok && op == plan.OpEq && in[col].Name == name {
			return []plan.Value{v}, true
		}
		if e, ok := c.(plan.In); ok && !e.Not {
			if col, isCol := colIndex(e.X, in); isCol && in[col].Name == name {
				var vals []plan.Value
				for _, item := range e.List {
					lit, isLit := item.(plan.Lit)
					if !isLit {
						return nil, false
					}
					vals = append(vals, lit.Value)
				}
				return vals, true
			}
		}
	}
	return nil, false
}

// hashValue hashes a constant as storage hashes the column's values.
// NULL matches nothing, so it needs no bucket; ok is false when the
// constant's type does not map exactly onto the column's.
func hashValue(h storage.KeyHash, t storage.ColumnType, v plan.Value) (storage.KeyHash, bool) {
	if v.Null {
		return h.Null(), true
	}
	switch {
	case t == storage.TypeString || t == storage.TypeBinary:
		return h.String(v.Str), v.Type == t
	case t == storage.TypeFloat64:
		if plan.IsInteger(v.Type) {
			return h.Float(float64(v.Int)), true
		}
		return h.Float(v.Float), v.Type == storage.TypeFloat64
	case plan.IsInteger(t):
		return h.Int(v.Int), plan.IsInteger(v.Type)
	case t == storage.TypeTimestamp && v.Type == storage.TypeDate:
		return h.Int(v.Int * usPerDay), true
	}
	return h.Int(v.Int), v.Type == t
}

// allMatchCheck returns a check that every row of a chunk satisfies the
// conjunct (so no row needs testing), or nil when stats cannot tell.
func allMatchCheck(e plan.Expr, in plan.Schema) chunkCheck {
	if n, ok := e.(plan.IsNull); ok {
		col, isCol := colIndex(n.X, in)
		if !isCol {
			return nil
		}
		not := n.Not
		return func(ch *storage.Chunk) bool {
			nulls := ch.Stats(col).NullCount
			if not {
				return nulls == 0
			}
			return nulls == ch.Rows()
		}
	}
	col, op, v, ok := colConst(e, in)
	if !ok || v.Null {
		return nil
	}
	t := in[col].Type
	return func(ch *storage.Chunk) bool {
		st := ch.Stats(col)
		if st.NullCount > 0 || !st.HasRange {
			return false
		}
		lo, hi, ok := statBounds(t, st, v)
		return ok && rangeAllMatch(op, lo, hi)
	}
}

// rangeAllMatch decides whether `column op v` holds for every value in
// [min, max], given lo = cmp(min, v) and hi = cmp(max, v).
func rangeAllMatch(op plan.BinOp, lo, hi int) bool {
	switch op {
	case plan.OpEq:
		return lo == 0 && hi == 0
	case plan.OpNe:
		return lo > 0 || hi < 0
	case plan.OpLt:
		return hi < 0
	case plan.OpLe:
		return hi <= 0
	case plan.OpGt:
		return lo > 0
	case plan.OpGe:
		return lo >= 0
	}
	return false
}
