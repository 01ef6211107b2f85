package pgcatalog

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree/treecmp"
)

// Nested loops over every pair of rows are fine for psql's queries but
// not for the metadata queries of JDBC and GUI tools, which join
// pg_attribute (a row per column of every relation) with pg_type and
// more. So, without changing any answer:
//
//   - a WHERE conjunct that reads a single FROM item (and enclosing
//     queries) filters that item before the joins; an ON conjunct that
//     reads one side filters it where the join kind allows;
//   - a conjunct a.x = b.y between two columns of the two sides of a join
//     (or of a comma join) makes it a hash join on them.
//
// The full WHERE and ON are still evaluated on the rows that remain.

// conjuncts splits e at its top-level ANDs.
func conjuncts(e tree.Expr) []tree.Expr {
	switch x := e.(type) {
	case *tree.AndExpr:
		return append(conjuncts(x.Left), conjuncts(x.Right)...)
	case *tree.ParenExpr:
		return conjuncts(x.Expr)
	}
	return []tree.Expr{e}
}

// lookupIn finds a column of s: idx -1 if none.
func lookupIn(s *scope, table, name string) (idx int, ambiguous bool) {
	idx = -1
	for i, col := range s.cols {
		if col.name != name || (table != "" && col.table != table) || (table == "" && col.hidden) {
			continue
		}
		if idx >= 0 {
			ambiguous = true
		}
		idx = i
	}
	return idx, ambiguous
}

func nameParts(n *tree.UnresolvedName) (table, name string) {
	if n.NumParts > 1 {
		table = n.Parts[1]
	}
	return table, n.Parts[0]
}

// columnRefs lists the columns of sc (depth 0) e reads. ok is false when
// e cannot be moved: it has a subquery, an aggregate or window function,
// a star, or a name that does not resolve.
func columnRefs(e tree.Expr, sc *scope) (refs []int, ok bool) {
	ok = true
	_, _ = tree.SimpleVisit(e, func(x tree.Expr) (bool, tree.Expr, error) {
		if !ok {
			return false, x, nil
		}
		switch x := x.(type) {
		case *tree.Subquery, *tree.ArrayFlatten, tree.UnqualifiedStar, *tree.AllColumnsSelector, *tree.TupleStar:
			ok = false
		case *tree.FuncExpr:
			if x.WindowDef != nil || aggregates[funcName(x)] {
				ok = false
			}
		case *tree.UnresolvedName:
			if x.Star {
				ok = false
				break
			}
			table, name := nameParts(x)
			idx, amb := lookupIn(sc, table, name)
			switch {
			case amb:
				ok = false
			case idx >= 0:
				refs = append(refs, idx)
			default:
				found := false
				for s := sc.parent; s != nil && !found; s = s.parent {
					i, a := lookupIn(s, table, name)
					found = i >= 0 && !a
				}
				ok = found
			}
			return false, x, nil
		}
		return ok, x, nil
	})
	return refs, ok
}

// equiColumns reads a conjunct x = y between two plain columns of sc.
func equiColumns(e tree.Expr, sc *scope) (l, r int, ok bool) {
	cmp, isCmp := stripParens(e).(*tree.ComparisonExpr)
	if !isCmp || cmp.Operator.Symbol != treecmp.EQ {
		return 0, 0, false
	}
	ln, lok := stripParens(cmp.Left).(*tree.UnresolvedName)
	rn, rok := stripParens(cmp.Right).(*tree.UnresolvedName)
	if !lok || !rok || ln.Star || rn.Star {
		return 0, 0, false
	}
	lt, lname := nameParts(ln)
	rt, rname := nameParts(rn)
	li, la := lookupIn(sc, lt, lname)
	ri, ra := lookupIn(sc, rt, rname)
	if li < 0 || ri < 0 || la || ra || !hashable(sc.cols[li].typ, sc.cols[ri].typ) {
		return 0, 0, false
	}
	return li, ri, true
}

// hashable reports whether equal values of types a and b have equal keys.
func hashable(a, b uint32) bool {
	ka, kb := kindOf(a), kindOf(b)
	num := func(k kind) bool { return k == kInt || k == kOID || k == kFloat }
	return ka == kb && ka != kArray || num(ka) && num(kb)
}

// within reports whether every ref is in [lo, hi).
func within(refs []int, lo, hi int) bool {
	for _, r := range refs {
		if r < lo || r >= hi {
			return false
		}
	}
	return true
}

// filterNode keeps the rows of in for which cond is true.
type filterNode struct {
	in   node
	cond *expr
}

func (f *filterNode) columns() []column { return f.in.columns() }

