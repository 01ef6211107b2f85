package server

import (
	"fmt"

	stratapb "github.com/stratadb/strata/proto"
	"github.com/stratadb/strata/query/plan"
	"github.com/stratadb/strata/storage"
)

// PlanFromProto converts a wire plan to a logical plan. Structural
// problems (a missing input, an unknown operator) are plan.ErrInvalidPlan;
// types are checked later by plan.Bind.
func PlanFromProto(p *stratapb.Plan) (plan.Node, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: missing plan node", plan.ErrInvalidPlan)
	}
	switch n := p.GetNode().(type) {
	case *stratapb.Plan_Scan:
		return &plan.Scan{Table: n.Scan.GetTable(), AsOf: n.Scan.GetAsOf()}, nil
	case *stratapb.Plan_Filter:
		in, err := PlanFromProto(n.Filter.GetInput())
		if err != nil {
			return nil, err
		}
		pred, err := ExprFromProto(n.Filter.GetPred())
		return &plan.Filter{Input: in, Pred: pred}, err
	case *stratapb.Plan_Project:
		in, err := PlanFromProto(n.Project.GetInput())
		if err != nil {
			return nil, err
		}
		exprs, err := namedFromProto(n.Project.GetExprs())
		return &plan.Project{Input: in, Exprs: exprs}, err
	case *stratapb.Plan_Aggregate:
		return aggregateFromProto(n.Aggregate)
	case *stratapb.Plan_Sort:
		in, err := PlanFromProto(n.Sort.GetInput())
		if err != nil {
			return nil, err
		}
		keys := make([]plan.SortKey, len(n.Sort.GetKeys()))
		for i, k := range n.Sort.GetKeys() {
			e, err := ExprFromProto(k.GetExpr())
			if err != nil {
				return nil, err
			}
			keys[i] = plan.SortKey{Expr: e, Desc: k.GetDesc(), Nulls: plan.Nulls(k.GetNulls())}
		}
		return &plan.Sort{Input: in, Keys: keys}, nil
	case *stratapb.Plan_Limit:
		in, err := PlanFromProto(n.Limit.GetInput())
		if err != nil {
			return nil, err
		}
		return &plan.Limit{Input: in, Count: n.Limit.GetCount(), Offset: n.Limit.GetOffset()}, nil
	}
	return nil, fmt.Errorf("%w: unknown plan node %T", plan.ErrInvalidPlan, p.GetNode())
}

func aggregateFromProto(a *stratapb.Aggregate) (plan.Node, error) {
	in, err := PlanFromProto(a.GetInput())
	if err != nil {
		return nil, err
	}
	groups, err := namedFromProto(a.GetGroupBy())
	if err != nil {
		return nil, err
	}
	aggs := make([]plan.NamedAgg, len(a.GetAggs()))
	for i, na := range a.GetAggs() {
		var arg plan.Expr
		if na.GetArg() != nil {
			if arg, err = ExprFromProto(na.GetArg()); err != nil {
				return nil, err
			}
		}
		aggs[i] = plan.NamedAgg{Name: na.GetName(), Agg: plan.Agg{Func: plan.AggFunc(na.GetFunc()), Arg: arg}}
	}
	return &plan.Aggregate{Input: in, GroupBy: groups, Aggs: aggs}, nil
}

func namedFromProto(ns []*stratapb.NamedExpr) ([]plan.Named, error) {
	out := make([]plan.Named, len(ns))
	for i, n := range ns {
		e, err := ExprFromProto(n.GetExpr())
		if err != nil {
			return nil, err
		}
		out[i] = plan.Named{Name: n.GetName(), Expr: e}
	}
	return out, nil
}

// ExprFromProto converts a wire expression.
func ExprFromProto(e *stratapb.Expr) (plan.Expr, error) {
	if e == nil {
		return nil, fmt.Errorf("%w: missing expression", plan.ErrInvalidPlan)
	}
	two := func(a, b *stratapb.Expr) (plan.Expr, plan.Expr, error) {
		x, err := ExprFromProto(a)
		if err != nil {
			return nil, nil, err
		}
		y, err := ExprFromProto(b)
		return x, y, err
	}
	switch k := e.GetKind().(type) {
	case *stratapb.Expr_Column:
		return plan.Col{Name: k.Column}, nil
	case *stratapb.Expr_ColumnAt:
		return plan.ColAt{Index: int(k.ColumnAt.GetIndex()), Name: k.ColumnAt.GetName()}, nil
	case *stratapb.Expr_Literal:
		return plan.Lit{Value: ValueFromProto(k.Literal)}, nil
	case *stratapb.Expr_Binary:
		l, r, err := two(k.Binary.GetLeft(), k.Binary.GetRight())
		return plan.Bin{Op: plan.BinOp(k.Binary.GetOp()), L: l, R: r}, err
	case *stratapb.Expr_Not:
		x, err := ExprFromProto(k.Not)
		return plan.Not{X: x}, err
	case *stratapb.Expr_Neg:
		x, err := ExprFromProto(k.Neg)
		return plan.Neg{X: x}, err
	case *stratapb.Expr_IsNull:
		x, err := ExprFromProto(k.IsNull.GetX())
		return plan.IsNull{X: x, Not: k.IsNull.GetNot()}, err
	case *stratapb.Expr_In:
		x, err := ExprFromProto(k.In.GetX())
		if err != nil {
			return nil, err
		}
		list := make([]plan.Expr, len(k.In.GetList()))
		for i, item := range k.In.GetList() {
			if list[i], err = ExprFromProto(item); err != nil {
				return nil, err
			}
		}
		return plan.In{X: x, List: list, Not: k.In.GetNot()}, nil
	case *stratapb.Expr_Between:
		x, lo, err := two(k.Between.GetX(), k.Between.GetLo())
		if err != nil {
			return nil, err
		}
		hi, err := ExprFromProto(k.Between.GetHi())
		return plan.Between{X: x, Lo: lo, Hi: hi, Not: k.Between.GetNot()}, err
	case *stratapb.Expr_DateTrunc:
		unit, err := plan.ParseTruncUnit(k.DateTrunc.GetUnit())
		if err != nil {
			return nil, err
		}
		x, err := ExprFromProto(k.DateTrunc.GetX())
		return plan.DateTrunc{Unit: unit, X: x}, err
	case *stratapb.Expr_TimeBucket:
		x, err := ExprFromProto(k.TimeBucket.GetX())
		return plan.TimeBucket{Width: k.TimeBucket.GetWidthUs(), Origin: k.TimeBucket.GetOriginUs(), X: x}, err
	}
	return nil, fmt.Errorf("%w: unknown expression %T", plan.ErrInvalidPlan, e.GetKind())
}

// ValueFromProto converts a wire constant.
func ValueFromProto(v *stratapb.Value) plan.Value {
	return plan.Value{Type: storage.ColumnType(v.GetType()), Null: v.GetNull(), Int: v.GetInt(), Float: v.GetFloat(), Str: string(v.GetBytes())}
}
