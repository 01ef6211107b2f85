package plan

import (
	"fmt"

	"github.com/stratadb/strata/storage"
)

func bindDistinctOn(n *DistinctOn, cat Catalog) (Node, Schema, error) {
	if len(n.On) == 0 {
		return nil, nil, fmt.Errorf("%w: DISTINCT ON without expressions", ErrInvalidPlan)
	}
	in, s, err := Bind(n.Input, cat)
	if err != nil {
		return nil, nil, err
	}
	on := make([]Expr, len(n.On))
	for i, e := range n.On {
		x, t, err := BindExpr(e, s)
		if err != nil {
			return nil, nil, err
		}
		if t == storage.TypeInvalid {
			x = nullAs(x, storage.TypeString)
		}
		on[i] = x
	}
	return &DistinctOn{Input: in, On: on}, s, nil
}

// bindValues binds every row's constants (a column reference has no
// input to resolve against) and unifies each column down the rows.
func bindValues(n *Values) (Node, Schema, error) {
	if len(n.Names) == 0 || len(n.Rows) == 0 {
		return nil, nil, fmt.Errorf("%w: VALUES needs at least one column and one row", ErrInvalidPlan)
	}
	for i, row := range n.Rows {
		if len(row) != len(n.Names) {
			return nil, nil, fmt.Errorf("%w: VALUES row %d has %d values for %d columns", ErrInvalidPlan, i+1, len(row), len(n.Names))
		}
	}
	out := &Values{Names: n.Names, Rows: make([][]Expr, len(n.Rows))}
	for i := range out.Rows {
		out.Rows[i] = make([]Expr, len(n.Names))
	}
	s := make(Schema, len(n.Names))
	col := make([]Expr, len(n.Rows))
	for c, name := range n.Names {
		for i, row := range n.Rows {
			col[i] = row[c]
		}
		bound, t, err := bindUnified(col, nil, "VALUES")
		if err != nil {
			return nil, nil, err
		}
		for i := range bound {
			out.Rows[i][c] = bound[i]
		}
		s[c] = Field{Name: name, Type: t}
	}
	return out, s, nil
}
