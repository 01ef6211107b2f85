package plan

import (
	"fmt"
	"strings"
)

// DistinctOn keeps, for each distinct value of On, the first row of its
// input in input order (so a Sort below it picks which row survives), as
// PostgreSQL's SELECT DISTINCT ON. Its output schema is its input's.
type DistinctOn struct {
	Input Node
	On    []Expr
}

// Values is a constant relation: SELECT without FROM, or a VALUES list.
// Every row has one constant expression per column of Names; column
// types unify down the rows as in a Case.
type Values struct {
	Names []string
	Rows  [][]Expr
}

func (*DistinctOn) isNode() {}
func (*Values) isNode()     {}

func (n *DistinctOn) Children() []Node { return []Node{n.Input} }
func (*Values) Children() []Node       { return nil }

func (n *DistinctOn) Describe() string { return "DistinctOn " + exprList(n.On) }

func (n *Values) Describe() string {
	return fmt.Sprintf("Values %d rows (%s)", len(n.Rows), strings.Join(n.Names, ", "))
}
