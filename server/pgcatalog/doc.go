// Package pgcatalog answers the queries PostgreSQL clients send on the
// system catalogs: psql 15's meta-commands (\d, \d table, \d+, \dt, \dS,
// \l, \dn, \du, \df, \dT, \dx, \z, \dconfig and the rest: every query
// psql sends runs, and tab completion works), drivers' version(),
// current_schema(), current_setting(...), pg_type lookups (pgx LoadType,
// JDBC's TypeInfoCache and DatabaseMetaData.getTables/getColumns), and
// information_schema.tables and .columns. testdata/ holds these queries
// with their answers, checked against a real PostgreSQL 15 holding the
// same tables (TestGoldenAgainstPostgres).
//
// Strata's engine has no joins and no pg_catalog, so these queries come
// here (query/sql hands them over as *sql.SystemQuery): a small,
// row-at-a-time SQL evaluator over virtual catalog relations, working on
// cockroachdb-parser's AST. The relations are small (a row per table,
// column, type), so it materializes every intermediate result. Joins are
// nested loops, or hash joins where ON, USING or WHERE equates columns of
// the two sides, and WHERE and ON conjuncts filter join inputs early
// (pushdown.go), which keeps JDBC's and GUI tools' metadata queries at a
// few milliseconds. Budgets of work and of materialized values stop
// runaway queries (SQLSTATE 54001); a canceled context stops any (57014).
//
// It owns the emulated catalog (which relations exist, their columns,
// the OIDs of Strata's tables, pg_type's rows, pg_settings' defaults)
// and the evaluator. It does not own the wire protocol, sessions or SET:
// the server passes the session in Env and encodes the rows.
//
// Usage:
//
//	env := &pgcatalog.Env{Catalog: node.Catalog(), ServerVersion: "15.0 (Strata 0.1.0)",
//		Database: "strata", User: user, Setting: session.Setting}
//	p, err := pgcatalog.Prepare(q, env, paramOIDs) // q is a *sql.SystemQuery
//	// p.Columns and p.Params describe the statement (RowDescription,
//	// ParameterDescription)
//	rows, err := p.Run(ctx, args)
//
// A SystemQuery with a nil AST is parsed from its Text by Parse, which
// also accepts psql's COLLATE pg_catalog.default (cockroach's parser does
// not).
//
// # The catalog
//
// Schema public (OID 2200) holds Strata's tables; pg_catalog (11) and
// information_schema (13207) hold every table and view PostgreSQL 15 has
// there, with its columns, types and collations (catalog_gen.go,
// generated from a real PostgreSQL 15 by gen_catalog.go), so any relation
// or column a client names exists; each also has the system column
// tableoid. The ones Strata has something for have rows (pg_class,
// pg_attribute, pg_type, pg_namespace, pg_proc (the types' I/O
// functions), pg_am, pg_database, pg_roles, pg_user, pg_settings,
// pg_tables, pg_views, pg_tablespace, pg_collation, pg_range,
// pg_stat_activity (this session), pg_stat_database, pg_stat_user_tables,
// information_schema.tables, columns, schemata, ...); the others
// (pg_index, pg_constraint, pg_policy, pg_inherits, pg_trigger,
// pg_description, pg_extension, ...) are empty. A table's OID
// is 16385 + FNV-1a(name) mod (2^31 - 16385): stable while the table
// exists, whatever other tables come and go (a collision, taken in name
// order, moves to the next free OID). The system relations keep
// PostgreSQL's OIDs (pg_class is 1259).
//
// Strata's column types show as: int64 bigint, int32 integer, float64
// double precision, bool boolean, string text, binary bytea, timestamp
// timestamp with time zone (UTC instants), date date (see TypeOID). A
// table's partition and sort keys show as reloptions (partition_by=...,
// buckets=..., sort_by=...), which \d+ prints as Options. The one role is
// Env.User, a superuser with OID 10; the one database is Env.Database.
// Table sizes are 0 (the catalog does not report them), comments and
// definitions (pg_get_viewdef, pg_get_indexdef, ...) NULL, privilege
// checks true. pg_settings lists common parameters with Strata's
// defaults (PostgreSQL 15's, but UTF8, C locale, UTC), overridden by
// Env.Setting; set_config answers its value without keeping it (SET goes
// through the server).
//
// # Values
//
// Rows are Go values typed by their column's OID: bool (16) bool; int2
// (21) int16; int4 (23) int32; int8 (20) int64; oid (26), regproc (24),
// regclass (2205), regtype (2206), regnamespace (4089), regrole (4096)
// uint32; float8 (701) float64; text (25), name (19), "char" (18),
// varchar (1043), bpchar (1042) string; text[] (1009), name[] (1003)
// []string; nil is NULL. Columns of other types are declared as one of
// these: float4 and numeric as float8, xid as oid, other arrays as text[]
// and everything else (timestamptz, pg_node_tree, aclitem, ...) as text
// in PostgreSQL's text form. A reg* column carries the OID, so a client
// reading it as text sees the number, not the name; cast to text in the
// query (oid::regclass::text) for the name.
//
// # The evaluator
//
// Supported: SELECT lists with expressions, aliases, * and t.*; FROM with
// comma joins, [INNER|LEFT|RIGHT|FULL] JOIN ... ON/USING, NATURAL JOIN,
// subqueries, functions (generate_series, unnest, any scalar function,
// WITH ORDINALITY, column aliases), LATERAL; WITH (not RECURSIVE);
// scalar, correlated, EXISTS, IN and ANY/ALL subqueries; WHERE, GROUP BY,
// HAVING, DISTINCT, DISTINCT ON, ORDER BY (positions, output names,
// expressions, NULLS FIRST/LAST), LIMIT/OFFSET, UNION/INTERSECT/EXCEPT
// [ALL], VALUES; AND/OR/NOT with three-valued logic, comparisons, IN,
// BETWEEN, IS [NOT] NULL, IS [NOT] DISTINCT FROM, LIKE/ILIKE, SIMILAR TO,
// ~ !~ ~* !~* (also as OPERATOR(pg_catalog.~); Go's RE2 syntax, which
// covers psql's patterns), array @> <@ &&, || on text and arrays,
// arithmetic, CASE, COALESCE, NULLIF, GREATEST, LEAST, casts (including
// 'name'::regclass and oid::regclass::text lookups), COLLATE (ignored),
// ARRAY[...], ARRAY(SELECT ...), subscripts; count, sum, avg, min, max,
// string_agg, array_agg, bool_and, bool_or with DISTINCT, FILTER and
// ORDER BY; row_number, rank and dense_rank OVER (PARTITION BY ... ORDER
// BY ...); and the functions psql, pgx and JDBC call (funcs_table.go).
// Anything else is a *sql.Error with SQLSTATE 0A000 naming the construct.
// Unknown relations are 42P01, columns 42703, functions 42883.
//
// Not supported: other window functions and frames, WITH RECURSIVE,
// set-returning functions in the select list, row constructors,
// multidimensional arrays and slices, reading Strata's tables in the same
// query (0A000: the engine answers those). Regular expressions are Go's
// RE2, a subset of PostgreSQL's (no backreferences or lookaround).
package pgcatalog
