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
package sql
