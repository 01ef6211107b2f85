package main

import (
	"fmt"
	"strings"
	"testing"

	stratapb "github.com/stratadb/strata/proto"
)

// planString renders a plan as nested operators, e.g.
// Limit(5, Sort([sum_amount desc], Aggregate([account], [count=COUNT_STAR()], Filter(..., Scan(t))))).
func planString(p *stratapb.Plan) string {
	switch n := p.GetNode().(type) {
	case *stratapb.Plan_Scan:
		return fmt.Sprintf("Scan(%s)", n.Scan.GetTable())
	case *stratapb.Plan_Filter:
		return fmt.Sprintf("Filter(%s, %s)", exprString(n.Filter.GetPred()), planString(n.Filter.GetInput()))
	case *stratapb.Plan_Project:
		var cols []string
		for _, e := range n.Project.GetExprs() {
			cols = append(cols, e.GetName())
		}
		return fmt.Sprintf("Project(%v, %s)", cols, planString(n.Project.GetInput()))
	case *stratapb.Plan_Aggregate:
		var groups, aggs []string
		for _, g := range n.Aggregate.GetGroupBy() {
			groups = append(groups, g.GetName())
		}
		for _, a := range n.Aggregate.GetAggs() {
			arg := ""
			if a.GetArg() != nil {
				arg = exprString(a.GetArg())
			}
			aggs = append(aggs, fmt.Sprintf("%s=%s(%s)", a.GetName(), a.GetFunc(), arg))
		}
		return fmt.Sprintf("Aggregate(%v, %v, %s)", groups, aggs, planString(n.Aggregate.GetInput()))
	case *stratapb.Plan_Sort:
		var keys []string
		for _, k := range n.Sort.GetKeys() {
			s := exprString(k.GetExpr())
			if k.GetDesc() {
				s += " desc"
			}
			keys = append(keys, s)
		}
		return fmt.Sprintf("Sort(%v, %s)", keys, planString(n.Sort.GetInput()))
	case *stratapb.Plan_Limit:
		return fmt.Sprintf("Limit(%d, %s)", n.Limit.GetCount(), planString(n.Limit.GetInput()))
	}
	return "?"
}

func TestBuildQuery(t *testing.T) {
	for _, tc := range []struct {
		q    queryOptions
		want string
	}{
		{queryOptions{Table: "t", Limit: -1}, "Scan(t)"},
		{queryOptions{Table: "t", Limit: 0}, "Limit(0, Scan(t))"},
		{queryOptions{Table: "t", Select: []string{"a", " b"}, Limit: 3},
			"Limit(3, Project([a b], Scan(t)))"},
		{queryOptions{Table: "t", Where: "a > 1", Aggs: []string{"count(*)"}, Limit: -1},
			"Aggregate([], [count=COUNT_STAR()], Filter((a GT 1), Scan(t)))"},
		{queryOptions{Table: "t", GroupBy: []string{"account", "direction"}, Limit: -1},
			"Aggregate([account direction], [], Scan(t))"},
		{queryOptions{Table: "t", GroupBy: []string{"account"},
			Aggs:    []string{"count(*)", "SUM(amount)", "count(DISTINCT day) AS days", "avg( amount )", "count(x)", "min(ts)", "max(ts)"},
			OrderBy: []string{"sum(amount) desc", "account", "days DESC", "count(*) asc"}, Limit: 5},
			"Limit(5, Sort([sum_amount desc account days desc count], Aggregate([account], " +
				"[count=COUNT_STAR() sum_amount=SUM(amount) days=COUNT_DISTINCT(day) avg_amount=AVG(amount) count_x=COUNT(x) min_ts=MIN(ts) max_ts=MAX(ts)], Scan(t))))"},
	} {
		req, err := buildQuery(tc.q)
		if err != nil {
			t.Errorf("%+v: %v", tc.q, err)
			continue
		}
		if got := planString(req.GetPlan()); got != tc.want {
			t.Errorf("%+v\n got %s\nwant %s", tc.q, got, tc.want)
		}
	}
}

func TestBuildQueryAsOf(t *testing.T) {
	req, err := buildQuery(queryOptions{Table: "t", AsOf: 42, Limit: -1})
	if err != nil || req.GetVersion() != 42 {
		t.Fatalf("version %d, %v", req.GetVersion(), err)
	}
}

func TestBuildQueryErrors(t *testing.T) {
	for _, tc := range []struct {
		q    queryOptions
		want string
	}{
		{queryOptions{}, "--table is required"},
		{queryOptions{Table: "t", Aggs: []string{"median(x)"}}, `unknown function "median"`},
		{queryOptions{Table: "t", Aggs: []string{"sum(*)"}}, "only count takes *"},
		{queryOptions{Table: "t", Aggs: []string{"sum(distinct x)"}}, "only count takes DISTINCT"},
		{queryOptions{Table: "t", Aggs: []string{"sum x"}}, "expected func(column)"},
		{queryOptions{Table: "t", Aggs: []string{"sum(x)", "sum(x)"}}, `two aggregates named "sum_x"`},
		{queryOptions{Table: "t", Aggs: []string{"sum(x)"}, OrderBy: []string{"max(x)"}}, "max(x) is not one of the --agg"},
		{queryOptions{Table: "t", OrderBy: []string{"a, b"}}, "one key per flag"},
		{queryOptions{Table: "t", Select: []string{"a"}, GroupBy: []string{"a"}}, "--select cannot be combined"},
		{queryOptions{Table: "t", Where: "a ="}, "--where"},
	} {
		_, err := buildQuery(tc.q)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", tc.q, err, tc.want)
		}
	}
}
