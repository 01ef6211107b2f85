package pgcatalog

import (
	"sort"
)

// A node is a compiled relational expression. rows evaluates it with
// outer as the frame of the enclosing query (nil at the top); the rows
// it returns are the caller's (each a fresh slice).
type node interface {
	columns() []column
	rows(ec *evalCtx, outer *frame) ([][]any, error)
}

// column is an output column of a node.
type column struct {
	name string
	typ  uint32
}

// frame is the row an expression is evaluated against: a row of the
// FROM clause, its group's aggregate values, and the enclosing query's
// frame for correlated references.
type frame struct {
	row  []any
	aggs []any
	up   *frame
}

// relScan reads a system relation.
type relScan struct{ rel *relSchema }

// columns are the relation's, then its system column tableoid.
func (s *relScan) columns() []column {
	return append(schemaColumns(s.rel), column{"tableoid", oidOID})
}

func schemaColumns(r *relSchema) []column {
	cols := make([]column, len(r.cols))
	for i, c := range r.cols {
		cols[i] = column{c.name, c.typ}
	}
	return cols
}

// rows shares the relation's row slices, which no node changes (nodes
// that add or change values build new rows), and returns a fresh outer
// slice, which filters reuse.
func (s *relScan) rows(ec *evalCtx, _ *frame) ([][]any, error) {
	src := ec.cat.relRows(s.rel)
	if err := ec.tick(len(src)); err != nil {
		return nil, err
	}
	return append([][]any(nil), src...), nil
}

// valuesNode is VALUES (...), (...).
type valuesNode struct {
	cols  []column
	exprs [][]*expr
}

func (v *valuesNode) columns() []column { return v.cols }

func (v *valuesNode) rows(ec *evalCtx, outer *frame) ([][]any, error) {
	f := &frame{up: outer}
	out := make([][]any, 0, len(v.exprs))
	for _, es := range v.exprs {
		row := make([]any, len(es))
		for i, e := range es {
			x, err := e.eval(ec, f)
			if err != nil {
				return nil, err
			}
			row[i] = x
		}
		out = append(out, row)
	}
	return out, nil
}

// joinKind is how a join treats rows without a match.
type joinKind uint8

const (
	joinInner joinKind = iota
	joinLeft
	joinRight
	joinFull
)

// joinNode is a nested-loop join, or a hash join on lkeys = rkeys
// (column positions in the left and right rows). A lateral right side (a
// function in FROM, LATERAL) is evaluated once per left row, with that
// row as its outer frame.
type joinNode struct {
	left, right  node
	kind         joinKind
	on           *expr // nil: every candidate pair matches
	lateral      bool
	lkeys, rkeys []int
}

func (j *joinNode) columns() []column {
	return append(append([]column(nil), j.left.columns()...), j.right.columns()...)
}

func (j *joinNode) rows(ec *evalCtx, outer *frame) ([][]any, error) {
	left, err := j.left.rows(ec, outer)
	if err != nil {
		return nil, err
	}
	nl, nr := len(j.left.columns()), len(j.right.columns())
	r := &joinRun{j: j, ec: ec, outer: outer, nl: nl, nr: nr,
		scratch: &frame{row: make([]any, nl+nr), up: outer}}
	if !j.lateral {
		if r.right, err = j.right.rows(ec, outer); err != nil {
			return nil, err
		}
		if len(j.lkeys) > 0 {
			r.index = hashRows(r.right, j.rkeys)
		}
		r.matched = make([]bool, len(r.right))
	}
	for _, l := range left {
		if err := r.joinRow(l); err != nil {
			return nil, err
		}
	}
	if j.kind == joinRight || j.kind == joinFull {
		for ri, row := range r.right {
			if !r.matched[ri] {
				r.out = append(r.out, append(make([]any, nl, nl+nr), row...))
			}
		}
	}
	return r.out, nil
}

// joinRun is one run of a joinNode.
type joinRun struct {
	j       *joinNode
	ec      *evalCtx
	outer   *frame
	nl, nr  int
	right   [][]any
	index   map[string][]int // right rows by key, for a hash join
	matched []bool           // right rows matched (not for lateral joins)
	seq     []int            // 0..len(right)-1
	scratch *frame           // a left and right row, to test ON
	out     [][]any
}

