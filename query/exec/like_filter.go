package exec

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// A conjunct `column LIKE 'constant'` reads the Arrow column directly, as
// comparisons with constants do: on a dictionary-encoded chunk the pattern
// is matched once per dictionary entry and rows are kept by code. LIKE
// 'prefix%' (and an exact pattern) also prunes chunks by min/max.

// columnLike recognises a LIKE of a string column with a constant,
// non-NULL pattern that compiles.
func columnLike(e plan.Expr, in plan.Schema) (col int, m *likeMatcher, l plan.Like, ok bool) {
	l, isLike := e.(plan.Like)
	if !isLike {
		return 0, nil, l, false
	}
	col, isCol := colIndex(l.X, in)
	p, isLit := l.Pattern.(plan.Lit)
	if !isCol || !isLit || in[col].Type != storage.TypeString || p.Value.Null || p.Value.Type != storage.TypeString {
		return 0, nil, l, false
	}
	m, err := compileLike(p.Value.Str, l.CaseInsensitive)
	if err != nil {
		return 0, nil, l, false // the expression path reports it, if a row needs it
	}
	return col, m, l, true
}

func likeSelector(col int, m *likeMatcher, not bool) selector {
	return func(b *batch) ([]int32, error) {
		a := b.rec.Column(col)
		if d, ok := a.(*array.Dictionary); ok {
			dict := stringsOf(d.Dictionary(), nil)
			keep := make([]bool, len(dict))
			for i, s := range dict {
				keep[i] = m.match(s) != not
			}
			return dropNulls(a, keptRowsOf(d, b.sel, b.n, keep)), nil
		}
		out := make([]int32, 0, b.n)
		for k, s := range stringsOf(a, b.sel) {
			if m.match(s) != not {
				out = append(out, int32(row(b.sel, k)))
			}
		}
		return dropNulls(a, out), nil
	}
}

// likePruneCheck: a chunk may hold a string with prefix p only if its
// range [min, max] reaches [p, the first string above every p...]: max >=
// p, and min < p or min starts with p. Case-insensitive, negated and
// patterns starting with a wildcard give no check.
func likePruneCheck(e plan.Expr, in plan.Schema) chunkCheck {
	col, m, l, ok := columnLike(e, in)
	if !ok || l.Not || l.CaseInsensitive || (m.kind != likePrefix && m.kind != likeExact && m.kind != likePieces) || m.pieces[0] == "" {
		return nil
	}
	p := m.pieces[0]
	return func(ch *storage.Chunk) bool {
		st := ch.Stats(col)
		if st.NullCount == ch.Rows() {
			return false
		}
		if !st.HasRange {
			return true
		}
		return st.MaxString >= p && (st.MinString < p || strings.HasPrefix(st.MinString, p))
	}
}
