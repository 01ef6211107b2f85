// Package sql turns SQL text (PostgreSQL's dialect, parsed with
// cockroachdb-parser, plus a small front parser for Strata's own
// statements) into typed statements: logical plans for reads, and
// descriptions of writes (DDL, INSERT, COPY, rollback) that the caller
// sends through the node's write path. It infers parameter types from
// context and maps every error to a PostgreSQL SQLSTATE.
//
// It executes nothing and knows nothing of Raft, the network or the wire
// protocol: the server runs what it returns. Queries on PostgreSQL's
// system catalogs come back as SystemQuery for the server's pg_catalog
// emulation.
//
// Usage:
//
//	stmts, err := sql.Parse("SELECT host, avg(cpu) FROM metrics WHERE ts > $1 GROUP BY host")
//	prep, err := sql.Prepare(stmts[0], catalog, nil) // prep.Params: [timestamp]; prep.Columns: host, avg
//	st, err := prep.Bind([]plan.Value{plan.String("2024-01-01")})
//	res, err := query.Execute(ctx, store, st.(*sql.Select).Plan, query.Options{})
//	code := sql.SQLState(err) // "42P01", "22012", ...
//
// The pieces, one file each:
//
//	lex.go        splits a query string into statements (strings, quoted
//	              identifiers, dollar quotes, nested comments respected)
//	front.go      ROLLBACK TABLE, SHOW VERSIONS OF, DESCRIBE, EXPLAIN
//	asof.go       the AS OF VERSION n rewrite to AS OF SYSTEM TIME n
//	parse.go      cockroachdb-parser, syntax errors with positions, dispatch
//	ddl.go        CREATE TABLE (types, options), DROP TABLE
//	insert.go     INSERT and the coercion of its values
//	session.go    SET, RESET, SHOW, transaction control, COPY
//	system.go     what makes a query a SystemQuery
//	select.go     the shape of a SELECT's plan (from.go, aggregate.go,
//	              order.go; expressions in expr.go, funcs.go; names.go)
//	prepare.go    Prepare: planning against the catalog, result columns
//	infer.go      parameter type inference; typecheck.go, numeric.go;
//	              typed.go types every node of an expression in one walk
//	bind.go       Bind: arguments for parameters, the statement clock
//	clock.go      now(), current_date (taken once per statement, at Bind)
//	              and interval arithmetic folded on constants
//	state.go      SQLSTATEs
//
// What is not supported, each refused with 0A000 naming the construct:
// joins (and several FROM items), UNION/INTERSECT/EXCEPT, WITH, subqueries
// outside FROM (scalar, IN, EXISTS), window functions, aggregates other
// than count/sum/min/max/avg (and sum/avg DISTINCT, FILTER, ordered
// aggregates), arrays and row values, || and the regular-expression and
// SIMILAR TO operators, intervals other than the width of date_bin/
// time_bucket or added to/subtracted from a constant timestamp or date
// (interval arithmetic on a column, timestamp - timestamp, a bare
// interval value), now() and current_date in INSERT values,
// clock_timestamp(), current_time and the other functions the engine
// lacks, numeric/json/char(n)/interval
// columns, constraints and defaults, UPDATE, DELETE, ALTER, INSERT ...
// SELECT, RETURNING, ON CONFLICT, COPY TO, LIMIT with an expression, and
// non-constant date_trunc units, extract fields and bucket widths. An
// unknown function is 42883, as in PostgreSQL.
package sql
