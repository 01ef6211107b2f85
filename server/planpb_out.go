package server

import (
	"fmt"

	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/query/plan"
)

// PlanToProto converts a logical plan for the wire (Go callers that build
// plan.Node trees, such as tests and benchmarks, send them this way).
func PlanToProto(n plan.Node) (*stratapb.Plan, error) {
	switch n := n.(type) {
	case *plan.Scan:
		return &stratapb.Plan{Node: &stratapb.Plan_Scan{Scan: &stratapb.Scan{Table: n.Table, AsOf: n.AsOf}}}, nil
	case *plan.Filter:
		in, err := PlanToProto(n.Input)
		if err != nil {
			return nil, err
		}
		pred, err := ExprToProto(n.Pred)
		return &stratapb.Plan{Node: &stratapb.Plan_Filter{Filter: &stratapb.Filter{Input: in, Pred: pred}}}, err
	case *plan.Project:
		in, err := PlanToProto(n.Input)
		if err != nil {
			return nil, err
		}
		exprs, err := namedToProto(n.Exprs)
		return &stratapb.Plan{Node: &stratapb.Plan_Project{Project: &stratapb.Project{Input: in, Exprs: exprs}}}, err
	case *plan.Aggregate:
		in, err := PlanToProto(n.Input)
		if err != nil {
			return nil, err
		}
		groups, err := namedToProto(n.GroupBy)
		if err != nil {
			return nil, err
		}
		a := &stratapb.Aggregate{Input: in, GroupBy: groups}
		for _, na := range n.Aggs {
			pa := &stratapb.NamedAgg{Name: na.Name, Func: stratapb.AggFunc(na.Agg.Func)}
			if na.Agg.Arg != nil {
				if pa.Arg, err = ExprToProto(na.Agg.Arg); err != nil {
					return nil, err
				}
			}
			a.Aggs = append(a.Aggs, pa)
		}
		return &stratapb.Plan{Node: &stratapb.Plan_Aggregate{Aggregate: a}}, nil
	case *plan.Sort:
		in, err := PlanToProto(n.Input)
		if err != nil {
			return nil, err
		}
		s := &stratapb.Sort{Input: in}
		for _, k := range n.Keys {
			e, err := ExprToProto(k.Expr)
			if err != nil {
				return nil, err
			}
			s.Keys = append(s.Keys, &stratapb.SortKey{Expr: e, Desc: k.Desc, Nulls: stratapb.Nulls(k.Nulls)})
		}
		return &stratapb.Plan{Node: &stratapb.Plan_Sort{Sort: s}}, nil
	case *plan.Limit:
		in, err := PlanToProto(n.Input)
		return &stratapb.Plan{Node: &stratapb.Plan_Limit{Limit: &stratapb.Limit{Input: in, Count: n.Count, Offset: n.Offset}}}, err
	}
	return nil, fmt.Errorf("%w: cannot send %T", plan.ErrInvalidPlan, n)
}

func namedToProto(ns []plan.Named) ([]*stratapb.NamedExpr, error) {
	out := make([]*stratapb.NamedExpr, len(ns))
	for i, n := range ns {
		e, err := ExprToProto(n.Expr)
		if err != nil {
			return nil, err
		}
		out[i] = &stratapb.NamedExpr{Name: n.Name, Expr: e}
	}
	return out, nil
}

// ExprToProto converts an expression for the wire.
func ExprToProto(e plan.Expr) (*stratapb.Expr, error) {
	pair := func(a, b plan.Expr) (*stratapb.Expr, *stratapb.Expr, error) {
		x, err := ExprToProto(a)
		if err != nil {
			return nil, nil, err
		}
		y, err := ExprToProto(b)
		return x, y, err
	}
	switch e := e.(type) {
	case plan.Col:
		return &stratapb.Expr{Kind: &stratapb.Expr_Column{Column: e.Name}}, nil
	case plan.ColAt:
		return &stratapb.Expr{Kind: &stratapb.Expr_ColumnAt{ColumnAt: &stratapb.ColumnAt{Index: int32(e.Index), Name: e.Name}}}, nil
	case plan.Lit:
		return &stratapb.Expr{Kind: &stratapb.Expr_Literal{Literal: ValueToProto(e.Value)}}, nil
	case plan.Bin:
		l, r, err := pair(e.L, e.R)
		return &stratapb.Expr{Kind: &stratapb.Expr_Binary{Binary: &stratapb.BinaryExpr{Op: stratapb.BinOp(e.Op), Left: l, Right: r}}}, err
	case plan.Not:
		x, err := ExprToProto(e.X)
		return &stratapb.Expr{Kind: &stratapb.Expr_Not{Not: x}}, err
	case plan.Neg:
		x, err := ExprToProto(e.X)
		return &stratapb.Expr{Kind: &stratapb.Expr_Neg{Neg: x}}, err
	case plan.IsNull:
		x, err := ExprToProto(e.X)
		return &stratapb.Expr{Kind: &stratapb.Expr_IsNull{IsNull: &stratapb.IsNullExpr{X: x, Not: e.Not}}}, err
	case plan.In:
		x, err := ExprToProto(e.X)
		if err != nil {
			return nil, err
		}
		in := &stratapb.InExpr{X: x, Not: e.Not}
		for _, item := range e.List {
			pi, err := ExprToProto(item)
			if err != nil {
				return nil, err
			}
			in.List = append(in.List, pi)
		}
		return &stratapb.Expr{Kind: &stratapb.Expr_In{In: in}}, nil
	case plan.Between:
		x, lo, err := pair(e.X, e.Lo)
		if err != nil {
			return nil, err
		}
		hi, err := ExprToProto(e.Hi)
		return &stratapb.Expr{Kind: &stratapb.Expr_Between{Between: &stratapb.BetweenExpr{X: x, Lo: lo, Hi: hi, Not: e.Not}}}, err
	case plan.DateTrunc:
		x, err := ExprToProto(e.X)
		return &stratapb.Expr{Kind: &stratapb.Expr_DateTrunc{DateTrunc: &stratapb.DateTruncExpr{Unit: e.Unit.String(), X: x}}}, err
	case plan.TimeBucket:
		x, err := ExprToProto(e.X)
		return &stratapb.Expr{Kind: &stratapb.Expr_TimeBucket{TimeBucket: &stratapb.TimeBucketExpr{WidthUs: e.Width, OriginUs: e.Origin, X: x}}}, err
	}
	return nil, fmt.Errorf("%w: cannot send expression %T", plan.ErrInvalidPlan, e)
}

// ValueToProto converts a constant for the wire.
func ValueToProto(v plan.Value) *stratapb.Value {
	return &stratapb.Value{Type: stratapb.ColumnType(v.Type), Null: v.Null, Int: v.Int, Float: v.Float, Bytes: []byte(v.Str)}
}
