// Package refeval is a deliberately naive reference evaluator of logical
// plans (query/plan), used by the differential tests to check the engine.
//
// It owns: an in-memory model of tables as Go values (every row ever written
// with its version, and the rollbacks), visibility at a version, and a
// row-at-a-time interpreter of plan.Node trees with the documented SQL
// semantics (three-valued logic, PostgreSQL float order, exact integer sums,
// overflow and division-by-zero errors, date_trunc and time_bucket in UTC).
// It also judges an engine's answer (Result.Check), since with ties, LIMIT
// and unordered output there are many correct answers.
//
// It does not own: anything fast. It shares no code with the engine
// (query/exec) and never reads storage: plans are type-checked with
// plan.Bind, and storage is imported only for TableDef and ColumnType.
//
// Errors are modelled as poison: a value whose computation failed (1/0, an
// int64 overflow) is carried along instead of stopping the query, because
// an engine may legally never compute it (the other side of an AND was
// false, a later filter dropped the row, the column is never used). A
// poisoned value that every evaluation must compute (it reaches the output,
// a group key, a filter that keeps the row) makes the error definite
// (Result.Err); every error met anywhere is listed in Result.Possible, the
// errors a correct engine may report. Filter predicates are judged
// conjunct by conjunct (x AND 1/0 with x NULL drops the row without error),
// and constant expressions may fail at planning time, even over no rows.
//
// CASE and COALESCE evaluate a branch only for the rows that reach it, so
// a branch's poison spreads only then (a division by zero in a branch no
// row takes is no error); functions, LIKE and CAST evaluate every argument.
// The newer expressions have their own implementations here: LIKE as a
// regular expression, CAST with its own text parsing and printing and
// math/big range checks, round through big.Rat, date_part through package
// time. DISTINCT ON keeps the first row of each group in input order; when
// that order is not decided (rows its Sort ties, or any rows without a
// Sort below) and the candidates differ, the run is marked Unstable.
//
// Floats: sums and averages are compared within a tolerance (FloatsClose);
// a sum whose value depends on the order of addition beyond it (huge values
// cancelling) marks the Result Unstable, and its rows cannot be judged.
//
// Usage:
//
//	db := &refeval.DB{Applied: 7, Tables: map[string]*refeval.Table{"t": {
//		Def: def, Created: 1,
//		Rows: []refeval.Row{{Version: 2, Values: []plan.Value{plan.Int64(1)}}},
//	}}}
//	res := refeval.Run(db, p, 0) // 0: the latest applied version
//	if res.Err == nil {
//		err := res.Check(engineRows) // nil when the engine's rows are a correct answer
//	}
package refeval
