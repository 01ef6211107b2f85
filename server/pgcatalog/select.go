package pgcatalog

import (
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
)

// compiler turns a parsed query into nodes and expressions.
type compiler struct {
	env      *Env
	hints    []uint32
	params   []uint32              // $n's type once known (0: not yet)
	ctes     []map[string]*subPlan // WITH clauses in scope, innermost last
	cteCols  map[*subPlan][]column // their columns
	trackers []*tracker            // subqueries being compiled
	depth    int                   // nesting, to refuse absurd inputs
}

// tracker notes whether a subquery refers to its enclosing queries.
type tracker struct {
	level      int
	correlated bool
}

// scope is what names mean inside one SELECT: the columns of its FROM,
// then the enclosing query's scope. Its frame at run time has the same
// shape (frame.up is parent's frame).
type scope struct {
	cols   []scopeCol
	parent *scope
	level  int
	agg    *aggPlan // set while compiling an aggregating SELECT's output
	win    *winPlan // set while compiling a non-aggregating SELECT's output
	inAgg  bool     // compiling an aggregate's arguments
}

type scopeCol struct {
	table, name string
	typ         uint32
	hidden      bool // the right copy of a USING column
	system      bool // tableoid: found by name, not by *
}

func (s *scope) nextLevel() int {
	if s == nil {
		return 0
	}
	return s.level + 1
}

const maxNesting = 64

func (c *compiler) enter() error {
	c.depth++
	if c.depth > maxNesting {
		return errorf(codeTooComplex, "system catalog query nested too deeply")
	}
	return nil
}

func (c *compiler) leave() { c.depth-- }

// compileSelect compiles a full SELECT (with WITH, ORDER BY, LIMIT)
// whose enclosing scope is outer.
func (c *compiler) compileSelect(sel *tree.Select, outer *scope) (node, error) {
	if err := c.enter(); err != nil {
		return nil, err
	}
	defer c.leave()
	if sel.With != nil {
		pop, err := c.compileWith(sel.With)
		if err != nil {
			return nil, err
		}
		defer pop()
	}
	if len(sel.Locking) > 0 {
		return nil, unsupported("FOR UPDATE/SHARE")
	}
	switch s := sel.Select.(type) {
	case *tree.SelectClause:
		return c.compileSelectClause(s, sel.OrderBy, sel.Limit, outer)
	case *tree.ParenSelect:
		in, err := c.compileSelect(s.Select, outer)
		if err != nil {
			return nil, err
		}
		return c.wrapOrderLimit(in, sel.OrderBy, sel.Limit, outer)
	case *tree.UnionClause:
		in, err := c.compileSetOp(s, outer)
		if err != nil {
			return nil, err
		}
		return c.wrapOrderLimit(in, sel.OrderBy, sel.Limit, outer)
	case *tree.ValuesClause:
		in, err := c.compileValues(s, outer)
		if err != nil {
			return nil, err
		}
		return c.wrapOrderLimit(in, sel.OrderBy, sel.Limit, outer)
	}
	return nil, unsupported(describe(sel.Select))
}

func (c *compiler) compileWith(w *tree.With) (pop func(), err error) {
	if w.Recursive {
		return nil, unsupported("WITH RECURSIVE")
	}
	defs := map[string]*subPlan{}
	c.ctes = append(c.ctes, defs)
	if c.cteCols == nil {
		c.cteCols = map[*subPlan][]column{}
	}
	pop = func() { c.ctes = c.ctes[:len(c.ctes)-1] }
	for _, cte := range w.CTEList {
		sel, ok := cte.Stmt.(*tree.Select)
		if !ok {
			pop()
			return nil, unsupported("a WITH query that is not a SELECT")
		}
		// CTE bodies see no enclosing columns, so they run once per Run.
		saved := c.trackers
		c.trackers = nil
		plan, err := c.compileSelect(sel, nil)
		c.trackers = saved
		if err != nil {
			pop()
			return nil, err
		}
		cols, err := aliasColumns(plan.columns(), cte.Name.Cols)
		if err != nil {
			pop()
			return nil, err
		}
		sp := &subPlan{plan: plan}
		defs[string(cte.Name.Alias)] = sp
		c.cteCols[sp] = cols
	}
	return pop, nil
}

func (c *compiler) lookupCTE(name string) *subPlan {
	for i := len(c.ctes) - 1; i >= 0; i-- {
		if sp := c.ctes[i][name]; sp != nil {
			return sp
		}
	}
	return nil
}

// aliasColumns renames the leading columns as an alias's column list says.
func aliasColumns(cols []column, names tree.ColumnDefList) ([]column, error) {
	if len(names) > len(cols) {
		return nil, errorf(codeInvalidColumnRef, "too many column aliases: %d given, %d available", len(names), len(cols))
	}
	out := append([]column(nil), cols...)
	for i, n := range names {
		out[i].name = string(n.Name)
	}
	return out, nil
}

