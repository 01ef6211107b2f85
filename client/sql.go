package client

import (
	"context"
	"strings"

	stratapb "github.com/stratadb/strata/proto"
)

// ReadMode says how fresh a query's read must be.
type ReadMode int32

const (
	// ReadDefault is the answering node's default (its --read-mode).
	ReadDefault = ReadMode(stratapb.ReadMode_READ_MODE_DEFAULT)
	// ReadLinearizable sees every write acknowledged before the read
	// started (the node confirms with the leader first).
	ReadLinearizable = ReadMode(stratapb.ReadMode_READ_MODE_LINEARIZABLE)
	// ReadFollower reads the answering node's applied state at once; it
	// may be stale, but never older than the query's MinVersion.
	ReadFollower = ReadMode(stratapb.ReadMode_READ_MODE_FOLLOWER)
)

// Proto is the mode as QueryRequest.ReadMode.
func (m ReadMode) Proto() stratapb.ReadMode { return stratapb.ReadMode(m) }

func (m ReadMode) String() string { return m.Proto().String() }

// QueryOptions choose how SQLWith reads.
type QueryOptions struct {
	ReadMode ReadMode
	// MinVersion makes the node wait (up to the call's deadline) until
	// it has applied at least this version. The client sends at least
	// its SeenVersion anyway, unless Options.NoSessionConsistency.
	MinVersion uint64
}

// SQL runs one SQL statement on the node. A query answers its rows; a
// statement without rows (CREATE TABLE, INSERT, ROLLBACK TABLE, SET)
// answers an empty schema, and Tag gives its command tag ("INSERT 0 3").
// Writes go through the node's write path like Writer's batches, but
// without a producer id: a retry after an unknown outcome may apply twice,
// so the client sends a write once; a read goes to another node when one
// is unavailable (see Query).
func (c *Client) SQL(ctx context.Context, text string) (*Result, error) {
	return c.SQLWith(ctx, text, QueryOptions{})
}

// SQLWith is SQL with a read mode and a minimum version.
func (c *Client) SQLWith(ctx context.Context, text string, opts QueryOptions) (*Result, error) {
	return c.Query(ctx, &stratapb.QueryRequest{
		Query:    &stratapb.QueryRequest_Sql{Sql: text},
		ReadMode: opts.ReadMode.Proto(), MinVersion: opts.MinVersion,
	})
}

// Tag is the statement's PostgreSQL-style command tag ("SELECT 3",
// "CREATE TABLE"); empty for a plan query.
func (r *Result) Tag() string { return r.Stats.GetCommandTag() }

// NumericColumns reports, per result column, whether PostgreSQL would
// answer numeric there (sum or avg of integers), for printing.
func (r *Result) NumericColumns() []bool { return r.Stats.GetNumericColumns() }

// readOnly: the request surely writes nothing, so it may be sent again to
// another node. A plan only reads; a SQL statement reads when its first
// word is one of readWords (EXPLAIN ANALYZE runs queries only).
func readOnly(req *stratapb.QueryRequest) bool {
	text, ok := req.GetQuery().(*stratapb.QueryRequest_Sql)
	if !ok {
		return req.GetPlan() != nil
	}
	return readWords[strings.ToUpper(firstWord(text.Sql))]
}

var readWords = map[string]bool{"SELECT": true, "SHOW": true, "EXPLAIN": true, "VALUES": true, "TABLE": true, "WITH": true}

// firstWord is the first word of a SQL text after blanks, comments and
// opening parentheses.
func firstWord(s string) string {
	for {
		s = strings.TrimLeft(s, " \t\r\n(")
		switch {
		case strings.HasPrefix(s, "--"):
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				return ""
			}
			s = s[i+1:]
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s, "*/")
			if i < 0 {
				return ""
			}
			s = s[i+2:]
		default:
			end := strings.IndexFunc(s, func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
			})
			if end < 0 {
				end = len(s)
			}
			return s[:end]
		}
	}
}
