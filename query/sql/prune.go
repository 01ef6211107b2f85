package sql

import (
	"slices"

	"github.com/stratadb/strata/query/plan"
)

// pruneUnderSort narrows what an ORDER BY over a table materialises. A
// Sort returns every column of its input, so `SELECT a, b FROM t WHERE ...
// ORDER BY c` would copy all of t's columns for every matching row, twice
// (once out of the scan, once into sorted order), only for the projection
// above to keep three. For the select list over a Sort (with a Limit above
// or between them) over filters over a scan, it puts a Project of the
// columns the select list and the sort keys use between the Sort and the
// filters, and renumbers positional references. Any other shape is
// returned as it is.
func (p *planner) pruneUnderSort(n plan.Node) plan.Node {
	switch top := n.(type) {
	case *plan.Limit:
		// LIMIT over the select list over ORDER BY.
		if proj, ok := top.Input.(*plan.Project); ok {
			if sort, ok := proj.Input.(*plan.Sort); ok {
				if exprs, narrowed, ok := p.narrowSort(proj.Exprs, sort); ok {
					// The planner's LIMIT parameters are keyed by this node: keep it.
					top.Input = &plan.Project{Input: narrowed, Exprs: exprs}
				}
			}
		}
		return top
	case *plan.Project:
		limit, _ := top.Input.(*plan.Limit)
		below := top.Input
		if limit != nil {
			below = limit.Input
		}
		sort, ok := below.(*plan.Sort)
		if !ok {
			return n
		}
		exprs, narrowed, ok := p.narrowSort(top.Exprs, sort)
		if !ok {
			return n
		}
		var sorted plan.Node = narrowed
		if limit != nil {
			limit.Input = sorted // keep the node: LIMIT parameters are keyed by it
			sorted = limit
		}
		return &plan.Project{Input: sorted, Exprs: exprs}
	}
	return n
}

// narrowSort returns the select list (over sort's output) and a copy of
// sort over a projection of only the columns they use, with positional
// references renumbered; ok is false when nothing is to gain (a sort not
// over filters over a scan, or one using every column).
func (p *planner) narrowSort(top []plan.Named, sort *plan.Sort) ([]plan.Named, *plan.Sort, bool) {
	if !overScan(sort.Input) {
		return nil, nil, false
	}
	in, err := p.schemaOf(sort.Input)
	if err != nil {
		return nil, nil, false
	}
	used := make([]bool, len(in))
	known := true
	mark := func(e plan.Expr) plan.Expr {
		switch c := e.(type) {
		case plan.Col:
			if i := in.Index(c.Name); i >= 0 {
				used[i] = true
			} else {
				known = false
			}
		case plan.ColAt:
			if c.Index >= 0 && c.Index < len(in) {
				used[c.Index] = true
			} else {
				known = false
			}
		}
		return e
	}
	mapNamed(top, mark)
	for _, k := range sort.Keys {
		mapExpr(k.Expr, mark)
	}
	if !known || !slices.Contains(used, false) {
		return nil, nil, false
	}
	at := make([]int, len(in))
	narrow := &plan.Project{Input: sort.Input}
	for i, u := range used {
		if u {
			at[i] = len(narrow.Exprs)
			narrow.Exprs = append(narrow.Exprs, plan.Named{Name: in[i].Name, Expr: plan.ColAt{Index: i, Name: in[i].Name}})
		}
	}
	renumber := func(e plan.Expr) plan.Expr {
		if c, ok := e.(plan.ColAt); ok {
			return plan.ColAt{Index: at[c.Index], Name: c.Name}
		}
		return e
	}
	keys := make([]plan.SortKey, len(sort.Keys))
	for i, k := range sort.Keys {
		keys[i] = plan.SortKey{Expr: mapExpr(k.Expr, renumber), Desc: k.Desc, Nulls: k.Nulls}
	}
	return mapNamed(top, renumber), &plan.Sort{Input: narrow, Keys: keys}, true
}

// overScan reports whether n is a chain of filters over a table scan.
func overScan(n plan.Node) bool {
	for {
		switch x := n.(type) {
		case *plan.Filter:
			n = x.Input
		case *plan.Scan:
			return true
		default:
			return false
		}
	}
}
