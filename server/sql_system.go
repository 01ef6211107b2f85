package server

import (
	"context"

	"github.com/stratadb/strata/query/sql"
)

// runSystemQuery answers a query on PostgreSQL's system catalogs over gRPC.
func (n *Node) runSystemQuery(ctx context.Context, q *sql.SystemQuery) (*sql.Result, error) {
	return nil, &sql.Error{Code: "0A000", Message: "system catalog queries are not available yet"}
}
