package sql

import (
	"slices"

	"github.com/stratadb/strata/query/plan"
)

// pruneUnderSort narrows what an ORDER BY over a table materialises. A
// Sort returns every column of its input, so `SELECT a, b FROM t WHERE ...
// ORDER BY c` would copy all of t's columns for every matching row, twice
// (once out of the scan, once into sorted order), only for the projection
// above to keep three. For a Project over an optional Limit over a Sort over
// filters over a scan, it puts a Project of the columns the top Project and
// the sort keys use between the Sort and the filters, and renumbers
// positional references. Any other shape is returned as it is.
func (p *planner) pruneUnderSort(n plan.Node) plan.Node {
	top, ok := n.(*plan.Project)
	if !ok {
		return n
	}
	limit, _ := top.Input.(*plan.Limit)
	below := top.Input
	if limit != nil {
		below = limit.Input
	}
	sort, ok := below.(*plan.Sort)
	if !ok || !overScan(sort.Input) {
		return n
	}
	in, err := p.schemaOf(sort.Input)
	if err != nil {
		return n
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
	mapNamed(top.Exprs, mark)
	for _, k := range sort.Keys {
		mapExpr(k.Expr, mark)
	}
	if !known || !slices.Contains(used, false) {
		return n
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
	var sorted plan.Node = &plan.Sort{Input: narrow, Keys: keys}
	if limit != nil {
		// The planner's LIMIT parameters are keyed by this node: keep it.
		limit.Input = sorted
		sorted = limit
	}
	return &plan.Project{Input: sorted, Exprs: mapNamed(top.Exprs, renumber)}
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
