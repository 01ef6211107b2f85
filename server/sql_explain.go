package server

import (
	"context"

	"github.com/stratadb/strata/query/sql"
)

// explain answers EXPLAIN [ANALYZE] as one text column, "QUERY PLAN".
func (n *Node) explain(ctx context.Context, s *sql.Select) (*sql.Result, error) {
	return nil, &sql.Error{Code: "0A000", Message: "EXPLAIN is not available yet"}
}
