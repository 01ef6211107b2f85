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
// of session variables with PostgreSQL's defaults (statement_timeout and
// extra_float_digits and TimeZone change what is done or printed; the
// others are kept for SHOW and current_setting), BEGIN/COMMIT/ROLLBACK,
// and COPY FROM STDIN. Transactions are accepted but every statement
// commits on its own: the status byte follows BEGIN ('T'), an error inside
// the block ('E', and statements are refused with 25P02 until it ends, as
// PostgreSQL does) and COMMIT/ROLLBACK ('I'); ROLLBACK undoes only SET
// LOCAL. A simple query with several statements runs them one after the
// other, each planned just before it runs, and stops at the first error
// (the ones before it stay done).
//
// Why pgproto3 and not psql-wire. The project pinned
// github.com/jeroenrinzema/psql-wire v0.20.0; its API was read first and
// found too limiting for what clients need, so the server is written on
// github.com/jackc/pgx/v5/pgproto3 (message encoding only) instead:
//   - ErrorResponse has no Position field, so syntax errors could not point
//     at the offending character (nor a Where field for COPY's context).
//   - It overwrites the server_version ParameterStatus with "150000" after
//     any configured version, which libpq parses as major version 150000.
//   - A simple query's statements are all described before the first one
//     runs, so "CREATE TABLE t ...; SELECT * FROM t" cannot be planned.
//   - Errors in Bind and unknown statement names close the connection
//     instead of answering an ErrorResponse; COPY text parsing uses
//     encoding/csv, which is not PostgreSQL's text format; no md5
//     authentication. (Cancel requests, portals with row limits and binary
//     COPY it does have.)
//
// Types. int64 is int8 (20), int32 int4 (23), float64 float8 (701), bool
// (16), string text (25), binary bytea (17, hex text), date (1082), and
// timestamp is timestamptz (1184): the engine's timestamps are UTC instants
// (literals with an offset are converted), so drivers must treat them as
// instants (JDBC reads a plain timestamp as a wall-clock time in the JVM's
// zone; pgx sends a time.Time's wall clock, dropping its zone, for one),
// and server/pgcatalog describes the columns as timestamp with time zone. Text output prints them in the session's
// TimeZone (UTC by default: "2024-01-02 03:04:05.5+00"); zone-less input
// text is UTC, as the engine's literals. A column marked sql.Column.Numeric
// (planning decides; the result's own columns are only a fallback) is
// numeric (1700), text or binary as the client asks: exact integers print
// as they are; float values (avg of integers) print with at most 15
// significant digits (float64's precise ones), trailing zeros dropped and
// never in exponent form (PostgreSQL would print avg(1,2) as
// 1.5000000000000000 and avg(1,2,2) as 1.6666666666666667; Strata prints
// 1.5 and 1.66666666666667). float8 prints as PostgreSQL 12+ does
// (shortest exact form, exponent below 1e-4 and from 1e15,
// extra_float_digits <= 0 honoured). Input text (parameters and COPY) is
// read with PostgreSQL's input rules per type and its SQLSTATEs (22P02,
// 22003, 22007, 22008, 22021). Other types are 0A000.
//
// Protocol limits: protocol 3.0 only (3.2 is negotiated down), no SSL
// (requests answered 'N'), no COPY TO, no function calls; results are
// materialized before they are sent (a portal's row limit pages through
// them); one COPY holds all its rows in memory (MaxCopyBytes) before one
// Backend.Insert, so a bad row writes nothing.
//
// Usage:
//
//	srv, err := pgwire.Listen(pgwire.Options{Addr: "127.0.0.1:5433", Logger: log}, node)
//	if err != nil { ... }
//	fmt.Println("psql -h 127.0.0.1 -p", srv.Addr())
//	...
//	err = srv.Close(ctx) // stops accepting, cancels running statements, ends sessions
package pgwire
