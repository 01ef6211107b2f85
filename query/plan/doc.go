// Package plan defines Strata's logical query plans: typed constants,
// scalar expressions (operators, CASE, COALESCE, LIKE, CAST, functions),
// aggregate calls and the operator tree (Scan, Filter, Project, Aggregate,
// Sort, Limit, DistinctOn, Values), plus binding, which type-checks a plan
// against table definitions, coerces untyped constants, unifies the types
// that meet in one column (CASE branches, VALUES rows) and folds casts of
// constants. cast.go holds PostgreSQL's text input and output rules, which
// binding and the engine share.
//
// The SQL front end and Go callers produce the same plans; the engine in
// query/exec runs them. This package knows table definitions (storage's
// TableDef and ColumnType) but nothing of chunks, snapshots or execution.
//
// Usage:
//
//	p := &plan.Aggregate{
//		Input:   &plan.Filter{Input: &plan.Scan{Table: "metrics"}, Pred: plan.Bin{Op: plan.OpGt, L: plan.Col{Name: "cpu"}, R: plan.Lit{Value: plan.Float64(0.5)}}},
//		GroupBy: []plan.Named{{Name: "host", Expr: plan.Col{Name: "host"}}},
//		Aggs:    []plan.NamedAgg{{Name: "n", Agg: plan.Agg{Func: plan.AggCountStar}}},
//	}
//	bound, schema, err := plan.Bind(p, catalog)
package plan
