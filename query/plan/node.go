package plan

import (
	"fmt"
	"strings"
)

// Node is a logical plan operator. Plans are trees; the SQL layer and Go
// callers build the same ones.
type Node interface {
	isNode()
	// Children returns the inputs.
	Children() []Node
	// Describe is a one-line description for EXPLAIN.
	Describe() string
}

// Scan reads a table. AsOf 0 reads at the query's version (the latest
// applied one unless the query says otherwise).
type Scan struct {
	Table string
	AsOf  uint64
}

// Filter keeps the rows where Pred is true (not false, not NULL).
type Filter struct {
	Input Node
	Pred  Expr
}

// Named is an output column: an expression and its name.
type Named struct {
	Name string
	Expr Expr
}

// Project computes one output column per expression.
type Project struct {
	Input Node
	Exprs []Named
}

// AggFunc is an aggregate function.
type AggFunc uint8

const (
	AggCountStar AggFunc = iota + 1 // count(*)
	AggCount                        // count(x): non-null values
	AggSum                          // int64 for integers (overflow is an error), float64 for floats
	AggMin
	AggMax
	AggAvg           // float64
	AggCountDistinct // count(DISTINCT x)
)

var aggNames = []string{"", "count(*)", "count", "sum", "min", "max", "avg", "count distinct"}

func (f AggFunc) String() string {
	if int(f) < len(aggNames) {
		return aggNames[f]
	}
	return "agg?"
}

// Agg is an aggregate call. Arg is nil for count(*).
type Agg struct {
	Func AggFunc
	Arg  Expr
}

func (a Agg) String() string {
	switch a.Func {
	case AggCountStar:
		return "count(*)"
	case AggCountDistinct:
		return fmt.Sprintf("count(DISTINCT %v)", a.Arg)
	}
	return fmt.Sprintf("%v(%v)", a.Func, a.Arg)
}

// NamedAgg is an aggregate output column.
type NamedAgg struct {
	Name string
	Agg  Agg
}

// Aggregate groups its input by GroupBy and computes Aggs per group. Its
// output columns are the group keys, then the aggregates. Without GroupBy
// it yields exactly one row, even over no input.
type Aggregate struct {
	Input   Node
	GroupBy []Named
	Aggs    []NamedAgg
}

// Nulls says where NULLs sort.
type Nulls uint8

const (
	NullsDefault Nulls = iota // last when ascending, first when descending (PostgreSQL)
	NullsFirst
	NullsLast
)

// SortKey is one ORDER BY key over the input's columns.
type SortKey struct {
	Expr  Expr
	Desc  bool
	Nulls Nulls
}

// NullsFirst resolves the default.
func (k SortKey) NullsFirst() bool {
	switch k.Nulls {
	case NullsFirst:
		return true
	case NullsLast:
		return false
	}
	return k.Desc
}

func (k SortKey) String() string {
	s := k.Expr.String()
	if k.Desc {
		s += " DESC"
	}
	switch k.Nulls {
	case NullsFirst:
		s += " NULLS FIRST"
	case NullsLast:
		s += " NULLS LAST"
	}
	return s
}

// Sort orders its input.
type Sort struct {
	Input Node
	Keys  []SortKey
}

// Limit skips Offset rows and returns at most Count (all when Count < 0).
type Limit struct {
	Input  Node
	Count  int64
	Offset int64
}

func (*Scan) isNode()      {}
func (*Filter) isNode()    {}
func (*Project) isNode()   {}
func (*Aggregate) isNode() {}
func (*Sort) isNode()      {}
func (*Limit) isNode()     {}

func (*Scan) Children() []Node        { return nil }
func (n *Filter) Children() []Node    { return []Node{n.Input} }
func (n *Project) Children() []Node   { return []Node{n.Input} }
func (n *Aggregate) Children() []Node { return []Node{n.Input} }
func (n *Sort) Children() []Node      { return []Node{n.Input} }
func (n *Limit) Children() []Node     { return []Node{n.Input} }

func (n *Scan) Describe() string {
	if n.AsOf != 0 {
		return fmt.Sprintf("Scan %s AS OF VERSION %d", quoteIdent(n.Table), n.AsOf)
	}
	return "Scan " + quoteIdent(n.Table)
}

func (n *Filter) Describe() string { return fmt.Sprintf("Filter %v", n.Pred) }

func (n *Project) Describe() string { return "Project " + namedList(n.Exprs) }

func (n *Aggregate) Describe() string {
	aggs := make([]string, len(n.Aggs))
	for i, a := range n.Aggs {
		aggs[i] = fmt.Sprintf("%v AS %s", a.Agg, quoteIdent(a.Name))
	}
	s := "Aggregate"
	if len(aggs) > 0 {
		s += " " + strings.Join(aggs, ", ")
	}
	if len(n.GroupBy) > 0 {
		s += " GROUP BY " + namedList(n.GroupBy)
	}
	return s
}

func (n *Sort) Describe() string {
	keys := make([]string, len(n.Keys))
	for i, k := range n.Keys {
		keys[i] = k.String()
	}
	return "Sort " + strings.Join(keys, ", ")
}

func (n *Limit) Describe() string {
	if n.Count < 0 {
		return fmt.Sprintf("Limit ALL OFFSET %d", n.Offset)
	}
	return fmt.Sprintf("Limit %d OFFSET %d", n.Count, n.Offset)
}

func namedList(ns []Named) string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = fmt.Sprintf("%v AS %s", n.Expr, quoteIdent(n.Name))
	}
	return strings.Join(out, ", ")
}

// Format prints a plan as an indented tree.
func Format(n Node) string {
	var b strings.Builder
	var walk func(n Node, depth int)
	walk = func(n Node, depth int) {
		fmt.Fprintf(&b, "%s%s\n", strings.Repeat("  ", depth), n.Describe())
		for _, c := range n.Children() {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return b.String()
}
