package client

import (
	"context"

	stratapb "github.com/stratadb/strata/proto"
)

// SQL runs one SQL statement on the node. A query answers its rows; a
// statement without rows (CREATE TABLE, INSERT, ROLLBACK TABLE, SET)
// answers an empty schema, and Tag gives its command tag ("INSERT 0 3").
// Writes go through the node's write path like Writer's batches, but
// without a producer id: a retry after an unknown outcome may apply twice.
func (c *Client) SQL(ctx context.Context, text string) (*Result, error) {
	return c.Query(ctx, &stratapb.QueryRequest{Query: &stratapb.QueryRequest_Sql{Sql: text}})
}

// Tag is the statement's PostgreSQL-style command tag ("SELECT 3",
// "CREATE TABLE"); empty for a plan query.
func (r *Result) Tag() string { return r.Stats.GetCommandTag() }

// NumericColumns reports, per result column, whether PostgreSQL would
// answer numeric there (sum or avg of integers), for printing.
func (r *Result) NumericColumns() []bool { return r.Stats.GetNumericColumns() }
