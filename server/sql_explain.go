package server

import (
	"context"

	"github.com/stratadb/strata/query"
	"github.com/stratadb/strata/query/sql"
)

// explain answers EXPLAIN [ANALYZE] as PostgreSQL does: one text column,
// "QUERY PLAN", a row per line.
func (n *Node) explain(ctx context.Context, s *sql.Select) (*sql.Result, error) {
	opts := query.Options{MemoryLimit: n.cfg.QueryMemoryLimit}
	var (
		ex    *query.Explanation
		stats query.Stats
		err   error
	)
	if s.Explain == sql.ExplainAnalyze {
		var res *query.Result
		ex, res, err = query.ExplainAnalyze(ctx, n.fsm.Store(), s.Plan, opts)
		if res != nil {
			stats = res.Stats
			res.Release()
		}
	} else {
		ex, err = query.Explain(ctx, n.fsm.Store(), s.Plan, opts)
	}
	if err != nil {
		return nil, err
	}
	lines := ex.Lines()
	rows := make([][]any, len(lines))
	for i, l := range lines {
		rows[i] = []any{l}
	}
	res, err := rowsResult("EXPLAIN", sql.ExplainColumns, rows)
	if err != nil {
		return nil, err
	}
	res.Stats = stats
	return res, nil
}
