package main

import (
	"fmt"
	"regexp"
	"strings"

	stratapb "github.com/stratadb/strata/proto"
)

// queryOptions are strata query's flags.
type queryOptions struct {
	Addr    string
	Table   string
	Where   string
	Select  []string
	GroupBy []string
	Aggs    []string
	OrderBy []string
	Limit   int64 // < 0: none
	AsOf    uint64
	Format  string // table, csv or json
}

// buildQuery turns the flags into a plan: Scan -> Filter -> Aggregate or
// Project -> Sort -> Limit.
func buildQuery(q queryOptions) (*stratapb.QueryRequest, error) {
	if q.Table == "" {
		return nil, fmt.Errorf("--table is required")
	}
	p := &stratapb.Plan{Node: &stratapb.Plan_Scan{Scan: &stratapb.Scan{Table: q.Table}}}
	if strings.TrimSpace(q.Where) != "" {
		pred, err := parseWhere(q.Where)
		if err != nil {
			return nil, err
		}
		p = &stratapb.Plan{Node: &stratapb.Plan_Filter{Filter: &stratapb.Filter{Input: p, Pred: pred}}}
	}
	aggs, err := parseAggs(q.Aggs)
	if err != nil {
		return nil, err
	}
	switch {
	case len(aggs) > 0 || len(q.GroupBy) > 0:
		if len(q.Select) > 0 {
			return nil, fmt.Errorf("--select cannot be combined with --group-by or --agg (the output is the groups, then the aggregates)")
		}
		p = aggregate(p, q.GroupBy, aggs)
	case len(q.Select) > 0:
		p = project(p, q.Select)
	}
	if len(q.OrderBy) > 0 {
		keys, err := parseOrderBy(q.OrderBy, aggs)
		if err != nil {
			return nil, err
		}
		p = &stratapb.Plan{Node: &stratapb.Plan_Sort{Sort: &stratapb.Sort{Input: p, Keys: keys}}}
	}
	if q.Limit >= 0 {
		p = &stratapb.Plan{Node: &stratapb.Plan_Limit{Limit: &stratapb.Limit{Input: p, Count: q.Limit}}}
	}
	return &stratapb.QueryRequest{Query: &stratapb.QueryRequest_Plan{Plan: p}, Version: q.AsOf}, nil
}

func aggregate(in *stratapb.Plan, groupBy []string, aggs []aggSpec) *stratapb.Plan {
	a := &stratapb.Aggregate{Input: in}
	for _, g := range groupBy {
		g = strings.TrimSpace(g)
		a.GroupBy = append(a.GroupBy, &stratapb.NamedExpr{Name: g, Expr: column(g)})
	}
	for _, s := range aggs {
		na := &stratapb.NamedAgg{Name: s.name, Func: s.fn}
		if s.arg != "" {
			na.Arg = column(s.arg)
		}
		a.Aggs = append(a.Aggs, na)
	}
	return &stratapb.Plan{Node: &stratapb.Plan_Aggregate{Aggregate: a}}
}

func project(in *stratapb.Plan, cols []string) *stratapb.Plan {
	pr := &stratapb.Project{Input: in}
	for _, c := range cols {
		c = strings.TrimSpace(c)
		pr.Exprs = append(pr.Exprs, &stratapb.NamedExpr{Name: c, Expr: column(c)})
	}
	return &stratapb.Plan{Node: &stratapb.Plan_Project{Project: pr}}
}

// aggSpec is one --agg: func(arg) [AS name].
type aggSpec struct {
	text string // normalized "sum(amount)", to match --order-by
	fn   stratapb.AggFunc
	arg  string // "" for count(*)
	name string
}

var aggPattern = regexp.MustCompile(`(?i)^\s*([a-z_]+)\s*\(\s*(distinct\s+)?([^()\s]+|"[^"]+")\s*\)\s*(?:as\s+([A-Za-z_][A-Za-z0-9_]*|"[^"]+"))?\s*$`)