func (c *compiler) compileSetOp(u *tree.UnionClause, outer *scope) (node, error) {
	l, err := c.compileSelect(u.Left, outer)
	if err != nil {
		return nil, err
	}
	r, err := c.compileSelect(u.Right, outer)
	if err != nil {
		return nil, err
	}
	lc, rc := l.columns(), r.columns()
	if len(lc) != len(rc) {
		return nil, errorf(codeSyntax, "each %s query must have the same number of columns", strings.ToUpper(u.Type.String()))
	}
	cols := make([]column, len(lc))
	for i := range lc {
		t := commonType(lc[i].typ, rc[i].typ)
		if t == oidUnknown {
			t = oidText
		}
		cols[i] = column{lc[i].name, t}
	}
	return &setOpNode{left: l, right: r, op: u.Type, all: u.All, cols: cols}, nil
}

// commonType is the type a UNION or CASE gives two branches: the known
// one (unknown while neither is known: callers make that text).
func commonType(a, b uint32) uint32 {
	switch {
	case a == oidUnknown:
		return b
	case b == oidUnknown:
		return a
	case a == b:
		return a
	}
	ka, kb := kindOf(a), kindOf(b)
	switch {
	case ka == kInt && kb == kInt:
		return widerInt(a, b)
	case (ka == kInt || ka == kFloat) && (kb == kInt || kb == kFloat):
		return oidFloat8
	}
	// Text types cast to each other implicitly: the first wins, as in
	// PostgreSQL (name UNION text is name).
	return a
}