func (f *filterNode) rows(ec *evalCtx, outer *frame) ([][]any, error) {
	rows, err := f.in.rows(ec, outer)
	if err != nil {
		return nil, err
	}
	out := rows[:0]
	fr := &frame{up: outer}
	for _, r := range rows {
		fr.row = r
		ok, err := evalBool(ec, f.cond, fr)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// pushFilter compiles conj against the columns [lo, hi) of sc alone and
// filters n with it; on any error n is returned as is (the full
// condition, compiled later, reports it).
func (c *compiler) pushFilter(n node, conj tree.Expr, sc *scope, lo, hi int) node {
	sub := &scope{cols: sc.cols[lo:hi], parent: sc.parent, level: sc.level}
	saved := append([]uint32(nil), c.params...)
	cond, err := c.compileCondition(conj, sub)
	if err != nil {
		c.params = saved
		return n
	}
	return &filterNode{in: n, cond: cond}
}

// pushInto filters n (whose columns are [lo, hi) of sc) with conj, as
// deep into n's joins as their kinds allow: a WHERE conjunct may filter
// the preserved side of an outer join, or either side of an inner one.
func (c *compiler) pushInto(n node, conj tree.Expr, refs []int, sc *scope, lo, hi int) node {
	if j, ok := n.(*joinNode); ok && !j.lateral {
		mid := lo + len(j.left.columns())
		switch {
		case within(refs, lo, mid) && (j.kind == joinInner || j.kind == joinLeft):
			j.left = c.pushInto(j.left, conj, refs, sc, lo, mid)
			return j
		case within(refs, mid, hi) && (j.kind == joinInner || j.kind == joinRight):
			j.right = c.pushInto(j.right, conj, refs, sc, mid, hi)
			return j
		}
	}
	return c.pushFilter(n, conj, sc, lo, hi)
}

// fromItem is one comma-separated FROM item: its node and its columns'
// range in the FROM scope.
type fromItem struct {
	n       node
	lo, hi  int
	lateral bool
}

// joinItems joins comma-separated FROM items left to right, pushing
// WHERE conjuncts down as filters and hash keys.
func (c *compiler) joinItems(items []fromItem, where tree.Expr, sc *scope) node {
	keys := make([][][2]int, len(items))
	if where != nil && len(items) > 0 {
		for _, conj := range conjuncts(where) {
			refs, ok := columnRefs(conj, sc)
			if !ok || len(refs) == 0 {
				continue
			}
			for k := range items {
				it := &items[k]
				if !it.lateral && within(refs, it.lo, it.hi) {
					it.n = c.pushInto(it.n, conj, refs, sc, it.lo, it.hi)
					break
				}
			}
			if l, r, ok := equiColumns(conj, sc); ok {
				if l > r {
					l, r = r, l
				}
				for k := 1; k < len(items); k++ {
					it := items[k]
					if !it.lateral && l < it.lo && r >= it.lo && r < it.hi {
						keys[k] = append(keys[k], [2]int{l, r - it.lo})
					}
				}
			}
		}
	}
	var acc node
	for k, it := range items {
		switch {
		case acc == nil && it.lateral:
			acc = &joinNode{left: oneRow{}, right: it.n, kind: joinInner, lateral: true}
		case acc == nil:
			acc = it.n
		default:
			j := &joinNode{left: acc, right: it.n, kind: joinInner, lateral: it.lateral}
			for _, kp := range keys[k] {
				j.lkeys = append(j.lkeys, kp[0])
				j.rkeys = append(j.rkeys, kp[1])
			}
			acc = j
		}
	}
	return acc
}

// pushOn moves ON conjuncts of jn (over onScope: nl left columns, then
// the right's) into side filters and hash keys, as the join kind allows.
func (c *compiler) pushOn(jn *joinNode, on tree.Expr, onScope *scope, nl int) {
	n := len(onScope.cols)
	for _, conj := range conjuncts(on) {
		refs, ok := columnRefs(conj, onScope)
		if !ok || len(refs) == 0 {
			continue
		}
		switch {
		case within(refs, nl, n) && !jn.lateral && (jn.kind == joinInner || jn.kind == joinLeft):
			jn.right = c.pushInto(jn.right, conj, refs, onScope, nl, n)
			continue
		case within(refs, 0, nl) && (jn.kind == joinInner || jn.kind == joinRight):
			jn.left = c.pushInto(jn.left, conj, refs, onScope, 0, nl)
			continue
		}
		if l, r, ok := equiColumns(conj, onScope); ok && !jn.lateral {
			if l > r {
				l, r = r, l
			}
			if l < nl && r >= nl {
				jn.lkeys = append(jn.lkeys, l)
				jn.rkeys = append(jn.rkeys, r-nl)
			}
		}
	}
}