// candidates are the right rows that may match l.
func (r *joinRun) candidates(l []any) ([]int, error) {
	switch {
	case r.j.lateral:
		var err error
		if r.right, err = r.j.right.rows(r.ec, &frame{row: l, up: r.outer}); err != nil {
			return nil, err
		}
		r.seq = upTo(r.seq[:0], len(r.right))
	case r.index != nil:
		return r.index[string(keyOf(l, r.j.lkeys))], nil
	case len(r.seq) != len(r.right):
		r.seq = upTo(r.seq[:0], len(r.right))
	}
	return r.seq, nil
}

// joinRow joins one left row.
func (r *joinRun) joinRow(l []any) error {
	cands, err := r.candidates(l)
	if err != nil {
		return err
	}
	if err := r.ec.tick(len(cands) + 1); err != nil {
		return err
	}
	found := false
	for _, ri := range cands {
		row := r.right[ri]
		if r.j.on != nil {
			copy(r.scratch.row, l)
			copy(r.scratch.row[r.nl:], row)
			ok, err := evalBool(r.ec, r.j.on, r.scratch)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
		}
		found = true
		if r.matched != nil {
			r.matched[ri] = true
		}
		if err := r.ec.hold(r.nl + r.nr); err != nil {
			return err
		}
		r.out = append(r.out, append(append(make([]any, 0, r.nl+r.nr), l...), row...))
	}
	if !found && (r.j.kind == joinLeft || r.j.kind == joinFull) {
		r.out = append(r.out, append(append(make([]any, 0, r.nl+r.nr), l...), make([]any, r.nr)...))
	}
	return nil
}

// upTo fills buf with 0..n-1.
func upTo(buf []int, n int) []int {
	for i := 0; i < n; i++ {
		buf = append(buf, i)
	}
	return buf
}

// keyOf encodes a row's key columns; nil when one is NULL (NULL matches
// nothing).
func keyOf(row []any, cols []int) []byte {
	var b []byte
	for _, c := range cols {
		if row[c] == nil {
			return nil
		}
		b = appendKey(b, row[c])
	}
	return b
}

// hashRows indexes rows by their key columns.
func hashRows(rows [][]any, cols []int) map[string][]int {
	index := make(map[string][]int, len(rows))
	for i, r := range rows {
		if k := keyOf(r, cols); k != nil {
			index[string(k)] = append(index[string(k)], i)
		}
	}
	return index
}

// oneRow is the FROM of a SELECT without one: a single empty row.
type oneRow struct{}

func (oneRow) columns() []column                      { return nil }
func (oneRow) rows(*evalCtx, *frame) ([][]any, error) { return [][]any{{}}, nil }

// renameNode gives a node's columns new names (a FROM alias's column
// list); rows pass through.
type renameNode struct {
	in   node
	cols []column
}

func (r *renameNode) columns() []column { return r.cols }
func (r *renameNode) rows(ec *evalCtx, outer *frame) ([][]any, error) {
	return r.in.rows(ec, outer)
}

// subPlan is a subquery: uncorrelated ones run once per Run.
type subPlan struct {
	plan       node
	correlated bool
}

func (s *subPlan) run(ec *evalCtx, f *frame) ([][]any, error) {
	if !s.correlated {
		if rows, ok := ec.cache[s]; ok {
			return rows, nil
		}
	}
	rows, err := s.plan.rows(ec, f)
	if err != nil {
		return nil, err
	}
	if !s.correlated {
		ec.cache[s] = rows
	}
	return rows, nil
}

// sortKey is one ORDER BY item: ascending unless desc; NULLs last when
// ascending and first when descending, unless nullsFirst says otherwise.
type sortKey struct {
	desc, nullsFirst bool
}

// sortRows sorts rows by keys[i] (keys are parallel to rows), stably.
func sortRows(rows [][]any, keys [][]any, order []sortKey) {
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		return compareKeys(keys[idx[a]], keys[idx[b]], order) < 0
	})
	r2 := make([][]any, len(rows))
	k2 := make([][]any, len(rows))
	for i, j := range idx {
		r2[i], k2[i] = rows[j], keys[j]
	}
	copy(rows, r2)
	copy(keys, k2)
}

func compareKeys(a, b []any, order []sortKey) int {
	for i, o := range order {
		x, y := a[i], b[i]
		var c int
		switch {
		case x == nil && y == nil:
			continue
		case x == nil:
			c = 1
			if o.nullsFirst {
				c = -1
			}
			return c
		case y == nil:
			c = -1
			if o.nullsFirst {
				c = 1
			}
			return c
		}
		c = compare(x, y)
		if o.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}
