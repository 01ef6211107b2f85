// Package pgwire is Strata's PostgreSQL wire protocol endpoint: it lets
// psql, pgx, JDBC, node-postgres and every other PostgreSQL client talk to a
// node.
//
// It owns the protocol (version 3.0): startup (SSL and GSS requests answered
// 'N'), password authentication (md5 or cleartext, any user), the session
// (ParameterStatus, session variables, the transaction status byte), the
// simple query protocol (several statements in one string), the extended
// protocol (Parse/Bind/Describe/Execute/Close/Sync/Flush, named statements
// and portals, row limits), type mapping (Arrow results to PostgreSQL OIDs,
// text and binary formats both ways), COPY FROM STDIN (text, CSV and binary)
// as a bulk load, cancel requests and statement_timeout, and error responses
// with SQLSTATEs.
//
// It does not own SQL (query/sql parses and plans; pgwire asks it to), the
// engine or the write path (the node behind Backend runs statements and
// inserts records), nor PostgreSQL's system catalogs (server/pgcatalog answers
// sql.SystemQuery). It knows nothing of Raft, storage internals or gRPC.
//
// Session statements are answered here, not by the Backend: SET/SHOW/RESET
// of session variables with PostgreSQL's defaults, BEGIN/COMMIT/ROLLBACK
// (accepted, but every statement commits on its own, so a ROLLBACK undoes
// nothing; after an error inside BEGIN the session refuses statements with
// 25P02 until the block ends, as PostgreSQL does), and COPY FROM STDIN.
//
// Why pgproto3 and not psql-wire. The project pinned
// github.com/jeroenrinzema/psql-wire v0.20.0; its API was read first and
// found too limiting for what clients need, so the server is written on
// github.com/jackc/pgx/v5/pgproto3 (message encoding only) instead:
//   - ErrorResponse has no Position field, so syntax errors could not point
//     at the offending character.
//   - It overwrites the server_version ParameterStatus with "150000" after
//     any configured version, which libpq parses as major version 150000.
//   - A simple query's statements are all described before the first one
//     runs, so "CREATE TABLE t ...; SELECT * FROM t" cannot be planned.
//   - Errors in Bind and unknown statements close the connection instead of
//     answering an ErrorResponse; COPY text parsing uses encoding/csv, which
//     is not PostgreSQL's text format; no md5 authentication.
//
// Types. int64 is int8 (20), int32 int4 (23), float64 float8 (701), bool
// (16), string text (25), binary bytea (17), timestamp timestamp (1114: the
// engine's timestamps are UTC instants without a session time zone, and
// timestamp prints them without an offset, as "2006-01-02 15:04:05.999999"),
// date (1082). A column marked sql.Column.Numeric is numeric (1700): exact
// integers print as they are; float values (avg) print with at most 15
// significant digits (float64's precise ones), trailing zeros dropped and
// never in exponent form (PostgreSQL would print avg(1,2) as
// 1.5000000000000000 and avg(1,2,2) as 1.6666666666666667; Strata prints
// 1.5 and 1.66666666666667). float8 prints as PostgreSQL 12+ does (shortest exact form,
// exponent outside 1e-4..1e15, extra_float_digits <= 0 honoured). Input text
// (parameters and COPY) is read with PostgreSQL's rules per type; a
// timestamp with an offset is converted to UTC like the engine's literals.
//
// Usage:
//
//	srv, err := pgwire.Listen(pgwire.Options{Addr: "127.0.0.1:5433", Logger: log}, node)
//	if err != nil { ... }
//	fmt.Println("psql -h 127.0.0.1 -p", srv.Addr())
//	...
//	err = srv.Close(ctx) // stops accepting, cancels running statements, ends sessions
package pgwire
