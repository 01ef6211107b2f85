package pgwire

import (
	"context"

	"github.com/stratadb/strata/query/sql"
)

// System queries (pg_catalog, information_schema, version(), ...) are
// answered by server/pgcatalog. This file is the seam: the rest of the
// package sees only systemStatement.

// systemStatement is a system query planned for a session: its result
// columns, its parameters' OIDs, and a function that runs it with
// arguments typed per OID (uint32 for oid, int16/int32/int64, bool, string,
// float64; nil for NULL), answering rows of Go values typed per column OID.
type systemStatement struct {
	columns []column
	params  []uint32
	run     func(ctx context.Context, args []any) ([][]any, error)
}

// systemEnv is what the pg_catalog emulation knows of the session.
type systemEnv struct {
	catalog       sql.Catalog
	serverVersion string
	database      string
	user          string
	setting       func(name string) (string, bool)
}

// prepareSystem plans a system query with the client's parameter OIDs as
// hints.
var prepareSystem = func(q *sql.SystemQuery, env systemEnv, hints []uint32) (*systemStatement, error) {
	return nil, newError(codeFeatureNotSupported, "queries on PostgreSQL's system catalogs are not supported yet")
}