var aggFuncs = map[string]stratapb.AggFunc{
	"count": stratapb.AggFunc_COUNT, "sum": stratapb.AggFunc_SUM, "min": stratapb.AggFunc_MIN,
	"max": stratapb.AggFunc_MAX, "avg": stratapb.AggFunc_AVG,
}

// parseAgg reads count(*), count(col), count(distinct col), sum(col),
// min(col), max(col) or avg(col), optionally followed by AS name. The
// default name is the function and column: count, sum_amount,
// count_distinct_account.
func parseAgg(s string) (aggSpec, error) {
	m := aggPattern.FindStringSubmatch(s)
	if m == nil {
		return aggSpec{}, fmt.Errorf("--agg %q: expected func(column) [AS name], e.g. count(*), sum(amount), count(distinct account)", s)
	}
	name, distinct, arg, alias := strings.ToLower(m[1]), m[2] != "", strings.Trim(m[3], `"`), strings.Trim(m[4], `"`)
	fn, ok := aggFuncs[name]
	switch {
	case !ok:
		return aggSpec{}, fmt.Errorf("--agg %q: unknown function %q (count, sum, min, max, avg)", s, m[1])
	case arg == "*" && (name != "count" || distinct):
		return aggSpec{}, fmt.Errorf("--agg %q: only count takes *", s)
	case distinct && name != "count":
		return aggSpec{}, fmt.Errorf("--agg %q: only count takes DISTINCT", s)
	}
	spec := aggSpec{fn: fn, arg: arg, name: name + "_" + arg}
	switch {
	case arg == "*":
		spec.fn, spec.arg, spec.name, spec.text = stratapb.AggFunc_COUNT_STAR, "", "count", "count(*)"
	case distinct:
		spec.fn, spec.name, spec.text = stratapb.AggFunc_COUNT_DISTINCT, "count_distinct_"+arg, "count(distinct "+arg+")"
	default:
		spec.text = name + "(" + arg + ")"
	}
	if alias != "" {
		spec.name = alias
	}
	return spec, nil
}

func parseAggs(list []string) ([]aggSpec, error) {
	var out []aggSpec
	seen := map[string]bool{}
	for _, s := range list {
		a, err := parseAgg(s)
		if err != nil {
			return nil, err
		}
		if seen[a.name] {
			return nil, fmt.Errorf("--agg %q: two aggregates named %q; name one with AS", s, a.name)
		}
		seen[a.name] = true
		out = append(out, a)
	}
	return out, nil
}

// parseOrderBy reads "col [asc|desc]" keys. A key may name an output
// column or repeat an --agg as written (sum(amount) desc).
func parseOrderBy(list []string, aggs []aggSpec) ([]*stratapb.SortKey, error) {
	var keys []*stratapb.SortKey
	for _, s := range list {
		text := strings.TrimSpace(s)
		desc := false
		if rest, ok := cutSuffixFold(text, " desc"); ok {
			text, desc = strings.TrimSpace(rest), true
		} else if rest, ok := cutSuffixFold(text, " asc"); ok {
			text = strings.TrimSpace(rest)
		}
		if text == "" || strings.ContainsAny(text, " ,") && !strings.Contains(text, "(") {
			return nil, fmt.Errorf("--order-by %q: expected a column and an optional asc or desc (one key per flag)", s)
		}
		name := strings.Trim(text, `"`)
		if strings.Contains(text, "(") {
			a, err := parseAgg(text)
			if err != nil {
				return nil, fmt.Errorf("--order-by %q: %w", s, err)
			}
			found := false
			for _, x := range aggs {
				if x.text == a.text {
					name, found = x.name, true
				}
			}
			if !found {
				return nil, fmt.Errorf("--order-by %q: %s is not one of the --agg aggregates", s, a.text)
			}
		}
		keys = append(keys, &stratapb.SortKey{Expr: column(name), Desc: desc})
	}
	return keys, nil
}

func cutSuffixFold(s, suffix string) (string, bool) {
	if len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix) {
		return s[:len(s)-len(suffix)], true
	}
	return s, false
}