func widerInt(a, b uint32) uint32 {
	rank := map[uint32]int{oidInt2: 1, oidInt4: 2, oidInt8: 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

func (c *compiler) compileValues(v *tree.ValuesClause, outer *scope) (node, error) {
	if len(v.Rows) == 0 {
		return nil, errorf(codeSyntax, "VALUES without rows")
	}
	vn := &valuesNode{}
	sc := &scope{parent: outer, level: outer.nextLevel()}
	for i, row := range v.Rows {
		if i > 0 && len(row) != len(v.Rows[0]) {
			return nil, errorf(codeSyntax, "VALUES lists must all be the same length")
		}
		var es []*expr
		for _, e := range row {
			x, err := c.compileExpr(e, sc)
			if err != nil {
				return nil, err
			}
			es = append(es, x)
		}
		vn.exprs = append(vn.exprs, es)
	}
	for i := range v.Rows[0] {
		t := oidUnknown
		for _, es := range vn.exprs {
			t = commonType(t, es[i].typ)
		}
		if t == oidUnknown {
			t = oidText
		}
		for _, es := range vn.exprs {
			es[i] = c.coerce(es[i], t)
		}
		vn.cols = append(vn.cols, column{"column" + itoa(int64(i+1)), t})
	}
	return vn, nil
}

// wrapOrderLimit applies ORDER BY (output positions or names) and LIMIT
// to a set operation, a VALUES list or a parenthesized query.
func (c *compiler) wrapOrderLimit(in node, order tree.OrderBy, limit *tree.Limit, outer *scope) (node, error) {
	if len(order) == 0 && limit == nil {
		return in, nil
	}
	n := &sortLimitNode{in: in}
	cols := in.columns()
	for _, o := range order {
		pos, ok, err := outputPosition(o.Expr, cols)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, unsupported("ORDER BY an expression on a UNION, VALUES or parenthesized query (use a column position or name)")
		}
		n.keys = append(n.keys, pos)
		n.order = append(n.order, orderDirection(o))
	}
	var err error
	if n.limit, n.offset, err = c.compileLimit(limit, outer); err != nil {
		return nil, err
	}
	return n, nil
}

// outputPosition resolves ORDER BY n and ORDER BY name against output
// columns.
func outputPosition(e tree.Expr, cols []column) (int, bool, error) {
	switch e := stripParens(e).(type) {
	case *tree.NumVal:
		i, err := e.AsInt64()
		if err != nil || i < 1 || i > int64(len(cols)) {
			return 0, false, errorf(codeInvalidColumnRef, "ORDER BY position %s is not in select list", e.String())
		}
		return int(i - 1), true, nil
	case *tree.UnresolvedName:
		if e.NumParts == 1 && !e.Star {
			found := -1
			for i, col := range cols {
				if col.name == e.Parts[0] {
					if found >= 0 {
						return 0, false, errorf(codeAmbiguousColumn, "ORDER BY %q is ambiguous", e.Parts[0])
					}
					found = i
				}
			}
			if found >= 0 {
				return found, true, nil
			}
		}
	}
	return 0, false, nil
}

func orderDirection(o *tree.Order) sortKey {
	k := sortKey{desc: o.Direction == tree.Descending}
	k.nullsFirst = k.desc
	switch o.NullsOrder {
	case tree.NullsFirst:
		k.nullsFirst = true
	case tree.NullsLast:
		k.nullsFirst = false
	}
	return k
}

func (c *compiler) compileLimit(limit *tree.Limit, outer *scope) (count, offset *expr, err error) {
	if limit == nil {
		return nil, nil, nil
	}
	sc := &scope{parent: outer, level: outer.nextLevel()}
	if limit.Count != nil {
		if count, err = c.compileExpr(limit.Count, sc); err != nil {
			return nil, nil, err
		}
		count = c.coerce(count, oidInt8)
	}
	if limit.Offset != nil {
		if offset, err = c.compileExpr(limit.Offset, sc); err != nil {
			return nil, nil, err
		}
		offset = c.coerce(offset, oidInt8)
	}
	return count, offset, nil
}

// applyLimit cuts rows to OFFSET and LIMIT.
func applyLimit(ec *evalCtx, rows [][]any, count, offset *expr, outer *frame) ([][]any, error) {
	f := &frame{up: outer}
	if offset != nil {
		v, err := offset.eval(ec, f)
		if err != nil {
			return nil, err
		}
		if n, ok := v.(int64); ok {
			if n < 0 {
				return nil, errorf(codeInvalidParameter, "OFFSET must not be negative")
			}
			if n >= int64(len(rows)) {
				rows = nil
			} else {
				rows = rows[n:]
			}
		}
	}
	if count != nil {
		v, err := count.eval(ec, f)
		if err != nil {
			return nil, err
		}
		if n, ok := v.(int64); ok {
			if n < 0 {
				return nil, errorf(codeInvalidParameter, "LIMIT must not be negative")
			}
			if n < int64(len(rows)) {
				rows = rows[:n]
			}
		}
	}
	return rows, nil
}

// sortLimitNode orders its input by output positions, then limits it.
type sortLimitNode struct {
	in            node
	keys          []int
	order         []sortKey
	limit, offset *expr
}

func (n *sortLimitNode) columns() []column { return n.in.columns() }

func (n *sortLimitNode) rows(ec *evalCtx, outer *frame) ([][]any, error) {
	rows, err := n.in.rows(ec, outer)
	if err != nil {
		return nil, err
	}
	if len(n.keys) > 0 {
		keys := make([][]any, len(rows))
		for i, r := range rows {
			k := make([]any, len(n.keys))
			for j, p := range n.keys {
				k[j] = r[p]
			}
			keys[i] = k
		}
		sortRows(rows, keys, n.order)
	}
	return applyLimit(ec, rows, n.limit, n.offset, outer)
}

// setOpNode is UNION, INTERSECT or EXCEPT, with or without ALL.
type setOpNode struct {
	left, right node
	op          tree.UnionType
	all         bool
	cols        []column
}

func (s *setOpNode) columns() []column { return s.cols }

func (s *setOpNode) rows(ec *evalCtx, outer *frame) ([][]any, error) {
	l, err := s.left.rows(ec, outer)
	if err != nil {
		return nil, err
	}
	r, err := s.right.rows(ec, outer)
	if err != nil {
		return nil, err
	}
	lt, rt := s.left.columns(), s.right.columns()
	conv := func(rows [][]any, from []column) ([][]any, error) {
		for _, row := range rows {
			for i := range row {
				v, err := cast(ec, row[i], from[i].typ, s.cols[i].typ)
				if err != nil {
					return nil, err
				}
				row[i] = v
			}
		}
		return rows, nil
	}
	if l, err = conv(l, lt); err != nil {
		return nil, err
	}
	if r, err = conv(r, rt); err != nil {
		return nil, err
	}
	switch s.op {
	case tree.UnionOp:
		out := append(l, r...)
		if !s.all {
			out = distinctRows(out)
		}
		return out, nil
	case tree.IntersectOp, tree.ExceptOp:
		counts := map[string]int{}
		for _, row := range r {
			counts[string(rowKey(row))]++
		}
		var out [][]any
		for _, row := range l {
			k := string(rowKey(row))
			in := counts[k] > 0
			if (s.op == tree.IntersectOp) == in {
				out = append(out, row)
				if s.all && in {
					counts[k]--
				}
			}
		}
		if !s.all {
			out = distinctRows(out)
		}
		return out, nil
	}
	return nil, errorf(codeInternal, "BUG: set operation %v", s.op)
}

func rowKey(row []any) []byte {
	var b []byte
	for _, v := range row {
		b = appendKey(b, v)
	}
	return b
}

// distinctRows keeps the first of equal rows, in order.
func distinctRows(rows [][]any) [][]any {
	seen := map[string]bool{}
	out := rows[:0]
	for _, row := range rows {
		k := string(rowKey(row))
		if !seen[k] {
			seen[k] = true
			out = append(out, row)
		}
	}
	return out
}

func stripParens(e tree.Expr) tree.Expr {
	for {
		p, ok := e.(*tree.ParenExpr)
		if !ok {
			return e
		}
		e = p.Expr
	}
}
