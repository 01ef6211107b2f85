package plan

import (
	"fmt"

	"github.com/stratadb/strata/storage"
)

// Catalog gives the definition of a table as a plan will read it.
type Catalog interface {
	TableDef(name string, asOf uint64) (*storage.TableDef, error)
}

// Bind type-checks a plan and returns a copy with every expression bound
// (see BindExpr) and the plan's output schema.
func Bind(n Node, cat Catalog) (Node, Schema, error) {
	switch n := n.(type) {
	case *Scan:
		def, err := cat.TableDef(n.Table, n.AsOf)
		if err != nil {
			return nil, nil, err
		}
		s := make(Schema, len(def.Columns))
		for i, c := range def.Columns {
			s[i] = Field{c.Name, c.Type}
		}
		c := *n
		return &c, s, nil
	case *Filter:
		in, s, err := Bind(n.Input, cat)
		if err != nil {
			return nil, nil, err
		}
		pred, err := bindBool(n.Pred, s, "WHERE")
		if err != nil {
			return nil, nil, err
		}
		return &Filter{in, pred}, s, nil
	case *Project:
		return bindProject(n, cat)
	case *Aggregate:
		return bindAggregate(n, cat)
	case *Sort:
		in, s, err := Bind(n.Input, cat)
		if err != nil {
			return nil, nil, err
		}
		keys := make([]SortKey, len(n.Keys))
		for i, k := range n.Keys {
			e, _, err := BindExpr(k.Expr, s)
			if err != nil {
				return nil, nil, err
			}
			keys[i] = SortKey{e, k.Desc, k.Nulls}
		}
		return &Sort{in, keys}, s, nil
	case *Limit:
		if n.Offset < 0 {
			return nil, nil, fmt.Errorf("%w: OFFSET must not be negative", ErrInvalidPlan)
		}
		in, s, err := Bind(n.Input, cat)
		if err != nil {
			return nil, nil, err
		}
		return &Limit{in, n.Count, n.Offset}, s, nil
	case *DistinctOn:
		return bindDistinctOn(n, cat)
	case *Values:
		return bindValues(n)
	case nil:
		return nil, nil, fmt.Errorf("%w: missing plan node", ErrInvalidPlan)
	}
	return nil, nil, fmt.Errorf("%w: unknown node %T", ErrInvalidPlan, n)
}

func bindProject(n *Project, cat Catalog) (Node, Schema, error) {
	in, s, err := Bind(n.Input, cat)
	if err != nil {
		return nil, nil, err
	}
	if len(n.Exprs) == 0 {
		return nil, nil, fmt.Errorf("%w: projection without columns", ErrInvalidPlan)
	}
	out := make(Schema, len(n.Exprs))
	exprs := make([]Named, len(n.Exprs))
	for i, ne := range n.Exprs {
		e, t, err := BindExpr(ne.Expr, s)
		if err != nil {
			return nil, nil, err
		}
		if t == storage.TypeInvalid {
			// A bare NULL: PostgreSQL types it as text.
			t = storage.TypeString
			e = Lit{NullOf(t)}
		}
		exprs[i] = Named{ne.Name, e}
		out[i] = Field{ne.Name, t}
	}
	return &Project{in, exprs}, out, nil
}

func bindAggregate(n *Aggregate, cat Catalog) (Node, Schema, error) {
	if len(n.GroupBy) == 0 && len(n.Aggs) == 0 {
		return nil, nil, fmt.Errorf("%w: aggregate without group keys or aggregates", ErrInvalidPlan)
	}
	in, s, err := Bind(n.Input, cat)
	if err != nil {
		return nil, nil, err
	}
	var out Schema
	groups := make([]Named, len(n.GroupBy))
	for i, g := range n.GroupBy {
		e, t, err := BindExpr(g.Expr, s)
		if err != nil {
			return nil, nil, err
		}
		if t == storage.TypeInvalid {
			t = storage.TypeString
			e = Lit{NullOf(t)}
		}
		groups[i] = Named{g.Name, e}
		out = append(out, Field{g.Name, t})
	}
	aggs := make([]NamedAgg, len(n.Aggs))
	for i, a := range n.Aggs {
		b, t, err := BindAgg(a.Agg, s)
		if err != nil {
			return nil, nil, err
		}
		aggs[i] = NamedAgg{a.Name, b}
		out = append(out, Field{a.Name, t})
	}
	return &Aggregate{in, groups, aggs}, out, nil
}
